//! Log entries for form versions, schema `{"type": "form", "v": 1}`,
//! documented field by field in `docs/log-entries.md`. The bytes are the
//! RFC 8785 canonical JSON of the entry, so an auditor in any language can
//! re-encode a decoded entry and get the same bytes and leaf hash.

use saksi_core::form::CHasil;
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::CanonicalJsonError;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The schema version of form entries.
pub const FORM_ENTRY_VERSION: u64 = 1;

/// Why an entry could not be encoded (a form that does not serialise to
/// integers and strings: a bug, answered as an internal error).
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error("the form does not serialise")]
    Json(#[from] serde_json::Error),
    #[error("the entry has no canonical form")]
    Canonical(#[from] CanonicalJsonError),
}

/// One accepted form version as the log records it. No personal data: the
/// submitter appears by role and region only.
#[derive(Debug)]
pub struct FormEntry<'a> {
    pub tps: RegionCode,
    pub contest: Contest,
    pub version: u32,
    /// SHA-256 of the previous version's entry bytes; `None` for version 1.
    pub prev: Option<[u8; 32]>,
    pub form: &'a CHasil,
    pub role: Role,
    pub region: RegionCode,
    pub submitted_at: UnixTime,
}

impl FormEntry<'_> {
    /// The entry bytes (RFC 8785).
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let value = json!({
            "type": "form",
            "v": FORM_ENTRY_VERSION,
            "tps": self.tps.to_string(),
            "contest": self.contest.id(),
            "version": self.version,
            "prev": self.prev.map(hex::encode),
            "form": serde_json::to_value(self.form)?,
            "submitted_by": {"role": self.role.id(), "region": self.region.to_string()},
            "submitted_at": self.submitted_at.to_string(),
        });
        Ok(saksi_log::canonical_json(&value)?)
    }
}

/// SHA-256 of entry bytes: what `prev` and `entry_sha256` hold.
pub fn entry_sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The fields of a stored form entry a receipt repeats.
#[derive(Debug, Clone, Deserialize)]
pub struct FormEntryHeader {
    #[serde(rename = "type")]
    pub kind: String,
    pub tps: String,
    pub contest: String,
    pub version: u32,
    pub submitted_at: String,
}

impl FormEntryHeader {
    /// Reads the header of stored entry bytes; `None` if they are not a form
    /// entry (another entry type, or bytes written by something else).
    pub fn parse(data: &[u8]) -> Option<FormEntryHeader> {
        serde_json::from_slice::<FormEntryHeader>(data)
            .ok()
            .filter(|h| h.kind == "form")
    }
}
