//! `/static/...`: the workspace's stylesheet and scripts, compiled into
//! the binary and served under the same Content-Security-Policy.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use saksi_server::extract::RawPath;

/// Every file served, by path under `/static/`: (path, text, Content-Type).
pub(crate) const FILES: &[(&str, &str, &str)] = &[
    (
        "workspace.css",
        include_str!("../../assets/workspace.css"),
        "text/css; charset=utf-8",
    ),
    (
        "js/offline.js",
        include_str!("../../assets/js/offline.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/queue.js",
        include_str!("../../assets/js/queue.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/kept.js",
        include_str!("../../assets/js/kept.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/proof.js",
        include_str!("../../assets/js/proof.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/signing.js",
        include_str!("../../assets/js/signing.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/rules.js",
        include_str!("../../assets/js/rules.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/kpps.js",
        include_str!("../../assets/js/kpps.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/workspace.js",
        include_str!("../../assets/js/workspace.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/keys.js",
        include_str!("../../assets/js/keys.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/certify.js",
        include_str!("../../assets/js/certify.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/enrolment-codes.js",
        include_str!("../../assets/js/enrolment-codes.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/devices.js",
        include_str!("../../assets/js/devices.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/chasil.js",
        include_str!("../../assets/js/chasil.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/camera.js",
        include_str!("../../assets/js/camera.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/entry.js",
        include_str!("../../assets/js/entry.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/entry-behalf.js",
        include_str!("../../assets/js/entry-behalf.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/review.js",
        include_str!("../../assets/js/review.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/incident.js",
        include_str!("../../assets/js/incident.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/report.js",
        include_str!("../../assets/js/report.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/incidents.js",
        include_str!("../../assets/js/incidents.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/incident-new.js",
        include_str!("../../assets/js/incident-new.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/incident-show.js",
        include_str!("../../assets/js/incident-show.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "js/print.js",
        include_str!("../../assets/js/print.js"),
        "text/javascript; charset=utf-8",
    ),
];

pub async fn show(RawPath(file): RawPath<String>) -> Response {
    let Some((_, body, content_type)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    crate::view::secure_headers(headers);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::FILES;

    /// A script written but not listed here is a 404 in the browser, and
    /// every module importing it fails to load; one listed twice is served
    /// from its first entry only, and the second is dead weight.
    #[test]
    fn every_script_in_the_assets_is_served_once() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/js");
        for file in std::fs::read_dir(dir).unwrap() {
            let name = format!("js/{}", file.unwrap().file_name().to_string_lossy());
            let listed = FILES.iter().filter(|(path, _, _)| *path == name).count();
            assert_eq!(listed, 1, "{name} is listed {listed} times in FILES");
        }
    }
}
