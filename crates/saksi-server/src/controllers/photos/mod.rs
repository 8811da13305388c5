//! `/api/v1/photos/{sha256}`: the photos form statements name, uploaded
//! after their statement (the numbers go first) and served publicly
//! (README: Photos). The bytes live in the blob store of
//! [`crate::Config::photos`], never in the database.

pub mod show;
pub mod upload;

use std::sync::Arc;

use saksi_store::BlobStore;
use saksi_store::blobs::parse_sha256;

use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

/// The photo's SHA-256 from its path: 64 lowercase hex digits, as
/// statements write it (400 `photo.malformed_hash`).
fn sha256_of_path(text: &str) -> Result<[u8; 32], ApiError> {
    parse_sha256(text).ok_or_else(|| {
        ApiError::new(
            codes::PHOTO_MALFORMED_HASH,
            "a photo's path is its SHA-256 as 64 lowercase hex digits",
        )
    })
}

/// The media type of a photo, read from its first bytes (the JPEG and PNG
/// signatures), never from what the client says; `None` for anything
/// else.
pub(crate) fn image_type(bytes: &[u8]) -> Option<&'static str> {
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if bytes.starts_with(JPEG) {
        Some("image/jpeg")
    } else if bytes.starts_with(PNG) {
        Some("image/png")
    } else {
        None
    }
}

/// The server's photo store; a server given none cannot keep photos, a
/// failure of its own (500).
fn blobs(state: &AppState) -> Result<Arc<dyn BlobStore>, ApiError> {
    state
        .config
        .photos
        .clone()
        .ok_or_else(|| ApiError::internal("this server was started without a photo store"))
}

/// Runs a (synchronous) call on the photo store on the blocking pool; an
/// I/O failure is the server's (500, logged once).
async fn blocking<T, F>(blobs: Arc<dyn BlobStore>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn BlobStore) -> std::io::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(move || f(&*blobs))
        .await?
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_a_photo_is_read_from_its_first_bytes() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0, 1]), Some("image/jpeg"));
        assert_eq!(
            image_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        for other in [&b""[..], b"\xFF\xD8", b"GIF89a", b"\x89PNG\r\n", b"<svg"] {
            assert_eq!(image_type(other), None, "{other:?}");
        }
    }
}
