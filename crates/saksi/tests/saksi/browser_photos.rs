//! The public results page's TPS view in headless chromium at phone width:
//! a form version naming two photos, one uploaded and one not, shows the
//! uploaded one as a thumbnail served by the server (under the page's CSP,
//! `img-src 'self'`) linking to the full photo, and "foto belum diterima"
//! for the other.

use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::backup::{checkpoint_size, next_version_by_device, raw, submit, wait_for_checkpoint};
use crate::common::browser::{self, script_json};
use crate::common::{Server, hex};

/// A 1x1 PNG (every chunk's CRC checked): a photo a browser can decode.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0xf8, 0xcf, 0x50,
    0x0f, 0x00, 0x03, 0x86, 0x01, 0x80, 0x5a, 0x34, 0x7d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn the_tps_page_shows_each_stored_photo_beside_the_numbers_and_a_pending_one_as_such() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut demo = Server::demo(&dir, "5", "200");
    wait_for_checkpoint(demo.addr, checkpoint_size(demo.addr) + 10);
    demo.terminate();
    let stored: [u8; 32] = Sha256::digest(PNG).into();
    let pending: [u8; 32] = Sha256::digest(b"a photo still on the phone").into();
    let (tps, contest, next) = next_version_by_device(&dir, &[stored, pending]);
    let server = Server::serve(&dir);
    let (status, answer) = submit(server.addr, &tps, &contest, &next("saksi.localhost/log"));
    assert_eq!(status, 201, "{answer}");
    let photo = format!("/api/v1/photos/{}", hex(&stored));
    assert_eq!(raw(server.addr, "PUT", &photo, PNG).0, 201);

    let screenshot = tmp.path().join("tps.png");
    let out = browser::run_script(
        Path::new("tps-photos.mjs"),
        &[
            ("SAKSI_URL", &server.url()),
            ("TPS", &tps),
            ("SCREENSHOT", screenshot.to_str().unwrap()),
        ],
    );
    let out = script_json(&out);
    assert_eq!(out["errors"], json!([]), "the page threw or broke its CSP");
    // The current version's row (the page lists the newest first).
    let cell = &out["photos"][0];
    assert_eq!(cell["pending"], json!(["foto belum diterima"]), "{out}");
    let thumbnails = cell["thumbnails"].as_array().unwrap();
    assert_eq!(thumbnails.len(), 1, "{out}");
    assert_eq!(thumbnails[0]["href"], photo.as_str());
    assert_eq!(thumbnails[0]["src"], photo.as_str());
    assert_eq!(thumbnails[0]["loaded_width"], 1, "the photo loaded: {out}");
    assert_eq!(thumbnails[0]["shown_width"], 72, "a thumbnail: {out}");
    // Beside the numbers on the phone's screen, and the page itself does
    // not scroll sideways (the table scrolls in its box).
    assert!(
        thumbnails[0]["left"].as_f64().unwrap() + 72.0 <= 360.0,
        "the photo is on screen: {out}"
    );
    assert_eq!(out["scroll_width"], 360, "{out}");
    assert_eq!(
        &std::fs::read(&screenshot).unwrap()[..8],
        b"\x89PNG\r\n\x1a\n"
    );
}
