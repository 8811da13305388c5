//! `GET /api/v1/regions` (national) and `GET /api/v1/regions/{code}`.
//!
//! Children are always complete (a desa can have 451 TPS); a TPS has none.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_core::RegionCode;
use serde_json::{Value, json};

use crate::codes;
use crate::controllers::json_value;
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
    let children: Vec<_> = tree
        .children(id)
        .map(|c| {
            let child = tree.get(c);
            json!({"code": child.code, "name": child.name, "level": child.level()})
        })
        .collect();
    let mut body = super::header(tree, id);
    body.insert("children".into(), Value::Array(children));
    Ok(json_value(StatusCode::OK, &Value::Object(body)))
}
