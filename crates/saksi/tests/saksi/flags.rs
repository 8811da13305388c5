//! Anomaly flags through the real server: a signed form that gives every
//! valid vote to one paslon is flagged on its TPS page (the API's and, in
//! chromium when it is installed, the public page) and counted in the
//! results of every region above it, the flag survives a restart (the
//! tallies are rebuilt from the store), and a correction clears it.

use serde_json::{Value, json};

use crate::common::{Server, browser, chain, get, json};
use crate::demo::rendered;

/// The counts of `GET /api/v1/results/ppwp[/{code}]`.
fn counts(server: &Server, code: &str) -> Value {
    let path = if code == "0" {
        "/api/v1/results/ppwp".to_owned()
    } else {
        format!("/api/v1/results/ppwp/{code}")
    };
    let (status, body) = get(server.addr, &path);
    assert_eq!(status, 200, "{body}");
    json(&body)["flags"].clone()
}

/// The TPS page's flags.
fn flags(server: &Server, tps: &str) -> Value {
    json(&get(server.addr, &format!("/api/v1/tps/{tps}")).1)["flags"].clone()
}

/// The TPS itself and every region above it, national root first.
fn regions_of(tps: &str) -> Vec<String> {
    let segments: Vec<&str> = tps.split('.').collect();
    std::iter::once("0".to_owned())
        .chain((1..=segments.len()).map(|n| segments[..n].join(".")))
        .collect()
}

#[test]
fn a_unanimous_form_is_flagged_on_its_tps_page_counted_above_it_and_cleared_by_a_correction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    chain::prepare(&dir, None);
    let mut server = Server::serve(&dir);
    let tps = chain::first_tps(&server);
    let device = chain::kpps_device(server.addr, &dir, &tps);
    let origin = chain::origin(server.addr);
    let unanimous = chain::FORM.replace(
        r#""01": 30, "02": 50, "03": 18"#,
        r#""01": 0, "02": 98, "03": 0"#,
    );
    let (body, digest) =
        chain::signed_form(&device, &origin, &tps, "ppwp", (1, None), &unanimous, None);
    let (status, answer) = chain::post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");

    let flagged = json!([{
        "code": "unanimous",
        "message": "All 98 valid votes went to paslon 02.",
        "contest": "ppwp",
    }]);
    let one = json!({
        "above_dpt": 0, "unanimous": 1, "same_votes": 0, "turnout_outlier": 0, "last_digits": 0,
    });
    assert_eq!(flags(&server, &tps), flagged);
    for code in regions_of(&tps) {
        assert_eq!(counts(&server, &code), one, "results of {code}");
    }
    if let Some(chromium) = browser::chromium() {
        let url = format!("{}/#/tps/{tps}", server.url());
        let dom = rendered(&chromium, &url, &tmp.path().join("profile"));
        assert!(
            dom.contains("Tanda anomali, Presiden: Semua suara sah untuk satu pilihan.")
                && dom.contains("All 98 valid votes went to paslon 02."),
            "{dom}"
        );
    }

    // Rebuilt from the store at start-up, the same flags.
    server.terminate();
    let server = Server::serve(&dir);
    assert_eq!(flags(&server, &tps), flagged);
    assert_eq!(counts(&server, "0"), one);

    let (body, _) = chain::signed_form(
        &device,
        &origin,
        &tps,
        "ppwp",
        (2, Some(digest)),
        chain::FORM,
        None,
    );
    let (status, answer) = chain::post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(flags(&server, &tps), json!([]));
    let none = json!({
        "above_dpt": 0, "unanimous": 0, "same_votes": 0, "turnout_outlier": 0, "last_digits": 0,
    });
    for code in regions_of(&tps) {
        assert_eq!(counts(&server, &code), none, "results of {code}");
    }
}
