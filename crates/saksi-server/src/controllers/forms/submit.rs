//! `POST /api/v1/tps/{code}/forms/{contest}`: a KPPS submits its C.Hasil.
//!
//! Everything that needs no shared state happens here, concurrently with
//! other requests: authentication (before the body is read), permission,
//! parsing and validation. What needs state (idempotency, version order)
//! is decided by the sequencer, which answers once the version is durable
//! and visible in the tallies.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use saksi_core::Level;
use saksi_core::form::{self, codes as form_codes};
use saksi_core::permission::Action;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::codes;
use crate::controllers::json_bytes;
use crate::error::ApiError;
use crate::extract::{Authenticated, RawPath, body_bytes, contest, region_code};
use crate::log::entry::canonical_form;
use crate::log::receipt::sign_receipt;
use crate::sequencer::{Command, Outcome};
use crate::state::AppState;

/// The longest `Idempotency-Key` accepted.
const MAX_KEY_LEN: usize = 128;

pub async fn submit(
    State(state): State<AppState>,
    auth: Authenticated,
    RawPath((code, contest_id)): RawPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let tps_code = region_code(&code)?;
    let tps = state
        .election
        .tree
        .find(tps_code)
        .filter(|_| tps_code.level() == Level::Tps)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {tps_code}")))?;
    let contest = contest(&contest_id)?;
    auth.require(Action::SubmitForm, tps_code)?;
    let key = idempotency_key(&headers)?;
    let body = body_bytes(body)?;
    let form = form::parse(contest, &body).map_err(|e| form_error(e.0))?;
    let warnings = form::validate(&state.election, tps, contest, &form).map_err(form_error)?;
    // Serialising is done here, on the request's own task, so the single
    // sequencer thread only decides and concatenates.
    let form_json = serde_json::to_string(&form).map_err(ApiError::internal)?;
    let form_canonical = canonical_form(&form).map_err(ApiError::internal)?;
    let warnings_json = serde_json::to_string(&warnings).map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    hasher.update(tps_code.to_string().as_bytes());
    hasher.update([0]);
    hasher.update(contest.id().as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let (reply, answer) = oneshot::channel();
    state.sequencer.submit(Command {
        principal: auth.principal_id(),
        key,
        request_hash: hasher.finalize().into(),
        tps,
        tps_code,
        contest,
        role: auth.principal.role(),
        region: auth.principal.region(),
        form,
        form_json,
        form_canonical,
        warnings,
        warnings_json,
        reply,
    })?;
    match answer.await {
        Ok(Outcome::Answer { status, body }) => {
            tracing::debug!(tps = %tps_code, %contest, status, "form answered");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            Ok(json_bytes(status, signed_answer(&state, &body)?))
        }
        Ok(Outcome::Refused(err)) => Err(err),
        Err(_) => {
            Err(ApiError::new(codes::UNAVAILABLE, "the sequencer stopped; retry").retry_after(5))
        }
    }
}

/// The answer with its receipt signed by the log key. Signing here rather
/// than in the sequencer spreads the Ed25519 work over every core; it is
/// deterministic, so a replayed answer comes out byte for byte the same.
fn signed_answer(state: &AppState, body: &Bytes) -> Result<Bytes, ApiError> {
    let mut answer: serde_json::Value = serde_json::from_slice(body).map_err(ApiError::internal)?;
    if let Some(receipt) = answer.get_mut("receipt") {
        sign_receipt(state.log.signer(), receipt).map_err(ApiError::internal)?;
    }
    Ok(Bytes::from(
        serde_json::to_vec(&answer).map_err(ApiError::internal)?,
    ))
}

/// The `Idempotency-Key` header: required, 1 to 128 printable ASCII.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers.get("idempotency-key").ok_or_else(|| {
        ApiError::new(
            codes::IDEMPOTENCY_KEY_MISSING,
            "a submission needs an Idempotency-Key header",
        )
    })?;
    let key = value.as_bytes();
    let ok = (1..=MAX_KEY_LEN).contains(&key.len())
        && key.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    match std::str::from_utf8(key) {
        Ok(key) if ok => Ok(key.to_owned()),
        _ => Err(ApiError::new(
            codes::IDEMPOTENCY_KEY_INVALID,
            "an Idempotency-Key is 1 to 128 printable ASCII characters",
        )),
    }
}

/// Every problem of a form, as one answer: 400 for a body that is not JSON,
/// else 422 `form.invalid`.
fn form_error(issues: Vec<form::Issue>) -> ApiError {
    let malformed = issues
        .iter()
        .any(|i| i.code == form_codes::MALFORMED_JSON.code);
    let (code, message) = if malformed {
        (
            codes::MALFORMED_JSON,
            "the body is not valid JSON".to_owned(),
        )
    } else {
        (
            codes::FORM_INVALID,
            format!("the form was refused: {} problem(s)", issues.len()),
        )
    };
    ApiError::new(code, message).with_details(json!({"errors": issues}))
}
