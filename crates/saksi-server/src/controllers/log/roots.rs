//! `GET /api/v1/log/roots`: the KPU RI root verifier keys, one per line,
//! text/plain. The officer key chain starts from them; auditors pin them
//! out of band (`saksi audit --root`), this is for convenience.

use axum::extract::State;
use axum::response::Response;

use super::text;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Response {
    text(state.roots.to_string())
}
