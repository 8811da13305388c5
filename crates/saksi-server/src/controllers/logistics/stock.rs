//! `GET /api/v1/logistics/stock/{code}`: what the office of a region (a
//! kab/kota's KPU warehouse, a kecamatan's PPK, a desa's PPS) or a TPS
//! holds, as the log's accepted deliveries in and shipments out make it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::live::read_live;
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    super::region(&state.election, code)?;
    let items = read_live(&state.live)
        .logistics
        .stock(code)
        .map(|(item, n)| (item.to_owned(), n))
        .collect();
    Ok(json_of(
        StatusCode::OK,
        &saksi_api::Stock {
            code: code.to_string(),
            items,
        },
    ))
}
