//! Operational endpoints: health, metrics, the OpenAPI document, and the
//! answers for unknown routes.

use crate::codes;
use crate::error::ApiError;

pub mod health;
pub mod metrics;
pub mod openapi;

pub async fn not_found() -> ApiError {
    ApiError::new(codes::ROUTE_NOT_FOUND, "no endpoint has this path")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        codes::METHOD_NOT_ALLOWED,
        "this endpoint does not take this method",
    )
}
