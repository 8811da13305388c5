//! Replaying incident events (`incident` v1, docs/log-entries.md) with the
//! rules the server decided them by (`saksi_core::incident`), so anyone
//! can check every response time and escalation from the log alone:
//!
//! - a filing is event 0 of a new id, its state is the one
//!   [`Public::filed`] gives, and its filer may report there (a signed
//!   filing: its statement agrees with the event, checked in
//!   [`crate::entry`], and its signer is the TPS's KPPS device key, checked
//!   by the [`crate::ledger`]; an unsigned one: `saksi_core::permission`);
//! - every later event is the next `seq` of a filed incident, and its
//!   state is the one [`Public::next`] gives from the state before it: a
//!   transition the lifecycle has, by an office that may act, an
//!   escalation or overdue mark by the server only once a deadline fell
//!   due, never a skipped level;
//! - an officer's event carries its commitment (`content_sha256`: who
//!   acted and why, e.g. a hand escalation's reason);
//! - a deadline an event sets never falls before the event.
//!
//! The log does not say which deadlines the server was configured with,
//! so an event's due times are checked for presence and order, not value
//! ([`Public::same_but_dues`]). A refused event is named once, and the
//! replay carries on from the state it states, so one forgery is one
//! discrepancy, not one per later event.

use saksi_core::RegionCode;
use saksi_core::incident::book::{Book, Record, Stats};
use saksi_core::incident::{Action, Actor, Deadlines, Public, Status, Step};
use saksi_core::permission::{self, Principal};
use saksi_core::time::UnixTime;
use saksi_statement::{IncidentEvent, IncidentStatement};

use crate::entry::Signed;
use crate::report::Discrepancy;

/// An incident event as decoded, with the signature of a filing a KPPS
/// device signed.
#[derive(Debug)]
pub struct IncidentBody {
    pub event: IncidentEvent,
    pub logged_at: UnixTime,
    pub filing: Option<SignedFiling>,
}

/// A signed filing's signature and the TPS its statement names (whose
/// KPPS device key must have signed it).
#[derive(Debug)]
pub struct SignedFiling {
    pub signed: Signed,
    pub tps: saksi_core::RegionCode,
}

/// Every incident the log filed, and counts for the report.
#[derive(Debug, Default)]
pub struct Incidents {
    /// Where each incident stands after the events replayed so far, with
    /// its response times: the public statistics recomputed.
    book: Book,
    /// Events replayed, and of them those that fail a check.
    pub events: u64,
    pub events_refused: u64,
}

impl Incidents {
    /// Where each incident stands after the events replayed so far.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Incidents filed.
    pub fn total(&self) -> u64 {
        self.book.len() as u64
    }

    /// Incidents by their current status, in `Status::ALL` order.
    pub fn by_status(&self) -> [u64; Status::ALL.len()] {
        let mut counts = [0; Status::ALL.len()];
        for (_, r) in self.book.records() {
            counts[r.public.status as usize] += 1;
        }
        counts
    }

    /// Incidents marked overdue (a deadline missed at the KPU RI) and not
    /// resolved since.
    pub fn overdue(&self) -> u64 {
        self.book
            .records()
            .filter(|(_, r)| r.public.overdue)
            .count() as u64
    }

    /// The national statistics as the replayed log gives them at `now`:
    /// what `GET /api/v1/incidents/stats` must publish (its `overdue`
    /// aside, which also counts deadlines passed at the moment asked).
    pub fn stats(&self, now: UnixTime) -> Stats {
        self.book.totals(RegionCode::NASIONAL, now)
    }

    /// Replays the event of entry `index`; `problems` are those already
    /// found (decoding, the signature, the key chain). Every problem goes
    /// to `found`.
    pub fn apply(
        &mut self,
        index: u64,
        body: IncidentBody,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let IncidentBody {
            event,
            logged_at: at,
            filing,
        } = body;
        self.events += 1;
        let tracked = self.book.get(&event.id.0).cloned();
        // The incident's state before the event, for an event after its
        // filing.
        let before = match &tracked {
            Some(t) if event.action == Action::File => {
                problems.push(format!(
                    "the incident was filed already (its event {} so far)",
                    t.seq
                ));
                None
            }
            Some(t) => {
                if event.seq != t.seq.saturating_add(1) {
                    problems.push(format!("event {} follows event {}", event.seq, t.seq));
                }
                Some(t.public.clone())
            }
            None if event.action == Action::File => {
                problems.extend(filing_problem(&event, filing.as_ref().map(|f| f.tps), at));
                None
            }
            None => {
                problems.push("an event of an incident the log never filed".into());
                None
            }
        };
        // Filed now (not filed twice), or a later event of a filed one.
        let replayed = before.is_some() || (event.action == Action::File && tracked.is_none());
        if let Some(before) = &before {
            problems.extend(step_problem(before, &event, at));
        }
        if event.actor != Actor::SYSTEM && event.content_sha256.is_none() {
            problems.push(format!(
                "an officer's {} carries no `content_sha256` (who acted{})",
                event.action,
                if event.action == Action::Escalate {
                    " and the reason for escalating by hand"
                } else {
                    ""
                }
            ));
        }
        problems.extend(fresh_due_problem(before.as_ref(), &event.state, at));
        if replayed {
            let record = match &tracked {
                Some(t) => t.after(event.seq, event.action, at, event.state.clone()),
                None => Record {
                    public: event.state.clone(),
                    seq: event.seq,
                    filed_at: at,
                    acked_at: None,
                    resolved_at: None,
                },
            };
            self.book.set(event.id.0, record);
        }
        if problems.is_empty() {
            return;
        }
        self.events_refused += 1;
        let subject = format!(
            "incident v1 {} event {} ({})",
            event.id, event.seq, event.action
        );
        Discrepancy::each(found, index, &subject, problems, "");
    }
}

/// What is wrong with a filing's state and filer: `tps` is the TPS of a
/// KPPS device's signed statement (the filer), else the event's `by` files.
fn filing_problem(
    event: &IncidentEvent,
    tps: Option<saksi_core::RegionCode>,
    at: UnixTime,
) -> Option<String> {
    let s = &event.state;
    let filer = match (tps, event.actor.by) {
        (Some(tps), _) => tps,
        (None, None) => return Some("the server files no incident".into()),
        (None, Some((role, region))) => {
            let decision = Principal::new(role, region, None)
                .map(|p| permission::decide(&p, permission::Action::ReportIncident, s.region));
            if !decision.is_ok_and(|d| d.is_allowed()) {
                return Some(format!(
                    "a {role} at {region} may not report an incident at {}",
                    s.region
                ));
            }
            region
        }
    };
    let filed = Public::filed(
        filer,
        s.region,
        s.category,
        s.severity,
        s.contests.clone(),
        at,
        &Deadlines::default(),
    )?;
    (!filed.same_but_dues(s)).then(|| {
        format!(
            "the stated state ({}) is not a new filing's ({})",
            describe(s),
            describe(&filed)
        )
    })
}

/// Why `event` may not follow `before`, if it may not.
fn step_problem(before: &Public, event: &IncidentEvent, at: UnixTime) -> Option<String> {
    let step = Step {
        action: event.action,
        actor: event.actor,
        at,
    };
    match before.next(step, &Deadlines::default()) {
        Err(forbidden) => Some(format!(
            "the lifecycle forbids it after {}: {forbidden}",
            describe(before)
        )),
        Ok(next) if !next.same_but_dues(&event.state) => Some(format!(
            "the stated state ({}) is not the one the lifecycle gives ({})",
            describe(&event.state),
            describe(&next)
        )),
        Ok(_) => None,
    }
}

/// A deadline this event set (one the state before it did not have) that
/// falls before the event itself.
fn fresh_due_problem(before: Option<&Public>, state: &Public, at: UnixTime) -> Option<String> {
    [
        ("acknowledge", state.ack_due, before.and_then(|b| b.ack_due)),
        (
            "resolve",
            state.resolve_due,
            before.and_then(|b| b.resolve_due),
        ),
    ]
    .into_iter()
    .find_map(|(what, due, was)| {
        due.filter(|d| Some(*d) != was && *d < at)
            .map(|d| format!("it sets the deadline to {what} to {d}, before the event itself"))
    })
}

/// `owner kabkota 11.01, open, due ack+resolve`: enough to see what
/// differs.
fn describe(p: &Public) -> String {
    let mut out = format!(
        "owner {} {}, {}",
        p.owner.level.as_str(),
        p.owner.region,
        p.status
    );
    let dues: Vec<&str> = [("ack", p.ack_due), ("resolve", p.resolve_due)]
        .into_iter()
        .filter_map(|(n, d)| d.map(|_| n))
        .collect();
    if !dues.is_empty() {
        out.push_str(&format!(", due {}", dues.join("+")));
    }
    for (flag, name) in [(p.overdue, "overdue"), (p.public, "public")] {
        if flag {
            out.push_str(&format!(", {name}"));
        }
    }
    out.push_str(&format!(", {} {} at {}", p.severity, p.category, p.region));
    out
}

/// What is wrong with a signed filing's statement against its event: the
/// event must state what the device signed (the id derived from the
/// statement's bytes, region, category, severity, contests, commitment)
/// and name the KPPS at that TPS as its filer. Needs no other entry.
pub fn statement_disagreement(
    event: &IncidentEvent,
    statement: &IncidentStatement,
    bytes: &[u8],
) -> Vec<String> {
    let s = &event.state;
    let mut problems = Vec::new();
    let id = IncidentStatement::id_of(bytes);
    if event.id != id {
        problems.push(format!(
            "the event's id is not the one derived from its statement ({id})"
        ));
    }
    let differs = [
        ("region", s.region != statement.region),
        ("category", s.category != statement.category),
        ("severity", s.severity != statement.severity),
        ("contests", s.contests != statement.contests),
        (
            "content_sha256",
            event.content_sha256 != Some(statement.content_sha256),
        ),
        (
            "by",
            event.actor != Actor::officer(permission::Role::Kpps, statement.region),
        ),
    ];
    problems.extend(
        differs
            .into_iter()
            .filter(|(_, differs)| *differs)
            .map(|(member, _)| {
                format!("the event's `{member}` is not what its signed statement says")
            }),
    );
    problems
}
