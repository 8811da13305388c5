//! `POST /api/v1/recap/{contest}/{code}/signoffs`: one commissioner's
//! confirmation of a region's sign-off, a `signoff` statement signed with
//! the commissioner's own key (`{"statement", "signature", "key"}`, no
//! session: the signature is the commissioner's word). The envelope, the
//! statement, the origin, the path and the signature are checked here;
//! everything that depends on the log's state is the sequencer's.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::SignoffStatement;
use sha2::{Digest, Sha256};

use crate::codes;
use crate::controllers::forms::submit::STATEMENT_PRINCIPAL;
use crate::controllers::session_fact::sequence;
use crate::controllers::statements::{check_origin, open_envelope, signature_invalid};
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::sequencer::{Fact, IdempotencyKey, SignoffFact};
use crate::state::AppState;

/// A sign-off names up to the largest kecamatan's 1,591 TPS.
pub const BODY_LIMIT: usize = saksi_statement::recap::signoff::MAX_SIGNOFF_BYTES;

pub async fn confirm(
    State(state): State<AppState>,
    RawPath((contest_id, code)): RawPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let code = region_code(&code)?;
    super::recap_region(&state.election, contest, code)?;
    let (envelope, signed) = open_envelope::<SignoffStatement>(body)?;
    check_origin(&signed.statement.origin, state.log.origin())?;
    let statement = &signed.statement;
    if (statement.contest, statement.region) != (contest, code) {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement signs off {} {}, the URL names {contest} {code}",
                statement.contest, statement.region
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    // Every commissioner signs the same statement: a retry is the same
    // statement from the same key.
    let request_hash: [u8; 32] = Sha256::new()
        .chain_update(signed.sha256())
        .chain_update(envelope.key.public_key())
        .finalize()
        .into();
    let request = IdempotencyKey {
        principal: STATEMENT_PRINCIPAL.to_owned(),
        key: hex::encode(request_hash),
    };
    let fact = Fact::Signoff(Box::new(SignoffFact {
        signed,
        signer: envelope.key,
    }));
    sequence(&state, request, request_hash, fact).await
}
