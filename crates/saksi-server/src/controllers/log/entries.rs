//! `GET /api/v1/log/entries?start=S&end=E`: the entries with
//! `S <= index < E`, `E` clamped to the latest checkpoint's size and to at
//! most [`PAGE`] entries: `{"entries": [{"index", "data", "leaf_hash"}]}`
//! with `data` the standard base64 of the exact bytes hashed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{LogEntries, LogEntry};

use super::{Params, beyond_checkpoint, invalid_range, param};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::state::AppState;

/// The most entries one page holds.
pub const PAGE: u64 = 1000;

pub async fn list(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let start = param(&params, "start")?;
    let end = param(&params, "end")?;
    if start > end {
        return Err(invalid_range(format!("start {start} is after end {end}")));
    }
    let size = state.log.latest()?.checkpoint.size;
    if start > size {
        return Err(beyond_checkpoint("start", start, size));
    }
    let end = end.min(size).min(start.saturating_add(PAGE));
    let entries = state
        .blocking(move |store| store.log_entries(start, end))
        .await?;
    if entries.len() as u64 != end - start {
        return Err(ApiError::internal(format!(
            "the store has {} of the log entries {start}..{end}",
            entries.len()
        )));
    }
    let entries = entries
        .iter()
        .map(|e| LogEntry {
            index: e.index,
            data: STANDARD.encode(&e.data),
            leaf_hash: STANDARD.encode(e.leaf_hash),
        })
        .collect();
    Ok(json_of(StatusCode::OK, &LogEntries { entries }))
}
