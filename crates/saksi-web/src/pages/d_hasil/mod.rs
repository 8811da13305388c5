//! `GET /recap/{contest}/{code}/d-hasil` (public, no login; `0` is
//! national): the D.Hasil, a region's final recap of one contest as a
//! printable document. It shows what the final sign-off signed (each
//! child with its digest and totals, the totals with the options' names),
//! the objections decided below it with their rulings and corrections,
//! the commissioners' keys that confirmed it, the log index of the final
//! confirmation with the signed checkpoint that includes it and a link to
//! its inclusion proof, and a QR code of the region's public results page.
//!
//! Its data is `saksi_server::d_hasil`'s, read from the log; this module
//! only lays it out ([`document`]). A region not final for the contest is
//! a 404 page, `recap.no_d_hasil` (a code of the pages alone); a region
//! the contest's recap does not reach is the API's 404
//! `recap.not_a_level`.

mod document;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use saksi_server::d_hasil::{self, DHasilError};
use saksi_server::extract::RawPath;
use saksi_server::state::AppState;

use crate::session::Visitor;
use crate::view::{self, Back};

/// The code of the page for a region whose recap is not final yet.
pub const NOT_FINAL: &str = "recap.no_d_hasil";

/// The QR code's size in CSS pixels, quiet zone included.
const QR_SIZE: u32 = 160;

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    path: Result<RawPath<(String, String)>, saksi_server::ApiError>,
) -> Response {
    let loaded = match path {
        Ok(RawPath((contest, code))) => d_hasil::load(&state, &contest, &code).await,
        Err(e) => Err(DHasilError::Api(e)),
    };
    let doc = match loaded {
        Ok(doc) => doc,
        Err(DHasilError::NotFinal { .. }) => {
            return view::error_page_to(
                &visitor,
                &state,
                StatusCode::NOT_FOUND,
                NOT_FINAL,
                Back::Results,
            );
        }
        Err(DHasilError::Api(e)) => {
            return view::api_error_page(&visitor, &state, &e, Back::Results);
        }
    };
    let results = format!("/#/{}/{}", doc.contest.id(), doc.code);
    let public_url = format!("{}{results}", origin(&headers, visitor.tls));
    let lang = visitor.choice.lang;
    let values = document::of(
        &doc,
        lang,
        results,
        &public_url,
        crate::qr::data_uri(&public_url, QR_SIZE),
    );
    view::page(
        &visitor.frame(&state),
        StatusCode::OK,
        "d_hasil.html",
        values,
    )
}

/// `scheme://host` as the visitor reached us (the TLS proxy says
/// `X-Forwarded-Proto: https` and passes `Host` on), for the QR code's
/// absolute address; empty, leaving a path, if `Host` is missing or not a
/// host name. A forged `Host` changes only the forger's own page, which
/// also prints the address in words beside the code.
fn origin(headers: &HeaderMap, tls: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    match host {
        Some(host) => format!("{}://{host}", if tls { "https" } else { "http" }),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with_host(host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        headers
    }

    #[test]
    fn the_qr_address_is_the_host_asked_for_and_never_markup() {
        assert_eq!(
            origin(&with_host("saksi.example.org"), true),
            "https://saksi.example.org"
        );
        assert_eq!(
            origin(&with_host("127.0.0.1:8080"), false),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin(&with_host("[::1]:8080"), false), "http://[::1]:8080");
        assert_eq!(origin(&with_host("evil\"><x"), false), "");
        assert_eq!(origin(&with_host("a/b"), false), "");
        assert_eq!(origin(&HeaderMap::new(), false), "");
    }
}
