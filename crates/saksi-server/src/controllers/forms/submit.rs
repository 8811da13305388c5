//! `POST /api/v1/tps/{code}/forms/{contest}`: a C.Hasil version, either
//! signed by the TPS's KPPS device key (`{"statement", "signature",
//! "key"}`, no session: the statement authenticates itself) or entered
//! through an officer's session (the form itself, with `Authorization` and
//! `Idempotency-Key`).
//!
//! Everything that needs no shared state happens here, concurrently with
//! other requests: authentication (before the body is read), permission,
//! parsing, the signature and validation. What needs state (idempotency,
//! the key chain, version order, `prev`) is decided by the sequencer, which
//! answers once the version is durable and visible in the tallies.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use saksi_core::form::{self, CHasil};
use saksi_core::permission::Action;
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_statement::{Envelope, FormStatement};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use super::form_error;
use crate::codes;
use crate::controllers::sequenced::{self, refusal};
use crate::controllers::statements::{
    check_origin, envelope_error, signature_invalid, statement_error,
};
use crate::error::ApiError;
use crate::extract::{Authenticated, RawPath, body_bytes, contest, region_code};
use crate::sequencer::{Command, Fact, FormFact, IdempotencyKey, Outcome, Submitter};
use crate::state::AppState;

/// The longest `Idempotency-Key` accepted.
const MAX_KEY_LEN: usize = 128;

/// The principal of every signed statement: retries are recognised by the
/// statement's digest, whoever sends it.
pub const STATEMENT_PRINCIPAL: &str = "statement";

/// The form being submitted, where the URL points.
struct Target {
    tps: RegionId,
    tps_code: RegionCode,
    contest: Contest,
}

pub async fn submit(
    State(state): State<AppState>,
    auth: Result<Authenticated, ApiError>,
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
    let target = Target {
        tps,
        tps_code,
        contest: contest(&contest_id)?,
    };
    let (reply, answer) = oneshot::channel();
    let command = if headers.contains_key(header::AUTHORIZATION) {
        session_command(&state, auth?, &target, &headers, body, reply)?
    } else {
        let body = body_bytes(body)?;
        // Parsed once: a JSON object with a `statement` member is an
        // envelope; anything else is told what is missing.
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) if value.get("statement").is_some() => {
                signed_command(&state, &target, value, reply)?
            }
            _ => {
                return Err(auth.err().unwrap_or_else(|| {
                    ApiError::new(
                        codes::AUTH_REQUIRED,
                        "a session or a signed statement is needed",
                    )
                }));
            }
        }
    };
    state.sequencer.submit(command).map_err(refusal)?;
    let (status, answer) = sequenced::answer(&state, answer.await)?;
    tracing::debug!(tps = %target.tps_code, contest = %target.contest, status = status.as_u16(), "form answered");
    Ok(answer.into_response(status))
}

/// A form entered through an officer's session.
fn session_command(
    state: &AppState,
    auth: Authenticated,
    target: &Target,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    reply: oneshot::Sender<Outcome>,
) -> Result<Command, ApiError> {
    auth.require(Action::SubmitForm, target.tps_code)?;
    let key = idempotency_key(headers)?;
    let body = body_bytes(body)?;
    let form = form::parse(target.contest, &body).map_err(|e| form_error(e.0))?;
    let mut hasher = Sha256::new();
    hasher.update(target.tps_code.to_string().as_bytes());
    hasher.update([0]);
    hasher.update(target.contest.id().as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let by = Submitter::Session {
        role: auth.principal.role(),
        region: auth.principal.region(),
    };
    Ok(Command {
        request: IdempotencyKey {
            principal: auth.principal_id(),
            key,
        },
        request_hash: hasher.finalize().into(),
        fact: Fact::Form(Box::new(form_fact(state, target, form, by)?)),
        reply,
    })
}

/// A form statement signed by a KPPS device key. The key's place in the
/// chain, the version and `prev` are the sequencer's to check.
fn signed_command(
    state: &AppState,
    target: &Target,
    body: Value,
    reply: oneshot::Sender<Outcome>,
) -> Result<Command, ApiError> {
    let envelope = Envelope::from_value(body).map_err(envelope_error)?;
    let signed = envelope.open::<FormStatement>().map_err(statement_error)?;
    let statement = &signed.statement;
    check_origin(&statement.origin, state.log.origin())?;
    if statement.tps != target.tps_code || statement.contest != target.contest {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement is for {}/{}, the URL for {}/{}",
                statement.tps, statement.contest, target.tps_code, target.contest
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let sha256 = signed.sha256();
    let form = statement.form.clone();
    let by = Submitter::Signed {
        signed: Box::new(signed),
        signer: Box::new(envelope.key),
    };
    Ok(Command {
        request: IdempotencyKey {
            principal: STATEMENT_PRINCIPAL.to_owned(),
            key: hex::encode(sha256),
        },
        request_hash: sha256,
        fact: Fact::Form(Box::new(form_fact(state, target, form, by)?)),
        reply,
    })
}

/// Validates a parsed form and serialises it, here on the request's own
/// task, so the single sequencer thread only decides and concatenates.
fn form_fact(
    state: &AppState,
    target: &Target,
    form: CHasil,
    by: Submitter,
) -> Result<FormFact, ApiError> {
    let warnings =
        form::validate(&state.election, target.tps, target.contest, &form).map_err(form_error)?;
    Ok(FormFact {
        tps: target.tps,
        tps_code: target.tps_code,
        contest: target.contest,
        form_json: serde_json::to_string(&form).map_err(ApiError::internal)?,
        form_canonical: saksi_statement::form::form_bytes(&form).map_err(ApiError::internal)?,
        warnings_json: serde_json::to_string(&warnings).map_err(ApiError::internal)?,
        warnings,
        form,
        by,
    })
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
