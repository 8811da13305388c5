//! The fuzz targets: each runs one input through the parsers the server,
//! the auditor or the importer use for one kind of outside input, and names
//! the outcome (accepted, or the kind of refusal) so a run shows which
//! paths its inputs reached.
//!
//! Where a format promises more than "no panic", the target checks it and
//! panics when the promise breaks, which the driver reports like any
//! other panic: canonical JSON accepted by the checker re-encodes to the
//! same bytes, and a decoded log entry re-encodes to the bytes it was
//! read from.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Query;
use axum::http::Uri;
use saksi_core::{Contest, DapilCode, form};
use saksi_log::canonical_check::{self, NotCanonical};
use saksi_log::{Checkpoint, CheckpointError, KeyError, NoteError, Signer, Verifier};
use saksi_server::controllers::log::{Params, decimal, param};
use saksi_server::extract;
use saksi_sim::import::{self, ImportError, RowProblem};
use saksi_statement::entry::{Entry, EntryError, Kind};
use saksi_statement::{
    DeliveryStatement, Envelope, EnvelopeError, FormStatement, KeyStatement, ReopenStatement,
    RulingStatement, ShipmentStatement, SignoffStatement, Statement, StatementError,
    decode_statement,
};
use serde_json::Value;

use crate::seeds;

/// One kind of outside input: its seeds and the parsers it goes through.
pub struct Target {
    pub name: &'static str,
    /// What the input is and who reads it, for `--help` and the report.
    pub about: &'static str,
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Runs one input and names the outcome.
    pub run: fn(&[u8]) -> &'static str,
}

/// Every target, in the order `--target all` runs them.
pub const ALL: &[Target] = &[
    Target {
        name: "form",
        about: "C.Hasil form JSON (saksi_core::form::parse), the contest chosen by the input's length",
        seeds: seeds::forms,
        run: form,
    },
    Target {
        name: "envelope",
        about: "signed envelopes as POSTed (Envelope::parse, verify, open as form, key, ruling, signoff, reopen, shipment and delivery statements)",
        seeds: seeds::envelope_bodies,
        run: envelope,
    },
    Target {
        name: "statement",
        about: "statement bytes (decode_statement as FormStatement, KeyStatement, RulingStatement, SignoffStatement, ReopenStatement, ShipmentStatement and DeliveryStatement)",
        seeds: seeds::statement_bytes,
        run: statement,
    },
    Target {
        name: "entry",
        about: "log entries and entry bundles as the auditor reads them (Entry::decode, parse_entry_bundle)",
        seeds: seeds::entries_and_bundles,
        run: entry,
    },
    Target {
        name: "canonical",
        about: "RFC 8785 checking (canonical_check::check), held against serde_json and the encoder",
        seeds: seeds::json_values,
        run: canonical,
    },
    Target {
        name: "note",
        about: "signed notes and checkpoints (Note::parse, note::open, Checkpoint::open)",
        seeds: seeds::notes,
        run: note,
    },
    Target {
        name: "key",
        about: "verifier and private key text (Verifier::parse, Signer::parse)",
        seeds: seeds::keys,
        run: key,
    },
    Target {
        name: "desa-csv",
        about: "the commission's desa and TPS list (import_regions)",
        seeds: seeds::desa_csv,
        run: desa_csv,
    },
    Target {
        name: "names-csv",
        about: "the Ministry's names list beside a valid desa list (import_regions)",
        seeds: seeds::names_csv,
        run: names_csv,
    },
    Target {
        name: "query",
        about: "the log endpoints' query strings (axum's Query, then param) and path segments (region code, contest, index, dapil)",
        seeds: seeds::queries,
        run: query,
    },
];

/// The target called `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    ALL.iter().find(|t| t.name == name)
}

/// A form read from any bytes reads back the same from its own JSON (how
/// it is stored and logged).
fn form(bytes: &[u8]) -> &'static str {
    let contest = Contest::ALL[bytes.len() % Contest::ALL.len()];
    match form::parse(contest, bytes) {
        Ok(form) => {
            let written = serde_json::to_vec(&form).map_err(|e| e.to_string());
            let again = written.map(|w| form::parse(contest, &w).map_err(|e| e.to_string()));
            assert!(
                again == Ok(Ok(form)),
                "an accepted form does not read back from its JSON: {again:?}"
            );
            "accepted"
        }
        Err(errors) => errors.0.first().map_or("refused", |issue| issue.code),
    }
}

fn envelope(bytes: &[u8]) -> &'static str {
    let envelope = match Envelope::parse(bytes) {
        Ok(envelope) => envelope,
        Err(EnvelopeError::Malformed(_)) => return "envelope malformed",
        Err(EnvelopeError::NotCanonical(_)) => return "statement has no canonical form",
        Err(EnvelopeError::SignatureMalformed) => return "signature malformed",
        Err(EnvelopeError::KeyMalformed(e)) => return key_error(e),
    };
    // What the encoder writes, the checker that reads entries accepts.
    if let Err(e) = canonical_check::check(&envelope.canonical) {
        panic!("the statement's canonical bytes fail the check: {e}");
    }
    let verifies = envelope.verify();
    match read_statement(&envelope.canonical) {
        Ok(kind) if verifies => kind.verifies,
        Ok(kind) => kind.fails,
        Err(e) => statement_error(&e),
    }
}

fn statement(bytes: &[u8]) -> &'static str {
    match read_statement(bytes) {
        Ok(kind) => kind.name,
        Err(e) => statement_error(&e),
    }
}

/// A kind of signed statement: how its bytes are read, and the outcomes
/// naming it.
struct StatementKind {
    read: fn(&[u8]) -> Result<(), StatementError>,
    name: &'static str,
    verifies: &'static str,
    fails: &'static str,
}

fn reads<S: Statement>(bytes: &[u8]) -> Result<(), StatementError> {
    decode_statement::<S>(bytes).map(drop)
}

/// A [`StatementKind`] of statement type `$type`, its outcomes named
/// after `$name`.
macro_rules! statement_kind {
    ($name:literal, $type:ty) => {
        StatementKind {
            read: reads::<$type>,
            name: concat!($name, " statement"),
            verifies: concat!($name, " statement, signature verifies"),
            fails: concat!($name, " statement, signature does not verify"),
        }
    };
}

/// Every kind of signed statement a client posts, in the order they are
/// tried.
const STATEMENT_KINDS: &[StatementKind] = &[
    statement_kind!("form", FormStatement),
    statement_kind!("key", KeyStatement),
    statement_kind!("ruling", RulingStatement),
    statement_kind!("signoff", SignoffStatement),
    statement_kind!("reopen", ReopenStatement),
    statement_kind!("shipment", ShipmentStatement),
    statement_kind!("delivery", DeliveryStatement),
];

/// The first kind that reads `bytes`, or why the first (a form) does not.
fn read_statement(bytes: &[u8]) -> Result<&'static StatementKind, StatementError> {
    let mut first = None;
    for kind in STATEMENT_KINDS {
        match (kind.read)(bytes) {
            Ok(()) => return Ok(kind),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| StatementError::Malformed("no statement kind".into())))
}

fn statement_error(e: &StatementError) -> &'static str {
    match e {
        StatementError::Malformed(m) if m.starts_with("not canonical") => "statement not canonical",
        StatementError::Malformed(_) => "statement malformed",
        StatementError::UnsupportedVersion(_) => "statement version unsupported",
        StatementError::Form(_) => "statement form invalid",
    }
}

fn entry(bytes: &[u8]) -> &'static str {
    if let Some(entries) = saksi_log::tiles::parse_entry_bundle(bytes) {
        for e in entries {
            decode_entry(e);
        }
        return "entry bundle";
    }
    decode_entry(bytes)
}

/// Decodes one entry; a decoded entry must re-encode to its bytes (the
/// auditor recomputes digests from decoded entries).
fn decode_entry(bytes: &[u8]) -> &'static str {
    match Entry::decode(bytes) {
        Ok(entry) => {
            assert!(
                entry.encode() == bytes,
                "a decoded {} entry re-encodes to other bytes",
                entry.kind()
            );
            match entry.kind() {
                Kind::FormV1 => "form v1 entry",
                Kind::FormV2 => "form v2 entry",
                Kind::KeyV1 => "key v1 entry",
                Kind::IncidentV1 => "incident v1 entry",
                Kind::ObjectionV1 => "objection v1 entry",
                Kind::RulingV1 => "ruling v1 entry",
                Kind::SignoffV1 => "signoff v1 entry",
                Kind::ReopenV1 => "reopen v1 entry",
                Kind::NoFormV1 => "no_form v1 entry",
                Kind::ShipmentV1 => "shipment v1 entry",
                Kind::DeliveryV1 => "delivery v1 entry",
            }
        }
        Err(EntryError::NotCanonical(_)) => "entry not canonical",
        Err(EntryError::NotObject) => "entry not an object",
        Err(EntryError::Unknown(_)) => "entry of an unknown kind",
        Err(EntryError::Malformed { .. }) => "entry malformed",
        Err(EntryError::Encode(_)) => "entry cannot be encoded",
    }
}

/// Bytes the checker accepts are canonical: serde_json reads them and the
/// encoder writes them back unchanged. Bytes it refuses are either not
/// JSON or JSON the encoder would write otherwise.
fn canonical(bytes: &[u8]) -> &'static str {
    let checked = canonical_check::check(bytes);
    let parsed = serde_json::from_slice::<Value>(bytes);
    match (checked, parsed) {
        (Ok(_), Ok(value)) => {
            let encoded = saksi_log::canonical_json(&value);
            assert!(
                encoded.as_deref() == Ok(bytes),
                "accepted as canonical but encodes as {encoded:?}"
            );
            "canonical"
        }
        (Ok(_), Err(e)) => panic!("accepted as canonical but serde_json refuses it: {e}"),
        (Err(NotCanonical(_)), Ok(value)) => {
            let encoded = saksi_log::canonical_json(&value);
            assert!(
                encoded.as_deref() != Ok(bytes),
                "refused as not canonical but the encoder writes exactly these bytes"
            );
            "JSON, not canonical"
        }
        (Err(_), Err(_)) => "not JSON",
    }
}

/// The log key every note is opened with, made once.
fn log_verifier() -> &'static Verifier {
    static KEY: OnceLock<Verifier> = OnceLock::new();
    KEY.get_or_init(|| seeds::log_signer().verifier())
}

fn note(bytes: &[u8]) -> &'static str {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = Checkpoint::parse(text);
    }
    let parsed = saksi_log::Note::parse(bytes);
    match Checkpoint::open(bytes, log_verifier(), seeds::ORIGIN) {
        Ok(_) => "checkpoint",
        Err(_) if parsed.is_err() => "note malformed",
        Err(CheckpointError::Note(NoteError::NoVerifiedSignature)) => {
            "note without the log's signature"
        }
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. })) => {
            "note with a bad signature"
        }
        Err(CheckpointError::Note(_)) => "note refused",
        Err(CheckpointError::WrongOrigin { .. }) => "checkpoint of another origin",
        Err(_) => "signed note, malformed checkpoint",
    }
}

fn key(bytes: &[u8]) -> &'static str {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not UTF-8";
    };
    match (Verifier::parse(text.trim()), Signer::parse(text.trim_end())) {
        (Ok(_), _) => "verifier key",
        (_, Ok(_)) => "private key",
        (Err(e), _) => key_error(e),
    }
}

fn key_error(e: KeyError) -> &'static str {
    match e {
        KeyError::Malformed => "key malformed",
        KeyError::InvalidName => "key name invalid",
        KeyError::Unsupported => "key algorithm unsupported",
        KeyError::KeyIdMismatch => "key id mismatch",
        KeyError::WeakKey => "weak key",
    }
}

fn desa_csv(bytes: &[u8]) -> &'static str {
    import_outcome(import::import_regions(bytes, None, &mut |_| {}))
}

/// The valid desa list the names list is read beside.
fn desa_list() -> &'static [u8] {
    static DESA: OnceLock<Vec<u8>> = OnceLock::new();
    DESA.get_or_init(|| seeds::desa_csv().concat())
}

fn names_csv(mut bytes: &[u8]) -> &'static str {
    import_outcome(import::import_regions(
        desa_list(),
        Some(&mut bytes),
        &mut |_| {},
    ))
}

fn import_outcome(result: Result<import::ImportedRegions, ImportError>) -> &'static str {
    let rows = match result {
        Ok(_) => return "imported",
        Err(ImportError::Malformed { rows, .. }) => rows,
        Err(ImportError::NoDesa) => return "no desa",
        Err(_) => return "unreadable",
    };
    match rows.first().map(|r| &r.problem) {
        None => "malformed, no row named",
        Some(RowProblem::StrayQuote | RowProblem::TextAfterQuote | RowProblem::UnclosedQuote) => {
            "row quoting"
        }
        Some(RowProblem::Header { .. }) => "header",
        Some(RowProblem::Columns { .. }) => "column count",
        Some(RowProblem::Code { .. } | RowProblem::CodeLevel { .. }) => "region code",
        Some(RowProblem::CodeMismatch { .. }) => "codes disagree",
        Some(RowProblem::LevelColumn { .. } | RowProblem::Parent { .. }) => "level or parent",
        Some(RowProblem::Number { .. } | RowProblem::TpsNumber { .. }) => "number",
        Some(
            RowProblem::ZeroTps { .. }
            | RowProblem::HalfExtraRange
            | RowProblem::EmptyExtraRange { .. }
            | RowProblem::ExtraOverlap { .. }
            | RowProblem::NoTps
            | RowProblem::Total { .. },
        ) => "TPS counts",
        Some(RowProblem::EmptyName | RowProblem::HiddenCharacter { .. }) => "name",
        Some(RowProblem::NotUtf8) => "not UTF-8",
        Some(RowProblem::Duplicate { .. }) => "duplicate code",
    }
}

/// The input as a query string of the log endpoints (through axum's own
/// `Query` extractor, then `param` for every parameter they read) and as
/// a path segment (every parser a path segment reaches).
fn query(bytes: &[u8]) -> &'static str {
    let segment = String::from_utf8_lossy(bytes);
    let region = extract::region_code(&segment).is_ok();
    let known = extract::contest(&segment).is_ok()
        || decimal(&segment).is_some()
        || DapilCode::parse(&segment).is_ok();
    let mut uri = b"/api/v1/log/entries?".to_vec();
    uri.extend_from_slice(bytes);
    let Ok(uri) = Uri::try_from(uri) else {
        return match (region, known) {
            (true, _) => "no URI; a region code",
            (_, true) => "no URI; a contest, index or dapil",
            _ => "no URI",
        };
    };
    let params: Params = Query::<HashMap<String, String>>::try_from_uri(&uri);
    if params.is_err() {
        return "query string undecodable";
    }
    let read = ["start", "end", "index", "size", "from", "to"]
        .into_iter()
        .filter(|name| param(&params, name).is_ok())
        .count();
    match read {
        0 => "no parameter read",
        1 => "one parameter read",
        _ => "two or more parameters read",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each target's seeds reach its parsers' acceptance: a target whose
    /// seeds are refused would fuzz only the first check.
    #[test]
    fn every_seed_is_accepted_by_its_target() {
        let accepted = |target: &Target, outcome: &str| match target.name {
            "form" => outcome == "accepted" || outcome.starts_with("form."),
            "envelope" => outcome.ends_with("signature verifies") && !outcome.contains("not"),
            "statement" => outcome.ends_with("statement"),
            "entry" => outcome.ends_with(" entry") || outcome == "entry bundle",
            "canonical" => outcome != "not JSON",
            "note" => outcome == "checkpoint" || outcome == "signed note, malformed checkpoint",
            "key" => outcome.ends_with(" key"),
            "desa-csv" | "names-csv" => outcome == "imported",
            _ => outcome != "no URI",
        };
        for target in ALL {
            for seed in (target.seeds)() {
                let outcome = (target.run)(&seed);
                assert!(
                    accepted(target, outcome),
                    "{}: seed {:?} gave {outcome}",
                    target.name,
                    String::from_utf8_lossy(&seed)
                );
            }
        }
        for seed in seeds::forms() {
            assert!(
                Contest::ALL.iter().any(|&c| form::parse(c, &seed).is_ok()),
                "no contest reads the form seed {}",
                String::from_utf8_lossy(&seed)
            );
        }
    }
}
