//! Signed statements' refusals as the API answers them: a malformed
//! envelope or statement, another log's origin, a bad signature, and the
//! key chain's refusals (`docs/statements.md`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::{Envelope, EnvelopeError, Refusal, Signed, Statement, StatementError};
use serde_json::{Value, json};

use crate::codes;
use crate::controllers::forms::submit::STATEMENT_PRINCIPAL;
use crate::controllers::session_fact::sequence;
use crate::error::ApiError;
use crate::extract::body_bytes;
use crate::sequencer::{Fact, IdempotencyKey};
use crate::state::AppState;

/// The chain's refusal as the API answers it.
pub fn refusal_error(refusal: Refusal) -> ApiError {
    let message = refusal.to_string();
    match refusal {
        Refusal::UnknownKey => ApiError::new(codes::KEY_UNKNOWN, message),
        Refusal::Revoked(at) => {
            ApiError::new(codes::KEY_REVOKED, message).with_details(json!({"revoked_at": at}))
        }
        Refusal::OutsideValidity {
            valid_from,
            valid_until,
            now,
        } => ApiError::new(codes::KEY_OUTSIDE_VALIDITY, message).with_details(json!({
            "valid_from": valid_from.to_string(),
            "valid_until": valid_until.to_string(),
            "now": now.to_string(),
        })),
        Refusal::WrongTps { key_tps, .. } => ApiError::new(codes::KEY_WRONG_TPS, message)
            .with_details(json!({"key_tps": key_tps.to_string()})),
        Refusal::OutsideRegion { key_region, .. } => ApiError::new(codes::KEY_WRONG_TPS, message)
            .with_details(json!({"key_region": key_region.to_string()})),
        Refusal::OnBehalfRequired(_) => ApiError::new(codes::STATEMENT_ON_BEHALF_REQUIRED, message),
        Refusal::OnBehalfNotAllowed => {
            ApiError::new(codes::STATEMENT_ON_BEHALF_NOT_ALLOWED, message)
        }
        Refusal::NotAuthorised(_) | Refusal::CorrectionByPpkOnly(_) => {
            ApiError::new(codes::KEY_NOT_AUTHORISED, message)
        }
        Refusal::AlreadyRegistered(at) => ApiError::new(codes::KEY_ALREADY_REGISTERED, message)
            .with_details(json!({"registered_at": at})),
        Refusal::RootKey => ApiError::new(codes::KEY_ROOT, message),
        Refusal::RegionNotFound(_) => ApiError::new(codes::REGION_NOT_FOUND, message),
    }
}

/// A malformed envelope as the API answers it.
pub fn envelope_error(error: EnvelopeError) -> ApiError {
    ApiError::new(codes::STATEMENT_MALFORMED, error.to_string())
}

/// A malformed statement as the API answers it; a form's problems are
/// listed as any form submission's are.
pub fn statement_error(error: StatementError) -> ApiError {
    match error {
        StatementError::Form(issues) => super::forms::form_error(issues),
        other => ApiError::new(codes::STATEMENT_MALFORMED, other.to_string()),
    }
}

/// Reads a POSTed signed envelope `{"statement", "signature", "key"}`
/// whose statement is an `S`: the body (a member named twice is refused),
/// the envelope and the statement. The signature is left to the caller, to
/// verify once the statement is known to be for this URL.
pub fn open_envelope<S: Statement>(
    body: Result<Bytes, BytesRejection>,
) -> Result<(Envelope, Signed<S>), ApiError> {
    let body = body_bytes(body)?;
    let value: Value = saksi_statement::strict_json::parse(&body).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            format!("the body is not JSON, or names a member twice: {e}"),
        )
    })?;
    let envelope = Envelope::from_value(value).map_err(envelope_error)?;
    let signed = envelope.open::<S>().map_err(statement_error)?;
    Ok((envelope, signed))
}

/// Queues the fact of a signed statement whose digest is `sha256`: a
/// retry is recognised by the statement's digest, whoever sends it.
pub async fn sequence_signed(
    state: &AppState,
    sha256: [u8; 32],
    fact: Fact,
) -> Result<Response, ApiError> {
    let request = IdempotencyKey {
        principal: STATEMENT_PRINCIPAL.to_owned(),
        key: hex::encode(sha256),
    };
    sequence(state, request, sha256, fact).await
}

/// Refuses a statement made for another log.
pub fn check_origin(statement_origin: &str, origin: &str) -> Result<(), ApiError> {
    if statement_origin == origin {
        return Ok(());
    }
    Err(ApiError::new(
        codes::STATEMENT_WRONG_ORIGIN,
        format!("the statement is for the log {statement_origin:?}, not this one"),
    )
    .with_details(json!({"origin": origin})))
}

/// Refuses a statement whose signature does not verify.
pub fn signature_invalid() -> ApiError {
    ApiError::new(
        codes::SIGNATURE_INVALID,
        "the signature does not verify under the given key",
    )
}
