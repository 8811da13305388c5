//! `POST /api/v1/objections/{log_index}/ruling`: a PPK member's ruling on
//! the objection logged at `log_index`, a `ruling` statement signed with
//! the member's own `ppk` key (`{"statement", "signature", "key"}`, no
//! session: the signature is the member's word). The envelope, the
//! statement, the origin and the signature are checked here; whether the
//! objection is still open and the key is a PPK key of its TPS's kecamatan
//! is the sequencer's to decide, in log order.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::recap::RulingStatement;

use crate::codes;
use crate::controllers::statements::{
    check_origin, open_envelope, sequence_signed, signature_invalid,
};
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::sequencer::{Fact, RulingFact};
use crate::state::AppState;

pub async fn rule(
    State(state): State<AppState>,
    RawPath(index): RawPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let objection: u64 = index.parse().map_err(|_| {
        ApiError::new(
            codes::OBJECTION_NOT_FOUND,
            format!("{index:?} is not the log index of an objection"),
        )
    })?;
    let (envelope, signed) = open_envelope::<RulingStatement>(body)?;
    check_origin(&signed.statement.origin, state.log.origin())?;
    if signed.statement.objection != objection {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement rules on the objection at {}, the URL names {objection}",
                signed.statement.objection
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let sha256 = signed.sha256();
    let fact = Fact::Ruling(Box::new(RulingFact {
        signed,
        signer: envelope.key,
    }));
    sequence_signed(&state, sha256, fact).await
}
