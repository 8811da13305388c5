//! `GET /api/v1/logistics/reconciliation/{contest}/{code}`: a region's
//! (or a TPS's) ballots of a contest accounted for after the count, its
//! children's counts and its first mismatched TPS with their numbers.
//! Every number is read from the counts the sequencer keeps as forms and
//! deliveries are applied (`saksi_core::logistics::reconcile`): no form or
//! delivery is looked at here, so the nation answers as fast as a TPS.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{BallotMismatch, MAX_MISMATCHES, Reconciliation, ReconciliationChild};

use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath((contest_id, code)): RawPath<(String, String)>,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let code = region_code(&code)?;
    let tree = &state.election.tree;
    let id = super::region(&state.election, code)?;
    let live = state.live();
    let reconciliation = &live.reconciliation;
    let counts = reconciliation.counts(id, contest);
    let children = tree
        .children(id)
        .map(|child| {
            let c = reconciliation.counts(child, contest);
            ReconciliationChild {
                code: tree.get(child).code.to_string(),
                tps_reconciled: c.reconciled,
                tps_mismatched: c.mismatched,
            }
        })
        .collect();
    let mismatches = reconciliation
        .mismatches(tree, id, contest, MAX_MISMATCHES)
        .into_iter()
        .map(|b| BallotMismatch {
            tps: tree.get(b.tps).code.to_string(),
            received: b.received,
            used: b.counted.used.into(),
            unused: b.counted.unused.into(),
            damaged: b.counted.damaged.into(),
            pengguna_total_j: b.counted.pengguna_total_j.into(),
        })
        .collect();
    drop(live);
    Ok(json_of(
        StatusCode::OK,
        &Reconciliation {
            code: code.to_string(),
            contest: contest.id().to_owned(),
            tps_reconciled: counts.reconciled,
            tps_mismatched: counts.mismatched,
            children,
            mismatches,
        },
    ))
}
