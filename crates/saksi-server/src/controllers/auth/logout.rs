//! `POST /api/v1/auth/logout`: ends the session of the token presented
//! (also one that may only enrol TOTP).

use axum::extract::State;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::extract::Enrolling;
use crate::state::AppState;

pub async fn logout(
    State(state): State<AppState>,
    Enrolling { session: auth, .. }: Enrolling,
) -> Result<StatusCode, ApiError> {
    let hash = auth.token_hash;
    let now = state.clock.now();
    state.sessions.remove(&hash);
    state
        .blocking(move |store| store.end_session(&hash, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
