//! `GET /api/v1/enrolments/{id}`: what the enrolling phone polls; no
//! session (the random id is known only to the phone and the officers).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::state::AppState;
use crate::workspace::enrolment;

pub async fn show(
    State(state): State<AppState>,
    RawPath(id): RawPath<String>,
) -> Result<Response, ApiError> {
    let enrolment = enrolment::show(&state, &id).await?;
    Ok(json_of(StatusCode::OK, &enrolment))
}
