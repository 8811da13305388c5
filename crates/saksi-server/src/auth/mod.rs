//! Authentication over the server's state: logins (password, then the
//! second factor), TOTP enrolment, and the session of a token, which both
//! API extractors and the web pages use. The parts it is made of (password
//! hashes, tokens, the throttle, TOTP, CSRF tokens) live in
//! [`crate::credentials`] and are re-exported here.

pub mod login;
pub mod totp_enrolment;

pub use crate::credentials::{
    csrf, enrolment_throttle, password, policy, sessions, throttle, token, totp, totp_key,
};

use std::sync::Arc;

use saksi_core::permission::{Principal, Role, Witness};
use saksi_core::time::UnixTime;

use crate::codes;
use crate::credentials::sessions::CachedSession;
use crate::error::ApiError;
use crate::state::AppState;

/// A request's valid, full session: its user as a [`Principal`]. The API
/// takes it as an extractor (in the `extract` module): a session that may only
/// enrol TOTP is refused there with 403 `auth.totp_enrolment_required`.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user_id: i64,
    pub username: Arc<str>,
    pub principal: Principal,
    pub expires_at: UnixTime,
    /// The account has TOTP enrolled.
    pub totp_enrolled: bool,
    /// The hash the session is stored under (for logout).
    pub token_hash: [u8; 32],
}

/// The longest session token looked up: tokens are 64 hex digits, and a
/// longer one is refused before it is hashed.
const MAX_TOKEN_LEN: usize = 256;

/// The session of `token` (from a Bearer header or the session cookie):
/// its user, and whether the session may only enrol TOTP (`true` for a
/// password login of an account whose role needs TOTP and has none yet).
/// Both API extractors and the web pages look sessions up here: from the
/// cache, else from the store (caching the answer). Refused with 401
/// `auth.invalid_token` if the token is malformed, unknown, expired,
/// revoked, or its account is disabled.
pub async fn session_of(state: &AppState, token: &str) -> Result<(Authenticated, bool), ApiError> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(invalid_token());
    }
    session_by_hash(state, token::hash(token)).await
}

fn invalid_token() -> ApiError {
    ApiError::new(codes::AUTH_INVALID_TOKEN, "the token is invalid or expired")
}

/// The session stored under `hash`, as [`session_of`] finds it: what a
/// long-lived answer (the incident stream) asks again now and then, so a
/// session logged out, revoked or expired stops being served.
pub async fn session_by_hash(
    state: &AppState,
    hash: [u8; 32],
) -> Result<(Authenticated, bool), ApiError> {
    let invalid = invalid_token;
    let now = state.clock.now();
    if state.sessions.recheck_due(now) {
        let revision = state.blocking(|store| store.account_revision()).await?;
        state.sessions.observe(revision);
    }
    let session = match state.sessions.get(&hash, now) {
        Some(session) => session,
        None => {
            let revision = state.sessions.revision();
            let found = state
                .blocking(move |store| store.session_user(&hash, now))
                .await?
                .ok_or_else(invalid)?;
            let user = found.user;
            let role = Role::parse(&user.role).ok_or_else(|| {
                ApiError::internal(format!(
                    "user {} has unknown role {:?}",
                    user.id.0, user.role
                ))
            })?;
            let witness = Witness::of(user.party, user.paslon).map_err(|e| {
                ApiError::internal(format!("user {} is not a valid principal: {e}", user.id.0))
            })?;
            let principal = Principal::new(role, user.region, witness).map_err(|e| {
                ApiError::internal(format!("user {} is not a valid principal: {e}", user.id.0))
            })?;
            // A token minted by `saksi user token` was handed out by the
            // operator on the server itself, not won with a password, so
            // it needs no second factor.
            let totp_pending = !found.minted && role.needs_totp() && !user.totp_enrolled;
            let session = CachedSession {
                user_id: user.id.0,
                username: Arc::from(user.username),
                principal,
                expires_at: found.expires_at,
                totp_enrolled: user.totp_enrolled,
                totp_pending,
            };
            state.sessions.put(hash, session.clone(), revision);
            session
        }
    };
    let pending = session.totp_pending;
    Ok((
        Authenticated {
            user_id: session.user_id,
            username: session.username,
            principal: session.principal,
            expires_at: session.expires_at,
            totp_enrolled: session.totp_enrolled,
            token_hash: hash,
        },
        pending,
    ))
}
