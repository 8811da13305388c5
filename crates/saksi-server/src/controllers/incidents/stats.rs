//! `GET /api/v1/incidents/stats` and `/api/v1/incidents/stats/{region}`:
//! public, no session. The incidents at or below a region counted by
//! category, severity and status (every value named, zeros included),
//! how many are overdue, the time to first acknowledgement and to first
//! resolution (nearest-rank p50 and p90 in seconds, `null` with no data),
//! and each child region's counts: all from the book, so it is what the
//! log publishes and `saksi audit` recomputes. Never a reporter, a text or
//! a photo.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{IncidentChildStats, IncidentCounts, IncidentStats, Percentiles};
use saksi_core::RegionCode;
use saksi_core::incident::book::{Counts, percentile};
use saksi_core::incident::{Category, Severity, Status};

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

fn named<T: Copy + std::fmt::Display>(all: &[T], counts: &[u64]) -> BTreeMap<String, u64> {
    all.iter()
        .zip(counts)
        .map(|(v, n)| (v.to_string(), *n))
        .collect()
}

fn counts(c: &Counts) -> IncidentCounts {
    IncidentCounts {
        total: c.total,
        category: named(Category::ALL, &c.category),
        severity: named(Severity::ALL, &c.severity),
        status: named(Status::ALL, &c.status),
        overdue: c.overdue,
    }
}

fn percentiles(sorted: &[i64]) -> Percentiles {
    Percentiles {
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
    }
}

fn stats(state: &AppState, region: RegionCode) -> Result<Response, ApiError> {
    let tree = &state.election.tree;
    let not_found = || ApiError::new(codes::REGION_NOT_FOUND, format!("no region {region}"));
    let node = tree.get(tree.find(region).ok_or_else(not_found)?);
    let stats = read_live(&state.live)
        .incidents
        .stats(tree, region, state.clock.now())
        .ok_or_else(not_found)?;
    let name_of = |code: RegionCode| {
        tree.find(code)
            .map(|id| tree.get(id).name.clone())
            .unwrap_or_default()
    };
    let body = IncidentStats {
        code: region.to_string(),
        name: node.name.clone(),
        level: node.level().as_str().to_owned(),
        counts: counts(&stats.counts),
        ack_seconds: percentiles(&stats.ack_seconds),
        resolve_seconds: percentiles(&stats.resolve_seconds),
        children: stats
            .children
            .iter()
            .map(|(code, c)| IncidentChildStats {
                code: code.to_string(),
                name: name_of(*code),
                counts: counts(c),
            })
            .collect(),
    };
    Ok(json_of(StatusCode::OK, &body))
}
