//! `PUT /api/v1/photos/{sha256}`: the bytes of a photo that an accepted
//! statement names. No session: the statement's signature vouched for the
//! hash, and the bytes must hash to it, so nobody can store a file the log
//! does not name. Every check comes before anything is written.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::PhotoStored;
use sha2::{Digest, Sha256};

use super::{blobs, blocking, image_type, sha256_of_path};
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::state::AppState;

/// The largest photo: a phone photo of one C.Hasil sheet, re-encoded by the
/// KPPS app, is far smaller.
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;

pub async fn upload(
    State(state): State<AppState>,
    RawPath(path): RawPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let sha256 = sha256_of_path(&path)?;
    let body = checked_upload(sha256, body)?;
    if !state
        .blocking(move |store| store.photo_named(&sha256))
        .await?
    {
        return Err(ApiError::new(
            codes::PHOTO_NOT_NAMED,
            "no accepted statement in the log names this photo",
        ));
    }
    store(&state, sha256, path, body).await
}

/// The body of an upload of the photo `sha256`: at most [`BODY_LIMIT`],
/// a JPEG or a PNG, hashing to `sha256`. Shared by every photo endpoint,
/// so a photo is checked alike wherever it goes.
pub(crate) fn checked_upload(
    sha256: [u8; 32],
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                codes::PHOTO_TOO_LARGE,
                "the photo is larger than 10 MiB (10,485,760 bytes)",
            )
        } else {
            ApiError::new(codes::MALFORMED_JSON, "the body could not be read")
        }
    })?;
    if image_type(&body).is_none() {
        return Err(ApiError::new(
            codes::PHOTO_NOT_AN_IMAGE,
            "the bytes are neither a JPEG nor a PNG",
        ));
    }
    if <[u8; 32]>::from(Sha256::digest(&body)) != sha256 {
        return Err(ApiError::new(
            codes::PHOTO_HASH_MISMATCH,
            "the bytes do not hash (SHA-256) to the photo's path",
        ));
    }
    Ok(body)
}

/// Stores checked bytes in the blob store: 201 when new, 200 when they
/// were there already (a retry).
pub(crate) async fn store(
    state: &AppState,
    sha256: [u8; 32],
    path: String,
    body: Bytes,
) -> Result<Response, ApiError> {
    let bytes = body.len() as u64;
    let newly = blocking(blobs(state)?, move |blobs| blobs.put(&sha256, &body)).await?;
    if newly {
        tracing::info!(sha256 = %path, bytes, "photo stored");
    }
    let status = if newly {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_of(
        status,
        &PhotoStored {
            sha256: path,
            bytes,
            stored: true,
        },
    ))
}
