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
    /// The form's own RFC 8785 bytes ([`canonical_form`]), computed by the
    /// request handler so the single sequencer thread only concatenates.
    pub form: &'a [u8],
    pub role: Role,
    pub region: RegionCode,
    pub submitted_at: UnixTime,
}

/// A form's RFC 8785 bytes, the `form` member of its entry.
pub fn canonical_form(form: &CHasil) -> Result<Vec<u8>, EntryError> {
    Ok(saksi_log::canonical_json(&serde_json::to_value(form)?)?)
}

impl FormEntry<'_> {
    /// The entry bytes (RFC 8785): members in sorted order, and every
    /// string one that needs no escaping (codes, ids, hex, RFC 3339), so
    /// assembling them is the canonical encoding; a test holds this against
    /// the general encoder.
    pub fn encode(&self) -> Vec<u8> {
        let prev = self
            .prev
            .map_or_else(|| "null".to_owned(), |p| format!("\"{}\"", hex::encode(p)));
        let mut out = Vec::with_capacity(self.form.len() + 256);
        out.extend_from_slice(
            format!("{{\"contest\":\"{}\",\"form\":", self.contest.id()).as_bytes(),
        );
        out.extend_from_slice(self.form);
        out.extend_from_slice(
            format!(
                ",\"prev\":{prev},\"submitted_at\":\"{}\",\"submitted_by\":{{\"region\":\"{}\",\"role\":\"{}\"}},\"tps\":\"{}\",\"type\":\"form\",\"v\":{FORM_ENTRY_VERSION},\"version\":{}}}",
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

#[cfg(test)]
mod tests {
    use saksi_core::form::{OptionVotes, Options, Triple};
    use serde_json::json;

    use super::*;

    #[test]
    fn assembled_entries_are_exactly_the_canonical_encoding() {
        let form = CHasil {
            pemilih_dpt: Triple::of(100, 101),
            pengguna_dpt: Triple::of(50, 51),
            pengguna_dptb: Triple::of(1, 0),
            pengguna_non_dpt: Triple::of(0, 2),
            pengguna_total: Triple::of(51, 53),
            disabilitas: None,
            surat_suara: None,
            suara_sah: 100,
            suara_tidak_sah: 4,
            suara_total: 104,
            options: Options::Paslon(vec![
                OptionVotes {
                    number: 1,
                    votes: 30,
                },
                OptionVotes {
                    number: 2,
                    votes: 50,
                },
                OptionVotes {
                    number: 3,
                    votes: 20,
                },
            ]),
        };
        let canonical = canonical_form(&form).unwrap();
        let tps = RegionCode::parse("11.01.01.2001.001").unwrap();
        for prev in [None, Some([7u8; 32])] {
            let entry = FormEntry {
                tps,
                contest: Contest::Ppwp,
                version: if prev.is_some() { 2 } else { 1 },
                prev,
                form: &canonical,
                role: Role::Kpps,
                region: tps,
                submitted_at: UnixTime(1_707_915_600),
            };
            let reference = json!({
                "type": "form",
                "v": FORM_ENTRY_VERSION,
                "tps": tps.to_string(),
                "contest": "ppwp",
                "version": entry.version,
                "prev": prev.map(hex::encode),
                "form": serde_json::to_value(&form).unwrap(),
                "submitted_by": {"role": "kpps", "region": tps.to_string()},
                "submitted_at": "2024-02-14T13:00:00Z",
            });
            assert_eq!(
                String::from_utf8(entry.encode()).unwrap(),
                String::from_utf8(saksi_log::canonical_json(&reference).unwrap()).unwrap()
            );
        }
    }
}
