//! Log entries for form versions, schema `{"type": "form", "v": 1}`,
//! documented field by field in `docs/log-entries.md`. The bytes are the
//! RFC 8785 canonical JSON of the entry, so an auditor in any language can
//! re-encode a decoded entry and get the same bytes and leaf hash.

use saksi_core::form::CHasil;
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::CanonicalJsonError;
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

/// The schema version of form entries that carry a KPPS's signed
/// statement (`form` v1 entries are versions entered through an officer's
/// session).
pub const SIGNED_FORM_ENTRY_VERSION: u64 = 2;

/// The schema version of key entries.
pub const KEY_ENTRY_VERSION: u64 = 1;

/// What a signed entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedKind {
    /// A KPPS's form statement: `{"type": "form", "v": 2}`.
    Form,
    /// An officer's key registration or revocation: `{"type": "key", "v": 1}`.
    Key,
}

/// An entry that carries a signed statement as it was signed, so anyone
/// can check the signature from the log alone: the statement, the
/// signature, the signer's verifier key and when the log accepted it.
#[derive(Debug)]
pub struct SignedEntry<'a> {
    pub kind: SignedKind,
    /// The statement's RFC 8785 bytes.
    pub statement: &'a [u8],
    /// The signature in standard base64.
    pub signature: &'a str,
    /// The signer's verifier key text.
    pub signer: &'a str,
    pub logged_at: UnixTime,
}

impl SignedEntry<'_> {
    /// The entry bytes (RFC 8785), assembled as [`FormEntry::encode`] is;
    /// the signer's key name is the one member that may need escaping, so
    /// it goes through the general encoder.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let signer = saksi_log::canonical_json(&serde_json::Value::String(self.signer.to_owned()))?;
        let (kind, v) = match self.kind {
            SignedKind::Form => ("form", SIGNED_FORM_ENTRY_VERSION),
            SignedKind::Key => ("key", KEY_ENTRY_VERSION),
        };
        let mut out = Vec::with_capacity(self.statement.len() + 256);
        out.extend_from_slice(
            format!(
                "{{\"logged_at\":\"{}\",\"signature\":\"{}\",\"signer\":",
                self.logged_at, self.signature
            )
            .as_bytes(),
        );
        out.extend_from_slice(&signer);
        out.extend_from_slice(b",\"statement\":");
        out.extend_from_slice(self.statement);
        out.extend_from_slice(format!(",\"type\":\"{kind}\",\"v\":{v}}}").as_bytes());
        Ok(out)
    }
}

/// The digest a form version is chained by (the next version's `prev`):
/// the SHA-256 of its statement's RFC 8785 bytes if it carries one, else of
/// its entry bytes. `None` for bytes that are not JSON.
pub fn version_digest(entry: &[u8]) -> Option<[u8; 32]> {
    let value: serde_json::Value = serde_json::from_slice(entry).ok()?;
    match value.get("statement") {
        Some(statement) => Some(entry_sha256(&saksi_log::canonical_json(statement).ok()?)),
        None => Some(entry_sha256(entry)),
    }
}

/// The fields of a stored entry that its receipt repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptHeader {
    /// (tps, contest, version) for a form entry.
    pub form: Option<(String, String, u32)>,
    /// When the log accepted the fact (RFC 3339).
    pub time: String,
    /// SHA-256 of the statement's RFC 8785 bytes, for signed entries.
    pub statement_sha256: Option<[u8; 32]>,
}

impl ReceiptHeader {
    /// Reads the header of stored entry bytes; `None` if they are not an
    /// entry this server writes.
    pub fn parse(data: &[u8]) -> Option<ReceiptHeader> {
        let value: serde_json::Value = serde_json::from_slice(data).ok()?;
        let text = |v: &serde_json::Value, name: &str| v.get(name)?.as_str().map(str::to_owned);
        let form = |v: &serde_json::Value| {
            Some((
                text(v, "tps")?,
                text(v, "contest")?,
                u32::try_from(v.get("version")?.as_u64()?).ok()?,
            ))
        };
        match (text(&value, "type")?.as_str(), value.get("v")?.as_u64()?) {
            ("form", FORM_ENTRY_VERSION) => Some(ReceiptHeader {
                form: Some(form(&value)?),
                time: text(&value, "submitted_at")?,
                statement_sha256: None,
            }),
            (kind @ ("form" | "key"), v)
                if (kind == "form" && v == SIGNED_FORM_ENTRY_VERSION)
                    || (kind == "key" && v == KEY_ENTRY_VERSION) =>
            {
                let statement = value.get("statement")?;
                Some(ReceiptHeader {
                    form: if kind == "form" {
                        Some(form(statement)?)
                    } else {
                        None
                    },
                    time: text(&value, "logged_at")?,
                    statement_sha256: Some(entry_sha256(
                        &saksi_log::canonical_json(statement).ok()?,
                    )),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn assembled_entries_are_exactly_the_canonical_encoding() {
        let form = CHasil::example_ppwp();
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

    #[test]
    fn signed_entries_are_exactly_the_canonical_encoding_and_their_receipt_header_reads_back() {
        let statement = json!({"v": 1, "type": "form", "tps": "11.01.01.2001.001",
            "contest": "ppwp", "version": 2, "prev": "ab", "form": {"z": 1, "a": [2]},
            "photos": [], "signed_at": "2024-02-14T13:00:00Z", "origin": "o/log"});
        let canonical = saksi_log::canonical_json(&statement).unwrap();
        for (kind, name, v) in [(SignedKind::Form, "form", 2), (SignedKind::Key, "key", 1)] {
            let signer = "odd\"name+01020304+AQID";
            let entry = SignedEntry {
                kind,
                statement: &canonical,
                signature: "c2ln",
                signer,
                logged_at: UnixTime(1_707_915_600),
            }
            .encode()
            .unwrap();
            let reference = json!({"type": name, "v": v, "statement": statement,
                "signature": "c2ln", "signer": signer, "logged_at": "2024-02-14T13:00:00Z"});
            assert_eq!(entry, saksi_log::canonical_json(&reference).unwrap());
            let header = ReceiptHeader::parse(&entry).unwrap();
            assert_eq!(header.time, "2024-02-14T13:00:00Z");
            assert_eq!(header.statement_sha256, Some(entry_sha256(&canonical)));
            assert_eq!(version_digest(&entry), Some(entry_sha256(&canonical)));
            let form = (kind == SignedKind::Form)
                .then(|| ("11.01.01.2001.001".to_owned(), "ppwp".to_owned(), 2));
            assert_eq!(header.form, form);
        }
    }
}
