//! Request extractors shared by handlers: the authenticated principal, the
//! client's address, path segments and the body, each refusing with an
//! [`ApiError`].
//!
//! A session token comes from `Authorization: Bearer` or the browser's
//! session cookie (with its CSRF token), see [`session_token`]; the
//! lookup itself is [`crate::auth::session_of`], shared with the web
//! pages.
//!
//! [`Authenticated`] reads only the request head, and axum runs head
//! extractors before the body one: a request without a valid session is
//! refused before a byte of its body is read.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use saksi_core::RegionCode;
use serde::de::DeserializeOwned;

pub use crate::auth::Authenticated;
use crate::auth::{self, csrf};
use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

/// Where a request's session token came from.
enum TokenSource<'a> {
    /// `Authorization: Bearer <token>`: set by a program, which no hostile
    /// page can make a browser add, so it needs no CSRF token.
    Bearer(&'a str),
    /// The session cookie ([`csrf::COOKIE`]): a browser sends it with
    /// every request, so a state-changing one must also carry the
    /// session's CSRF token ([`csrf::HEADER`]).
    Cookie(&'a str),
}

/// The request's session token, checked for its CSRF token if it came in
/// the cookie: 401 `auth.required` without one, 401 `auth.invalid_token`
/// for a malformed `Authorization` header, 403 `auth.csrf_invalid` for a
/// cookie request other than GET or HEAD without the right CSRF token.
fn session_token(parts: &Parts) -> Result<&str, ApiError> {
    let source = if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::new(codes::AUTH_INVALID_TOKEN, "the token is invalid or expired")
            })?;
        TokenSource::Bearer(token)
    } else {
        let cookies = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        match csrf::session_cookie(cookies) {
            Some(token) => TokenSource::Cookie(token),
            None => {
                return Err(ApiError::new(
                    codes::AUTH_REQUIRED,
                    "this endpoint needs Authorization: Bearer <token> or a session cookie",
                ));
            }
        }
    };
    match source {
        TokenSource::Bearer(token) => Ok(token),
        TokenSource::Cookie(token) => {
            let safe = parts.method == Method::GET || parts.method == Method::HEAD;
            let given = parts
                .headers
                .get(csrf::HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if safe || csrf::verify(token, given) {
                Ok(token)
            } else {
                Err(ApiError::new(
                    codes::AUTH_CSRF_INVALID,
                    "the CSRF token is missing or wrong; reload the page",
                ))
            }
        }
    }
}

/// A session that may only enrol TOTP is refused with 403
/// `auth.totp_enrolment_required` (see [`Enrolling`]).
impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(parts)?;
        let (auth, totp_pending) = auth::session_of(state, token).await?;
        if totp_pending {
            return Err(ApiError::new(
                codes::AUTH_TOTP_ENROLMENT_REQUIRED,
                "this account must enrol TOTP first (POST /api/v1/auth/totp, then /api/v1/auth/totp/confirm)",
            ));
        }
        Ok(auth)
    }
}

/// The session, if the request carries one (an `Authorization` header or
/// the session cookie), checked as [`Authenticated`] is; `None` if it carries none:
/// for an endpoint that also takes a signed statement, which needs no
/// session.
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Authenticated>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let headers = &parts.headers;
        let cookies = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        if !headers.contains_key(header::AUTHORIZATION) && csrf::session_cookie(cookies).is_none() {
            return Ok(MaybeSession(None));
        }
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|a| MaybeSession(Some(a)))
    }
}

/// A request with a valid session, full or one that may only enrol TOTP:
/// for showing the session, logging out and enrolling.
#[derive(Debug, Clone)]
pub struct Enrolling {
    pub session: Authenticated,
    /// The session may only enrol TOTP until the account confirms a code.
    pub totp_pending: bool,
}

impl FromRequestParts<AppState> for Enrolling {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(parts)?;
        let (session, totp_pending) = auth::session_of(state, token).await?;
        Ok(Enrolling {
            session,
            totp_pending,
        })
    }
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
