//! `POST /api/v1/auth/login`: a password for a session token.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::Session;
use saksi_core::username::Username;
use serde::Deserialize;

use crate::auth::{password, token};
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
}

/// The longest password accepted (Argon2 takes any length; this bounds work).
const MAX_PASSWORD: usize = 1024;

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body_bytes(body)?;
    let request: LoginRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            format!("expected {{\"username\", \"password\"}}: {e}"),
        )
    })?;
    if let Err(e) = Username::parse(&request.username) {
        return Err(ApiError::new(codes::AUTH_INVALID_USERNAME, e.to_string()));
    }
    let now = state.clock.now();
    let secs = u64::try_from(now.0).unwrap_or(0);
    let user_key = format!("user:{}", request.username);
    let addr_key = format!("addr:{addr}");
    let locked = [&user_key, &addr_key]
        .iter()
        .filter_map(|k| state.throttle.check(k, secs).err())
        .max();
    if let Some(wait) = locked {
        return Err(ApiError::new(
            codes::AUTH_THROTTLED,
            "too many wrong passwords; wait before trying again",
        )
        .retry_after(wait));
    }
    let dummy = state.dummy_hash.clone();
    let LoginRequest { username, password } = request;
    let user = state
        .blocking(move |store| {
            let user = store.user_by_username(&username)?;
            let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
            // Verify even when there is nothing to verify against, so the
            // time taken does not tell which usernames exist.
            let ok = password.len() <= MAX_PASSWORD
                && password::verify(&password, hash.unwrap_or(&dummy))
                && hash.is_some();
            Ok(user.filter(|_| ok))
        })
        .await?;
    let Some(user) = user else {
        state.throttle.failed(&user_key, secs);
        state.throttle.failed(&addr_key, secs);
        tracing::info!(%addr, "login refused");
        return Err(ApiError::new(
            codes::AUTH_INVALID_CREDENTIALS,
            "wrong username or password",
        ));
    };
    state.throttle.succeeded(&user_key);
    let token = token::generate().map_err(|e| ApiError::internal(e.to_string()))?;
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let expires_at = now.plus(ttl);
    let session = saksi_store::Session {
        token_hash: token::hash(&token).to_vec(),
        user_id: user.id,
        created_at: now,
        expires_at,
    };
    state
        .blocking(move |store| store.insert_session(&session))
        .await?;
    tracing::info!(user = user.id.0, role = %user.role, "login");
    Ok(json_of(
        StatusCode::OK,
        &Session {
            token,
            expires_at: expires_at.to_string(),
        },
    ))
}
