//! The public log endpoints (docs/log-entries.md): the latest checkpoint, the log's
//! verifier key, the KPU RI root keys, entries by page, inclusion and consistency proofs, and
//! receipts. Everything is bounded by the latest signed checkpoint, so an
//! auditor never sees an entry or a size that no signed statement covers.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use crate::codes;
use crate::error::ApiError;

pub mod checkpoint;
pub mod entries;
pub mod key;
pub mod proof;
pub mod receipt;
pub mod roots;

/// Query parameters as strings, each parsed by [`param`].
pub type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// A required decimal parameter (digits only: no sign, no spaces).
/// Public so the fuzz harness (`saksi-fuzz`) runs the server's own parser.
pub fn param(params: &Params, name: &str) -> Result<u64, ApiError> {
    let value = params
        .as_ref()
        .map_err(|_| invalid_parameter("the query string could not be decoded"))?
        .get(name)
        .ok_or_else(|| invalid_parameter(&format!("the query parameter `{name}` is required")))?;
    decimal(value).ok_or_else(|| {
        invalid_parameter(&format!(
            "`{name}` must be a decimal integer, got {value:?}"
        ))
    })
}

/// Parses a non-negative decimal integer that fits u64 (query parameters
/// and the receipt's path segment; public for the fuzz harness).
pub fn decimal(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

pub(crate) fn invalid_parameter(message: &str) -> ApiError {
    ApiError::new(codes::LOG_INVALID_PARAMETER, message)
}

pub(crate) fn invalid_range(message: String) -> ApiError {
    ApiError::new(codes::LOG_INVALID_RANGE, message)
}

/// 400 for a size beyond the latest checkpoint, saying which size is.
pub(crate) fn beyond_checkpoint(what: &str, value: u64, size: u64) -> ApiError {
    ApiError::new(
        codes::LOG_BEYOND_CHECKPOINT,
        format!("{what} {value} is beyond the latest checkpoint's size {size}"),
    )
    .with_details(json!({"checkpoint_size": size}))
}

/// A `text/plain` answer.
pub(crate) fn text(body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
