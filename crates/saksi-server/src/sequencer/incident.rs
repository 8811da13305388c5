//! Deciding an incident event against the book as it stands
//! after the earlier commands of the batch: a filing (its id derived from
//! its statement, never filed before; a device's signer checked against
//! the key chain) or a later event (the incident exists, it follows the
//! latest event, [`Public::next`] allows it). The deadlines of fresh
//! escalations and reopenings are this server's `--incident-deadlines`.

use saksi_api::{IncidentAccepted, IncidentSummary};
use saksi_core::RegionCode;
use saksi_core::incident::book::Record;
use saksi_core::incident::notice::NoticeEvent;
use saksi_core::incident::{Action, Actor, Forbidden, Public, Step};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_log::{Verifier, leaf_hash};
use saksi_statement::{
    IncidentEntry, IncidentEvent, IncidentId, IncidentStatement, Private, Signed, SignedBy,
};
use saksi_store::{
    IncidentPrivate, IncidentWrite, LogEntry, Outgoing, StoredIncident, StoredIncidentEvent,
};

use super::Sequencer;
use super::decision::{Accepted, Refused};
use super::run::Pending;
use crate::live::read_live;
use crate::log::receipt::{self, ReceiptHeader};

/// An incident event to decide.
#[derive(Debug)]
pub struct IncidentFact {
    pub id: IncidentId,
    pub action: Action,
    pub actor: Actor,
    /// The account acting (`None`: a KPPS device or the server).
    pub username: Option<String>,
    /// What the event's `content_sha256` commits to (`None`: the server's
    /// own events).
    pub private: Option<Private>,
    /// A filing's statement and reporter (`Some` exactly for `file`).
    pub filing: Option<Box<Filing>>,
    /// An assignment's assignee, as the handler found the account: its
    /// username, role and region, checked here against the owner the
    /// incident has when the event is decided.
    pub assignee: Option<(String, Role, RegionCode)>,
}

/// What a filing carries besides its event.
#[derive(Debug)]
pub struct Filing {
    /// The statement the id is derived from (signed, or built by the
    /// handler for a session).
    pub statement: IncidentStatement,
    /// The region of whoever files: the session's, or the device's TPS.
    pub filer: RegionCode,
    /// The filing account's username, or the device's key text.
    pub reporter: String,
    /// A KPPS device's signed statement and its key.
    pub signed: Option<(Signed<IncidentStatement>, Verifier)>,
}

/// Why an incident event was not logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentRefusal {
    /// No incident has this id.
    NotFound,
    /// The assignee is not KPU staff of the owning office.
    AssigneeNotInOffice,
    /// The lifecycle or the ownership forbids it.
    Forbidden(Forbidden),
}

impl IncidentFact {
    /// The server's own event on a deadline that fell due: `escalate`, or
    /// `overdue` at the KPU RI.
    pub fn due(id: IncidentId, action: Action) -> IncidentFact {
        IncidentFact {
            id,
            action,
            actor: Actor::SYSTEM,
            username: None,
            private: None,
            filing: None,
            assignee: None,
        }
    }
}

fn refused(why: IncidentRefusal) -> Refused {
    Refused::Incident(why)
}

impl Sequencer {
    pub(super) fn decide_incident(
        &mut self,
        fact: IncidentFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let IncidentFact {
            id,
            action,
            actor,
            username,
            private,
            filing,
            assignee,
        } = fact;
        let known = pending
            .incidents
            .get(&id)
            .cloned()
            .or_else(|| read_live(&self.live).incidents.get(&id.0).cloned());
        let (record, reporter, signed) = match (filing, known) {
            (Some(_), Some(_)) => {
                return Err(refused(IncidentRefusal::Forbidden(Forbidden::FiledTwice)));
            }
            (Some(filing), None) => {
                let Filing {
                    statement: s,
                    filer,
                    reporter,
                    signed,
                } = *filing;
                if let Some((_, signer)) = &signed {
                    self.registry
                        .check_form_signer(signer, s.region, SignedBy::Kpps, now)
                        .map_err(Refused::Chain)?;
                }
                let public = Public::filed(
                    filer,
                    s.region,
                    s.category,
                    s.severity,
                    s.contests,
                    now,
                    &self.deadlines,
                )
                .ok_or_else(|| {
                    Refused::internal("a filing outside its filer's region was queued")
                })?;
                let record = Record {
                    public,
                    seq: 0,
                    filed_at: now,
                    acked_at: None,
                    resolved_at: None,
                };
                (record, reporter, signed.map(|(signed, _)| signed))
            }
            (None, None) => return Err(refused(IncidentRefusal::NotFound)),
            (None, Some(before)) => {
                let step = Step {
                    action,
                    actor,
                    at: now,
                };
                let state = before
                    .public
                    .next(step, &self.deadlines)
                    .map_err(|f| refused(IncidentRefusal::Forbidden(f)))?;
                let owner = before.public.owner;
                if let Some((_, role, region)) = &assignee {
                    let of_office = matches!(role, Role::KpuKabkota | Role::KpuProv | Role::KpuRi)
                        && role.level() == Some(owner.level)
                        && *region == owner.region;
                    if !of_office {
                        return Err(refused(IncidentRefusal::AssigneeNotInOffice));
                    }
                }
                // The reporter is written by the filing only.
                let after = before.after(before.seq + 1, action, now, state);
                (after, String::new(), None)
            }
        };
        let content_sha256 = match &signed {
            Some(s) => Some(s.statement.content_sha256),
            None => private.as_ref().map(Private::commitment),
        };
        let entry = IncidentEntry {
            event: IncidentEvent {
                id,
                seq: record.seq,
                action,
                actor,
                state: record.public.clone(),
                content_sha256,
            },
            logged_at: now,
            signed,
        };
        let data = entry.encode();
        let leaf = leaf_hash(&data);
        let header = ReceiptHeader {
            form: None,
            time: now.to_string(),
            statement_sha256: entry.signed.as_ref().map(Signed::sha256),
        };
        let receipt = receipt::unsigned_receipt(log_index, &header, &data, &leaf);
        let p = &record.public;
        let accepted = IncidentAccepted {
            id: id.to_string(),
            seq: record.seq,
            action: action.id().to_owned(),
            status: p.status.id().to_owned(),
            owner: p.owner.into(),
            ack_due: p.ack_due.map(|t| t.to_string()),
            resolve_due: p.resolve_due.map(|t| t.to_string()),
            receipt,
        };
        pending.batch.incidents.push(IncidentWrite {
            incident: StoredIncident {
                id: id.0,
                record: record.clone(),
                reporter,
                assignee: assignee.map(|(name, _, _)| name),
            },
            event: StoredIncidentEvent {
                seq: record.seq,
                log_index,
                action,
                actor,
                username,
                at: now,
                private: private.map(|p| IncidentPrivate {
                    salt: p.salt,
                    content: p.content,
                }),
            },
            outgoing: NoticeEvent::of(action).map(|event| Outgoing {
                event: event.id().to_owned(),
                body: IncidentSummary::of(id.to_string(), &record, now).to_json(),
            }),
        });
        pending.incidents.insert(id, record);
        pending.batch.entries.push(LogEntry {
            index: log_index,
            data,
            leaf_hash: leaf,
        });
        Ok(Accepted::Incident(Box::new(accepted)))
    }
}
