//! What a fact made through a session shares, whatever its kind (an
//! incident event, an objection): its JSON body read strictly, its
//! idempotency scope (the account and its `Idempotency-Key`, required: a
//! retried request must not log twice) and hash, and queuing it.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::codes::ErrorCode;
use crate::controllers::sequenced::{self, refusal};
use crate::error::ApiError;
use crate::extract::{Authenticated, body_bytes};
use crate::sequencer::{Command, Fact, IdempotencyKey};
use crate::state::AppState;

/// A JSON body of shape `T` (400 with `code` otherwise; a member named
/// twice is refused), with its bytes (what a retry is compared by).
pub(crate) fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    expected: &str,
    code: ErrorCode,
) -> Result<(T, Bytes), ApiError> {
    let body = body_bytes(body)?;
    let parsed = saksi_statement::strict_json::parse(&body)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
        .map_err(|e| ApiError::new(code, format!("expected {expected}: {e}")))?;
    Ok((parsed, body))
}

/// The longest `Idempotency-Key` kept.
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// A session's request scope: its user and its `Idempotency-Key` header
/// (400 with `code` without one).
pub(crate) fn session_request(
    who: &Authenticated,
    headers: &HeaderMap,
    code: ErrorCode,
) -> Result<IdempotencyKey, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            ApiError::new(
                code,
                format!(
                    "an `Idempotency-Key` header of 1 to {MAX_IDEMPOTENCY_KEY} characters is required"
                ),
            )
        })?;
    Ok(IdempotencyKey {
        principal: format!("user:{}", who.user_id),
        key: key.to_owned(),
    })
}

/// SHA-256 of what a request asks (its path's id, if any, and body).
pub(crate) fn request_hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Queues a fact and answers with its outcome.
pub(crate) async fn sequence(
    state: &AppState,
    request: IdempotencyKey,
    request_hash: [u8; 32],
    fact: Fact,
) -> Result<Response, ApiError> {
    let (reply, answer) = oneshot::channel();
    let command = Command {
        request,
        request_hash,
        fact,
        reply,
    };
    state.sequencer.submit(command).map_err(refusal)?;
    let (status, answer) = sequenced::answer(state, answer.await)?;
    Ok(answer.into_response(status))
}
