//! `GET /healthz`: 200 once the state is loaded (an `App` exists only
//! then), 503 with a `reason` code while the server refuses to sign its log
//! (its store is behind or diverges from the highest signed checkpoint), or
//! for good once another server took its writer lease over (`lease.lost`).
//! While the database is unavailable it answers 200 with `"status":
//! "degraded"`: reads are still served from memory, submissions get 503
//! until the database is back, which needs no restart.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::Health;

use crate::codes;
use crate::controllers::json_of;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Response {
    let log_size = state.live().log_size();
    if state.config.lease.as_ref().is_some_and(|l| l.is_lost()) {
        return json_of(
            StatusCode::SERVICE_UNAVAILABLE,
            &Health {
                status: "error".into(),
                reason: Some(codes::LEASE_LOST.code.into()),
                message: Some(
                    "another server took over writing this election (the writer lease); \
                     this one no longer writes nor signs: stop it"
                        .into(),
                ),
                log_size,
                checkpoint_size: None,
            },
        );
    }
    if let Some(refusal) = state.log.refusal() {
        return json_of(
            StatusCode::SERVICE_UNAVAILABLE,
            &Health {
                status: "error".into(),
                reason: Some(refusal.code().code.into()),
                message: Some(refusal.message().to_string()),
                log_size,
                checkpoint_size: None,
            },
        );
    }
    let checkpoint_size = state.log.latest().ok().map(|p| p.checkpoint.size);
    if state.metrics.store_degraded() {
        return json_of(
            StatusCode::OK,
            &Health {
                status: "degraded".into(),
                reason: Some(codes::STORE_UNAVAILABLE.code.into()),
                message: Some(
                    "the database is unavailable: submissions get 503 until it is back; \
                     reads are served from memory"
                        .into(),
                ),
                log_size,
                checkpoint_size: Some(checkpoint_size),
            },
        );
    }
    json_of(
        StatusCode::OK,
        &Health {
            status: "ok".into(),
            reason: None,
            message: None,
            log_size,
            checkpoint_size: Some(checkpoint_size),
        },
    )
}
