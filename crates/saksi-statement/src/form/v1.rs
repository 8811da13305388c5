//! `form` v1 entries: a C.Hasil version entered through an officer's
//! session, with no KPPS signature (docs/log-entries.md). Old logs hold
//! them, so they are read as long as such logs are audited.
//!
//! `{"contest", "form", "prev", "submitted_at", "submitted_by": {"region",
//! "role"}, "tps", "type": "form", "v": 1, "version"}`; no personal data:
//! the submitter appears by role and region only.

use saksi_core::form::{self, CHasil};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::canonical_check::{self, Layout};

use crate::entry::EntryError;
use crate::read::{Object, hex_digest};

/// The members of a `form` v1 entry, sorted.
const MEMBERS: [&str; 9] = [
    "contest",
    "form",
    "prev",
    "submitted_at",
    "submitted_by",
    "tps",
    "type",
    "v",
    "version",
];

/// One form version entered through a session, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormEntryV1 {
    pub tps: RegionCode,
    pub contest: Contest,
    pub version: u32,
    /// The digest of the previous version; `None` for version 1.
    pub prev: Option<[u8; 32]>,
    pub form: CHasil,
    /// The form's RFC 8785 bytes, the entry's `form` member. Kept beside
    /// the form so the one sequencer thread only concatenates (the request
    /// handler encodes it), and so a decoded entry re-encodes to its bytes.
    pub form_bytes: Vec<u8>,
    /// The role and region of the account that submitted it.
    pub role: Role,
    pub region: RegionCode,
    pub submitted_at: UnixTime,
}

/// A form's RFC 8785 bytes.
pub fn form_bytes(form: &CHasil) -> Result<Vec<u8>, EntryError> {
    let value = serde_json::to_value(form).map_err(|e| EntryError::Encode(e.to_string()))?;
    saksi_log::canonical_json(&value).map_err(|e| EntryError::Encode(e.to_string()))
}

impl FormEntryV1 {
    /// The entry bytes (RFC 8785): members in sorted order, and every
    /// string one that needs no escaping (codes, role ids, hex, RFC 3339),
    /// so assembling them is the canonical encoding; a test holds this
    /// against the general encoder.
    pub fn encode(&self) -> Vec<u8> {
        let prev = self
            .prev
            .map_or_else(|| "null".to_owned(), |p| format!("\"{}\"", hex::encode(p)));
        let mut out = Vec::with_capacity(self.form_bytes.len() + 256);
        out.extend_from_slice(
            format!("{{\"contest\":\"{}\",\"form\":", self.contest.id()).as_bytes(),
        );
        out.extend_from_slice(&self.form_bytes);
        out.extend_from_slice(
            format!(
                ",\"prev\":{prev},\"submitted_at\":\"{}\",\"submitted_by\":{{\"region\":\"{}\",\"role\":\"{}\"}},\"tps\":\"{}\",\"type\":\"form\",\"v\":1,\"version\":{}}}",
                self.submitted_at,
                self.region,
                self.role.id(),
                self.tps,
                self.version
            )
            .as_bytes(),
        );
        out
    }

    /// Reads the entry's members (`type` and `v` already known).
    pub(crate) fn read(object: &Object<'_>, layout: &Layout) -> Result<FormEntryV1, String> {
        if object.names() != MEMBERS {
            return Err(format!("members are {:?}, not {MEMBERS:?}", object.names()));
        }
        let text = |name: &str| object.str(name).map_err(|e| e.to_string());
        let tps_text = text("tps")?;
        let tps = RegionCode::parse(&tps_text)
            .ok()
            .filter(|c| c.level() == Level::Tps && c.to_string() == tps_text)
            .ok_or_else(|| format!("`tps` {tps_text:?} is not a dotted TPS code"))?;
        let contest_text = text("contest")?;
        let contest = Contest::parse(&contest_text)
            .ok_or_else(|| format!("unknown contest {contest_text:?}"))?;
        let version = object
            .get("version")
            .and_then(canonical_check::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v >= 1)
            .ok_or("`version` is not an integer from 1")?;
        let prev = match object.get("prev") {
            Some(b"null") => None,
            Some(v) => Some(
                canonical_check::as_str(v)
                    .and_then(|s| hex_digest(&s))
                    .ok_or("`prev` is neither null nor lowercase hex SHA-256")?,
            ),
            None => return Err("`prev` is missing".into()),
        };
        let by = object
            .object(layout, "submitted_by")
            .filter(|by| by.names() == ["region", "role"])
            .ok_or("`submitted_by` is not {role, region}")?;
        let role = by
            .str("role")
            .ok()
            .and_then(|r| Role::parse(&r))
            .ok_or("`submitted_by.role` is not a role")?;
        let region = by
            .str("region")
            .ok()
            .and_then(|r| RegionCode::parse(&r).ok().filter(|c| c.to_string() == r))
            .ok_or("`submitted_by.region` is not a dotted region code")?;
        let submitted_at = object
            .utc_seconds("submitted_at")
            .map_err(|e| e.to_string())?;
        let form_bytes = object.get("form").ok_or("`form` is missing")?;
        if !canonical_check::is_object(form_bytes) {
            return Err("`form` must be an object".into());
        }
        let form = form::parse(contest, form_bytes)
            .map_err(|e| format!("the form does not parse as {contest}: {e}"))?;
        Ok(FormEntryV1 {
            tps,
            contest,
            version,
            prev,
            form,
            form_bytes: form_bytes.to_vec(),
            role,
            region,
            submitted_at,
        })
    }
}
