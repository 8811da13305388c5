//! Response and request hygiene that holds for every route: headers that
//! stop browsers guessing content types, CORS for the public reads, and the
//! refusal of non-JSON bodies where JSON is expected. Kept apart from the
//! routes so that other layers can be added to the router without touching
//! these.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::codes;
use crate::error::ApiError;

/// Adds the hygiene layers to `router` (outermost, so that every answer,
/// including timeouts and refusals of other layers, carries the headers).
pub fn hygiene_layers(router: Router) -> Router {
    router
        .layer(middleware::from_fn(require_json))
        .layer(middleware::from_fn(headers))
}

/// Paths of the public reads: dashboards on other sites read them, so any
/// origin may. Sessions are bearer tokens, never cookies, so allowing any
/// origin exposes nothing a direct request could not read.
const PUBLIC_READS: &[&str] = &[
    "/api/v1/results",
    "/api/v1/regions",
    "/api/v1/tps/",
    "/api/v1/log/",
    "/api/v1/openapi.json",
    "/api/v1/forms/rules",
    "/api/v1/photos/",
    "/api/v1/incidents/stats",
    "/api/v1/logistics/allocation",
    "/api/v1/logistics/reconciliation",
    "/api/v1/logistics/shipments",
    "/api/v1/logistics/stock",
    "/api/v1/logistics/readiness",
];

/// Whether `path` is one of [`PUBLIC_READS`] (a prefix ending at a segment
/// boundary).
fn is_public_read(path: &str) -> bool {
    PUBLIC_READS.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'))
    })
}

/// `X-Content-Type-Options: nosniff` everywhere, so a browser never runs a
/// JSON answer holding user text as a script or page; and
/// `Access-Control-Allow-Origin: *` on the public reads only (never on
/// login or writes).
async fn headers(request: Request, next: Next) -> Response {
    let public = matches!(*request.method(), Method::GET | Method::HEAD)
        && is_public_read(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if public {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// The endpoints whose body is read as JSON because the client says so.
/// Form submissions are not among them: their body is always read as a
/// signed envelope, whatever its headers, and refused on its content.
const JSON_BODIES: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/totp/confirm",
    "/api/v1/keys",
    "/api/v1/enrolment-codes",
    "/api/v1/enrolments",
    "/api/v1/officer-keys",
    "/api/v1/objections",
];

/// True for a path whose POST body is read as JSON: [`JSON_BODIES`] and
/// `/api/v1/enrolments/{id}/reject`.
fn reads_json(path: &str) -> bool {
    JSON_BODIES.contains(&path)
        || (path.starts_with("/api/v1/enrolments/") && path.ends_with("/reject"))
}

/// 415 for a POST to a [`JSON_BODIES`] endpoint whose `Content-Type` is not
/// `application/json`: a browser can send a cross-site `text/plain` or
/// form POST without a preflight, but not an `application/json` one.
async fn require_json(request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && reads_json(request.uri().path())
        && !is_json(request.headers().get(header::CONTENT_TYPE))
    {
        return ApiError::new(
            codes::UNSUPPORTED_MEDIA_TYPE,
            "the body must be sent with Content-Type: application/json",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether a `Content-Type` value is `application/json`, with or without
/// parameters (`; charset=utf-8`).
fn is_json(value: Option<&HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_reads_match_at_segment_boundaries() {
        assert!(is_public_read("/api/v1/results/ppwp"));
        assert!(is_public_read("/api/v1/regions"));
        assert!(is_public_read("/api/v1/tps/11.01.01.2001.001"));
        assert!(is_public_read("/api/v1/log/checkpoint"));
        assert!(is_public_read("/api/v1/openapi.json"));
        assert!(is_public_read("/api/v1/logistics/allocation/0"));
        assert!(is_public_read("/api/v1/logistics/reconciliation/ppwp/0"));
        assert!(is_public_read("/api/v1/logistics/shipments/57"));
        assert!(is_public_read("/api/v1/logistics/stock/11.01"));
        assert!(!is_public_read("/api/v1/regionsx"));
        assert!(!is_public_read("/api/v1/auth/login"));
        assert!(!is_public_read("/api/v1/keys"));
        assert!(!is_public_read("/metrics"));
    }

    #[test]
    fn json_media_types() {
        let v = |s: &'static str| Some(HeaderValue::from_static(s));
        assert!(is_json(v("application/json").as_ref()));
        assert!(is_json(v("Application/JSON; charset=utf-8").as_ref()));
        assert!(!is_json(v("text/plain").as_ref()));
        assert!(!is_json(v("application/x-www-form-urlencoded").as_ref()));
        assert!(!is_json(None));
    }
}
