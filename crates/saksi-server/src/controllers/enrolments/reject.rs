//! `POST /api/v1/enrolments/{id}/reject`: a KPU Kab/Kota turns a pending
//! enrolment of its kab/kota down, with a reason the phone shows.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::json_body;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{Authenticated, RawPath};
use crate::state::AppState;
use crate::workspace::enrolment;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectRequest {
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    who: Authenticated,
    RawPath(id): RawPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: RejectRequest = json_body(body, "{\"reason\"}")?;
    let rejected = enrolment::reject(&state, &who, &id, &request.reason).await?;
    Ok(json_of(StatusCode::OK, &rejected))
}
