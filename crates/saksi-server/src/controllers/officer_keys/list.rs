//! `GET /api/v1/officer-keys[?status=pending]`: the keys the caller
//! certifies; `GET /api/v1/officer-keys/mine`: the caller's own.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{OfficerKeyStatus, OfficerKeys};

use crate::controllers::enrolments::{Params, status_param};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::workspace::officer_keys;

pub async fn to_certify(
    State(state): State<AppState>,
    who: Authenticated,
    params: Params,
) -> Result<Response, ApiError> {
    let status = status_param(
        params,
        "pending, certified, revoked",
        OfficerKeyStatus::parse,
    )?;
    let keys = officer_keys::to_certify(&state, &who, status).await?;
    Ok(json_of(StatusCode::OK, &OfficerKeys { keys }))
}

pub async fn mine(State(state): State<AppState>, who: Authenticated) -> Result<Response, ApiError> {
    let keys = officer_keys::mine(&state, &who).await?;
    Ok(json_of(StatusCode::OK, &OfficerKeys { keys }))
}
