//! `POST /api/v1/recap/{contest}/{kecamatan}/no-form/{tps}`: a PPK
//! member's reason why a TPS of the kecamatan has no form for the contest,
//! a `no_form` statement signed with the member's own `ppk` key
//! (`{"statement", "signature", "key"}`, no session). The envelope, the
//! statement, the origin, the path (the TPS in the kecamatan, holding the
//! contest) and the signature are checked here; the sequencer decides
//! what depends on the log.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_core::Level;
use saksi_statement::NoFormStatement;

use crate::codes;
use crate::controllers::statements::{
    check_origin, open_envelope, sequence_signed, signature_invalid,
};
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::sequencer::{Fact, NoFormFact};
use crate::state::AppState;

pub async fn record(
    State(state): State<AppState>,
    RawPath((contest_id, kecamatan, tps)): RawPath<(String, String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let kecamatan = region_code(&kecamatan)?;
    let tps = region_code(&tps)?;
    let not_found = || {
        ApiError::new(
            codes::REGION_NOT_FOUND,
            format!("{tps} is not a TPS of kecamatan {kecamatan} holding {contest}"),
        )
    };
    let election = &state.election;
    let id = election
        .tree
        .find(tps)
        .filter(|_| kecamatan.level() == Level::Kecamatan && kecamatan.contains(tps))
        .filter(|id| election.holds(*id, contest))
        .ok_or_else(not_found)?;
    let (envelope, signed) = open_envelope::<NoFormStatement>(body)?;
    let statement = &signed.statement;
    check_origin(&statement.origin, state.log.origin())?;
    if (statement.contest, statement.tps) != (contest, tps) {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement is about {} {}, the URL names {contest} {tps}",
                statement.contest, statement.tps
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let sha256 = signed.sha256();
    let fact = Fact::NoForm(Box::new(NoFormFact {
        tps: id,
        signed,
        signer: envelope.key,
    }));
    sequence_signed(&state, sha256, fact).await
}
