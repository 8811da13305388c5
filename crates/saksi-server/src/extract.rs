//! Request extractors shared by handlers: the authenticated principal, the
//! client's address, path segments and the body, each refusing with an
//! [`ApiError`].
//!
//! [`Authenticated`] reads only the request head, and axum runs head
//! extractors before the body one: a request without a valid session is
//! refused before a byte of its body is read.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use saksi_core::RegionCode;
use saksi_core::permission::{Principal, Role};
use saksi_core::time::UnixTime;
use serde::de::DeserializeOwned;

use crate::auth::sessions::CachedSession;
use crate::auth::token;
use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

/// A request with a valid session: its user as a [`Principal`].
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user_id: i64,
    pub username: Arc<str>,
    pub principal: Principal,
    pub expires_at: UnixTime,
    /// The hash the session is stored under (for logout).
    pub token_hash: [u8; 32],
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::new(
                codes::AUTH_REQUIRED,
                "this endpoint needs Authorization: Bearer <token>",
            ));
        };
        let invalid =
            || ApiError::new(codes::AUTH_INVALID_TOKEN, "the token is invalid or expired");
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(invalid)?;
        session_of(state, token).await
    }
}

/// The session a token opens, from the cache or the store: the one lookup
/// behind the API's bearer tokens and the workspace's session cookie.
pub async fn session_of(state: &AppState, token: &str) -> Result<Authenticated, ApiError> {
    let invalid = || ApiError::new(codes::AUTH_INVALID_TOKEN, "the token is invalid or expired");
    let hash = token::hash(token);
    let now = state.clock.now();
    if state.sessions.recheck_due(now) {
        let revision = state.blocking(|store| store.account_revision()).await?;
        state.sessions.observe(revision);
    }
    if let Some(s) = state.sessions.get(&hash, now) {
        return Ok(Authenticated {
            user_id: s.user_id,
            username: s.username,
            principal: s.principal,
            expires_at: s.expires_at,
            token_hash: hash,
        });
    }
    let revision = state.sessions.revision();
    let found = state
        .blocking(move |store| store.session_user(&hash, now))
        .await?;
    let Some((user, expires_at)) = found else {
        return Err(invalid());
    };
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::internal(format!(
            "user {} has unknown role {:?}",
            user.id.0, user.role
        ))
    })?;
    let principal = Principal::new(role, user.region, user.party).map_err(|e| {
        ApiError::internal(format!("user {} is not a valid principal: {e}", user.id.0))
    })?;
    let username: Arc<str> = user.username.into();
    state.sessions.put(
        hash,
        CachedSession {
            user_id: user.id.0,
            username: Arc::clone(&username),
            principal,
            expires_at,
        },
        revision,
    );
    Ok(Authenticated {
        user_id: user.id.0,
        username,
        principal,
        expires_at,
        token_hash: hash,
    })
}

/// The client's IP address as text, or `unknown` when the server was not
/// started with connection info (tests calling the router directly).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        Ok(ClientAddr(addr))
    }
}

/// Path parameters as plain strings (or a tuple of them); each handler
/// parses them into domain types with its own error codes.
pub struct RawPath<T>(pub T);

impl<S, T> FromRequestParts<S> for RawPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| RawPath(t))
            .map_err(|e| ApiError::new(codes::INVALID_PATH, e.body_text()))
    }
}

/// The body as bytes, or 413 `request.too_large` past the body limit.
pub fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(codes::TOO_LARGE, "the body is larger than 64 KiB")
        } else {
            ApiError::new(codes::MALFORMED_JSON, "the body could not be read")
        }
    })
}

/// Parses a region code from a path segment (400 `region.invalid_code`).
pub fn region_code(s: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(s).map_err(|e| ApiError::new(codes::REGION_INVALID_CODE, e.to_string()))
}

/// Parses a contest id from a path segment (404 `contest.not_found`).
pub fn contest(s: &str) -> Result<saksi_core::Contest, ApiError> {
    saksi_core::Contest::parse(s).ok_or_else(|| {
        ApiError::new(
            codes::CONTEST_NOT_FOUND,
            "no such contest (ppwp, dpr, dpd, dprd-prov, dprd-kabkota)",
        )
    })
}
