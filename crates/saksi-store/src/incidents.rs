//! What the store keeps of incidents (migration 9): each incident's state
//! after its latest event, its events and their private content. Every
//! event is also a public log entry (`incident` v1); these rows let the
//! server load its in-memory book at start-up and answer an incident's page
//! without scanning the log, and keep what the log only commits to (the
//! text, the reporter's identity) where the commission can reveal it.
//!
//! Both backends store the same columns as plain text and integers and
//! decode them here, once.

use saksi_core::incident::book::{Id, Record};
use saksi_core::incident::{Action, Actor, Category, Owner, Public, Severity, Status};
use saksi_core::permission::Role;
use saksi_core::{Contest, Level, RegionCode};

use crate::{Result, StoreError, UnixTime};

/// One incident as stored: its book record (public state, latest event,
/// response times) and what never enters the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    pub id: Id,
    pub record: Record,
    /// The filing account's username, or the KPPS device's key text.
    pub reporter: String,
    /// The staff member of the owning office it is assigned to.
    pub assignee: Option<String>,
}

/// The salt and content (RFC 8785 bytes) an event's `content_sha256`
/// commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPrivate {
    pub salt: [u8; 32],
    pub content: Vec<u8>,
}

/// One event of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncidentEvent {
    pub seq: u32,
    pub log_index: u64,
    pub action: Action,
    /// The role and region that acted, or the server.
    pub actor: Actor,
    /// The account that acted (`None` for a device or the server).
    pub username: Option<String>,
    pub at: UnixTime,
    /// `None` for the server's own events (escalation, overdue).
    pub private: Option<IncidentPrivate>,
}

/// What one accepted event writes in its batch: the incident's row after
/// it, and the event. `reporter` is written by the filing only, and
/// `assignee` only when `Some` (an assignment): later events keep both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentWrite {
    pub incident: StoredIncident,
    pub event: StoredIncidentEvent,
    /// What the webhooks subscribed to its notice are sent, stored as
    /// their deliveries in the event's own transaction: a crash after the
    /// commit loses none (`None`: the event tells no one).
    pub outgoing: Option<Outgoing>,
}

/// A notice's webhook deliveries to store: one per webhook subscribed to
/// `event`, each POSTing `body` (the incident's public fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub event: String,
    pub body: String,
}

/// An incident with its whole history, oldest event first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentHistory {
    pub incident: StoredIncident,
    pub events: Vec<StoredIncidentEvent>,
}

/// The writes of a batch that replace incident rows: the last one of each
/// incident (a batch may hold several events of one incident; a multi-row
/// upsert may touch a row once).
pub(crate) fn latest_rows(writes: &[IncidentWrite]) -> Vec<&StoredIncident> {
    let mut rows: Vec<&StoredIncident> = Vec::with_capacity(writes.len());
    for w in writes.iter().rev() {
        if !rows.iter().any(|r| r.id == w.incident.id) {
            rows.push(&w.incident);
        }
    }
    rows.reverse();
    rows
}

/// The columns of an `incidents` row as both backends hold them, in the
/// order of `incident_columns!`.
pub(crate) struct IncidentColumns {
    pub id: Vec<u8>,
    pub category: String,
    pub severity: String,
    pub region: String,
    pub contests: String,
    pub owner_level: String,
    pub owner_region: String,
    pub status: String,
    pub ack_due: Option<i64>,
    pub resolve_due: Option<i64>,
    pub overdue: bool,
    pub public: bool,
    pub seq: i64,
    pub filed_at: i64,
    pub acked_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub reporter: String,
    pub assignee: Option<String>,
}

/// The `incidents` columns [`IncidentColumns`] reads, in its order (a
/// macro, for `concat!` into the backends' statements).
macro_rules! incident_columns {
    () => {
        "id, category, severity, region, contests, owner_level, owner_region, status, \
         ack_due, resolve_due, overdue, public, seq, filed_at, acked_at, resolved_at, \
         reporter, assignee"
    };
}
pub(crate) use incident_columns;

/// The upsert of an incident's row after an event, in the order of
/// [`incident_columns!`] then `next_due` (the placeholders are the
/// backend's): the reporter, place and filing time never change.
macro_rules! upsert_incident {
    ($values:literal) => {
        concat!(
            "INSERT INTO incidents (",
            crate::incidents::incident_columns!(),
            ", next_due) ",
            $values,
            " ON CONFLICT (id) DO UPDATE SET owner_level = excluded.owner_level, \
             owner_region = excluded.owner_region, status = excluded.status, \
             ack_due = excluded.ack_due, resolve_due = excluded.resolve_due, \
             overdue = excluded.overdue, public = excluded.public, seq = excluded.seq, \
             acked_at = excluded.acked_at, resolved_at = excluded.resolved_at, \
             assignee = COALESCE(excluded.assignee, incidents.assignee), next_due = excluded.next_due"
        )
    };
}
pub(crate) use upsert_incident;

/// An incident's events joined with their private content, oldest first,
/// in the order [`EventColumns`] reads (the placeholder is the backend's).
macro_rules! select_events {
    ($id:literal) => {
        concat!(
            "SELECT e.seq, e.log_index, e.action, e.actor_role, e.actor_region, e.username, \
             e.logged_at, p.salt, p.content FROM incident_events e \
             LEFT JOIN incident_private p ON p.id = e.id AND p.seq = e.seq WHERE e.id = ",
            $id,
            " ORDER BY e.seq"
        )
    };
}
pub(crate) use select_events;

/// The columns of an `incident_events` row and its private content.
pub(crate) struct EventColumns {
    pub seq: i64,
    pub log_index: i64,
    pub action: String,
    pub actor_role: String,
    pub actor_region: Option<String>,
    pub username: Option<String>,
    pub logged_at: i64,
    pub salt: Option<Vec<u8>>,
    pub content: Option<Vec<u8>>,
}

fn corrupt(what: &'static str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt {
        what,
        value: format!("{value:?}"),
    }
}

fn parsed<T>(what: &'static str, text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| corrupt(what, text))
}

fn region(text: &str) -> Result<RegionCode> {
    parsed("incident region", text, |t| RegionCode::parse(t).ok())
}

fn number<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T> {
    T::try_from(value).map_err(|_| corrupt(what, value))
}

/// The contests column: ids separated by spaces.
pub(crate) fn contests_text(contests: &[Contest]) -> String {
    contests
        .iter()
        .map(|c| c.id())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `actor_role` and `actor_region` columns of an actor.
pub(crate) fn actor_columns(actor: Actor) -> (&'static str, Option<String>) {
    match actor.by {
        Some((role, region)) => (role.id(), Some(region.to_string())),
        None => ("system", None),
    }
}

impl IncidentColumns {
    /// The row of `incident`, to write.
    pub(crate) fn of(incident: &StoredIncident) -> IncidentColumns {
        let r = &incident.record;
        let p = &r.public;
        IncidentColumns {
            id: incident.id.to_vec(),
            category: p.category.id().to_owned(),
            severity: p.severity.id().to_owned(),
            region: p.region.to_string(),
            contests: contests_text(&p.contests),
            owner_level: p.owner.level.as_str().to_owned(),
            owner_region: p.owner.region.to_string(),
            status: p.status.id().to_owned(),
            ack_due: p.ack_due.map(|t| t.0),
            resolve_due: p.resolve_due.map(|t| t.0),
            overdue: p.overdue,
            public: p.public,
            seq: i64::from(r.seq),
            filed_at: r.filed_at.0,
            acked_at: r.acked_at.map(|t| t.0),
            resolved_at: r.resolved_at.map(|t| t.0),
            reporter: incident.reporter.clone(),
            assignee: incident.assignee.clone(),
        }
    }

    /// The stored incident, or [`StoreError::Corrupt`] for a value this
    /// program never writes.
    pub(crate) fn decode(self) -> Result<StoredIncident> {
        let id = Id::try_from(self.id.as_slice()).map_err(|_| corrupt("incident id", &self.id))?;
        let contests = self
            .contests
            .split_whitespace()
            .map(|c| parsed("incident contest", c, Contest::parse))
            .collect::<Result<Vec<_>>>()?;
        let public = Public {
            category: parsed("incident category", &self.category, Category::parse)?,
            severity: parsed("incident severity", &self.severity, Severity::parse)?,
            region: region(&self.region)?,
            contests,
            owner: Owner {
                level: parsed("incident owner level", &self.owner_level, Level::parse)?,
                region: region(&self.owner_region)?,
            },
            status: parsed("incident status", &self.status, Status::parse)?,
            ack_due: self.ack_due.map(UnixTime),
            resolve_due: self.resolve_due.map(UnixTime),
            overdue: self.overdue,
            public: self.public,
        };
        Ok(StoredIncident {
            id,
            record: Record {
                public,
                seq: number("incident seq", self.seq)?,
                filed_at: UnixTime(self.filed_at),
                acked_at: self.acked_at.map(UnixTime),
                resolved_at: self.resolved_at.map(UnixTime),
            },
            reporter: self.reporter,
            assignee: self.assignee,
        })
    }
}

impl EventColumns {
    /// The stored event, or [`StoreError::Corrupt`].
    pub(crate) fn decode(self) -> Result<StoredIncidentEvent> {
        let actor = match (self.actor_role.as_str(), &self.actor_region) {
            ("system", None) => Actor::SYSTEM,
            (role, Some(r)) => Actor::officer(
                parsed("incident actor role", role, Role::parse)?,
                region(r)?,
            ),
            (role, None) => return Err(corrupt("incident actor", role)),
        };
        let private = match (self.salt, self.content) {
            (Some(salt), Some(content)) => Some(IncidentPrivate {
                salt: <[u8; 32]>::try_from(salt.as_slice())
                    .map_err(|_| corrupt("incident salt", salt.len()))?,
                content,
            }),
            _ => None,
        };
        Ok(StoredIncidentEvent {
            seq: number("incident event seq", self.seq)?,
            log_index: number("incident event log index", self.log_index)?,
            action: parsed("incident action", &self.action, Action::parse)?,
            actor,
            username: self.username,
            at: UnixTime(self.logged_at),
            private,
        })
    }
}
