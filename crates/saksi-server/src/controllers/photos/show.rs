//! `GET /api/v1/photos/{sha256}`: exactly the bytes a statement signed,
//! publicly. A photo's bytes never change (its path is their hash), so
//! any cache may keep them for good.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{blobs, blocking, image_type, sha256_of_path};
use crate::codes;
use crate::controllers::etag_matches;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::state::AppState;

/// `Cache-Control` of a photo: its bytes never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn show(
    State(state): State<AppState>,
    RawPath(path): RawPath<String>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    let sha256 = sha256_of_path(&path)?;
    let not_found = || {
        ApiError::new(
            codes::PHOTO_NOT_FOUND,
            "no photo with this hash is stored and named by a public log entry",
        )
    };
    // Only a photo a public entry names is served: the store also keeps
    // the photos of private facts, which have their own endpoint.
    if !state
        .blocking(move |store| store.photo_named(&sha256))
        .await?
    {
        return Err(not_found());
    }
    serve(&state, sha256, &path, &request, IMMUTABLE, not_found).await
}

/// The stored photo `sha256` (its path text `path`) with `cache` as its
/// `Cache-Control`, or 304 when the request's `If-None-Match` has it;
/// `not_found` when the store lacks it. Shared by every photo endpoint;
/// each decides first who may see the photo.
pub(crate) async fn serve(
    state: &AppState,
    sha256: [u8; 32],
    path: &str,
    request: &HeaderMap,
    cache: &'static str,
    not_found: impl Fn() -> ApiError,
) -> Result<Response, ApiError> {
    let etag = format!("\"{path}\"");
    let blobs = blobs(state)?;
    if etag_matches(request, &etag) && blocking(blobs.clone(), move |b| b.has(&sha256)).await? {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        headers(&mut response, None, cache, &etag);
        return Ok(response);
    }
    let bytes = blocking(blobs, move |blobs| blobs.get(&sha256))
        .await?
        .ok_or_else(not_found)?;
    // Only images are ever stored; anything else was put there behind
    // the server's back and is not served as one.
    let media = image_type(&bytes)
        .ok_or_else(|| ApiError::internal(format!("stored photo {path} is not an image")))?;
    let mut response = Response::new(Body::from(bytes));
    headers(&mut response, Some(media), cache, &etag);
    Ok(response)
}

/// The headers of a photo's answer (200, or 304 without a type).
fn headers(response: &mut Response, media: Option<&'static str>, cache: &'static str, etag: &str) {
    let headers = response.headers_mut();
    if let Some(media) = media {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
}
