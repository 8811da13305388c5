//! `GET /api/v1/keys/defaults`: the origin and validity window a browser
//! puts into a key registration it signs (public: nothing secret).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::controllers::json_of;
use crate::state::AppState;
use crate::workspace::officer_keys;

pub async fn show(State(state): State<AppState>) -> Response {
    json_of(StatusCode::OK, &officer_keys::defaults(&state))
}
