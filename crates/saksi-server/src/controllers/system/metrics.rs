//! `GET /metrics`: Prometheus text format, to requests bearing the metrics
//! token when one is set.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = state.config.metrics.token() {
        check_token(&headers, token)?;
    }
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
    Ok(response)
}

/// 401 unless `Authorization: Bearer <token>` carries `token`.
fn check_token(headers: &HeaderMap, token: &str) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::new(
            codes::AUTH_REQUIRED,
            "/metrics needs Authorization: Bearer <metrics token>",
        ));
    };
    let given = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    // Comparing digests: the time taken says nothing about how much of
    // the token a guess got right.
    if Sha256::digest(given.as_bytes()) == Sha256::digest(token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            codes::AUTH_INVALID_TOKEN,
            "this is not the metrics token",
        ))
    }
}
