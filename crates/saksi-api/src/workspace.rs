//! The officers' workspace: KPPS device enrolment codes and
//! enrolments, officers' keys waiting to be certified, and the validity
//! window a browser puts into a key registration it signs.

use serde::{Deserialize, Serialize};

/// One enrolment code as issued: shown once, never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    pub tps: String,
    /// Twelve digits in groups of four (`1234-5678-9012`).
    pub code: String,
    pub expires_at: String,
}

/// `POST /api/v1/enrolment-codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCodes {
    pub codes: Vec<IssuedCode>,
}

/// Where an enrolment stands. `approved` and `revoked` are read from the
/// key registry: the device's key registered as `kpps` for the TPS, and
/// later revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnrolmentStatus {
    Pending,
    Approved,
    Rejected,
    Revoked,
}

impl EnrolmentStatus {
    pub const ALL: [EnrolmentStatus; 4] = [
        EnrolmentStatus::Pending,
        EnrolmentStatus::Approved,
        EnrolmentStatus::Rejected,
        EnrolmentStatus::Revoked,
    ];

    pub fn id(self) -> &'static str {
        match self {
            EnrolmentStatus::Pending => "pending",
            EnrolmentStatus::Approved => "approved",
            EnrolmentStatus::Rejected => "rejected",
            EnrolmentStatus::Revoked => "revoked",
        }
    }

    pub fn parse(id: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// `POST /api/v1/enrolments`: what the phone keeps to poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentCreated {
    pub id: String,
    pub status: EnrolmentStatus,
}

/// `GET /api/v1/enrolments/{id}` and `POST .../reject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub id: String,
    pub tps: String,
    pub status: EnrolmentStatus,
    /// Why it was rejected; `null` otherwise.
    pub reason: Option<String>,
}

/// One enrolment as a KPU Kab/Kota lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentEntry {
    pub id: String,
    pub tps: String,
    /// The device's verifier key, to be registered as `kpps` for `tps`.
    pub key: String,
    pub status: EnrolmentStatus,
    pub created_at: String,
    pub reason: Option<String>,
}

/// `GET /api/v1/enrolments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolments {
    pub enrolments: Vec<EnrolmentEntry>,
}

/// Where an officer's submitted key stands, read from the key registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficerKeyStatus {
    Pending,
    Certified,
    Revoked,
}

impl OfficerKeyStatus {
    pub const ALL: [OfficerKeyStatus; 3] = [
        OfficerKeyStatus::Pending,
        OfficerKeyStatus::Certified,
        OfficerKeyStatus::Revoked,
    ];

    pub fn id(self) -> &'static str {
        match self {
            OfficerKeyStatus::Pending => "pending",
            OfficerKeyStatus::Certified => "certified",
            OfficerKeyStatus::Revoked => "revoked",
        }
    }

    pub fn parse(id: &str) -> Option<OfficerKeyStatus> {
        OfficerKeyStatus::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// `POST /api/v1/officer-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerKeySubmitted {
    pub id: i64,
    pub key: String,
    pub role: String,
    pub region: String,
    pub status: OfficerKeyStatus,
}

/// One submitted officer's key, as its owner or its certifier lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerKeyEntry {
    pub id: i64,
    pub key: String,
    pub role: String,
    pub region: String,
    pub username: String,
    pub status: OfficerKeyStatus,
    pub created_at: String,
}

/// `GET /api/v1/officer-keys` and `GET /api/v1/officer-keys/mine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerKeys {
    pub keys: Vec<OfficerKeyEntry>,
}

/// `GET /api/v1/keys/defaults`: what a browser puts into a key
/// registration it signs, so the server decides the validity window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDefaults {
    pub origin: String,
    pub valid_from: String,
    pub valid_until: String,
}
