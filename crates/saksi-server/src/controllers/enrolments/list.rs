//! `GET /api/v1/enrolments[?status=pending]`: a KPU Kab/Kota's
//! enrolments, to approve (by registering the key) or reject.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{EnrolmentStatus, Enrolments};

use super::{Params, status_param};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::workspace::enrolment;

pub async fn list(
    State(state): State<AppState>,
    who: Authenticated,
    params: Params,
) -> Result<Response, ApiError> {
    let status = status_param(
        params,
        "pending, approved, rejected, revoked",
        EnrolmentStatus::parse,
    )?;
    let enrolments = enrolment::list(&state, &who, status).await?;
    Ok(json_of(StatusCode::OK, &Enrolments { enrolments }))
}
