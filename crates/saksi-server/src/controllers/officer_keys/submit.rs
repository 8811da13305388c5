//! `POST /api/v1/officer-keys`: an officer submits the verifier key made
//! in their browser, for the officer above to certify.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::controllers::enrolments::json_body;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::workspace::officer_keys;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    key: String,
}

pub async fn submit(
    State(state): State<AppState>,
    who: Authenticated,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: SubmitRequest = json_body(body, "{\"key\": \"<verifier key>\"}")?;
    let submitted = officer_keys::submit(&state, &who, &request.key).await?;
    Ok(json_of(StatusCode::CREATED, &submitted))
}
