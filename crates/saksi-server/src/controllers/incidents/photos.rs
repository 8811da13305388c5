//! `/api/v1/incidents/{id}/photos/{sha256}`: the photos an incident's
//! report names, uploaded after the filing (from the KPPS app's outbox,
//! as a form's photos are) and kept in the same blob store, but served
//! only to those who may read the incident, never at the public
//! `/api/v1/photos/`.
//!
//! The upload needs no session: the filing's `content_sha256` (signed by
//! the KPPS device, or made with the reporter's session) commits to the
//! photo hashes, and the bytes must hash to one of them, so the only
//! bytes anyone can store are exactly the reporter's photos.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_store::blobs::parse_sha256;

use super::show::filing_photos;
use super::{incident_id, not_found, visible};
use crate::codes;
use crate::controllers::photos::show::serve;
use crate::controllers::photos::upload::{checked_upload, store};
use crate::error::ApiError;
use crate::extract::{MaybeSession, RawPath};
use crate::state::AppState;

/// Private: only the incident's readers see it, but its bytes never
/// change.
const PRIVATE: &str = "private, max-age=31536000, immutable";

/// The photo's SHA-256 from its path (400 `incident.photo_malformed_hash`).
fn photo_of_path(text: &str) -> Result<[u8; 32], ApiError> {
    parse_sha256(text).ok_or_else(|| {
        ApiError::new(
            codes::INCIDENT_PHOTO_MALFORMED_HASH,
            "a photo's path is its SHA-256 as 64 lowercase hex digits",
        )
    })
}

fn photo_not_found() -> ApiError {
    ApiError::new(
        codes::PHOTO_NOT_FOUND,
        "the incident has no such photo stored",
    )
}

pub async fn upload(
    State(state): State<AppState>,
    RawPath((id, path)): RawPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    let sha256 = photo_of_path(&path)?;
    let body = checked_upload(sha256, body)?;
    let history = state
        .blocking(move |store| store.incident(&id.0))
        .await?
        .ok_or_else(not_found)?;
    if !filing_photos(&history).contains(&path) {
        return Err(ApiError::new(
            codes::PHOTO_NOT_NAMED,
            "the incident's report names no photo with this hash",
        ));
    }
    store(&state, sha256, path, body).await
}

pub async fn show(
    State(state): State<AppState>,
    who: MaybeSession,
    RawPath((id, path)): RawPath<(String, String)>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    let sha256 = photo_of_path(&path)?;
    let (history, _) = visible(&state, &who, id).await?;
    if !filing_photos(&history).contains(&path) {
        return Err(photo_not_found());
    }
    serve(&state, sha256, &path, &request, PRIVATE, photo_not_found).await
}
