//! Handlers, one module per resource and one file per action.

pub mod auth;
pub mod enrolments;
pub mod forms;
pub mod incidents;
pub mod keys;
pub mod log;
pub mod logistics;
pub mod objections;
pub mod officer_keys;
pub mod photos;
pub mod recap;
pub mod regions;
pub mod results;
pub mod sequenced;
pub mod session_fact;
pub mod statements;
pub mod system;
pub mod tps;
pub mod web;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// A JSON answer from bytes already rendered.
pub(crate) fn json_bytes(status: StatusCode, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A JSON answer of one of the API's shapes (`saksi_api`).
pub(crate) fn json_of<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    json_bytes(status, to_bytes(value))
}

/// The JSON bytes of one of the API's shapes. The shapes are plain structs
/// of strings, numbers and maps with string keys, which always serialise.
pub(crate) fn to_bytes<T: serde::Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("an API shape serialises"))
}

/// True if `If-None-Match` lists `etag` (or `*`). Weak comparison
/// (RFC 9110 §13.1.2): `W/` prefixes are ignored.
pub(crate) fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let wanted = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == wanted)
}

/// An answer with an ETag: 304 without a body if the client has it.
pub(crate) fn with_etag(
    headers: &HeaderMap,
    etag: String,
    body: impl FnOnce() -> Bytes,
) -> Response {
    let mut response = if etag_matches(headers, &etag) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        json_bytes(StatusCode::OK, body())
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
