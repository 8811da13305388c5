//! `GET /metrics`: Prometheus text format.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Response {
    let log_size = state.live().log_size();
    let text = state.metrics.render(
        state.sequencer.depth(),
        state.sequencer.capacity(),
        log_size,
    );
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
