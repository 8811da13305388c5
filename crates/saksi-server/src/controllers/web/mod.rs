//! The public results page: a static page and its script, which read the
//! same JSON API that scripts and auditors use (so the page can never show
//! a number the API does not).
//!
//! The files are compiled into the binary. Every answer carries a strict
//! Content-Security-Policy (no inline script, nothing from elsewhere), so
//! even a region name crafted as HTML could do nothing: the script also
//! only ever sets text, never markup.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::simulation;
use crate::state::AppState;

const INDEX: &str = include_str!("../../../web/index.html");
const SCRIPT: &str = include_str!("../../../web/app.js");
const STYLE: &str = include_str!("../../../web/app.css");

/// The page as served: with the simulation banner written into the HTML
/// itself for a demo, so it shows with JavaScript off.
static INDEX_REAL: LazyLock<String> = LazyLock::new(|| simulation::page(INDEX, false));
static INDEX_SIMULATION: LazyLock<String> = LazyLock::new(|| simulation::page(INDEX, true));

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    page_headers(headers, CSP, "no-referrer");
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The headers every page and asset carries, the results page's and the
/// workspace's (web crate) alike: its Content-Security-Policy, no MIME
/// sniffing, no framing, and how much of its address a link may pass on.
pub fn page_headers(headers: &mut HeaderMap, csp: &'static str, referrer: &'static str) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
}

/// `GET /`: the results page.
pub async fn index(State(state): State<AppState>) -> Response {
    let page = if state.simulation {
        &INDEX_SIMULATION
    } else {
        &INDEX_REAL
    };
    asset(page.as_str(), "text/html; charset=utf-8")
}

/// `GET /app.js`.
pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /app.css`.
pub async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}
