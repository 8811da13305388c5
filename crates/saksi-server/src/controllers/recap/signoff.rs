//! `POST /api/v1/recap/{contest}/{code}/signoffs`: one commissioner's
//! confirmation of a region's sign-off, a `signoff` statement signed with
//! the commissioner's own key (`{"statement", "signature", "key"}`, no
//! session: the signature is the commissioner's word). The envelope, the
//! statement, the origin, the path and the signature are checked here
//! ([`super::confirmation`]); everything that depends on the log's state is
//! the sequencer's.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::SignoffStatement;

use super::confirmation;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::sequencer::{Fact, SignoffFact};
use crate::state::AppState;

/// A sign-off names up to the largest kecamatan's 1,591 TPS.
pub const BODY_LIMIT: usize = saksi_statement::recap::signoff::MAX_SIGNOFF_BYTES;

pub async fn confirm(
    State(state): State<AppState>,
    RawPath(path): RawPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    confirmation::confirm(
        &state,
        &path,
        body,
        |s: &SignoffStatement| (s.contest, s.region, &s.origin),
        |signed, signer| Fact::Signoff(Box::new(SignoffFact { signed, signer })),
    )
    .await
}
