//! Incidents in a real browser (Debian's chromium driven by
//! e2e/incidents.mjs) against a demo: an enrolled phone with no signal
//! files a critical report with a photo, signed on the phone; it waits in
//! the outbox and is accepted when the signal returns. The KPU Kab/Kota's
//! incident screen hears of it live and lists it; its page shows the
//! report, its owner and history; the officer acknowledges it, is refused
//! a resolution without text, resolves it; and files one with the
//! session. The log holds the events without the report's text, the
//! public statistics count them, and the photo is not public. Every
//! screen is photographed at 360 px and checked not to scroll sideways.

use std::path::Path;

use serde_json::json;

use crate::common::browser::{self, script_json};
use crate::common::{http, json};
use crate::workspace_browser::{DemoSite, last_entries, tps_in};

#[test]
fn a_phone_files_an_incident_offline_and_its_kpu_kabkota_acknowledges_and_resolves_it_live() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let site = DemoSite::start();
    let demo = &site.server;
    let kabkota = site.region_of("kpu-kabkota");
    let phone_tps = tps_in(demo, &kabkota, &site.region_of("kpps"));
    let shots = site.shots();
    let out = browser::run_script(
        Path::new("incidents.mjs"),
        &[
            ("SAKSI_URL", &demo.url()),
            ("ACCOUNTS", site.accounts_file.to_str().unwrap()),
            ("PHONE_TPS", &phone_tps),
            ("SHOTS", shots.to_str().unwrap()),
        ],
    );
    let out = script_json(&out);
    assert!(out.get("failure").is_none(), "the scenario failed: {out:#}");
    assert_eq!(out["errors"], json!([]), "a page threw: {out:#}");
    assert_eq!(out["lang"], "id");

    // Filed with no signal: the report and its photo waited, then were
    // accepted in order.
    let id = out["incident"].as_str().unwrap();
    assert_eq!(id.len(), 32, "{out:#}");
    let queued = out["queued"].as_array().unwrap();
    assert!(queued.iter().all(|i| i["state"] != "accepted"), "{out:#}");
    let sent = out["sent"].as_array().unwrap();
    let kinds: Vec<_> = sent
        .iter()
        .map(|i| (i["kind"].clone(), i["state"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!("statement"), json!("accepted")),
            (json!("photo"), json!("accepted"))
        ],
        "{out:#}"
    );
    let log_index: u64 = sent[0]["log_index"].as_str().unwrap().parse().unwrap();

    // The officer heard it live, and the queue lists it.
    let notices = out["notices"].as_array().unwrap();
    assert!(notices.iter().any(|n| n["event"] == "new"), "{out:#}");
    // The public TPS page flags it, without the report's text.
    let flag = out["tps_flag"].as_str().unwrap();
    assert!(
        flag.contains("keamanan") && flag.contains("kritis"),
        "{flag}"
    );
    assert!(!flag.contains("Kotak suara"), "{flag}");
    // Its page: the report's text, owned by the KPU Kab/Kota, filed.
    let page = &out["page"];
    assert_eq!(page["title"], "Kotak suara rusak");
    assert_eq!(page["owner"], "kabkota");
    assert_eq!(page["status"], "open");
    assert_eq!(page["history"], json!(["file"]));
    assert!(
        page["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("acknowledge")),
        "{page}"
    );
    assert!(
        out["resolve_without_text"]
            .as_str()
            .unwrap()
            .contains("incident.text_required"),
        "{out:#}"
    );
    assert_eq!(
        out["resolved_history"],
        json!(["file", "acknowledge", "resolve"])
    );
    let session = &out["filed_by_session"];
    assert_eq!(session["owner"], "kabkota");
    assert_eq!(session["history"], json!(["file"]));

    // The log: the phone's signed report and the officer's events, with
    // the public fields only (never the title or the text), once the
    // checkpoint (published every few hundred ms) covers the last.
    let mut ours: Vec<String> = Vec::new();
    for _ in 0..100 {
        ours = last_entries(demo, 40)
            .into_iter()
            .filter(|e| e.contains(id))
            .collect();
        if ours.len() == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(ours.len(), 3, "{ours:#?}");
    assert!(ours.iter().all(|e| e.contains("\"type\":\"incident\"")));
    assert!(ours[0].contains("\"signature\""), "{}", ours[0]);
    assert!(
        ours.iter()
            .all(|e| !e.contains("Kotak suara rusak") && !e.contains("gudang"))
    );
    assert!(log_index > 0);

    // Public statistics count both, with the response times.
    let (status, stats) = http(
        demo.addr,
        "GET",
        &format!("/api/v1/incidents/stats/{kabkota}"),
        &[],
        "",
    );
    assert_eq!(status, 200, "{stats}");
    let stats = json(&stats);
    assert!(stats["total"].as_u64().unwrap() >= 2, "{stats}");
    assert!(
        stats["status"]["resolved"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    assert!(!stats["ack_seconds"]["p50"].is_null(), "{stats}");
    assert!(!stats.to_string().contains("Kotak suara"), "{stats}");

    // The photo is the incident's, not the public's.
    let photo = out["photo"].as_str().unwrap();
    let (status, _) = http(
        demo.addr,
        "GET",
        &format!("/api/v1/photos/{photo}"),
        &[],
        "",
    );
    assert_eq!(status, 404);

    for (name, width) in out["widths"].as_object().unwrap() {
        assert!(width.as_u64().unwrap() <= 360, "{name} is {width} px wide");
    }
    assert!(out["widths"].as_object().unwrap().len() >= 6, "{out:#}");
}
