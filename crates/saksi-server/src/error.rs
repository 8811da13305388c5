//! The one error type of the API and its mapping to responses.
//!
//! Every handler returns `Result<_, ApiError>`. A client error carries a
//! stable code from [`crate::codes`], a message for people and optional
//! details; anything else is [`ApiError::Internal`], answered with a generic
//! 500 `internal` while its detail is logged here, once, and nowhere else.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use saksi_api::ErrorBody;
use serde_json::Value;

use crate::codes::{self, ErrorCode};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A refusal the client can act on.
    #[error("{}: {message}", code.code)]
    Client {
        code: ErrorCode,
        message: String,
        /// Boxed: errors travel through every handler's `Result`, so the
        /// common case stays small.
        details: Option<Box<Value>>,
        /// Seconds for `Retry-After` (429, 503).
        retry_after: Option<u64>,
    },
    /// A failure of the server itself; never shown to the client.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A client error with a message and no details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Client {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// Adds `details` (an object) to a client error.
    pub fn with_details(mut self, value: Value) -> ApiError {
        if let ApiError::Client { details, .. } = &mut self {
            *details = Some(Box::new(value));
        }
        self
    }

    /// Adds `Retry-After` to a client error.
    pub fn retry_after(mut self, secs: u64) -> ApiError {
        if let ApiError::Client { retry_after, .. } = &mut self {
            *retry_after = Some(secs.max(1));
        }
        self
    }

    /// Wraps any failure of the server itself.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ApiError {
        ApiError::Internal(err.into())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> axum::http::StatusCode {
        let status = match self {
            ApiError::Client { code, .. } => code.status,
            ApiError::Internal(_) => codes::INTERNAL.status,
        };
        axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The message a client is told (nothing of an internal error's cause).
    pub fn message(&self) -> &str {
        match self {
            ApiError::Client { message, .. } => message,
            ApiError::Internal(_) => "internal error",
        }
    }

    /// Seconds a client is asked to wait, if any.
    pub fn wait(&self) -> Option<u64> {
        match self {
            ApiError::Client { retry_after, .. } => *retry_after,
            ApiError::Internal(_) => None,
        }
    }

    /// The stable code (for tests and metrics).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Client { code, .. } => code.code,
            ApiError::Internal(_) => codes::INTERNAL.code,
        }
    }
}

/// Seconds a client is asked to wait while the database is unavailable.
pub const STORE_RETRY_AFTER: u64 = 5;

impl From<saksi_store::StoreError> for ApiError {
    /// A database that is not there right now is 503 with `Retry-After`
    /// (logged once here, with its cause); anything else is a bug: 500.
    fn from(err: saksi_store::StoreError) -> ApiError {
        if err.is_unavailable() {
            tracing::warn!(error = %DisplayChain(&err), "the database is unavailable");
            return store_unavailable();
        }
        ApiError::internal(err)
    }
}

/// 503 with `Retry-After` while the database is unavailable.
pub(crate) fn store_unavailable() -> ApiError {
    ApiError::new(
        codes::STORE_UNAVAILABLE,
        "the database is unavailable; nothing was stored, retry later",
    )
    .retry_after(STORE_RETRY_AFTER)
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(err: tokio::task::JoinError) -> ApiError {
        ApiError::internal(err)
    }
}

/// An error as answered: its status, its body and its `Retry-After`.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The answer to this error; an internal one is logged here, once.
    pub(crate) fn answer(self) -> Answer {
        let (code, message, details, retry_after) = match self {
            ApiError::Client {
                code,
                message,
                details,
                retry_after,
            } => (code, message, details, retry_after),
            ApiError::Internal(err) => {
                tracing::error!(error = %DisplayChain(&*err), "internal error");
                (
                    codes::INTERNAL,
                    "the server failed to answer; the failure is logged".to_owned(),
                    None,
                    None,
                )
            }
        };
        Answer {
            status: StatusCode::from_u16(code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: ErrorBody::new(code.code, message).with_details(details.map(|d| *d)),
            retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Answer {
            status,
            body,
            retry_after,
        } = self.answer();
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// An error with all its sources, for the log line (the pages log an
/// internal error with it too).
pub struct DisplayChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}
