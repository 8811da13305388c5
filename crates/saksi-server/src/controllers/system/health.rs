//! `GET /healthz`: 200 once the state is loaded (an `App` exists only then).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::controllers::json_value;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Response {
    let log_size = state.live().log_size;
    json_value(
        StatusCode::OK,
        &json!({"status": "ok", "log_size": log_size}),
    )
}
