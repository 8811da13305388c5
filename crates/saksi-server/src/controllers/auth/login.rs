//! `POST /api/v1/auth/login`: a password for a session token.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::Session;
use saksi_core::time::UnixTime;
use saksi_core::username::Username;
use serde::Deserialize;

use crate::auth::{password, policy, token};
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

/// Seconds a login refused for lack of a free core is told to wait: one
/// check takes a fraction of that.
const BUSY_RETRY_AFTER: u64 = 1;

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
    let outcome = attempt(&state, &addr, request.username, request.password).await?;
    Ok(json_of(
        StatusCode::OK,
        &Session {
            token: outcome.token,
            expires_at: outcome.expires_at.to_string(),
        },
    ))
}

/// A new session, as the API and the web login page both make it.
pub struct LoginOutcome {
    /// The session token (shown once: only its hash is stored).
    pub token: String,
    pub expires_at: UnixTime,
}

/// Checks a username and password (throttled, on a bounded number of
/// cores) and opens a session: the one implementation behind
/// `POST /api/v1/auth/login` and the workspace's login form.
pub async fn attempt(
    state: &AppState,
    addr: &str,
    username: String,
    password: String,
) -> Result<LoginOutcome, ApiError> {
    if let Err(e) = Username::parse(&username) {
        return Err(ApiError::new(codes::AUTH_INVALID_USERNAME, e.to_string()));
    }
    let now = state.clock.now();
    let secs = u64::try_from(now.0).unwrap_or(0);
    // Counted before the password is checked, so that guesses sent at once
    // cannot all slip in before the first is counted.
    let reservation = state
        .throttle
        .reserve(&username, addr, secs)
        .map_err(|wait| {
            ApiError::new(
                codes::AUTH_THROTTLED,
                "too many login attempts; wait before trying again",
            )
            .retry_after(wait)
        })?;
    // Argon2 takes a core for a while: beyond one check per core, answer
    // at once instead of queueing, so a login flood cannot starve the
    // write path of CPU (nor pile up blocking threads).
    let Ok(permit) = Arc::clone(&state.password_checks).try_acquire_owned() else {
        state.throttle.refund(reservation);
        return Err(ApiError::new(
            codes::AUTH_BUSY,
            "too many passwords are being checked; retry shortly",
        )
        .retry_after(BUSY_RETRY_AFTER));
    };
    let dummy = state.dummy_hash.clone();
    let user = state
        .blocking(move |store| {
            let _permit = permit;
            let user = store.user_by_username(&username)?;
            let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
            // Verify even when there is nothing to verify against, so the
            // time taken does not tell which usernames exist.
            let ok = password.len() <= policy::MAX_BYTES
                && password::verify(&password, hash.unwrap_or(&dummy))
                && hash.is_some();
            Ok(user.filter(|_| ok))
        })
        .await;
    let user = match user {
        Ok(user) => user,
        Err(err) => {
            // The store failed before the password was judged: not a guess.
            state.throttle.refund(reservation);
            return Err(err);
        }
    };
    let Some(user) = user else {
        tracing::info!(%addr, "login refused");
        return Err(ApiError::new(
            codes::AUTH_INVALID_CREDENTIALS,
            "wrong username or password",
        ));
    };
    // A correct password is no guess, whatever the account's state.
    state.throttle.succeeded(reservation);
    // Said only after the right password, so a disabled account looks like
    // any other to a guesser, and its officer learns why the login fails.
    if user.disabled_at.is_some() {
        tracing::info!(%addr, user = user.id.0, "login refused: account disabled");
        return Err(ApiError::new(
            codes::AUTH_ACCOUNT_DISABLED,
            "this account is disabled; ask the election's operator to enable it",
        ));
    }
    let token = token::generate().map_err(|e| ApiError::internal(e.to_string()))?;
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let expires_at = now.plus(ttl);
    let session = saksi_store::Session {
        token_hash: token::hash(&token).to_vec(),
        user_id: user.id,
        created_at: now,
        expires_at,
        minted: false,
    };
    state
        .blocking(move |store| store.insert_session(&session))
        .await?;
    tracing::info!(user = user.id.0, role = %user.role, "login");
    Ok(LoginOutcome { token, expires_at })
}
