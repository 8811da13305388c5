//! `POST /api/v1/auth/totp` and `POST /api/v1/auth/totp/confirm`:
//! enrolling the second factor, with a session that may only enrol (or a
//! full one, before its account has enrolled). The work is
//! [`crate::auth::totp_enrolment`]'s.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::RecoveryCodes;
use serde::Deserialize;

use crate::auth::totp_enrolment;
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{Enrolling, body_bytes};
use crate::state::AppState;

/// `POST /api/v1/auth/totp`: 201 with a new secret and its URI.
pub async fn begin(
    State(state): State<AppState>,
    Enrolling { session: auth, .. }: Enrolling,
) -> Result<Response, ApiError> {
    let offer = totp_enrolment::begin(&state, auth.user_id, &auth.username).await?;
    Ok(json_of(StatusCode::CREATED, &offer))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmRequest {
    code: String,
}

/// `POST /api/v1/auth/totp/confirm` `{"code"}`: 200 with the recovery
/// codes.
pub async fn confirm(
    State(state): State<AppState>,
    Enrolling { session: auth, .. }: Enrolling,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body_bytes(body)?;
    let request: ConfirmRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(codes::MALFORMED_JSON, format!("expected {{\"code\"}}: {e}")))?;
    let recovery_codes = totp_enrolment::confirm(&state, auth.user_id, &request.code).await?;
    Ok(json_of(StatusCode::OK, &RecoveryCodes { recovery_codes }))
}
