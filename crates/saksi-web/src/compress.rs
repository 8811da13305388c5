//! What the pages cost on a phone's slow line: text answers are gzipped
//! when the browser accepts it, and an answer the browser may keep but
//! must revalidate (`Cache-Control: no-cache`: the scripts, the
//! stylesheet, the service worker) carries an `ETag`, so opening the app
//! again costs a `304` per file instead of the file. Measured in the
//! README's Performance section (the KPPS app at 400 kbit/s).
//!
//! Done here, on the pages' own router, rather than left to a TLS proxy
//! in front: the demo and a server on a desk have none, and the figures
//! must hold for them too. Every answer is small and already in memory,
//! so it is compressed whole.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::io::Write as _;

/// Answers shorter than this are sent as they are: gzip's header and
/// trailer would eat what it saves.
const MIN_BYTES: usize = 1024;

/// The largest answer read back to compress; the pages' answers are far
/// smaller (the largest script is tens of kilobytes).
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The middleware: revalidation first (a `304` has no body to compress),
/// then gzip.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let gzip = accepts_gzip(request.headers());
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK
        || response.headers().contains_key(header::CONTENT_ENCODING)
        || !is_text(response.headers())
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let gzip = gzip && bytes.len() >= MIN_BYTES;
    if revalidated(&parts.headers) {
        // One tag per representation: a gzipped answer is other bytes.
        let digest = Sha256::digest(&bytes);
        let tag = format!(
            "\"{}{}\"",
            hex::encode(&digest[..12]),
            if gzip { "-gz" } else { "" }
        );
        let tag = HeaderValue::from_str(&tag).expect("hex and quotes are a valid header value");
        parts
            .headers
            .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if if_none_match.is_some_and(|m| matches(&m, &tag)) {
            parts.status = StatusCode::NOT_MODIFIED;
            parts.headers.remove(header::CONTENT_TYPE);
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(header::ETAG, tag);
            return Response::from_parts(parts, Body::empty());
        }
        parts.headers.insert(header::ETAG, tag);
    }
    if !gzip {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
    let compressed = encoder
        .write_all(&bytes)
        .and_then(|()| encoder.finish())
        .expect("gzip into memory cannot fail");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Response::from_parts(parts, Body::from(compressed))
}

/// Whether `Accept-Encoding` offers gzip with a weight above zero.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// HTML, scripts, stylesheets and JSON: what compresses.
fn is_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/") || t.starts_with("application/json") || t.contains("javascript")
        })
}

/// An answer the browser keeps but revalidates: worth a tag. Pages with
/// `no-store` (they hold a CSRF token or a session's data) are never kept.
fn revalidated(headers: &HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-cache"))
}

/// Whether an `If-None-Match` list names `tag` (or is `*`).
fn matches(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let tag = tag.to_str().unwrap_or_default();
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_used_only_when_offered_with_a_weight() {
        assert!(offered("gzip, deflate, br, zstd"));
        assert!(offered("br;q=1.0, GZIP;q=0.5"));
        assert!(!offered("br, zstd"));
        assert!(!offered("gzip;q=0"));
        assert!(!offered("identity"));
    }

    #[test]
    fn a_tag_matches_itself_a_weak_copy_and_a_star() {
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(matches(&HeaderValue::from_static("\"abc\""), &tag));
        assert!(matches(&HeaderValue::from_static("\"x\", W/\"abc\""), &tag));
        assert!(matches(&HeaderValue::from_static("*"), &tag));
        assert!(!matches(&HeaderValue::from_static("\"abd\""), &tag));
    }
}
