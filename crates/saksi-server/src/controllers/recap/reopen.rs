//! `POST /api/v1/recap/{contest}/{code}/reopen`: one commissioner of the
//! level above confirming the reopening of a region's final sign-off, a
//! `reopen` statement signed with their own key (`{"statement",
//! "signature", "key"}`, no session). Checked here as a sign-off's
//! confirmation is; the sequencer decides the rest.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::ReopenStatement;

use super::confirmation;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::sequencer::{Fact, ReopenFact};
use crate::state::AppState;

pub async fn confirm(
    State(state): State<AppState>,
    RawPath(path): RawPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    confirmation::confirm(
        &state,
        &path,
        body,
        |s: &ReopenStatement| (s.contest, s.region, &s.origin),
        |signed, signer| Fact::Reopen(Box::new(ReopenFact { signed, signer })),
    )
    .await
}
