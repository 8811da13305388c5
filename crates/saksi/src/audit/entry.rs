//! Decoding one entry by itself: canonical bytes, then the verifier of its
//! type and schema version (docs/log-entries.md): `form` v1 (entered
//! through an officer's session), `form` v2 (a KPPS's signed statement)
//! and `key` v1 (an officer's key registration or revocation). Nothing
//! here depends on earlier entries, so pages are decoded on both cores;
//! what depends on order (version chains, the key chain) is
//! [`super::ledger`]'s.
//!
//! Entries are read from their canonical bytes in place
//! ([`super::canonical`]): a statement's bytes inside a canonical entry are
//! the statement's own RFC 8785 bytes, which is what its signature covers
//! and what its digest hashes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::form;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Verifier;
use saksi_statement::{KeyAction, KeyStatement, signed_bytes};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::canonical::{self, Layout};
use super::forms::{Tally, option_key};

/// What kind of entry, for counts and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    FormV1,
    FormV2,
    KeyV1,
    /// Another `type` and `v` (or none).
    Other(String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::FormV1 => f.write_str("form v1"),
            Label::FormV2 => f.write_str("form v2"),
            Label::KeyV1 => f.write_str("key v1"),
            Label::Other(s) => f.write_str(s),
        }
    }
}

/// A signature to check, and after [`super::replay`] checked it, its
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
    /// SHA-256 of the statement's bytes (v2) or of the entry's bytes (v1).
    pub digest: [u8; 32],
    pub tally: Tally,
    /// The KPPS's signature (v2); `None` for a v1 entry, and for a v2
    /// entry whose envelope is unusable (then `problems` says why).
    pub signed: Option<Signed>,
}

/// A key registration or revocation.
#[derive(Debug)]
pub struct KeyEntry {
    pub statement: KeyStatement,
    /// `None` if the envelope is unusable (`problems` says why).
    pub signed: Option<Signed>,
}

/// What an entry holds, as far as it could be read.
#[derive(Debug)]
pub enum Body {
    Form(FormVersion),
    Key(KeyEntry),
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
}

/// The members of a `form` v1 entry, sorted.
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

/// The members of a signed entry, sorted.
const SIGNED_FIELDS: [&str; 6] = ["logged_at", "signature", "signer", "statement", "type", "v"];

/// The members of a form statement besides `v` and `type`
/// (`saksi_statement::form`).
const FORM_STATEMENT_MEMBERS: [&str; 8] = [
    "origin",
    "tps",
    "contest",
    "version",
    "prev",
    "form",
    "photos",
    "signed_at",
];

/// An object's members, looked up by name: (name, value bytes, the
/// member's number in the entry's [`Layout`]).
struct Members<'a>(Vec<(Cow<'a, str>, &'a [u8], usize)>);

impl<'a> Members<'a> {
    fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.0.iter().find(|(n, ..)| n == name).map(|(_, v, _)| *v)
    }

    /// The member's number, for its own members.
    fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().find(|(n, ..)| n == name).map(|(.., i)| *i)
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, ..)| n.as_ref()).collect()
    }

    fn str(&self, name: &str) -> Result<Cow<'a, str>, String> {
        let v = self
            .get(name)
            .ok_or_else(|| format!("`{name}` is missing"))?;
        canonical::as_str(v).ok_or_else(|| format!("`{name}` must be a string"))
    }
}

/// Decodes entry `data`. `fresh` collects keys parsed for the first time.
pub fn decode(data: &[u8], ctx: &Context<'_>, fresh: &mut Signers) -> Decoded {
    let mut problems = Vec::new();
    // Canonical bytes are read in place; others are reported, then read
    // from their canonical re-encoding so that the rest is still checked.
    let (canonical, layout): (Cow<'_, [u8]>, Layout) = match canonical::check(data) {
        Ok(layout) => (Cow::Borrowed(data), layout),
        Err(reason) => {
            let value: Value = match serde_json::from_slice(data) {
                Ok(v) => v,
                Err(e) => return unusable(Label::Other("?".into()), format!("not JSON: {e}")),
            };
            let bytes = match saksi_log::canonical_json(&value) {
                Ok(bytes) => bytes,
                Err(e) => return unusable(Label::Other("?".into()), format!("not canonical: {e}")),
            };
            problems.push(format!("not canonical JSON (RFC 8785): {reason}"));
            match canonical::check(&bytes) {
                Ok(layout) => (Cow::Owned(bytes), layout),
                Err(e) => return unusable(Label::Other("?".into()), format!("not canonical: {e}")),
            }
        }
    };
    if !canonical::is_object(&canonical) {
        return unusable(Label::Other("?".into()), "not a JSON object".into());
    }
    let members = Members(layout.members(&canonical, None));
    let kind = members.get("type").and_then(canonical::as_str);
    let v = members.get("v").and_then(canonical::as_u64);
    let label = match (kind.as_deref(), v) {
        (Some("form"), Some(1)) => Label::FormV1,
        (Some("form"), Some(2)) => Label::FormV2,
        (Some("key"), Some(1)) => Label::KeyV1,
        _ => Label::Other(format!(
            "{} v{}",
            kind.as_deref().unwrap_or("?"),
            v.map_or("?".into(), |v| v.to_string())
        )),
    };
    let body = match &label {
        Label::FormV1 => form_v1(data, &canonical, &layout, &members).map(Body::Form),
        Label::FormV2 => {
            signed_form(&canonical, &layout, &members, ctx, fresh, &mut problems).map(Body::Form)
        }
        Label::KeyV1 => signed_key(&members, ctx, fresh, &mut problems).map(Body::Key),
        Label::Other(label) => Err(format!(
            "an entry of a type or version this auditor does not know: {label}"
        )),
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

/// `form` v1: members, then the form itself. The digest is the SHA-256 of
/// the entry's bytes as served.
fn form_v1(
    data: &[u8],
    bytes: &[u8],
    layout: &Layout,
    m: &Members<'_>,
) -> Result<FormVersion, String> {
    if m.names() != FORM_V1_FIELDS {
        return Err(format!(
            "form v1 members are {:?}, not {FORM_V1_FIELDS:?}",
            m.names()
        ));
    }
    let tps_text = m.str("tps")?;
    let tps = RegionCode::parse(&tps_text)
        .ok()
        .filter(|c| c.level() == Level::Tps && c.to_string() == tps_text)
        .ok_or_else(|| format!("`tps` {tps_text:?} is not a dotted TPS code"))?;
    let contest_text = m.str("contest")?;
    let contest =
        Contest::parse(&contest_text).ok_or_else(|| format!("unknown contest {contest_text:?}"))?;
    let version = m
        .get("version")
        .and_then(canonical::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v >= 1)
        .ok_or("`version` is not an integer from 1")?;
    let prev = match m.get("prev") {
        Some(b"null") => None,
        Some(v) => Some(
            canonical::as_str(v)
                .and_then(|s| hex_digest(&s))
                .ok_or("`prev` is neither null nor lowercase hex SHA-256")?,
        ),
        None => return Err("`prev` is missing".into()),
    };
    let by = m
        .get("submitted_by")
        .filter(|v| canonical::is_object(v))
        .and(m.index("submitted_by"))
        .map(|i| Members(layout.members(bytes, Some(i))))
        .ok_or("`submitted_by` is not an object")?;
    let by_ok = by.names() == ["region", "role"]
        && by.str("role").is_ok_and(|r| !r.is_empty())
        && by
            .str("region")
            .is_ok_and(|r| RegionCode::parse(&r).is_ok());
    if !by_ok {
        return Err("`submitted_by` is not {role, region}".into());
    }
    if !is_utc_seconds(&m.str("submitted_at")?) {
        return Err("`submitted_at` is not RFC 3339 UTC with whole seconds".into());
    }
    let form = m.get("form").ok_or("no `form`")?;
    let tally =
        tally(contest, form).map_err(|e| format!("{tps} {contest} version {version}: {e}"))?;
    Ok(FormVersion {
        tps,
        contest,
        version,
        prev,
        digest: Sha256::digest(data).into(),
        tally,
        signed: None,
    })
}

/// The form's totals, if it parses as a C.Hasil of `contest` (the parser
/// the server validates with, `saksi_core::form::parse`).
fn tally(contest: Contest, form: &[u8]) -> Result<Tally, String> {
    if !canonical::is_object(form) {
        return Err("`form` must be an object".into());
    }
    let parsed = form::parse(contest, form)
        .map_err(|e| format!("the form does not parse as {contest}: {e}"))?;
    Ok(Tally {
        counts: [
            parsed.pengguna_total.j,
            parsed.suara_sah,
            parsed.suara_tidak_sah,
            parsed.suara_total,
        ],
        options: parsed
            .options
            .totals()
            .filter_map(|(id, votes)| {
                option_key(id).map(|k| (k, u32::try_from(votes).unwrap_or(u32::MAX)))
            })
            .collect(),
    })
}

/// The envelope of a signed entry (`logged_at`, `signature`, `signer`,
/// `statement`): the statement's bytes, and the signature to check, or
/// why it cannot be checked.
fn envelope<'a>(
    m: &Members<'a>,
    ctx: &Context<'_>,
    fresh: &mut Signers,
) -> (Option<&'a [u8]>, Result<Signed, String>) {
    let statement = m.get("statement").filter(|s| canonical::is_object(s));
    let signed = (|| {
        if m.names() != SIGNED_FIELDS {
            return Err(format!(
                "signed entry members are {:?}, not {SIGNED_FIELDS:?}",
                m.names()
            ));
        }
        let statement = statement.ok_or("`statement` is not an object")?;
        let logged_at = m.str("logged_at")?;
        let logged_at = UnixTime::parse_rfc3339(&logged_at)
            .filter(|_| is_utc_seconds(&logged_at))
            .ok_or("`logged_at` is not RFC 3339 UTC with whole seconds")?;
        let signature = STANDARD
            .decode(m.str("signature")?.as_bytes())
            .ok()
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .ok_or("`signature` is not base64 of 64 bytes")?;
        let signer = ctx.signer(&m.str("signer")?, fresh)?;
        Ok(Signed {
            signer,
            logged_at,
            signature,
            message: signed_bytes(statement),
            valid: false,
        })
    })();
    (statement, signed)
}

/// `form` v2: the envelope, then the statement as
/// `saksi_statement::FormStatement::from_object` reads it.
fn signed_form(
    bytes: &[u8],
    layout: &Layout,
    m: &Members<'_>,
    ctx: &Context<'_>,
    fresh: &mut Signers,
    problems: &mut Vec<String>,
) -> Result<FormVersion, String> {
    let (statement, signed) = envelope(m, ctx, fresh);
    let (statement, index) = statement
        .zip(m.index("statement"))
        .ok_or("`statement` is not an object")?;
    let members = Members(layout.members(bytes, Some(index)));
    let read =
        form_statement(&members).map_err(|e| format!("the form statement is refused: {e}"))?;
    if !ctx.names_this_log(&read.origin) {
        problems.push(format!(
            "the statement is for the log {:?}, not this log {:?}",
            read.origin, ctx.origin
        ));
    }
    let signed = signed.map_err(|e| problems.push(e)).ok();
    Ok(FormVersion {
        tps: read.tps,
        contest: read.contest,
        version: read.version,
        prev: read.prev,
        digest: Sha256::digest(statement).into(),
        tally: read.tally,
        signed,
    })
}

/// `key` v1: the envelope, then the statement
/// (`saksi_statement::KeyStatement::from_object`).
fn signed_key(
    m: &Members<'_>,
    ctx: &Context<'_>,
    fresh: &mut Signers,
    problems: &mut Vec<String>,
) -> Result<KeyEntry, String> {
    let (statement, signed) = envelope(m, ctx, fresh);
    let statement = statement.ok_or("`statement` is not an object")?;
    let object: serde_json::Map<String, Value> =
        serde_json::from_slice(statement).map_err(|e| format!("`statement`: {e}"))?;
    let statement = KeyStatement::from_object(&object)
        .map_err(|e| format!("the key statement is refused: {e}"))?;
    if !ctx.names_this_log(&statement.origin) {
        problems.push(format!(
            "the statement is for the log {:?}, not this log {:?}",
            statement.origin, ctx.origin
        ));
    }
    if matches!(statement.action, KeyAction::Register { .. }) {
        // The key it registers will sign later: keep it parsed.
        fresh
            .entry(signer_id(&statement.key.to_string()))
            .or_insert_with(|| Arc::new(statement.key.clone()));
    }
    let signed = signed.map_err(|e| problems.push(e)).ok();
    Ok(KeyEntry { statement, signed })
}

/// What a form statement says, as the auditor needs it.
#[derive(Debug)]
struct FormRead {
    origin: String,
    tps: RegionCode,
    contest: Contest,
    version: u32,
    prev: Option<[u8; 32]>,
    tally: Tally,
}

/// Reads a form statement from its canonical bytes with exactly the rules
/// of `saksi_statement::FormStatement::from_object` (same members, same
/// checks, same form parser), without building a `serde_json::Value` of
/// the form; a test holds the two together.
fn form_statement(m: &Members<'_>) -> Result<FormRead, String> {
    // The header: v = 1, type = "form", no member the schema lacks.
    let v = m.get("v").ok_or("`v` is missing")?;
    if canonical::as_u64(v) != Some(1) {
        return Err(format!(
            "unsupported statement version {}",
            String::from_utf8_lossy(v)
        ));
    }
    if m.str("type")? != "form" {
        return Err("`type` must be \"form\"".into());
    }
    if let Some(unknown) = m
        .names()
        .into_iter()
        .find(|n| !FORM_STATEMENT_MEMBERS.contains(n) && *n != "v" && *n != "type")
    {
        return Err(format!("`{unknown}` is not a member of a form statement"));
    }
    let origin = m.str("origin")?.into_owned();
    let tps = RegionCode::parse(&m.str("tps")?)
        .ok()
        .filter(|c| c.level() == Level::Tps)
        .ok_or("`tps` must be a TPS code like 11.01.01.2001.001")?;
    let contest = Contest::parse(&m.str("contest")?)
        .ok_or("`contest` must be ppwp, dpr, dpd, dprd-prov or dprd-kabkota")?;
    let version = m.get("version").ok_or("`version` is missing")?;
    let version = canonical::as_u64(version)
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v >= 1)
        .ok_or("`version` must be an integer from 1")?;
    let prev = match m.get("prev").ok_or("`prev` is missing")? {
        b"null" => None,
        p => {
            let text = canonical::as_str(p).ok_or("`prev` must be null or a string")?;
            Some(hex_digest(&text).ok_or("`prev` must be null or 64 lowercase hex digits")?)
        }
    };
    if (version == 1) != prev.is_none() {
        return Err("`prev` must be null for version 1 and a digest for later versions".into());
    }
    let photos = canonical::items(m.get("photos").ok_or("`photos` is missing")?)
        .filter(|p| p.len() <= saksi_statement::form::MAX_PHOTOS)
        .ok_or("`photos` must be a list of at most 64 digests")?;
    if !photos
        .iter()
        .all(|p| canonical::as_str(p).is_some_and(|s| hex_digest(&s).is_some()))
    {
        return Err("each photo must be 64 lowercase hex digits".into());
    }
    let form = m.get("form").ok_or("`form` is missing")?;
    let tally = tally(contest, form)?;
    let signed_at = m.str("signed_at")?;
    if UnixTime::parse_rfc3339(&signed_at).is_none() {
        return Err("`signed_at` must be an RFC 3339 UTC time like 2024-02-14T13:00:00Z".into());
    }
    Ok(FormRead {
        origin,
        tps,
        contest,
        version,
        prev,
        tally,
    })
}

/// 64 lowercase hex digits as 32 bytes.
fn hex_digest(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
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
    use saksi_core::form::{CHasil, OptionVotes, Options, PartyVotes};
    use saksi_log::Signer;
    use saksi_statement::{Envelope, FormStatement};
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
        let d = decode_alone(br#"{"type":"objection","v":1}"#);
        assert!(d.body.is_none());
        assert!(d.problems[0].contains("does not know"), "{:?}", d.problems);
        assert_eq!(d.label, Label::Other("objection v1".into()));
    }

    #[test]
    fn non_canonical_bytes_are_reported_and_still_read() {
        let d = decode_alone(br#"{"v":1, "type":"form"}"#);
        assert!(
            d.problems.iter().any(|p| p.contains("not canonical")),
            "{:?}",
            d.problems
        );
        assert_eq!(d.label, Label::FormV1);
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

    /// The fast reading of form statements accepts exactly what
    /// `FormStatement::from_object` accepts.
    #[test]
    fn form_statements_are_read_as_saksi_statement_reads_them() {
        let digest = "ab".repeat(32);
        let mut cases: Vec<(&str, Value)> = vec![
            ("v", json!(2)),
            ("v", json!("1")),
            ("type", json!("key")),
            ("type", json!(1)),
            ("tps", json!("11.01")),
            ("tps", json!("1101012001001")),
            ("tps", json!(5)),
            ("contest", json!("dprd")),
            ("version", json!(0)),
            ("version", json!(2)),
            ("version", json!(-1)),
            ("version", json!(4_294_967_296u64)),
            ("prev", json!("AB".repeat(32))),
            ("prev", json!(digest.clone())),
            ("prev", json!(3)),
            ("photos", json!(["zz"])),
            ("photos", json!([digest.clone()])),
            ("photos", json!(vec![digest.clone(); 65])),
            ("photos", json!({})),
            ("signed_at", json!("yesterday")),
            ("signed_at", json!("2024-02-14T13:05:09.123Z")),
            ("form", json!({"suara_sah": 1})),
            ("form", json!([])),
            ("extra", json!(true)),
            ("origin", json!(7)),
        ];
        let base = sample(Contest::Ppwp).to_object();
        let mut statements: Vec<serde_json::Map<String, Value>> = vec![base.clone()];
        for (name, value) in cases.drain(..) {
            let mut s = base.clone();
            s.insert(name.to_owned(), value);
            statements.push(s);
        }
        for name in ["photos", "prev", "v", "type", "form", "signed_at", "origin"] {
            let mut s = base.clone();
            s.remove(name);
            statements.push(s);
        }
        let mut v2 = base.clone();
        v2.insert("version".into(), json!(2));
        v2.insert("prev".into(), json!(digest));
        statements.push(v2);
        for s in statements {
            let bytes = saksi_log::canonical_json(&Value::Object(s.clone())).unwrap();
            let layout = canonical::check(&bytes).unwrap();
            let ours = form_statement(&Members(layout.members(&bytes, None)));
            let theirs = FormStatement::from_object(&s);
            assert_eq!(
                ours.is_ok(),
                theirs.is_ok(),
                "{}: {ours:?} / {theirs:?}",
                Value::Object(s.clone())
            );
            if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                assert_eq!(
                    (ours.tps, ours.contest, ours.version, ours.prev),
                    (theirs.tps, theirs.contest, theirs.version, theirs.prev)
                );
            }
        }
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
        assert!(matches!(
            d.body,
            Some(Body::Key(KeyEntry { signed: None, .. }))
        ));
    }

    #[test]
    fn times_are_whole_seconds_in_utc() {
        assert!(is_utc_seconds("2024-02-14T13:05:09Z"));
        assert!(!is_utc_seconds("2024-02-14T13:05:09.1Z"));
        assert!(!is_utc_seconds("2024-02-14 13:05:09Z"));
        assert_eq!(hex_digest(&"0f".repeat(32)), Some([15; 32]));
        assert_eq!(hex_digest(&"0F".repeat(32)), None);
        assert_eq!(hex(&[1, 171]), "01ab");
    }
}
