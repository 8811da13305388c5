//! The sequencer's outcomes as HTTP answers: the one place where its
//! decisions get a status, a code and a body, and where the receipts it
//! made are signed by the log key (on the request's task, which spreads
//! the Ed25519 work over every core; it is deterministic, so a replayed
//! answer comes out byte for byte the same).

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use saksi_api::Receipt;
use serde_json::json;
use tokio::sync::oneshot;

use crate::codes;
use crate::controllers::statements::refusal_error;
use crate::error::{ApiError, store_unavailable};
use crate::log::receipt::sign_receipt;
use crate::sequencer::{Accepted, Outcome, Refused, Replayed, VERSIONS_PER_HOUR};
use crate::state::AppState;

/// An accepted or replayed answer, its receipt signed.
pub(crate) enum Answer {
    Form(saksi_api::Accepted),
    Key(saksi_api::KeyAccepted),
    Incident(Box<saksi_api::IncidentAccepted>),
    Recap(saksi_api::RecapAccepted),
    /// A stored answer, as it was stored but for the signature.
    Stored(Bytes),
}

impl Answer {
    pub(crate) fn to_bytes(&self) -> Bytes {
        match self {
            Answer::Form(a) => super::to_bytes(a),
            Answer::Key(a) => super::to_bytes(a),
            Answer::Incident(a) => super::to_bytes(a),
            Answer::Recap(a) => super::to_bytes(a),
            Answer::Stored(body) => body.clone(),
        }
    }

    /// The HTTP answer. A replayed one says so (`Idempotent-Replayed:
    /// true`): its body is byte for byte the first answer's, and a client
    /// resending what an earlier run sent (a restarted field app or demo)
    /// can tell its retries from new acceptances.
    pub(crate) fn into_response(self, status: StatusCode) -> Response {
        let replayed = matches!(self, Answer::Stored(_));
        let mut response = super::json_bytes(status, self.to_bytes());
        if replayed {
            response
                .headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
        }
        response
    }
}

/// The header that marks a replayed answer.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Queues a command's answer: the status and the signed answer, or the
/// refusal as an error.
pub(crate) fn answer(
    state: &AppState,
    outcome: Result<Outcome, oneshot::error::RecvError>,
) -> Result<(StatusCode, Answer), ApiError> {
    let signer = state.log.signer();
    let sign = |receipt: &mut Receipt| sign_receipt(signer, receipt).map_err(ApiError::internal);
    match outcome {
        Ok(Outcome::Accepted(Accepted::Form(mut a))) => {
            sign(&mut a.receipt)?;
            Ok((StatusCode::CREATED, Answer::Form(a)))
        }
        Ok(Outcome::Accepted(Accepted::Key(mut a))) => {
            sign(&mut a.receipt)?;
            Ok((StatusCode::CREATED, Answer::Key(a)))
        }
        Ok(Outcome::Accepted(Accepted::Incident(mut a))) => {
            sign(&mut a.receipt)?;
            Ok((StatusCode::CREATED, Answer::Incident(a)))
        }
        Ok(Outcome::Accepted(Accepted::Recap(mut a))) => {
            sign(&mut a.receipt)?;
            Ok((StatusCode::CREATED, Answer::Recap(a)))
        }
        Ok(Outcome::Replayed(Replayed { status, body })) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            Ok((status, Answer::Stored(sign_stored(state, body.as_bytes())?)))
        }
        Ok(Outcome::Refused(refused)) => Err(refusal(refused)),
        Err(_) => {
            Err(ApiError::new(codes::UNAVAILABLE, "the sequencer stopped; retry").retry_after(5))
        }
    }
}

/// A stored answer with its receipt signed. Read as JSON rather than as a
/// shape so that every member it was stored with is served again.
fn sign_stored(state: &AppState, body: &[u8]) -> Result<Bytes, ApiError> {
    let mut answer: serde_json::Value = serde_json::from_slice(body).map_err(ApiError::internal)?;
    if let Some(slot) = answer.get_mut("receipt") {
        let mut receipt: Receipt =
            serde_json::from_value(slot.take()).map_err(ApiError::internal)?;
        sign_receipt(state.log.signer(), &mut receipt).map_err(ApiError::internal)?;
        *slot = serde_json::to_value(receipt).map_err(ApiError::internal)?;
    }
    Ok(Bytes::from(
        serde_json::to_vec(&answer).map_err(ApiError::internal)?,
    ))
}

/// Why the sequencer refused, as the API answers it (and as a tool that
/// queues commands in-process reports it).
pub fn refusal(refused: Refused) -> ApiError {
    match refused {
        Refused::Overloaded => {
            ApiError::new(codes::OVERLOADED, "too many submissions are waiting; retry")
                .retry_after(1)
        }
        Refused::Stopped => {
            ApiError::new(codes::UNAVAILABLE, "the server is shutting down").retry_after(5)
        }
        Refused::IdempotencyKeyReused => ApiError::new(
            codes::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used for a different request",
        ),
        Refused::VersionNotNext {
            stated,
            next,
            current,
        } => ApiError::new(
            codes::STATEMENT_VERSION_NOT_NEXT,
            format!("the statement is version {stated}; the next version of this form is {next}"),
        )
        .with_details(json!({"current_version": current})),
        Refused::FormUnchanged { current } => ApiError::new(
            codes::FORM_UNCHANGED,
            format!(
                "the form and photos are those of the current version {current}: nothing was stored"
            ),
        )
        .with_details(json!({"current_version": current})),
        Refused::TooManyVersions { retry_after } => ApiError::new(
            codes::FORM_TOO_MANY_VERSIONS,
            format!(
                "this form already took {VERSIONS_PER_HOUR} new versions in the last hour: nothing was stored; retry in {retry_after} s"
            ),
        )
        .with_details(json!({"retry_after": retry_after}))
        .retry_after(retry_after),
        Refused::PrevMismatch { expected } => ApiError::new(
            codes::STATEMENT_PREV_MISMATCH,
            "`prev` is not the digest of the form's current version",
        )
        .with_details(json!({"expected_prev": expected.map(hex::encode)})),
        Refused::OnBehalfOverKpps { current } => ApiError::new(
            codes::FORM_ON_BEHALF_OVER_KPPS,
            format!(
                "version {current} was signed by the TPS's KPPS device: a version signed on its behalf does not supersede it"
            ),
        )
        .with_details(json!({"current_version": current})),
        Refused::Chain(refusal) => refusal_error(refusal),
        Refused::Incident(refusal) => super::incidents::refusal_error(refusal),
        Refused::Review(refusal) => super::objections::refusal_error(refusal),
        Refused::Signoff(refusal) => super::recap::refusal_error(refusal),
        Refused::Logistics(refusal) => super::logistics::refusal_error(refusal),
        Refused::LeaseLost => crate::lease::lost_error(),
        Refused::Log(refusal) => refusal.error(),
        Refused::StoreUnavailable => store_unavailable(),
        Refused::Internal(why) => ApiError::internal(why),
    }
}
