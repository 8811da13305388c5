//! What a commissioner's confirmation (of a sign-off or of a reopen) goes
//! through before the sequencer: the path's contest and region (a recap
//! level the contest reaches), the envelope and its statement, the log's
//! origin, the statement naming the path's contest and region, and the
//! signature. Every commissioner signs the same statement, so a retry is
//! recognised by the statement and the signing key together.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_core::{Contest, RegionCode};
use saksi_log::Verifier;
use saksi_statement::{Signed, Statement};
use sha2::{Digest, Sha256};

use crate::codes;
use crate::controllers::forms::submit::STATEMENT_PRINCIPAL;
use crate::controllers::session_fact::sequence;
use crate::controllers::statements::{check_origin, open_envelope, signature_invalid};
use crate::error::ApiError;
use crate::extract::{contest, region_code};
use crate::sequencer::{Fact, IdempotencyKey};
use crate::state::AppState;

/// Opens and checks a confirmation POSTed to `(contest, code)` (`names`
/// gives the contest, region and origin the statement states), queues the
/// fact `fact` makes of it and renders the sequencer's answer.
pub async fn confirm<S: Statement>(
    state: &AppState,
    (contest_id, code): &(String, String),
    body: Result<Bytes, BytesRejection>,
    names: impl Fn(&S) -> (Contest, RegionCode, &str),
    fact: impl FnOnce(Signed<S>, Verifier) -> Fact,
) -> Result<Response, ApiError> {
    let contest = contest(contest_id)?;
    let code = region_code(code)?;
    super::recap_region(&state.election, contest, code)?;
    let (envelope, signed) = open_envelope::<S>(body)?;
    let (stated_contest, region, origin) = names(&signed.statement);
    check_origin(origin, state.log.origin())?;
    if (stated_contest, region) != (contest, code) {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement is about {stated_contest} {region}, the URL names {contest} {code}"
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let request_hash: [u8; 32] = Sha256::new()
        .chain_update(signed.sha256())
        .chain_update(envelope.key.public_key())
        .finalize()
        .into();
    let request = IdempotencyKey {
        principal: STATEMENT_PRINCIPAL.to_owned(),
        key: hex::encode(request_hash),
    };
    sequence(state, request, request_hash, fact(signed, envelope.key)).await
}
