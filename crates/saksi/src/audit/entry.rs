//! Verifying entries one by one, in log order: canonical bytes, then a
//! verifier per entry type and schema version. Today the log holds one
//! type, `form` v1 (docs/log-entries.md); officer keys and signed KPPS
//! statements will be further arms of [`Ledger::verify`], each with its own
//! checks, sharing the same order and the same findings.

use std::collections::HashMap;

use saksi_core::form::{self, OptionId};
use saksi_core::{Contest, Level, RegionCode};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::report::{Discrepancy, Resubmission};

/// What one counting entry adds to its TPS's totals.
#[derive(Debug, Clone)]
pub struct FormEntry {
    /// The entry's log index.
    pub index: u64,
    /// The TPS.
    pub tps: RegionCode,
    /// The contest.
    pub contest: Contest,
    /// Its version within (tps, contest).
    pub version: u64,
    /// `pengguna_total_j`, `suara_sah`, `suara_tidak_sah`, `suara_total`.
    pub counts: [u64; 4],
    /// Votes per option, keyed as results key them (`01`, `7`, ...); a
    /// party's are its party-only votes plus its candidates'.
    pub options: Vec<(String, u64)>,
}

/// Per (TPS, contest): the last version seen and the SHA-256 of its bytes.
type Chains = HashMap<(RegionCode, Contest), (u64, [u8; 32])>;

/// Everything learnt from the entries so far.
#[derive(Debug, Default)]
pub struct Ledger {
    chains: Chains,
    /// Every form entry that decoded, in log order.
    pub forms: Vec<FormEntry>,
    /// Every version after a TPS's first.
    pub resubmissions: Vec<Resubmission>,
    /// Entries verified, of every type.
    pub verified: u64,
    /// Entries per type (`form v1`, ...).
    pub by_type: HashMap<String, u64>,
}

/// The fields of a `form` v1 entry, sorted.
const FORM_V1_FIELDS: [&str; 9] = [
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

impl Ledger {
    /// Verifies entry `index` (its bytes) and learns from it; every problem
    /// goes to `found`.
    pub fn verify(&mut self, index: u64, bytes: &[u8], found: &mut Vec<Discrepancy>) {
        self.verified += 1;
        let value: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                found.push(Discrepancy::entry(index, format!("not JSON: {e}")));
                return;
            }
        };
        match saksi_log::canonical_json(&value) {
            Ok(canonical) if canonical == bytes => {}
            Ok(_) => found.push(Discrepancy::entry(
                index,
                "not canonical JSON (RFC 8785): re-encoding changes its bytes",
            )),
            Err(e) => found.push(Discrepancy::entry(index, format!("not canonical: {e}"))),
        }
        let Some(obj) = value.as_object() else {
            found.push(Discrepancy::entry(index, "not a JSON object"));
            return;
        };
        let kind = obj.get("type").and_then(Value::as_str);
        let v = obj.get("v").and_then(Value::as_u64);
        let label = format!(
            "{} v{}",
            kind.unwrap_or("?"),
            v.map_or("?".into(), |v| v.to_string())
        );
        *self.by_type.entry(label.clone()).or_default() += 1;
        match (kind, v) {
            (Some("form"), Some(1)) => {
                if let Err(message) = self.form_v1(index, bytes, obj) {
                    found.push(Discrepancy::entry(index, message));
                }
            }
            // Later: ("key", 1) registration and revocation against the
            // chain from the pinned roots, ("statement", 1) signatures.
            _ => found.push(Discrepancy::entry(
                index,
                format!("an entry of a type or version this auditor does not know: {label}"),
            )),
        }
    }

    /// `form` v1: fields, chain, then the form itself.
    fn form_v1(
        &mut self,
        index: u64,
        bytes: &[u8],
        obj: &Map<String, Value>,
    ) -> Result<(), String> {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        if keys != FORM_V1_FIELDS {
            return Err(format!(
                "form v1 fields are {keys:?}, not {FORM_V1_FIELDS:?}"
            ));
        }
        let text = |name: &str| {
            obj.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("`{name}` is not a string"))
        };
        let tps_text = text("tps")?;
        let tps = RegionCode::parse(tps_text)
            .ok()
            .filter(|c| c.level() == Level::Tps && c.to_string() == tps_text)
            .ok_or_else(|| format!("`tps` {tps_text:?} is not a dotted TPS code"))?;
        let contest_text = text("contest")?;
        let contest = Contest::parse(contest_text)
            .ok_or_else(|| format!("unknown contest {contest_text:?}"))?;
        let version = obj
            .get("version")
            .and_then(Value::as_u64)
            .filter(|v| *v >= 1)
            .ok_or("`version` is not an integer from 1")?;
        let prev = match obj.get("prev") {
            Some(Value::Null) => None,
            Some(Value::String(s))
                if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                Some(s.as_str())
            }
            _ => return Err("`prev` is neither null nor lowercase hex SHA-256".into()),
        };
        let by = obj
            .get("submitted_by")
            .and_then(Value::as_object)
            .ok_or("`submitted_by` is not an object")?;
        let by_ok = by.len() == 2
            && by
                .get("role")
                .and_then(Value::as_str)
                .is_some_and(|r| !r.is_empty())
            && by
                .get("region")
                .and_then(Value::as_str)
                .is_some_and(|r| RegionCode::parse(r).is_ok());
        if !by_ok {
            return Err("`submitted_by` is not {role, region}".into());
        }
        if !is_utc_seconds(text("submitted_at")?) {
            return Err("`submitted_at` is not RFC 3339 UTC with whole seconds".into());
        }
        let form_value = obj.get("form").ok_or("no `form`")?;
        let form_bytes = serde_json::to_vec(form_value).map_err(|e| e.to_string())?;
        let parsed = form::parse(contest, &form_bytes)
            .map_err(|e| format!("the form does not parse as {contest}: {e}"))?;

        // The chain: version n+1 follows n, prev = SHA-256(bytes of n).
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let mut problem = None;
        match self.chains.get(&(tps, contest)) {
            None if version == 1 && prev.is_none() => {}
            None => {
                problem = Some(format!(
                    "{tps} {contest} version {version} has no version {} before it",
                    version - 1
                ))
            }
            Some((last, last_digest)) => {
                if version != last + 1 {
                    problem = Some(format!(
                        "{tps} {contest} version {version} follows version {last}"
                    ));
                } else if prev != Some(hex(last_digest).as_str()) {
                    problem = Some(format!(
                        "{tps} {contest} version {version}: `prev` is not the SHA-256 of version {last}"
                    ));
                }
            }
        }
        let latest = self.chains.get(&(tps, contest)).map_or(0, |(v, _)| *v);
        if version > latest {
            self.chains.insert((tps, contest), (version, digest));
        }
        if version > 1 {
            self.resubmissions.push(Resubmission {
                index,
                tps: tps.to_string(),
                contest: contest.id().to_owned(),
                version,
            });
        }
        let options = parsed
            .options
            .totals()
            .filter_map(|(id, votes)| option_key(id).map(|k| (k, votes)))
            .collect();
        self.forms.push(FormEntry {
            index,
            tps,
            contest,
            version,
            counts: [
                u64::from(parsed.pengguna_total.j),
                u64::from(parsed.suara_sah),
                u64::from(parsed.suara_tidak_sah),
                u64::from(parsed.suara_total),
            ],
            options,
        });
        problem.map_or(Ok(()), Err)
    }
}

/// The key results use for an option's total.
fn option_key(id: OptionId) -> Option<String> {
    match id {
        OptionId::Paslon(n) => Some(format!("{n:02}")),
        OptionId::Candidate(n) => Some(n.to_string()),
        OptionId::Party(p) => Some(p.to_string()),
        OptionId::PartyCandidate(..) => None,
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
fn is_utc_seconds(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_entry_type_is_reported_not_skipped() {
        let mut ledger = Ledger::default();
        let mut found = Vec::new();
        ledger.verify(0, br#"{"type":"key","v":1}"#, &mut found);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].to_string().contains("does not know"));
    }

    #[test]
    fn non_canonical_bytes_are_reported() {
        let mut ledger = Ledger::default();
        let mut found = Vec::new();
        ledger.verify(3, br#"{"v":1, "type":"form"}"#, &mut found);
        assert!(
            found
                .iter()
                .any(|d| d.to_string().contains("not canonical")),
            "{found:?}"
        );
    }

    #[test]
    fn times_are_whole_seconds_in_utc() {
        assert!(is_utc_seconds("2024-02-14T13:05:09Z"));
        assert!(!is_utc_seconds("2024-02-14T13:05:09.1Z"));
        assert!(!is_utc_seconds("2024-02-14 13:05:09Z"));
    }
}
