//! `POST /api/v1/tps/{code}/forms/{contest}`: a C.Hasil version, always a
//! signed statement (`{"statement", "signature", "key"}`, no session: the
//! statement authenticates itself), by the TPS's KPPS device key or on its
//! behalf by a PPS or PPK key. No session enters a form: a number changes
//! only by a statement its signer can be held to (docs/architecture.md).
//!
//! Everything that needs no shared state happens here, concurrently with
//! other requests: parsing, the signature and validation. What needs state
//! (retries, the key chain, version order, `prev`, who may supersede whom)
//! is decided by the sequencer, which answers once the version is durable
//! and visible in the tallies.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use saksi_core::form::{self, CHasil};
use saksi_core::{Contest, Election, Level, RegionCode, RegionId};
use saksi_log::Verifier;
use saksi_statement::{Envelope, EnvelopeError, FormStatement, Signed};
use serde_json::Value;
use tokio::sync::oneshot;

use super::form_error;
use crate::codes;
use crate::controllers::sequenced::{self, refusal};
use crate::controllers::statements::{
    check_origin, envelope_error, signature_invalid, statement_error,
};
use crate::error::ApiError;
use crate::extract::{RawPath, body_bytes, contest, region_code};
use crate::sequencer::{Command, Fact, FormFact, IdempotencyKey, Outcome};
use crate::state::AppState;

/// The principal of every signed statement: retries are recognised by the
/// statement's digest, whoever sends it.
pub const STATEMENT_PRINCIPAL: &str = "statement";

/// The form being submitted, where the URL points: a TPS of the election
/// and a contest.
pub struct Target {
    tps: RegionId,
    tps_code: RegionCode,
    contest: Contest,
}

impl Target {
    /// The form `contest` of the TPS `tps_code`, for a caller that submits
    /// without a URL (the national fixture); 404 `region.not_found` if the
    /// code is no TPS of the election.
    pub fn find(
        election: &Election,
        tps_code: RegionCode,
        contest: Contest,
    ) -> Result<Target, ApiError> {
        Ok(Target {
            tps: tps_of(election, tps_code)?,
            tps_code,
            contest,
        })
    }
}

pub async fn submit(
    State(state): State<AppState>,
    RawPath((code, contest_id)): RawPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let tps_code = region_code(&code)?;
    let target = Target {
        tps: tps_of(&state.election, tps_code)?,
        tps_code,
        contest: contest(&contest_id)?,
    };
    let body = body_bytes(body)?;
    let authorized = headers.contains_key(header::AUTHORIZATION);
    let (command, answer) = form_command(&state, &target, authorized, &body)?;
    state.sequencer.submit(command).map_err(refusal)?;
    let (status, answer) = sequenced::answer(&state, answer.await)?;
    tracing::debug!(tps = %target.tps_code, contest = %target.contest, status = status.as_u16(), "form answered");
    Ok(answer.into_response(status))
}

/// The TPS of the election with this code.
fn tps_of(election: &Election, tps_code: RegionCode) -> Result<RegionId, ApiError> {
    election
        .tree
        .find(tps_code)
        .filter(|_| tps_code.level() == Level::Tps)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {tps_code}")))
}

/// A form envelope as the sequencer's command, with the receiver of its
/// outcome: everything a submission needs that needs no shared state
/// (parsing, the origin, the URL, the signature, validation). The handler
/// runs it for each body, and so does the national fixture, which writes
/// a log in-process: both queue the very same commands, so their entries
/// are the same bytes. `authorized` says the request came with a session
/// (`Authorization`), which only changes what a bare C.Hasil is told.
pub fn form_command(
    state: &AppState,
    target: &Target,
    authorized: bool,
    body: &[u8],
) -> Result<(Command, oneshot::Receiver<Outcome>), ApiError> {
    let value = envelope_value(target, authorized, body)?;
    let (reply, answer) = oneshot::channel();
    Ok((signed_command(state, target, value, reply)?, answer))
}

/// The body as an envelope's JSON: an object with a `statement` member,
/// no member named twice. Anything else is 400 `statement.malformed`,
/// whatever the headers; but a bare C.Hasil sent with `Authorization` (a
/// session entering a form, which no session may) is told so: 400
/// `form.signature_required`.
fn envelope_value(target: &Target, authorized: bool, body: &[u8]) -> Result<Value, ApiError> {
    let malformed = |why: String| envelope_error(EnvelopeError::Malformed(why));
    match saksi_statement::strict_json::parse(body) {
        Ok(value) if value.get("statement").is_some() => Ok(value),
        Ok(_) if authorized && form::parse(target.contest, body).is_ok() => Err(ApiError::new(
            codes::FORM_SIGNATURE_REQUIRED,
            "no session enters a form: post the form as a statement signed by the TPS's KPPS device key, or on its behalf by a PPS or PPK key",
        )),
        Ok(_) => Err(malformed("`statement` is missing".into())),
        Err(e) => Err(malformed(format!("not JSON: {e}"))),
    }
}

/// A signed form statement. The key's place in the chain, the version,
/// `prev` and whether it may supersede the current version are the
/// sequencer's to check.
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
    Ok(Command {
        request: IdempotencyKey {
            principal: STATEMENT_PRINCIPAL.to_owned(),
            key: hex::encode(sha256),
        },
        request_hash: sha256,
        fact: Fact::Form(Box::new(form_fact(
            state,
            target,
            form,
            signed,
            envelope.key,
        )?)),
        reply,
    })
}

/// Validates a parsed form and serialises it, here on the request's own
/// task, so the single sequencer thread only decides and concatenates.
fn form_fact(
    state: &AppState,
    target: &Target,
    form: CHasil,
    signed: Signed<FormStatement>,
    signer: Verifier,
) -> Result<FormFact, ApiError> {
    let warnings =
        form::validate(&state.election, target.tps, target.contest, &form).map_err(form_error)?;
    Ok(FormFact {
        tps: target.tps,
        tps_code: target.tps_code,
        contest: target.contest,
        form_json: serde_json::to_string(&form).map_err(ApiError::internal)?,
        warnings_json: serde_json::to_string(&warnings).map_err(ApiError::internal)?,
        warnings,
        form,
        signed: Box::new(signed),
        signer: Box::new(signer),
    })
}
