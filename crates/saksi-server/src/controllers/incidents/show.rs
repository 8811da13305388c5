//! `GET /api/v1/incidents/{id}`: an incident's state, what its reporter
//! told (title, description, photos) and its history, to those who may
//! read it (see the module's doc), and its public view to anyone once it
//! is public; 404 `incident.not_found` to anyone else, as to an id nobody
//! filed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{IncidentActor, IncidentHistoryItem, IncidentPage};
use saksi_store::{IncidentHistory, StoredIncidentEvent};
use serde_json::Value;

use super::{Sight, incident_id, visible};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{MaybeSession, RawPath};
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    who: MaybeSession,
    RawPath(id): RawPath<String>,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    let (history, sight) = visible(&state, &who, id).await?;
    Ok(json_of(
        StatusCode::OK,
        &page(id.to_string(), history, sight),
    ))
}

/// An event's private content as stored (its own RFC 8785 bytes), or
/// nothing for the server's events.
fn content(event: &StoredIncidentEvent) -> Value {
    event
        .private
        .as_ref()
        .and_then(|p| serde_json::from_slice(&p.content).ok())
        .unwrap_or(Value::Null)
}

/// The photo hashes the filing's content names: the only photos an
/// incident keeps and serves.
pub(super) fn filing_photos(history: &IncidentHistory) -> Vec<String> {
    history
        .events
        .first()
        .map(|e| photos_of(&content(e)))
        .unwrap_or_default()
}

fn photos_of(content: &Value) -> Vec<String> {
    content
        .get("photos")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn text(content: &Value, member: &str) -> Option<String> {
    content
        .get(member)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn page(id: String, history: IncidentHistory, sight: Sight) -> IncidentPage {
    let IncidentHistory { incident, events } = history;
    let full = sight == Sight::Full;
    let filing = events.first().map(content).unwrap_or(Value::Null);
    let p = &incident.record.public;
    let history = events
        .iter()
        .map(|e| {
            let c = content(e);
            IncidentHistoryItem {
                seq: e.seq,
                action: e.action.id().to_owned(),
                at: e.at.to_string(),
                by: match e.actor.by {
                    Some((role, region)) => IncidentActor {
                        role: role.id().to_owned(),
                        region: Some(region.to_string()),
                    },
                    None => IncidentActor {
                        role: "system".into(),
                        region: None,
                    },
                },
                text: text(&c, "text"),
                assignee: text(&c, "assignee").filter(|_| full),
                log_index: e.log_index,
            }
        })
        .collect();
    IncidentPage {
        id,
        owner: p.owner.into(),
        ack_due: p.ack_due.map(|t| t.to_string()),
        resolve_due: p.resolve_due.map(|t| t.to_string()),
        status: p.status.id().to_owned(),
        category: p.category.id().to_owned(),
        severity: p.severity.id().to_owned(),
        region: p.region.to_string(),
        contests: p.contests.iter().map(|c| c.id().to_owned()).collect(),
        overdue: p.overdue,
        public: p.public,
        title: text(&filing, "title").unwrap_or_default(),
        description: text(&filing, "description").unwrap_or_default(),
        photos: photos_of(&filing),
        assignee: incident.assignee.filter(|_| full),
        reporter: full.then_some(incident.reporter),
        history,
    }
}
