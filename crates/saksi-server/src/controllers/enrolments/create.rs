//! `POST /api/v1/enrolments`: a phone at a TPS sends its enrolment code
//! and its new verifier key; no session (the code is the credential).

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::json_body;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::ClientAddr;
use crate::state::AppState;
use crate::workspace::{enrolment, parse_region};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolRequest {
    tps: String,
    code: String,
    key: String,
}

pub async fn create(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: EnrolRequest = json_body(body, "{\"tps\", \"code\", \"key\"}")?;
    let tps = parse_region(&request.tps)?;
    let created = enrolment::enrol(&state, &addr, tps, &request.code, &request.key).await?;
    Ok(json_of(StatusCode::CREATED, &created))
}
