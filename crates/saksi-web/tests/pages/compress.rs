//! What the pages cost on a phone's slow line: gzip when offered, and a
//! `304` for a script the browser already holds.

use std::io::Read as _;

use axum::http::StatusCode;

use crate::helpers::site;

#[tokio::test]
async fn a_script_travels_gzipped_and_a_second_visit_costs_a_304() {
    let site = site();
    let plain = site.browser().get("/static/js/chasil.js").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get("content-encoding").is_none());

    let mut phone = site.browser();
    phone
        .headers
        .push(("accept-encoding", "gzip, deflate, br, zstd".into()));
    let first = phone.get("/static/js/chasil.js").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers["content-encoding"], "gzip");
    assert_eq!(first.headers["vary"], "Accept-Encoding");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&first.raw[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body, "the same script, byte for byte");
    assert!(
        first.raw.len() * 3 < plain.raw.len(),
        "gzip saves most of a script: {} of {} bytes",
        first.raw.len(),
        plain.raw.len()
    );

    // Opening the app again: the browser asks with the tag it holds.
    let tag = first.headers["etag"].to_str().unwrap().to_owned();
    assert_ne!(
        tag,
        plain.headers["etag"].to_str().unwrap(),
        "one tag per encoding"
    );
    phone.headers.push(("if-none-match", tag.clone()));
    let again = phone.get("/static/js/chasil.js").await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.raw.is_empty());
    assert_eq!(again.headers["etag"], tag.as_str());
    // Another file is not the one the tag names.
    let other = phone.get("/static/js/queue.js").await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.raw.is_empty());
}

#[tokio::test]
async fn a_page_holding_a_csrf_token_is_gzipped_but_never_tagged() {
    let site = site();
    let mut browser = site.browser();
    browser.headers.push(("accept-encoding", "gzip".into()));
    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.headers.get("etag").is_none());
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&login.raw[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert!(unzipped.contains("name=\"csrf\""), "{unzipped}");
}
