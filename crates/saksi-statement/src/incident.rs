//! Incidents as facts of the log: the `incident` statement a KPPS device
//! signs to file one ([`IncidentStatement`]), the id every incident is
//! known by ([`IncidentId`]), the private content kept beside each event
//! and the commitment the log publishes in its place ([`Private`]), and the
//! `incident` v1 entry, one per event ([`IncidentEntry`]).
//!
//! The log publishes only what the public may count and check (category,
//! severity, region, owner, status, due times, the role that acted); the
//! title, the texts, the reporter's identity and the photo hashes stay in
//! the database, committed to by `content_sha256` = SHA-256(salt ||
//! RFC 8785 bytes of the content), so the commission can later prove what
//! it was told, and when, by revealing one salt and one content.
//! Formats: docs/statements.md (the statement, the envelope, the
//! commitment) and docs/log-entries.md (the entry).

use std::fmt;

use saksi_core::incident::{Action, Actor, Category, Owner, Public, Severity, Status};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::canonical_check::{self, Layout};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entry::{Signed, read_signed};
use crate::read::{Object, hex_digest};
use crate::{Statement, StatementError};

/// An incident's id: the first 16 bytes of SHA-256 of its filing
/// statement's RFC 8785 bytes, so anyone holding the filing can derive it
/// and no two filings share one. Written as 32 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentId(pub [u8; 16]);

impl IncidentId {
    /// Parses 32 lowercase hex digits (the only way an id is written, so
    /// one id has one spelling in URLs, the log and the store).
    pub fn parse(text: &str) -> Option<IncidentId> {
        if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut id = [0u8; 16];
        hex::decode_to_slice(text, &mut id).ok()?;
        Some(IncidentId(id))
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The `incident` statement: what a KPPS device signs to file an incident
/// at its TPS, and what the server builds (unsigned) for a filing made
/// through a session, so every incident's id is derived the same way.
/// It holds only what the log publishes; the content travels beside it
/// ([`Private`]), bound by `content_sha256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentStatement {
    /// Where it happened (a TPS, for a device's filing).
    pub region: RegionCode,
    pub category: Category,
    pub severity: Severity,
    /// The contests it touches, in contest order, each once; written only
    /// when not empty.
    pub contests: Vec<Contest>,
    /// The commitment to the filing's private content.
    pub content_sha256: [u8; 32],
    /// The log this filing is for (its checkpoints' origin): a statement
    /// signed for another log (a training election, say) is refused, as
    /// forms and keys are.
    pub origin: String,
    /// When the device signed it (or the server built it): a report may
    /// wait hours in a phone's outbox, and this says how long.
    pub signed_at: UnixTime,
}

/// The members an incident statement may have besides `v` and `type`:
/// every one is required but `contests`.
const STATEMENT_MEMBERS: &[&str] = &[
    "category",
    "content_sha256",
    "contests",
    "origin",
    "region",
    "severity",
    "signed_at",
];

impl Statement for IncidentStatement {
    const TYPE: &'static str = "incident";
    const ENTRY_VERSION: u64 = 1;

    /// Reads a signed filing: only a KPPS device signs one, so `region`
    /// must be a TPS, written dotted.
    fn read(object: &Object<'_>) -> Result<IncidentStatement, StatementError> {
        object.check_header(Self::TYPE, STATEMENT_MEMBERS)?;
        let malformed = |m: &str| StatementError::Malformed(m.to_owned());
        let region = dotted(&object.str("region")?)
            .filter(|r| r.level() == Level::Tps)
            .ok_or_else(|| malformed("`region` must be a TPS code like 11.01.01.2001.001"))?;
        let category = Category::parse(&object.str("category")?).ok_or_else(|| {
            malformed(&format!("`category` must be one of {}", ids(Category::ALL)))
        })?;
        let severity = Severity::parse(&object.str("severity")?).ok_or_else(|| {
            malformed(&format!("`severity` must be one of {}", ids(Severity::ALL)))
        })?;
        let content_sha256 = hex_digest(&object.str("content_sha256")?)
            .ok_or_else(|| malformed("`content_sha256` must be 64 lowercase hex digits"))?;
        let contests = object
            .get("contests")
            .map(read_contests)
            .transpose()
            .map_err(StatementError::Malformed)?
            .unwrap_or_default();
        Ok(IncidentStatement {
            region,
            category,
            severity,
            contests,
            content_sha256,
            origin: object.str("origin")?.into_owned(),
            signed_at: object.time("signed_at")?,
        })
    }
}

impl IncidentStatement {
    /// The statement's RFC 8785 bytes: what a device signs and what the
    /// id is derived from. Every string but the origin is an id, a code,
    /// a time or hex, which need no escaping, so assembling the members in
    /// sorted order (the origin through the general string encoder) is
    /// the canonical encoding; a test holds this against the general
    /// encoder.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = format!(
            "{{\"category\":\"{}\",\"content_sha256\":\"{}\",",
            self.category,
            hex::encode(self.content_sha256)
        );
        if !self.contests.is_empty() {
            out.push_str(&format!("\"contests\":{},", contests_json(&self.contests)));
        }
        out.push_str("\"origin\":");
        let mut out = out.into_bytes();
        saksi_log::write_canonical_string(&self.origin, &mut out);
        out.extend_from_slice(
            format!(
                ",\"region\":\"{}\",\"severity\":\"{}\",\"signed_at\":\"{}\",\"type\":\"{}\",\"v\":1}}",
                self.region,
                self.severity,
                self.signed_at,
                Self::TYPE
            )
            .as_bytes(),
        );
        out
    }

    /// The id of the incident a statement with these RFC 8785 bytes files.
    pub fn id_of(bytes: &[u8]) -> IncidentId {
        let digest = Sha256::digest(bytes);
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        IncidentId(id)
    }

    /// The id of the incident this statement files.
    pub fn id(&self) -> IncidentId {
        Self::id_of(&self.canonical())
    }
}

/// An event's private content and its salt, kept in the database: the
/// log publishes only [`Private::commitment`].
#[derive(Clone, PartialEq, Eq)]
pub struct Private {
    /// 32 random bytes: without them nobody can confirm a guess of the
    /// content from the commitment.
    pub salt: [u8; 32],
    /// The content object's RFC 8785 bytes.
    pub content: Vec<u8>,
}

impl fmt::Debug for Private {
    /// The salt and content are secrets until revealed: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Private").finish_non_exhaustive()
    }
}

impl Private {
    /// `content_sha256`: SHA-256 of the salt followed by the content's
    /// RFC 8785 bytes.
    pub fn commitment(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        hasher.update(&self.content);
        hasher.finalize().into()
    }

    /// Seals content the server built (an event's actor, text, assignee;
    /// a session filing's title, description, photos, reporter) under a
    /// fresh random salt.
    ///
    /// Panics if the system has no random source (the server needs one
    /// for every session already) or if `content` holds a number RFC 8785
    /// cannot write exactly: contents are strings and lists of strings.
    pub fn seal(content: &Value) -> Private {
        let mut salt = [0u8; 32];
        getrandom::fill(&mut salt).expect("the system's random source is unavailable");
        let content = saksi_log::canonical_json(content)
            .expect("an incident's content holds only strings and lists of strings");
        Private { salt, content }
    }

    /// Reads the envelope's `private` member, `{"salt": "<64 lowercase
    /// hex>", "content": {...}}`, nothing else; the content's own rules
    /// are the caller's.
    pub fn parse(value: &Value) -> Result<Private, StatementError> {
        let malformed = || {
            StatementError::Malformed(
                "`private` must be {\"salt\": \"<64 lowercase hex digits>\", \"content\": {...}}"
                    .into(),
            )
        };
        let Value::Object(object) = value else {
            return Err(malformed());
        };
        if object.len() != 2 {
            return Err(malformed());
        }
        let salt = match object.get("salt") {
            Some(Value::String(s)) => hex_digest(s).ok_or_else(malformed)?,
            _ => return Err(malformed()),
        };
        let content = match object.get("content") {
            Some(content @ Value::Object(_)) => saksi_log::canonical_json(content)
                .map_err(|e| StatementError::Malformed(format!("`private.content`: {e}")))?,
            _ => return Err(malformed()),
        };
        Ok(Private { salt, content })
    }
}

/// One incident event as the log publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentEvent {
    pub id: IncidentId,
    /// 0 for the filing, then 1, 2, ... with no gap.
    pub seq: u32,
    pub action: Action,
    /// The role and region that acted, or the server on a deadline.
    pub actor: Actor,
    /// The incident's public state after the event.
    pub state: Public,
    /// The commitment to the event's private content; `None` for the
    /// server's own events, which have none.
    pub content_sha256: Option<[u8; 32]>,
}

/// An `incident` v1 log entry: one event, when the log accepted it, and
/// for a filing a KPPS device signed, its statement exactly as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentEntry {
    pub event: IncidentEvent,
    /// The event's time.
    pub logged_at: UnixTime,
    /// Only on a filing (`seq` 0) signed by a KPPS device.
    pub signed: Option<Signed<IncidentStatement>>,
}

/// The members of an unsigned and of a signed entry, sorted.
const UNSIGNED_MEMBERS: [&str; 4] = ["event", "logged_at", "type", "v"];
const SIGNED_MEMBERS: [&str; 7] = [
    "event",
    "logged_at",
    "signature",
    "signer",
    "statement",
    "type",
    "v",
];
/// The members every event has, and those it may have, sorted together.
const EVENT_REQUIRED: [&str; 11] = [
    "action", "by", "category", "id", "overdue", "owner", "public", "region", "seq", "severity",
    "status",
];
const EVENT_OPTIONAL: [&str; 3] = ["content_sha256", "contests", "due"];

impl IncidentEntry {
    /// The entry bytes (RFC 8785). The event's strings are ids, codes,
    /// hex and times, which need no escaping, so it is assembled in sorted
    /// order; a signed filing's members are written as every signed
    /// entry's are ([`Signed::entry`]). A test holds this against the
    /// general encoder.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = b"{\"event\":".to_vec();
        out.extend_from_slice(self.event.encode().as_bytes());
        out.push(b',');
        match &self.signed {
            // `{"logged_at",...,"type","v"}` without its opening brace.
            Some(signed) => out.extend_from_slice(&signed.entry(self.logged_at)[1..]),
            None => out.extend_from_slice(
                format!(
                    "\"logged_at\":\"{}\",\"type\":\"{}\",\"v\":{}}}",
                    self.logged_at,
                    IncidentStatement::TYPE,
                    IncidentStatement::ENTRY_VERSION
                )
                .as_bytes(),
            ),
        }
        out
    }

    /// Reads the entry's members (`type` and `v` already known).
    pub(crate) fn read(object: &Object<'_>, layout: &Layout) -> Result<IncidentEntry, String> {
        let names = object.names();
        let is_signed = names == SIGNED_MEMBERS;
        if !is_signed && names != UNSIGNED_MEMBERS {
            return Err(format!(
                "members are {names:?}, not {UNSIGNED_MEMBERS:?} or, for a signed filing, {SIGNED_MEMBERS:?}"
            ));
        }
        let event = object
            .object(layout, "event")
            .ok_or("`event` is not an object")?;
        let event = IncidentEvent::read(&event)?;
        let logged_at = object.utc_seconds("logged_at").map_err(|e| e.to_string())?;
        let signed = if is_signed {
            if event.action != Action::File {
                return Err(format!(
                    "only a filing carries a signed statement, not a {} event",
                    event.action
                ));
            }
            Some(read_signed(object, layout)?)
        } else {
            None
        };
        Ok(IncidentEntry {
            event,
            logged_at,
            signed,
        })
    }
}

impl IncidentEvent {
    /// The event object's RFC 8785 bytes.
    fn encode(&self) -> String {
        let s = &self.state;
        let by = match self.actor.by {
            Some((role, region)) => {
                format!("{{\"region\":\"{region}\",\"role\":\"{}\"}}", role.id())
            }
            None => "{\"role\":\"system\"}".to_owned(),
        };
        let mut out = format!(
            "{{\"action\":\"{}\",\"by\":{by},\"category\":\"{}\",",
            self.action, s.category
        );
        if let Some(c) = self.content_sha256 {
            out.push_str(&format!("\"content_sha256\":\"{}\",", hex::encode(c)));
        }
        if !s.contests.is_empty() {
            out.push_str(&format!("\"contests\":{},", contests_json(&s.contests)));
        }
        let dues: Vec<String> = [("ack", s.ack_due), ("resolve", s.resolve_due)]
            .into_iter()
            .filter_map(|(name, due)| due.map(|t| format!("\"{name}\":\"{t}\"")))
            .collect();
        if !dues.is_empty() {
            out.push_str(&format!("\"due\":{{{}}},", dues.join(",")));
        }
        out.push_str(&format!(
            "\"id\":\"{}\",\"overdue\":{},\"owner\":{{\"level\":\"{}\",\"region\":\"{}\"}},\"public\":{},\"region\":\"{}\",\"seq\":{},\"severity\":\"{}\",\"status\":\"{}\"}}",
            self.id,
            s.overdue,
            s.owner.level.as_str(),
            s.owner.region,
            s.public,
            s.region,
            self.seq,
            s.severity,
            s.status
        ));
        out
    }

    /// Reads an event object: exactly its members, each in its one
    /// written form, and the format's own rules (the filing is `seq` 0 and
    /// nothing else is; the server's events carry no content).
    fn read(object: &Object<'_>) -> Result<IncidentEvent, String> {
        let names = object.names();
        let mut expected: Vec<&str> = EVENT_REQUIRED
            .into_iter()
            .chain(EVENT_OPTIONAL.into_iter().filter(|n| names.contains(n)))
            .collect();
        expected.sort_unstable();
        if names != expected {
            return Err(format!(
                "event members are {names:?}, not {EVENT_REQUIRED:?} with any of {EVENT_OPTIONAL:?}"
            ));
        }
        let text = |name: &str| object.str(name).map_err(|e| format!("event: {e}"));
        let id =
            IncidentId::parse(&text("id")?).ok_or("`event.id` is not 32 lowercase hex digits")?;
        let seq = object
            .get("seq")
            .and_then(canonical_check::as_u64)
            .and_then(|s| u32::try_from(s).ok())
            .ok_or("`event.seq` is not an integer from 0")?;
        let action = Action::parse(&text("action")?)
            .ok_or_else(|| format!("`event.action` must be one of {}", ids(Action::ALL)))?;
        if (action == Action::File) != (seq == 0) {
            return Err("an incident's filing is its event 0, and only the filing is".into());
        }
        let actor = read_by(object.member("by").map_err(|e| e.to_string())?)?;
        let content_sha256 = object
            .get("content_sha256")
            .map(|c| {
                canonical_check::as_str(c)
                    .and_then(|s| hex_digest(&s))
                    .ok_or("`event.content_sha256` is not 64 lowercase hex digits")
            })
            .transpose()?;
        if actor == Actor::SYSTEM && content_sha256.is_some() {
            return Err("the server's own events carry no `content_sha256`".into());
        }
        let (ack_due, resolve_due) = match object.get("due") {
            Some(due) => read_due(due)?,
            None => (None, None),
        };
        let state = Public {
            category: Category::parse(&text("category")?)
                .ok_or_else(|| format!("`event.category` must be one of {}", ids(Category::ALL)))?,
            severity: Severity::parse(&text("severity")?)
                .ok_or_else(|| format!("`event.severity` must be one of {}", ids(Severity::ALL)))?,
            region: dotted(&text("region")?).ok_or("`event.region` is not a dotted region code")?,
            contests: object
                .get("contests")
                .map(read_contests)
                .transpose()?
                .unwrap_or_default(),
            owner: read_owner(object.member("owner").map_err(|e| e.to_string())?)?,
            status: Status::parse(&text("status")?)
                .ok_or_else(|| format!("`event.status` must be one of {}", ids(Status::ALL)))?,
            ack_due,
            resolve_due,
            overdue: boolean(object.get("overdue")).ok_or("`event.overdue` is not a boolean")?,
            public: boolean(object.get("public")).ok_or("`event.public` is not a boolean")?,
        };
        Ok(IncidentEvent {
            id,
            seq,
            action,
            actor,
            state,
            content_sha256,
        })
    }
}

/// The members of a small nested object (the layout records only the
/// outer two levels), which must be exactly one of `shapes`.
fn members<'a>(bytes: &'a [u8], what: &str, shapes: &[&[&str]]) -> Result<Object<'a>, String> {
    let wrong = || {
        format!(
            "`{what}` must be an object with the members {}",
            shapes
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    };
    let layout = canonical_check::check(bytes).map_err(|_| wrong())?;
    let object = Object::top(bytes, &layout).ok_or_else(wrong)?;
    if !shapes.contains(&object.names().as_slice()) {
        return Err(wrong());
    }
    Ok(object)
}

/// `{"region", "role"}` of an officer or device, or `{"role": "system"}`.
fn read_by(bytes: &[u8]) -> Result<Actor, String> {
    let by = members(bytes, "event.by", &[&["region", "role"], &["role"]])?;
    let role = by.str("role").map_err(|e| e.to_string())?;
    if by.get("region").is_none() {
        return (role == "system")
            .then_some(Actor::SYSTEM)
            .ok_or_else(|| "`event.by` without a region is {\"role\": \"system\"}".into());
    }
    let role = Role::parse(&role).ok_or("`event.by.role` is not a role")?;
    let region = by
        .str("region")
        .ok()
        .and_then(|r| dotted(&r))
        .filter(|r| role.level().is_none_or(|level| r.level() == level))
        .ok_or_else(|| {
            format!(
                "`event.by.region` is not the dotted code of a {} region",
                role.id()
            )
        })?;
    Ok(Actor::officer(role, region))
}

/// `{"level", "region"}` of a KPU Kabupaten/Kota, a KPU Provinsi or the
/// KPU RI.
fn read_owner(bytes: &[u8]) -> Result<Owner, String> {
    let owner = members(bytes, "event.owner", &[&["level", "region"]])?;
    let level = owner
        .str("level")
        .ok()
        .and_then(|l| Level::parse(&l))
        .filter(|l| *l <= Level::Kabkota)
        .ok_or("`event.owner.level` must be kabkota, provinsi or nasional")?;
    let region = owner
        .str("region")
        .ok()
        .and_then(|r| dotted(&r))
        .filter(|r| r.level() == level)
        .ok_or("`event.owner.region` is not the dotted code of a region at its level")?;
    Ok(Owner { level, region })
}

/// `{"ack"?, "resolve"?}`, not empty (absent when neither runs).
fn read_due(bytes: &[u8]) -> Result<(Option<UnixTime>, Option<UnixTime>), String> {
    let due = members(
        bytes,
        "event.due",
        &[&["ack"], &["ack", "resolve"], &["resolve"]],
    )?;
    let time = |name: &str| {
        due.get(name)
            .map(|_| due.utc_seconds(name).map_err(|e| format!("event.due: {e}")))
            .transpose()
    };
    Ok((time("ack")?, time("resolve")?))
}

/// A non-empty list of contest ids in contest order, each once: the one
/// way a set of contests is written, so equal sets have equal bytes.
fn read_contests(bytes: &[u8]) -> Result<Vec<Contest>, String> {
    let wrong = || {
        format!(
            "`contests` must be a non-empty list of contests ({}) in that order, each once",
            ids(&Contest::ALL)
        )
    };
    let contests = canonical_check::items(bytes)
        .filter(|items| !items.is_empty())
        .ok_or_else(wrong)?
        .into_iter()
        .map(|c| canonical_check::as_str(c).and_then(|c| Contest::parse(&c)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(wrong)?;
    if !contests.windows(2).all(|w| w[0].index() < w[1].index()) {
        return Err(wrong());
    }
    Ok(contests)
}

fn contests_json(contests: &[Contest]) -> String {
    let ids: Vec<String> = contests.iter().map(|c| format!("\"{}\"", c.id())).collect();
    format!("[{}]", ids.join(","))
}

/// A region code written dotted (as every code in the log is), or `0`.
fn dotted(text: &str) -> Option<RegionCode> {
    RegionCode::parse(text)
        .ok()
        .filter(|c| c.to_string() == text)
}

fn boolean(bytes: Option<&[u8]>) -> Option<bool> {
    match bytes? {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => None,
    }
}

/// `a, b or c`: the ids a member may take, for refusal messages.
fn ids<T: fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::decode_statement;

    fn sample() -> IncidentStatement {
        IncidentStatement {
            region: RegionCode::parse("11.01.01.2001.001").unwrap(),
            category: Category::Logistics,
            severity: Severity::High,
            contests: vec![Contest::Ppwp, Contest::Dpr],
            content_sha256: [0xab; 32],
            origin: "saksi.localhost/log \"quoted\"".into(),
            signed_at: UnixTime(1_707_915_600),
        }
    }

    fn object() -> Map<String, Value> {
        let Value::Object(m) = serde_json::from_slice(&sample().canonical()).unwrap() else {
            unreachable!()
        };
        m
    }

    fn read(object: &Map<String, Value>) -> Result<IncidentStatement, StatementError> {
        let bytes = saksi_log::canonical_json(&Value::Object(object.clone())).unwrap();
        decode_statement(&bytes)
    }

    #[test]
    fn a_statement_is_its_canonical_bytes_and_its_id_their_digest() {
        let s = sample();
        let bytes = s.canonical();
        let reference = json!({"v": 1, "type": "incident", "region": "11.01.01.2001.001",
            "category": "logistics", "severity": "high", "contests": ["ppwp", "dpr"],
            "content_sha256": "ab".repeat(32), "origin": "saksi.localhost/log \"quoted\"",
            "signed_at": "2024-02-14T13:00:00Z"});
        assert_eq!(bytes, saksi_log::canonical_json(&reference).unwrap());
        assert_eq!(read(&object()).unwrap(), s);
        let digest = Sha256::digest(&bytes);
        assert_eq!(s.id().0[..], digest[..16]);
        assert_eq!(IncidentId::parse(&s.id().to_string()), Some(s.id()));
        // No contests: the member is absent, and reads back empty.
        let none = IncidentStatement {
            contests: vec![],
            ..s
        };
        assert!(
            !String::from_utf8(none.canonical())
                .unwrap()
                .contains("contests")
        );
        assert_eq!(
            decode_statement::<IncidentStatement>(&none.canonical()).unwrap(),
            none
        );
    }

    #[test]
    fn ids_are_32_lowercase_hex_digits() {
        assert_eq!(
            IncidentId::parse(&"0f".repeat(16)),
            Some(IncidentId([15; 16]))
        );
        for bad in [
            "0F".repeat(16),
            "0f".repeat(15),
            "0f".repeat(17),
            "zz".repeat(16),
        ] {
            assert_eq!(IncidentId::parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn every_malformed_member_is_refused() {
        let cases: Vec<(&str, Value)> = vec![
            ("v", json!(2)),
            ("type", json!("form")),
            ("region", json!("11.01.01.2001")),
            ("region", json!("1101012001001")),
            ("region", json!(11)),
            ("category", json!("fire")),
            ("category", json!("Logistics")),
            ("severity", json!("urgent")),
            ("content_sha256", json!("AB".repeat(32))),
            ("content_sha256", json!("ab".repeat(31))),
            ("contests", json!([])),
            ("contests", json!(["dpr", "ppwp"])),
            ("contests", json!(["ppwp", "ppwp"])),
            ("contests", json!(["pilkada"])),
            ("contests", json!("ppwp")),
            ("title", json!("Kotak suara basah")),
        ];
        for (name, value) in cases {
            let mut object = object();
            object.insert(name.to_owned(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        for name in [
            "v",
            "type",
            "region",
            "category",
            "severity",
            "content_sha256",
        ] {
            let mut object = object();
            object.remove(name);
            assert!(read(&object).is_err(), "without {name}");
        }
    }

    #[test]
    fn the_commitment_binds_the_salt_and_the_content() {
        let content = json!({"title": "Kotak suara basah", "description": "Hujan"});
        let private =
            Private::parse(&json!({"salt": "01".repeat(32), "content": content})).unwrap();
        assert_eq!(private.salt, [1; 32]);
        assert_eq!(
            private.content,
            saksi_log::canonical_json(&content).unwrap()
        );
        let mut expected = vec![1u8; 32];
        expected.extend_from_slice(&private.content);
        assert_eq!(
            private.commitment(),
            <[u8; 32]>::from(Sha256::digest(&expected))
        );
        let sealed = Private::seal(&content);
        let again = Private::seal(&content);
        assert_eq!(sealed.content, private.content);
        assert_ne!(sealed.salt, again.salt, "a fresh salt every time");
        assert_ne!(sealed.commitment(), again.commitment());
        assert_eq!(format!("{sealed:?}"), "Private { .. }");
        for bad in [
            json!({"salt": "01".repeat(32)}),
            json!({"salt": "01".repeat(31), "content": {}}),
            json!({"salt": "0A".repeat(32), "content": {}}),
            json!({"salt": "01".repeat(32), "content": "text"}),
            json!({"salt": "01".repeat(32), "content": {}, "extra": 1}),
            json!({"salt": "01".repeat(32), "content": {"n": 0.5}}),
            json!(["01"]),
        ] {
            assert!(Private::parse(&bad).is_err(), "{bad} was accepted");
        }
    }
}
