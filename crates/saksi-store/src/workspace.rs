//! What the officers' workspace keeps: KPPS device enrolment
//! codes and enrolments, and officers' keys waiting to be certified.
//!
//! Decisions that follow from the key registry (an enrolment approved or
//! revoked, an officer's key certified or revoked) are not stored: each
//! read joins the registered keys and hands back a [`KeyRegistration`],
//! and the server derives the status from it.

use saksi_core::RegionCode;

use crate::{UnixTime, UserId};

/// An enrolment code to store: only its hash, as the code itself is shown
/// once to the officer who issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolmentCode {
    pub tps: RegionCode,
    /// SHA-256 of the code's digits.
    pub code_hash: Vec<u8>,
    pub issued_by: UserId,
    pub issued_at: UnixTime,
    /// The code is usable while `now < expires_at`.
    pub expires_at: UnixTime,
}

/// A stored enrolment code, as found by its TPS and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEnrolmentCode {
    pub id: i64,
    pub tps: RegionCode,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
    /// When an enrolment used it up.
    pub used_at: Option<UnixTime>,
    /// When a newer code for the same TPS replaced it.
    pub voided_at: Option<UnixTime>,
}

/// An enrolment to store with the code it uses up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolment {
    /// 32 random lowercase hex digits: what the phone polls.
    pub id: String,
    pub tps: RegionCode,
    /// The TPS's kab/kota, whose officers list and decide it.
    pub kabkota: RegionCode,
    /// The device's verifier key.
    pub key: String,
    pub created_at: UnixTime,
}

/// How the key registry holds a key, if it does: the role and region it
/// was registered for, and whether it was revoked since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRegistration {
    pub role: String,
    pub region: RegionCode,
    pub revoked: bool,
}

/// A stored enrolment with the registry's view of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEnrolment {
    pub id: String,
    pub tps: RegionCode,
    pub key: String,
    pub created_at: UnixTime,
    pub rejected_at: Option<UnixTime>,
    pub reason: Option<String>,
    pub registration: Option<KeyRegistration>,
}

/// An officer's key submitted for certification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOfficerKey {
    pub key: String,
    pub user_id: UserId,
    /// The account's role and region, which the key is to act in.
    pub role: String,
    pub region: RegionCode,
    /// Who certifies it: `kpu-kabkota` or `kpu-prov` and their region, or
    /// `root` at `0` for a kpu-prov key.
    pub certifier_role: String,
    pub certifier_region: RegionCode,
    pub created_at: UnixTime,
}

/// A submitted officer's key with its owner's name and the registry's view
/// of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedOfficerKey {
    pub id: i64,
    pub key: String,
    pub user_id: UserId,
    pub username: String,
    pub role: String,
    pub region: RegionCode,
    pub created_at: UnixTime,
    pub registration: Option<KeyRegistration>,
}

/// Which submitted officers' keys to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficerKeyFilter {
    /// Those one account submitted.
    Owner(UserId),
    /// Those a certifier (role and region, as in [`NewOfficerKey`]) certifies.
    Certifier { role: String, region: RegionCode },
    /// Every one (the demo's simulated officers).
    All,
}
