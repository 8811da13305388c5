//! `GET /api/v1/logistics/allocation/{code}`: a TPS's kit, or the sum over
//! a region, as the allocation computed at start-up holds it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    let election = &state.election;
    let id = super::region(election, code)?;
    let items = state
        .allocation
        .named(election, id)
        .into_iter()
        .map(|(item, n)| (item.to_owned(), n))
        .collect();
    Ok(json_of(
        StatusCode::OK,
        &saksi_api::Allocation {
            code: code.to_string(),
            items,
        },
    ))
}
