//! Incidents: filing one (`file`), reading one (`show`), its
//! events (`event`), the lists (`list`), the public statistics
//! (`stats`) and the live notices (`stream`). What needs state (the id filed before, the lifecycle,
//! the owner, the deadlines) is decided by the sequencer
//! (`sequencer/incident.rs`); here requests are parsed, checked and
//! rendered.
//!
//! Who may read an incident: its reporter, the KPU staff of its owning
//! office and of the levels above ([`Actor::may_act`]), and anyone whose
//! `ViewRestricted` permission covers the region it happened at. Anyone
//! else is answered 404 `incident.not_found`, as if it did not exist: an
//! incident's existence is not revealed outside its reach. Once a KPU
//! owner has made it public (the `publish` event, logged), anyone, with
//! no session, sees its public view ([`Sight::Public`]).

pub mod event;
pub mod file;
pub mod list;
pub mod photos;
pub mod show;
pub mod stats;
pub mod stream;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_core::incident::Actor;
use saksi_core::permission::{self, decide};
use saksi_statement::IncidentId;
use saksi_statement::incident_content::ContentError;
use saksi_store::{IncidentHistory, StoredIncident};
use serde::de::DeserializeOwned;

use crate::codes;
use crate::controllers::session_fact::{self, request_hash};
use crate::error::ApiError;
use crate::extract::{Authenticated, MaybeSession};
use crate::sequencer::{Fact, IdempotencyKey, IncidentFact, IncidentRefusal};
use crate::state::AppState;
use saksi_core::incident::Forbidden;

/// The sequencer's refusal of an incident event as the API answers it.
pub(crate) fn refusal_error(refused: IncidentRefusal) -> ApiError {
    match refused {
        IncidentRefusal::NotFound => not_found(),
        IncidentRefusal::AssigneeNotInOffice => assignee_not_in_office(),
        IncidentRefusal::Forbidden(why) => {
            let code = match why {
                Forbidden::NotOwner { .. } => codes::INCIDENT_NOT_OWNER,
                Forbidden::NoLevelAbove => codes::INCIDENT_NO_LEVEL_ABOVE,
                Forbidden::Transition { .. }
                | Forbidden::NotDue
                | Forbidden::FiledTwice
                | Forbidden::OverdueByHand => codes::INCIDENT_TRANSITION_FORBIDDEN,
            };
            ApiError::new(code, why.to_string())
        }
    }
}

/// A content's or text's problem as the API answers it.
pub(crate) fn content_error(error: ContentError) -> ApiError {
    let code = match error {
        ContentError::Malformed(_) => codes::INCIDENT_MALFORMED,
        ContentError::TitleTooLong(_) => codes::INCIDENT_TITLE_TOO_LONG,
        ContentError::TextTooLong(_) => codes::INCIDENT_TEXT_TOO_LONG,
        ContentError::TooManyPhotos(_) => codes::INCIDENT_TOO_MANY_PHOTOS,
        ContentError::PhotoMalformedHash(_) => codes::INCIDENT_PHOTO_MALFORMED_HASH,
    };
    ApiError::new(code, error.to_string())
}

fn not_found() -> ApiError {
    ApiError::new(codes::INCIDENT_NOT_FOUND, "no such incident")
}

fn assignee_not_in_office() -> ApiError {
    ApiError::new(
        codes::INCIDENT_ASSIGNEE_NOT_IN_OFFICE,
        "the assignee is not a staff account of the office that owns the incident",
    )
}

fn malformed(why: impl Into<String>) -> ApiError {
    ApiError::new(codes::INCIDENT_MALFORMED, why)
}

/// The id in a path: 32 lowercase hex digits, else no such incident.
fn incident_id(text: &str) -> Result<IncidentId, ApiError> {
    IncidentId::parse(text).ok_or_else(not_found)
}

/// A JSON body of shape `T` (400 `incident.malformed` otherwise), with
/// its bytes (what a retry is compared by).
fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    expected: &str,
) -> Result<(T, Bytes), ApiError> {
    session_fact::json_body(body, expected, codes::INCIDENT_MALFORMED)
}

/// A session's request scope (400 `incident.malformed` without an
/// `Idempotency-Key`).
fn session_request(who: &Authenticated, headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    session_fact::session_request(who, headers, codes::INCIDENT_MALFORMED)
}

/// The session's role and region, as an incident event names its actor.
fn actor_of(who: &Authenticated) -> Actor {
    Actor::officer(who.principal.role(), who.principal.region())
}

/// Whether the session may read `incident` (see the module's doc).
/// How much of an incident a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Everything, to those who may read it.
    Full,
    /// A public incident to anyone else: what was reported (the texts,
    /// the photos), never who reported it or who it is assigned to.
    Public,
}

/// Incident `id` with its history, and how much of it `who` sees: 401
/// `auth.required` to no session and 404 `incident.not_found` to a
/// session that may not read it, unless it is public.
async fn visible(
    state: &AppState,
    who: &MaybeSession,
    id: IncidentId,
) -> Result<(IncidentHistory, Sight), ApiError> {
    let history = state.blocking(move |store| store.incident(&id.0)).await?;
    let readable = match (&who.0, &history) {
        (Some(who), Some(h)) => may_read(who, &h.incident),
        _ => false,
    };
    match history {
        Some(h) if readable => Ok((h, Sight::Full)),
        Some(h) if h.incident.record.public.public => Ok((h, Sight::Public)),
        _ if who.0.is_none() => Err(ApiError::new(
            codes::AUTH_REQUIRED,
            "sign in to read an incident that is not public",
        )),
        _ => Err(not_found()),
    }
}

fn may_read(who: &Authenticated, incident: &StoredIncident) -> bool {
    let public = &incident.record.public;
    incident.reporter == *who.username
        || actor_of(who).may_act(public.owner)
        || decide(
            &who.principal,
            permission::Action::ViewRestricted,
            public.region,
        )
        .is_allowed()
}

/// Queues an incident event and answers with its outcome.
async fn sequence(
    state: &AppState,
    request: IdempotencyKey,
    request_hash: [u8; 32],
    fact: IncidentFact,
) -> Result<Response, ApiError> {
    session_fact::sequence(state, request, request_hash, Fact::Incident(Box::new(fact))).await
}
