//! The KPPS app offline, in a real browser (Debian's chromium driven by
//! e2e/offline.mjs) against a real server, with the connection cut outside
//! the browser by a TCP proxy (e2e/proxy.mjs): the service worker serves the
//! app shell, the outbox (queue.js) holds signed statements with back-off
//! and across a reload, a statement whose answer was lost (or never came
//! before a reload) is logged once, everything is accepted in order once
//! the connection returns (or refused with the server's code), and the
//! receipt's inclusion proof checks out against the pinned log key
//! (proof.js), and fails when it should.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::browser::{self, script_json};
use crate::common::{Server, chain};

#[test]
fn cut_off_the_kpps_app_opens_from_its_cache_and_its_queued_statements_are_logged_once_in_order() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    chain::prepare(&dir, None);
    let server = Server::serve(&dir);
    let tps = chain::first_tps(&server);
    let kabkota = chain::kabkota_officer(
        server.addr,
        &dir,
        saksi_core::RegionCode::parse(&tps).unwrap(),
    );
    let out = browser::run_script(
        Path::new("offline.mjs"),
        &[
            ("SAKSI_URL", &server.url()),
            ("TPS", &tps),
            ("ORIGIN", &chain::origin(server.addr)),
            ("FORM", chain::FORM),
            ("FORM_2", chain::FORM_2),
            ("KABKOTA_KEY", &kabkota.to_private_key_string()),
            ("KABKOTA_VERIFIER", &kabkota.verifier().to_string()),
        ],
    );
    let out = script_json(&out);
    assert!(out.get("failure").is_none(), "the scenario failed: {out:#}");
    assert_eq!(out["errors"], json!([]), "the page threw: {out:#}");

    // The worker controls /kpps/ and cached the shell under this
    // release's name.
    let worker = &out["worker"];
    assert_eq!(worker["scope"], "/kpps/");
    let caches = worker["caches"].as_array().unwrap();
    assert_eq!(caches.len(), 1, "{worker}");
    assert!(caches[0].as_str().unwrap().starts_with("saksi-kpps-"));
    for url in [
        "/kpps/",
        "/api/v1/forms/rules",
        "/static/workspace.css",
        "/static/js/kpps.js",
        "/static/js/signing.js",
        "/static/js/queue.js",
        "/static/js/proof.js",
    ] {
        assert!(
            worker["cached"].as_array().unwrap().contains(&json!(url)),
            "{url} not cached: {worker}"
        );
    }

    // Cut off: the page still opens, from the worker, in Bahasa Indonesia;
    // the rules answer from the cache; other requests are not answered.
    let page = &out["offline_page"];
    assert_eq!(page["status"], 200, "{page}");
    assert_eq!(page["from_worker"], true);
    assert_eq!(page["lang"], "id");
    assert!(page["title"].as_str().unwrap().contains("KPPS"), "{page}");
    assert_eq!(
        out["offline_fetches"],
        json!({"rules": 200, "region": "failed", "post": "failed"})
    );

    // Queued while cut off: the head tried and backs off 1 s, then 2 s,
    // then 4 s; the items behind it were never tried.
    let queued = out["enqueued"].as_array().unwrap();
    assert_eq!(queued.len(), 5);
    assert!(queued.iter().all(|i| i["state"] == "waiting"));
    let waiting = out["backing_off"]["items"].as_array().unwrap();
    assert_eq!(waiting[0]["state"], "waiting", "{waiting:?}");
    assert!(waiting[0]["attempts"].as_u64().unwrap() >= 2, "{waiting:?}");
    assert!(
        waiting[1..].iter().all(|i| i["attempts"] == 0),
        "{waiting:?}"
    );
    let waits: Vec<i64> = out["backing_off"]["waits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_i64().unwrap())
        .collect();
    assert!(waits.len() >= 2, "{waits:?}");
    for (i, wait) in waits.iter().enumerate() {
        let delay = 1000 << i;
        // The wait is set when the attempt fails and seen just after.
        assert!(
            (delay / 2 + 1..=delay).contains(wait),
            "back-off {i} waited {wait} ms, not {delay}: {waits:?}"
        );
    }
    assert!(out["refused_connections"].as_u64().unwrap() >= 2);
    // Still queued after a reload.
    let reloaded = out["after_reload"].as_array().unwrap();
    assert_eq!(ids(reloaded), ids(queued));
    assert!(reloaded.iter().all(|i| i["state"] != "accepted"));

    // The first statement's answer was lost: logged once, still waiting.
    assert!(out["lost_answers"].as_u64().unwrap() >= 1);
    assert_eq!(out["size_after_lost"], 1, "{out:#}");
    assert_eq!(out["lost"][0]["state"], "waiting", "{out:#}");

    // Its answer held back, then the page reloaded: still "sent" (it may
    // have been logged), and nothing more logged.
    assert!(out["held_answers"].as_u64().unwrap() >= 1);
    assert_eq!(out["after_held"][0]["state"], "sent", "{out:#}");
    assert_eq!(out["size_after_held"], 1, "{out:#}");

    // Connected: accepted in order (the retry answered its first answer,
    // logged once), the version the server refuses shows its code, and the
    // photo queued after it is refused with it.
    let last = out["final"].as_array().unwrap();
    let before = out["size_before"].as_u64().unwrap();
    assert_eq!(last[0]["state"], "accepted", "{out:#}");
    assert_eq!(last[0]["log_index"], before, "{out:#}");
    assert_eq!(last[1]["state"], "accepted", "{out:#}");
    assert_eq!(last[1]["log_index"], before + 1, "{out:#}");
    assert_eq!(last[0]["receipt"]["log_index"], before);
    assert_eq!(out["size_after"], 2, "each statement logged once: {out:#}");
    assert_eq!(last[2]["state"], "refused", "{out:#}");
    assert_eq!(last[2]["error"]["code"], "statement.version_not_next");
    assert!(!last[2]["error"]["message"].as_str().unwrap().is_empty());
    assert_eq!(last[3]["state"], "refused", "{out:#}");
    assert_eq!(last[3]["error"]["code"], "queue.after_refused");
    assert_eq!(last[3]["attempts"], 0, "the photo was never sent");
    // So is the next version queued after it (the KPPS app chains a
    // version signed while the one before still waits).
    assert_eq!(last[4]["kind"], "statement", "{out:#}");
    assert_eq!(last[4]["state"], "refused", "{out:#}");
    assert_eq!(last[4]["error"]["code"], "queue.after_refused");
    assert_eq!(last[4]["attempts"], 0, "the next version was never sent");

    // The receipt's proof: verified with the key pinned from the server;
    // refused under another pinned key, with a tampered proof, or a
    // tampered receipt; and verified again after all that.
    let proofs = &out["proofs"];
    assert_eq!(proofs["pinned"], out["served_key"]);
    let verified = &proofs["verified"];
    assert_eq!(verified["ok"], true, "{proofs:#}");
    assert_eq!(verified["log_index"], before);
    assert!(verified["size"].as_u64().unwrap() > before);
    assert_refused(&proofs["otherKey"], "proof.unknown_key");
    assert_refused(&proofs["tamperedProof"], "proof.not_included");
    assert_refused(&proofs["tamperedReceipt"], "proof.bad_receipt");
    assert_eq!(proofs["again"]["ok"], true, "{proofs:#}");
}

fn ids(items: &[Value]) -> Vec<u64> {
    items.iter().map(|i| i["id"].as_u64().unwrap()).collect()
}

fn assert_refused(result: &Value, reason: &str) {
    assert_eq!(result["ok"], false, "{result}");
    assert_eq!(result["reason"], reason, "{result}");
}
