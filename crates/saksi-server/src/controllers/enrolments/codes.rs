//! `POST /api/v1/enrolment-codes`: a KPU Kab/Kota issues one-time
//! enrolment codes for TPS of its kab/kota, shown once.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::IssuedCodes;
use serde::Deserialize;

use super::json_body;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::workspace::{enrolment, parse_region};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueRequest {
    tps: Vec<String>,
}

pub async fn issue(
    State(state): State<AppState>,
    who: Authenticated,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: IssueRequest = json_body(body, "{\"tps\": [\"<TPS code>\", ...]}")?;
    let tps = request
        .tps
        .iter()
        .map(|t| parse_region(t))
        .collect::<Result<Vec<_>, _>>()?;
    let codes = enrolment::issue_codes(&state, &who, tps).await?;
    Ok(json_of(StatusCode::CREATED, &IssuedCodes { codes }))
}
