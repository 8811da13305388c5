//! `GET /api/v1/regions` (national) and `GET /api/v1/regions/{code}`.
//!
//! Children are always complete (a desa can have 451 TPS); a TPS has none.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{Region, RegionChild};
use saksi_core::RegionCode;

use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::state::AppState;

pub async fn national(State(state): State<AppState>) -> Result<Response, ApiError> {
    render(&state, RegionCode::NASIONAL)
}

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    render(&state, region_code(&code)?)
}

fn render(state: &AppState, code: RegionCode) -> Result<Response, ApiError> {
    let tree = &state.election.tree;
    let id = tree
        .find(code)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no region {code}")))?;
    let children = tree
        .children(id)
        .map(|c| {
            let child = tree.get(c);
            RegionChild {
                code: child.code.to_string(),
                name: child.name.clone(),
                level: child.level(),
            }
        })
        .collect();
    let super::Header {
        code,
        name,
        level,
        parent,
        dpt,
    } = super::header(tree, id);
    let body = Region {
        code,
        name,
        level,
        parent,
        dpt,
        children,
    };
    Ok(json_of(StatusCode::OK, &body))
}
