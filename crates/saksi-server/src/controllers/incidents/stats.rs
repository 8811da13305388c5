//! `GET /api/v1/incidents/stats` and `/api/v1/incidents/stats/{region}`:
//! public, no session. The incidents at or below a region counted by
//! category, severity and status (every value named, zeros included),
//! how many are overdue, the time to first acknowledgement and to first
//! resolution (nearest-rank p50 and p90 in seconds, `null` with no data),
//! and each child region's counts: all from the book, so it is what the
//! log publishes and `saksi audit` recomputes. Never a reporter, a text or
//! a photo.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{IncidentChildStats, IncidentStats, Percentiles};
use saksi_core::RegionCode;

use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::live::read_live;
use crate::state::AppState;

pub async fn national(State(state): State<AppState>) -> Result<Response, ApiError> {
    stats(&state, RegionCode::NASIONAL)
}

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    stats(&state, region_code(&code)?)
}

fn stats(state: &AppState, region: RegionCode) -> Result<Response, ApiError> {
    let tree = &state.election.tree;
    let not_found = || ApiError::new(codes::REGION_NOT_FOUND, format!("no region {region}"));
    let node = tree.get(tree.find(region).ok_or_else(not_found)?);
    // One read of the book and the log's size together.
    let (stats, log_size) = {
        let live = read_live(&state.live);
        let stats = live.incidents.stats(tree, region, state.clock.now());
        (stats.ok_or_else(not_found)?, live.log_size())
    };
    let name_of = |code: RegionCode| {
        tree.find(code)
            .map(|id| tree.get(id).name.clone())
            .unwrap_or_default()
    };
    let body = IncidentStats {
        code: region.to_string(),
        name: node.name.clone(),
        level: node.level().as_str().to_owned(),
        log_size,
        counts: (&stats.counts).into(),
        ack_seconds: Percentiles::of(&stats.ack_seconds),
        resolve_seconds: Percentiles::of(&stats.resolve_seconds),
        children: stats
            .children
            .iter()
            .map(|(code, c)| IncidentChildStats {
                code: code.to_string(),
                name: name_of(*code),
                counts: c.into(),
            })
            .collect(),
    };
    Ok(json_of(StatusCode::OK, &body))
}
