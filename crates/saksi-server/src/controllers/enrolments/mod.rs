//! `/api/v1/enrolment-codes` and `/api/v1/enrolments`: KPPS device
//! enrolment (`workspace::enrolment` holds the rules).

pub mod codes;
pub mod create;
pub mod list;
pub mod reject;
pub mod show;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::extract::body_bytes;

/// A JSON body of the shape `expected` describes (400
/// `request.malformed_json` otherwise; unknown members are refused).
pub(crate) fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    expected: &str,
) -> Result<T, ApiError> {
    let body = body_bytes(body)?;
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            crate::codes::MALFORMED_JSON,
            format!("expected {expected}: {e}"),
        )
    })
}

/// Query parameters as strings.
pub(crate) type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The `status` query parameter parsed by `parse`, if present (400
/// `workspace.invalid_status` for a value it does not know, or a query
/// that does not decode).
pub(crate) fn status_param<T>(
    params: Params,
    known: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    let invalid = |what: String| {
        ApiError::new(
            crate::codes::WORKSPACE_INVALID_STATUS,
            format!("{what}; status is one of {known}"),
        )
    };
    let Query(params) = params.map_err(|e| invalid(e.body_text()))?;
    params
        .get("status")
        .map(|s| parse(s).ok_or_else(|| invalid(format!("unknown status {s:?}"))))
        .transpose()
}
