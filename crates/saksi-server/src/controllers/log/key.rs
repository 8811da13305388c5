//! `GET /api/v1/log/key`: the log's verifier key
//! (`<origin>+<key id hex>+<base64>`) alone on one line, text/plain.
//! Auditors should pin it out of band; this is for convenience.

use axum::extract::State;
use axum::response::Response;

use super::text;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.log.verifier()))
}
