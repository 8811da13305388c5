//! `POST /api/v1/auth/login`: a password (and a TOTP code, for an account
//! with one enrolled) for a session token. The checks are
//! [`crate::auth::login::attempt`]'s.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::Session;
use serde::Deserialize;

use crate::auth::login::attempt;
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{ClientAddr, body_bytes};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
    /// A TOTP code or a recovery code.
    #[serde(default)]
    totp: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body_bytes(body)?;
    let request: LoginRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            format!("expected {{\"username\", \"password\", \"totp\"?}}: {e}"),
        )
    })?;
    let outcome = attempt(
        &state,
        &addr,
        request.username,
        request.password,
        request.totp,
    )
    .await?;
    Ok(json_of(
        StatusCode::OK,
        &Session {
            token: outcome.token,
            expires_at: outcome.expires_at.to_string(),
            totp_enrolment_required: outcome.totp_enrolment_required,
        },
    ))
}
