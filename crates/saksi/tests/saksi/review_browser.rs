//! The PPK's review queue in a real browser (Debian's chromium driven by
//! e2e/review.mjs) against a demo: its PPK kecamatan has forms, a TPS with
//! none and an open objection by Bawaslu; the demo's PPK member opens the
//! queue from the home and sees the objection first and the TPS with no
//! form before those complete, then rejects the objection with a ruling
//! signed in the browser, which the log and the TPS page then hold.

use std::path::Path;

use saksi_log::Signer;
use serde_json::json;

use crate::common::browser::{self, script_json};
use crate::common::chain::{FORM, origin, post_form, signed_form};
use crate::common::{get, http, json, saksi};
use crate::review::{staff_session, tps_of};
use crate::workspace_browser::{DemoSite, last_entries};

#[test]
fn a_ppk_member_sees_the_queue_attention_first_and_rules_on_an_objection_in_the_browser() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let site = DemoSite::start();
    let demo = &site.server;
    let kecamatan = site.region_of("ppk");
    let kabkota = kecamatan.rsplit_once('.').unwrap().0.to_owned();
    let mut all = tps_of(demo, &kecamatan);
    all.sort();
    assert!(all.len() >= 2, "{all:?}");
    // Every TPS but the last sends its form, signed with the demo's
    // simulated KPPS device key.
    let origin = origin(demo.addr);
    let (missing, sent) = all.split_last().unwrap();
    for tps in sent {
        let file = site.dir.join("demo-keys").join(format!("{tps}.key"));
        let key = Signer::parse(std::fs::read_to_string(file).unwrap().trim()).unwrap();
        let (body, _) = signed_form(&key, &origin, tps, "ppwp", (1, None), FORM, None);
        let (status, answer) = post_form(demo.addr, tps, "ppwp", &body);
        assert_eq!(status, 201, "{tps}: {answer}");
    }
    // Bawaslu of the kab/kota objects to the first TPS's form.
    let objected = &all[0];
    let added = saksi()
        .args(["user", "add", "--data-dir", site.dir.to_str().unwrap()])
        .args(["--username", "bawaslu.kab", "--role", "bawaslu"])
        .args(["--region", &kabkota])
        .env("SAKSI_PASSWORD", "rahasia-panjang-sekali")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let token = staff_session(demo, "bawaslu.kab", "rahasia-panjang-sekali");
    let objection = json!({"tps": objected, "contest": "ppwp", "version": 1,
        "fields": ["suara_sah"], "text": "Suara sah di plano 97, bukan 98."});
    let (status, answer) = http(
        demo.addr,
        "POST",
        "/api/v1/objections",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
            ("idempotency-key", "keberatan-1"),
        ],
        &objection.to_string(),
    );
    assert_eq!(status, 201, "{answer}");
    let objection_index = json(&answer)["log_index"].as_u64().unwrap();

    let shots = site.shots();
    let out = browser::run_script(
        Path::new("review.mjs"),
        &[
            ("SAKSI_URL", &demo.url()),
            ("ACCOUNTS", site.accounts_file.to_str().unwrap()),
            ("SHOTS", shots.to_str().unwrap()),
            ("OBJECTION", &objection_index.to_string()),
        ],
    );
    let out = script_json(&out);
    assert!(out.get("failure").is_none(), "the scenario failed: {out:#}");
    assert_eq!(out["errors"], json!([]), "a page threw: {out:#}");
    assert_eq!(out["lang"], "id");
    assert_eq!(out["home_link"], "/workspace/review");
    assert_eq!(out["state"], "open");

    // Every TPS, the objection first, the TPS with no form before every
    // one with a form.
    let queue = out["queue"].as_array().unwrap();
    assert_eq!(queue.len(), all.len(), "{out:#}");
    assert_eq!(queue[0]["tps"], objected.as_str(), "{out:#}");
    assert_eq!(queue[0]["attention"][0], "objection_open", "{out:#}");
    let at = |tps: &str| queue.iter().position(|t| t["tps"] == tps).unwrap();
    assert_eq!(queue[at(missing)]["attention"], json!(["no_form"]));
    for tps in &sent[1..] {
        assert!(at(missing) < at(tps), "{out:#}");
    }

    // Ruled in the browser: the queue says so, and the objection is no
    // longer what needs attention first.
    let ruled = out["ruled_status"].as_str().unwrap();
    assert!(ruled.contains("Putusan tercatat pada nomor log"), "{ruled}");
    let after = out["queue_after"].as_array().unwrap();
    let first = after
        .iter()
        .find(|t| t["tps"] == objected.as_str())
        .unwrap();
    assert!(
        !first["attention"]
            .as_array()
            .unwrap()
            .contains(&json!("objection_open")),
        "{out:#}"
    );
    // The TPS page names the ruling, and the log holds it, signed with
    // the member's browser key.
    let (_, page) = get(demo.addr, &format!("/api/v1/tps/{objected}"));
    let page = json(&page);
    let ppwp = page["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == "ppwp")
        .unwrap();
    let listed = &ppwp["objections"][0];
    assert_eq!(listed["log_index"], objection_index);
    assert_eq!(listed["status"], "rejected");
    let ruling_index = listed["ruling_log_index"].as_u64().unwrap();
    let key = out["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("ppk-{kecamatan}+")), "{key}");
    let mut entries = last_entries(demo, 10);
    for _ in 0..40 {
        if entries.iter().any(|e| e.contains("\"type\":\"ruling\"")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        entries = last_entries(demo, 10);
    }
    let ruling = entries
        .iter()
        .find(|e| e.contains("\"type\":\"ruling\""))
        .unwrap_or_else(|| panic!("no ruling at {ruling_index} in {entries:#?}"));
    assert!(ruling.contains(key), "{ruling}");
    assert!(ruling.contains("\"decision\":\"rejected\""), "{ruling}");

    // No screen scrolls sideways on a 360 px phone.
    for (name, width) in out["widths"].as_object().unwrap() {
        assert!(width.as_u64().unwrap() <= 360, "{name} is {width} px wide");
    }
}
