//! `POST /api/v1/incidents/{id}/events`: a session's event on an incident
//! it may read, `{"action", "text"?, "assignee"?}` with `Idempotency-Key`.
//! The text (a comment, a reason, a resolution) and the actor's username
//! are sealed as the event's private content; the log gets the role, the
//! region and the commitment. Whether the lifecycle allows the event, and
//! whether the session's office owns the incident, is decided by the
//! sequencer against the incident as it stands then.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_core::incident::Action;
use saksi_core::permission::Role;
use saksi_statement::Private;
use saksi_statement::incident_content::check_text;
use serde::Deserialize;
use serde_json::json;

use super::{
    actor_of, assignee_not_in_office, content_error, incident_id, json_body, malformed, may_read,
    not_found, request_hash, sequence, session_request,
};
use crate::codes;
use crate::error::ApiError;
use crate::extract::{Authenticated, RawPath};
use crate::sequencer::IncidentFact;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventRequest {
    action: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
}

/// The actions an officer takes by hand (`file` has its endpoint;
/// `overdue` is the server's alone).
const BY_HAND: [Action; 8] = [
    Action::Acknowledge,
    Action::Assign,
    Action::Comment,
    Action::Escalate,
    Action::Resolve,
    Action::Close,
    Action::Reopen,
    Action::Publish,
];

/// The actions that need a text: a comment, a resolution, a reason.
const NEED_TEXT: [Action; 4] = [
    Action::Comment,
    Action::Escalate,
    Action::Resolve,
    Action::Reopen,
];

pub async fn event(
    State(state): State<AppState>,
    who: Authenticated,
    RawPath(id): RawPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    let (request, bytes): (EventRequest, Bytes) =
        json_body(body, "{\"action\", \"text\"?, \"assignee\"?}")?;
    let action = Action::parse(&request.action)
        .filter(|a| BY_HAND.contains(a))
        .ok_or_else(|| {
            ApiError::new(
                codes::INCIDENT_UNKNOWN_ACTION,
                format!("{:?} is not an action taken by hand", request.action),
            )
        })?;
    let text = request.text.filter(|t| !t.trim().is_empty());
    if let Some(text) = &text {
        check_text(text).map_err(content_error)?;
    } else if NEED_TEXT.contains(&action) {
        return Err(ApiError::new(
            codes::INCIDENT_TEXT_REQUIRED,
            format!("{action} needs a `text`"),
        ));
    }
    if (action == Action::Assign) != request.assignee.is_some() {
        return Err(malformed(
            "`assignee` is given exactly with the action assign",
        ));
    }
    let scope = session_request(&who, &headers)?;
    let assignee = request.assignee;
    let (incident, assignee) = state
        .blocking(move |store| {
            let incident = store.incident(&id.0)?.map(|h| h.incident);
            let assignee = match assignee {
                Some(name) => Some(store.user_by_username(&name)?.ok_or(name)),
                None => None,
            };
            Ok((incident, assignee))
        })
        .await?;
    if !incident.is_some_and(|i| may_read(&who, &i)) {
        return Err(not_found());
    }
    let assignee = match assignee {
        Some(Err(_)) => return Err(assignee_not_in_office()),
        Some(Ok(user)) => {
            let role = Role::parse(&user.role).ok_or_else(assignee_not_in_office)?;
            Some((user.username, role, user.region))
        }
        None => None,
    };
    let mut content = json!({"actor": *who.username});
    if let Some(text) = &text {
        content["text"] = json!(text);
    }
    if let Some((name, _, _)) = &assignee {
        content["assignee"] = json!(name);
    }
    let fact = IncidentFact {
        id,
        action,
        actor: actor_of(&who),
        username: Some(who.username.to_string()),
        private: Some(Private::seal(&content)),
        filing: None,
        assignee,
    };
    let hash = request_hash(&[&id.0, &bytes]);
    sequence(&state, scope, hash, fact).await
}
