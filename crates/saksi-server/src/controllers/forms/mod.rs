//! `/api/v1/tps/{code}/forms`: C.Hasil submissions.

pub mod rules;
pub mod submit;

use saksi_core::form::{self, codes as form_codes};
use serde_json::json;

use crate::codes;
use crate::error::ApiError;

/// Every problem of a form, as one answer: 400 for a body that is not JSON,
/// else 422 `form.invalid`.
pub(crate) fn form_error(issues: Vec<form::Issue>) -> ApiError {
    let malformed = issues
        .iter()
        .any(|i| i.code == form_codes::MALFORMED_JSON.code);
    let (code, message) = if malformed {
        (
            codes::MALFORMED_JSON,
            "the body is not valid JSON".to_owned(),
        )
    } else {
        (
            codes::FORM_INVALID,
            format!("the form was refused: {} problem(s)", issues.len()),
        )
    };
    ApiError::new(code, message).with_details(json!({"errors": issues}))
}
