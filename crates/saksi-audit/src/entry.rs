//! Decoding one entry by itself with the log's one codec
//! (`saksi_statement::Entry`, formats in docs/log-entries.md), and what the
//! auditor needs of it: the form's totals, the signature to check, the
//! signer's parsed key. Nothing here depends on earlier entries, so pages
//! are decoded on both cores; what depends on order (version chains, the
//! key chain) is [`crate::ledger`]'s.

use std::collections::HashMap;
use std::sync::Arc;

use saksi_core::Contest;
use saksi_core::RegionCode;
use saksi_core::form::CHasil;
use saksi_core::time::UnixTime;
use saksi_log::Verifier;
use saksi_statement::entry::{EntryError, Kind, entry_sha256};
use saksi_statement::recap::{
    NoFormStatement, ObjectionEntry, ReopenStatement, RulingStatement, SignoffStatement,
};
use saksi_statement::{
    Correction, DeliveryStatement, Entry, KeyAction, KeyStatement, ShipmentStatement, SignedBy,
    Statement,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::forms::{Tally, option_key};
use crate::incidents::{IncidentBody, SignedFiling, statement_disagreement};

/// What kind of entry, for counts and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Known(Kind),
    /// Another `type` and `v` (or none).
    Other(String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Known(kind) => kind.fmt(f),
            Label::Other(s) => f.write_str(s),
        }
    }
}

/// A signature to check, and after [`crate::replay`] checked it, its
/// verdict.
#[derive(Debug)]
pub struct Signed {
    pub signer: Arc<Verifier>,
    /// When the log accepted the statement: the time key validity is
    /// judged at.
    pub logged_at: UnixTime,
    pub signature: [u8; 64],
    /// `saksi/statement/v1\n` and the statement's bytes; emptied once
    /// verified.
    pub message: Vec<u8>,
    /// Whether the signature verifies (strict Ed25519), once checked.
    pub valid: bool,
}

/// A form version.
#[derive(Debug)]
pub struct FormVersion {
    pub tps: RegionCode,
    pub contest: Contest,
    pub version: u32,
    pub prev: Option<[u8; 32]>,
    /// SHA-256 of the statement's bytes (v2) or of the entry's bytes as
    /// served (v1).
    pub digest: [u8; 32],
    pub tally: Tally,
    /// Who vouches for it: nobody (v1), the KPPS device, or a PPS or PPK
    /// on its behalf (v2, as its statement says).
    pub signed_by: SignedBy,
    /// The signature (v2); `None` for a v1 entry.
    pub signed: Option<Signed>,
    /// The upheld objection a PPK's version answers (v2 with `correction`).
    pub correction: Option<Correction>,
}

/// A PPK member's ruling on an objection.
#[derive(Debug)]
pub struct RulingEntry {
    pub statement: RulingStatement,
    pub signed: Signed,
}

/// A signed statement the ledger replays with its digest (a sign-off's or
/// a reopen's confirmation, a reason for no form, a shipment, a delivery):
/// identical statements confirm the same sign-off, and a parent names a
/// child by it.
#[derive(Debug)]
pub struct RecapEntry<S> {
    pub statement: S,
    /// SHA-256 of the statement's bytes.
    pub digest: [u8; 32],
    pub signed: Signed,
}

/// A commissioner's confirmation of a region's sign-off.
pub type SignoffEntry = RecapEntry<SignoffStatement>;
/// A PPK member's reason why a TPS has no form.
pub type NoFormEntry = RecapEntry<NoFormStatement>;
/// A commissioner's confirmation of a reopen of a final region.
pub type ReopenEntry = RecapEntry<ReopenStatement>;
/// A sending office's (or supplier's) shipment.
pub type ShipmentEntry = RecapEntry<ShipmentStatement>;
/// A receiving office's proof of delivery.
pub type DeliveryEntry = RecapEntry<DeliveryStatement>;

/// A key registration or revocation.
#[derive(Debug)]
pub struct KeyEntry {
    pub statement: KeyStatement,
    pub signed: Signed,
}

/// What an entry holds, as far as it could be read.
#[derive(Debug)]
pub enum Body {
    Form(FormVersion),
    Key(KeyEntry),
    Incident(IncidentBody),
    Objection(ObjectionEntry),
    Ruling(RulingEntry),
    Signoff(SignoffEntry),
    Reopen(ReopenEntry),
    NoForm(NoFormEntry),
    Shipment(ShipmentEntry),
    Delivery(DeliveryEntry),
}

/// One decoded entry.
#[derive(Debug)]
pub struct Decoded {
    pub label: Label,
    pub body: Option<Body>,
    /// Everything wrong found so far; an entry with a problem neither
    /// counts nor changes the key chain.
    pub problems: Vec<String>,
}

/// Parsed verifier keys, by SHA-256 of their text (first 16 bytes): a key
/// is decoded (and its torsion check, done once per [`Verifier`] by
/// `saksi_log::batch`, paid) once per audit, not once per signature.
pub type Signers = HashMap<[u8; 16], Arc<Verifier>>;

/// The signer key text's cache key.
fn signer_id(text: &str) -> [u8; 16] {
    let d = Sha256::digest(text.as_bytes());
    let mut id = [0; 16];
    id.copy_from_slice(&d[..16]);
    id
}

/// What decoding needs besides the bytes.
pub struct Context<'a> {
    /// The log's origin: every statement must name it, or one of
    /// `previous_origins`.
    pub origin: &'a str,
    /// Origins of earlier logs whose entries this log carried over
    /// (`saksi log new-origin`), pinned by the auditor like the keys.
    pub previous_origins: &'a [String],
    /// Keys already parsed (read-only while a page is decoded).
    pub signers: &'a Signers,
}

impl Context<'_> {
    /// Whether a statement naming `origin` belongs in this log.
    fn names_this_log(&self, origin: &str) -> bool {
        origin == self.origin || self.previous_origins.iter().any(|o| o == origin)
    }

    /// The verifier key of `text`, from the cache, from `fresh` (keys first
    /// seen in this page), or parsed.
    fn signer(&self, text: &str, fresh: &mut Signers) -> Result<Arc<Verifier>, String> {
        let id = signer_id(text);
        if let Some(v) = self.signers.get(&id).or_else(|| fresh.get(&id)) {
            return Ok(v.clone());
        }
        let v = Arc::new(
            Verifier::parse(text)
                .map_err(|e| format!("`signer` is not a usable verifier key: {e}"))?,
        );
        fresh.insert(id, v.clone());
        Ok(v)
    }

    /// The problem of a statement naming another log, if it does.
    fn origin_problem(&self, origin: &str) -> Option<String> {
        (!self.names_this_log(origin)).then(|| {
            format!(
                "the statement is for the log {origin:?}, not this log {:?}",
                self.origin
            )
        })
    }
}

/// Decodes entry `data`. `fresh` collects keys parsed for the first time.
pub fn decode(data: &[u8], ctx: &Context<'_>, fresh: &mut Signers) -> Decoded {
    let mut problems = Vec::new();
    // Canonical bytes are read in place; others are reported, then read
    // from their canonical re-encoding so that the rest is still checked.
    let entry = match Entry::decode(data) {
        Err(EntryError::NotCanonical(reason)) => {
            let value: Value = match serde_json::from_slice(data) {
                Ok(v) => v,
                Err(e) => return unusable(Label::Other("?".into()), format!("not JSON: {e}")),
            };
            let bytes = match saksi_log::canonical_json(&value) {
                Ok(bytes) => bytes,
                Err(e) => return unusable(Label::Other("?".into()), format!("not canonical: {e}")),
            };
            problems.push(format!("not canonical JSON (RFC 8785): {reason}"));
            Entry::decode(&bytes)
        }
        decoded => decoded,
    };
    let entry = match entry {
        Ok(entry) => entry,
        Err(EntryError::Unknown(label)) => {
            problems.push(format!(
                "an entry of a type or version this auditor does not know: {label}"
            ));
            return Decoded {
                label: Label::Other(label),
                body: None,
                problems,
            };
        }
        Err(EntryError::Malformed { kind, message }) => {
            problems.push(message);
            return Decoded {
                label: Label::Known(kind),
                body: None,
                problems,
            };
        }
        Err(e) => {
            problems.push(e.to_string());
            return Decoded {
                label: Label::Other("?".into()),
                body: None,
                problems,
            };
        }
    };
    let label = Label::Known(entry.kind());
    let body = match entry {
        Entry::FormV1(e) => Ok(Body::Form(FormVersion {
            tps: e.tps,
            contest: e.contest,
            version: e.version,
            prev: e.prev,
            digest: entry_sha256(data),
            tally: tally(&e.form),
            signed_by: SignedBy::Session,
            signed: None,
            correction: None,
        })),
        Entry::FormV2(e) => {
            let digest = e.signed.sha256();
            let statement = &e.signed.statement;
            problems.extend(ctx.origin_problem(&statement.origin));
            let form = FormVersion {
                tps: statement.tps,
                contest: statement.contest,
                version: statement.version,
                prev: statement.prev,
                digest,
                tally: tally(&statement.form),
                signed_by: statement.signed_by(),
                signed: None,
                correction: statement.correction.clone(),
            };
            signed(&e.signed, e.logged_at, ctx, fresh).map(|s| {
                Body::Form(FormVersion {
                    signed: Some(s),
                    ..form
                })
            })
        }
        Entry::KeyV1(e) => {
            let statement = &e.signed.statement;
            problems.extend(ctx.origin_problem(&statement.origin));
            if matches!(statement.action, KeyAction::Register { .. }) {
                // The key it registers will sign later: keep it parsed.
                fresh
                    .entry(signer_id(&statement.key.to_string()))
                    .or_insert_with(|| Arc::new(statement.key.clone()));
            }
            signed(&e.signed, e.logged_at, ctx, fresh).map(|signed| {
                Body::Key(KeyEntry {
                    statement: e.signed.statement,
                    signed,
                })
            })
        }
        Entry::IncidentV1(e) => {
            let filing = match &e.signed {
                Some(s) => {
                    problems.extend(statement_disagreement(&e.event, &s.statement, &s.bytes));
                    signed(s, e.logged_at, ctx, fresh).map(|signed| {
                        Some(SignedFiling {
                            signed,
                            tps: s.statement.region,
                        })
                    })
                }
                None => Ok(None),
            };
            filing.map(|filing| {
                Body::Incident(IncidentBody {
                    event: e.event,
                    logged_at: e.logged_at,
                    filing,
                })
            })
        }
        Entry::ObjectionV1(e) => Ok(Body::Objection(e)),
        Entry::RulingV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            signed(&e.signed, e.logged_at, ctx, fresh).map(|signed| {
                Body::Ruling(RulingEntry {
                    statement: e.signed.statement,
                    signed,
                })
            })
        }
        Entry::SignoffV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            recap(e, ctx, fresh).map(Body::Signoff)
        }
        Entry::NoFormV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            recap(e, ctx, fresh).map(Body::NoForm)
        }
        Entry::ReopenV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            recap(e, ctx, fresh).map(Body::Reopen)
        }
        Entry::ShipmentV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            recap(e, ctx, fresh).map(Body::Shipment)
        }
        Entry::DeliveryV1(e) => {
            problems.extend(ctx.origin_problem(&e.signed.statement.origin));
            recap(e, ctx, fresh).map(Body::Delivery)
        }
    };
    match body {
        Ok(body) => Decoded {
            label,
            body: Some(body),
            problems,
        },
        Err(problem) => {
            problems.push(problem);
            Decoded {
                label,
                body: None,
                problems,
            }
        }
    }
}

fn unusable(label: Label, problem: String) -> Decoded {
    Decoded {
        label,
        body: None,
        problems: vec![problem],
    }
}

/// A signed entry as the ledger replays it: its statement, digest and
/// signature.
fn recap<S: Statement>(
    e: saksi_statement::SignedEntry<S>,
    ctx: &Context<'_>,
    fresh: &mut Signers,
) -> Result<RecapEntry<S>, String> {
    let digest = e.signed.sha256();
    let signed = signed(&e.signed, e.logged_at, ctx, fresh)?;
    Ok(RecapEntry {
        statement: e.signed.statement,
        digest,
        signed,
    })
}

/// The signature of a statement logged at `logged_at`, to check, with its
/// signer's key parsed (or taken from the cache).
fn signed<S: Statement>(
    statement: &saksi_statement::Signed<S>,
    logged_at: UnixTime,
    ctx: &Context<'_>,
    fresh: &mut Signers,
) -> Result<Signed, String> {
    Ok(Signed {
        signer: ctx.signer(&statement.signer, fresh)?,
        logged_at,
        signature: statement.signature,
        message: statement.signed_bytes(),
        valid: false,
    })
}

/// A form's totals, as results count them.
fn tally(form: &CHasil) -> Tally {
    Tally {
        counts: [
            form.pengguna_total.j,
            form.suara_sah,
            form.suara_tidak_sah,
            form.suara_total,
        ],
        options: form
            .options
            .totals()
            .filter_map(|(id, votes)| {
                option_key(id).map(|k| (k, u32::try_from(votes).unwrap_or(u32::MAX)))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use saksi_core::form::{CHasil, OptionVotes, Options, PartyVotes};
    use saksi_log::Signer;
    use saksi_statement::{Envelope, FormStatement, signed_bytes};
    use serde_json::json;

    use super::*;

    const ORIGIN: &str = "saksi.localhost/log";

    fn decode_alone(data: &[u8]) -> Decoded {
        let signers = Signers::new();
        let ctx = Context {
            origin: ORIGIN,
            previous_origins: &[],
            signers: &signers,
        };
        decode(data, &ctx, &mut Signers::new())
    }

    fn sample(contest: Contest) -> FormStatement {
        let options = match contest {
            Contest::Ppwp => Options::Paslon(
                [(1, 30), (2, 50), (3, 20)]
                    .map(|(number, votes)| OptionVotes { number, votes })
                    .to_vec(),
            ),
            _ => Options::Parties(vec![PartyVotes {
                party: 7,
                votes: 40,
                candidates: vec![
                    OptionVotes {
                        number: 1,
                        votes: 35,
                    },
                    OptionVotes {
                        number: 2,
                        votes: 25,
                    },
                ],
            }]),
        };
        FormStatement {
            origin: ORIGIN.into(),
            tps: RegionCode::parse("11.01.01.2001.001").unwrap(),
            contest,
            version: 1,
            prev: None,
            form: CHasil {
                options,
                ..CHasil::example_ppwp()
            },
            photos: vec![],
            signed_at: UnixTime(1_707_915_600),
            on_behalf: None,
            correction: None,
        }
    }

    /// A `form` v2 or `key` v1 entry over `statement`, signed by `by`.
    fn signed_entry(
        kind: &str,
        statement: &serde_json::Map<String, Value>,
        by: &Signer,
    ) -> Vec<u8> {
        let envelope = Envelope::sign(statement.clone(), by).unwrap();
        let v = if kind == "form" { 2 } else { 1 };
        saksi_log::canonical_json(&json!({
            "logged_at": "2024-02-14T13:05:09Z",
            "signature": envelope.signature_base64(),
            "signer": by.verifier().to_string(),
            "statement": Value::Object(statement.clone()),
            "type": kind,
            "v": v,
        }))
        .unwrap()
    }

    #[test]
    fn an_unknown_entry_type_is_reported_not_skipped() {
        let d = decode_alone(br#"{"type":"protest","v":1}"#);
        assert!(d.body.is_none());
        assert!(d.problems[0].contains("does not know"), "{:?}", d.problems);
        assert_eq!(d.label, Label::Other("protest v1".into()));
    }

    #[test]
    fn non_canonical_bytes_are_reported_and_still_read() {
        let d = decode_alone(br#"{"v":1, "type":"form"}"#);
        assert!(
            d.problems.iter().any(|p| p.contains("not canonical")),
            "{:?}",
            d.problems
        );
        assert_eq!(d.label, Label::Known(Kind::FormV1));
        assert!(decode_alone(b"{").problems[0].starts_with("not JSON"));
    }

    #[test]
    fn a_signed_form_decodes_with_its_digest_and_message() {
        let kpps = Signer::generate("kpps-11.01.01.2001.001").unwrap();
        for contest in [Contest::Ppwp, Contest::Dpr] {
            let statement = sample(contest).to_object();
            let entry = signed_entry("form", &statement, &kpps);
            let d = decode_alone(&entry);
            assert!(d.problems.is_empty(), "{:?}", d.problems);
            let Some(Body::Form(f)) = d.body else {
                panic!("a form")
            };
            let canonical = saksi_log::canonical_json(&Value::Object(statement)).unwrap();
            assert_eq!(f.digest, <[u8; 32]>::from(Sha256::digest(&canonical)));
            let signed = f.signed.unwrap();
            assert_eq!(signed.message, signed_bytes(&canonical));
            assert!(signed.signer.verify(&signed.message, &signed.signature));
            assert_eq!(f.tally.counts, [104, 100, 4, 104]);
            let expected: Vec<(u32, u32)> = if contest == Contest::Ppwp {
                vec![(1, 30), (2, 50), (3, 20)]
            } else {
                vec![((2 << 16) | 7, 100)]
            };
            assert_eq!(f.tally.options, expected);
        }
        // Another log's statement is decoded, and refused for its origin.
        let mut other = sample(Contest::Ppwp);
        other.origin = "elsewhere/log".into();
        let d = decode_alone(&signed_entry("form", &other.to_object(), &kpps));
        assert!(d.problems[0].contains("not this log"), "{:?}", d.problems);
    }

    #[test]
    fn a_key_entry_keeps_the_registered_key_parsed_for_later() {
        let root = Signer::generate("kpu-ri").unwrap();
        let prov = Signer::generate("kpu-prov-11").unwrap();
        let statement = KeyStatement {
            origin: ORIGIN.into(),
            key: prov.verifier(),
            action: KeyAction::Register {
                role: saksi_statement::KeyRole::KpuProv,
                region: RegionCode::parse("11").unwrap(),
                valid_from: UnixTime(1_700_000_000),
                valid_until: UnixTime(1_800_000_000),
                commissioner: false,
            },
            signed_at: UnixTime(1_707_915_600),
        };
        let entry = signed_entry("key", &statement.to_object(), &root);
        let signers = Signers::new();
        let ctx = Context {
            origin: ORIGIN,
            previous_origins: &[],
            signers: &signers,
        };
        let mut fresh = Signers::new();
        let d = decode(&entry, &ctx, &mut fresh);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let Some(Body::Key(k)) = d.body else {
            panic!("a key entry")
        };
        assert_eq!(k.statement, statement);
        assert_eq!(fresh.len(), 2, "the signer and the registered key");
        assert!(fresh.contains_key(&signer_id(&prov.verifier().to_string())));
        // A broken signature field: decoded, reported, no signature to check.
        let mut value: Value = serde_json::from_slice(&entry).unwrap();
        value["signature"] = json!("AAAA");
        let d = decode_alone(&saksi_log::canonical_json(&value).unwrap());
        assert!(d.problems[0].contains("signature"), "{:?}", d.problems);
        assert!(d.body.is_none());
    }
}
