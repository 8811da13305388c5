//! `GET /api/v1/openapi.json`: the hand-written OpenAPI 3.1 description.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;

use crate::controllers::json_bytes;

/// The document, checked to be valid JSON by a test.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub async fn show() -> Response {
    json_bytes(StatusCode::OK, Bytes::from_static(OPENAPI.as_bytes()))
}
