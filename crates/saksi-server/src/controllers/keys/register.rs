//! `POST /api/v1/keys`: a key statement signed by the officer who vouches
//! for it (`docs/statements.md`), one envelope per request, or up to
//! [`MAX_STATEMENTS`] as `{"statements": [...]}` so that a KPU Kab/Kota
//! registers its TPS devices in a few requests.
//!
//! The envelope, the statement, the origin and the signature are checked
//! here (a bulk request verifies its signatures in one batch); the chain
//! (is the signer a valid key whose role and region may make this
//! statement?) is decided by the sequencer, in log order.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{BulkItem, BulkResults};
use saksi_statement::{Envelope, KeyStatement, Signed};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::codes;
use crate::controllers::forms::submit::STATEMENT_PRINCIPAL;
use crate::controllers::json_of;
use crate::controllers::sequenced::{self, Answer, refusal};
use crate::controllers::statements::{
    check_origin, envelope_error, signature_invalid, statement_error,
};
use crate::error::ApiError;
use crate::sequencer::{Command, Fact, IdempotencyKey, KeyFact, Outcome};
use crate::state::AppState;

/// The most statements in one bulk request.
pub const MAX_STATEMENTS: usize = 1000;

/// The largest body: a full bulk request (a statement is about 500 bytes).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub async fn register(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(codes::TOO_LARGE, "the body is larger than 1 MiB")
        } else {
            ApiError::new(codes::MALFORMED_JSON, "the body could not be read")
        }
    })?;
    // A member named twice is refused, not collapsed: the signer and a
    // reader of the body could disagree about which one was signed.
    let value = saksi_statement::strict_json::parse(&body).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            format!("the body is not JSON, or names a member twice: {e}"),
        )
    })?;
    let bulk = match value {
        Value::Object(mut object) if object.contains_key("statements") => {
            match object.remove("statements") {
                Some(Value::Array(items)) if object.is_empty() => items,
                _ => {
                    return Err(ApiError::new(
                        codes::STATEMENT_MALFORMED,
                        "a bulk request is {\"statements\": [envelope, ...]} and nothing else",
                    ));
                }
            }
        }
        single => {
            let (envelope, statement) = parse(&state, single)?;
            if !envelope.verify() {
                return Err(signature_invalid());
            }
            let (command, answer) = command(envelope, statement);
            state.sequencer.submit(command).map_err(refusal)?;
            let (status, answer) = sequenced::answer(&state, answer.await)?;
            return Ok(answer.into_response(status));
        }
    };
    if bulk.len() > MAX_STATEMENTS {
        return Err(ApiError::new(
            codes::KEYS_TOO_MANY,
            format!(
                "{} statements; at most {MAX_STATEMENTS} per request",
                bulk.len()
            ),
        ));
    }
    let commands = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || key_commands(&state, bulk))
            .await
            .map_err(ApiError::internal)?
    };
    // Queue every verified statement first, in order, then wait: the
    // sequencer decides them in one or a few batches.
    let pending: Vec<_> = commands
        .into_iter()
        .map(|c| {
            let (command, answer) = c?;
            state.sequencer.submit(command).map_err(refusal)?;
            Ok(answer)
        })
        .collect();
    let mut results = Vec::with_capacity(pending.len());
    for p in pending {
        let result = match p {
            Ok(answer) => sequenced::answer(&state, answer.await),
            Err(err) => Err(err),
        };
        results.push(bulk_item(result)?);
    }
    Ok(json_of(StatusCode::OK, &BulkResults { results }))
}

/// Key statement envelopes as the sequencer's commands, in their order,
/// each with the receiver of its outcome (or why it was refused before
/// the sequencer): each envelope parsed, its origin checked, and every
/// signature verified in one batch. CPU work, to be run off the async
/// threads. A bulk request runs it, and so does the national fixture,
/// which writes a log in-process: both queue the very same commands, so
/// their entries are the same bytes.
pub fn key_commands(
    state: &AppState,
    envelopes: Vec<Value>,
) -> Vec<Result<(Command, oneshot::Receiver<Outcome>), ApiError>> {
    let parsed: Vec<_> = envelopes
        .into_iter()
        .map(|item| parse(state, item))
        .collect();
    let valid = {
        let items: Vec<_> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok())
            .map(|(e, _)| (e, e.signed_bytes()))
            .collect();
        let batch: Vec<saksi_log::batch::Item<'_>> = items
            .iter()
            .map(|(e, bytes)| (&e.key, bytes.as_slice(), &e.signature))
            .collect();
        saksi_log::verify_batch(&batch)
    };
    let mut valid = valid.into_iter();
    parsed
        .into_iter()
        .map(|p| {
            let (envelope, statement) = p?;
            if !valid.next().unwrap_or(false) {
                return Err(signature_invalid());
            }
            Ok(command(envelope, statement))
        })
        .collect()
}

/// Parses one envelope and its key statement, and checks its origin.
fn parse(state: &AppState, value: Value) -> Result<(Envelope, Signed<KeyStatement>), ApiError> {
    let envelope = Envelope::from_value(value).map_err(envelope_error)?;
    let signed = envelope.open::<KeyStatement>().map_err(statement_error)?;
    check_origin(&signed.statement.origin, state.log.origin())?;
    Ok((envelope, signed))
}

/// A verified statement as the sequencer's command, and the receiver of
/// its outcome.
fn command(
    envelope: Envelope,
    signed: Signed<KeyStatement>,
) -> (Command, oneshot::Receiver<Outcome>) {
    let sha256 = signed.sha256();
    let (reply, answer) = oneshot::channel();
    let command = Command {
        request: IdempotencyKey {
            principal: STATEMENT_PRINCIPAL.to_owned(),
            key: hex::encode(sha256),
        },
        request_hash: sha256,
        fact: Fact::Key(Box::new(KeyFact {
            signed,
            signer: envelope.key,
        })),
        reply,
    };
    (command, answer)
}

/// One bulk result: `{"status", "body"}` for an accepted statement, the
/// usual `{"error": {...}}` with its `status` for a refused one.
fn bulk_item(result: Result<(StatusCode, Answer), ApiError>) -> Result<BulkItem, ApiError> {
    Ok(match result {
        Ok((status, answer)) => BulkItem::Accepted {
            status: status.as_u16(),
            replayed: matches!(answer, Answer::Stored(_)),
            body: match answer {
                Answer::Key(body) => body,
                Answer::Stored(body) => {
                    serde_json::from_slice(&body).map_err(ApiError::internal)?
                }
                Answer::Form(_) | Answer::Incident(_) | Answer::Recap(_) => {
                    return Err(ApiError::internal(
                        "a key statement answered as another fact",
                    ));
                }
            },
        },
        Err(err) => {
            let answer = err.answer();
            BulkItem::Refused {
                error: answer.body.error,
                status: answer.status.as_u16(),
            }
        }
    })
}
