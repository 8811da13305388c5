//! `GET /api/v1/logistics/readiness/{code}`: how many of a region's TPS
//! hold their whole kit, what they lack, and the shipments into it
//! overdue, for the region and each child, from the counters the readers'
//! state keeps (`crate::readiness`), on the server's clock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_core::{Election, RegionId};
use saksi_statement::Logistics;

use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::live::read_live;
use crate::readiness::Readiness;
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    let election = &state.election;
    let id = super::region(election, code)?;
    let config = &state.config;
    let passed = config
        .logistics_deadlines
        .passed(config.polling_day, state.clock.now());
    let body = {
        let live = read_live(&state.live);
        let of = |id| counts(election, &live.readiness, &live.logistics, id, passed);
        saksi_api::Readiness {
            counts: of(id),
            children: election.tree.children(id).map(of).collect(),
        }
    };
    Ok(json_of(StatusCode::OK, &body))
}

/// The readiness of region `id` as the API shows it.
fn counts(
    election: &Election,
    readiness: &Readiness,
    logistics: &Logistics,
    id: RegionId,
    passed: [bool; 4],
) -> saksi_api::ReadinessCounts {
    let c = readiness.counts(logistics, id, passed);
    saksi_api::ReadinessCounts {
        code: election.tree.get(id).code.to_string(),
        tps_ready: c.tps_ready,
        tps_expected: c.tps_expected,
        shortfall: c
            .shortfall
            .into_iter()
            .map(|(item, n)| (item.to_owned(), n))
            .collect(),
        overdue: c.overdue,
    }
}
