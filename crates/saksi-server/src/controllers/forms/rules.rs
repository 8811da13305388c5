//! `GET /api/v1/forms/rules`: the C.Hasil's arithmetic rules as data
//! (`saksi_core::form::rules`), public, so the phone checks each number as
//! it is typed with the server's own rules rather than a copy that drifts.

use axum::http::StatusCode;
use axum::response::Response;
use saksi_core::form::rules;

use crate::controllers::json_of;

pub async fn show() -> Response {
    json_of(StatusCode::OK, &rules::DOCUMENT)
}
