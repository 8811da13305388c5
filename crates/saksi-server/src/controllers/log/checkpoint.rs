//! `GET /api/v1/log/checkpoint`: the latest signed checkpoint (C2SP
//! tlog-checkpoint in a C2SP signed note), text/plain.

use axum::extract::State;
use axum::response::Response;

use super::text;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(text(state.log.latest()?.note.clone()))
}
