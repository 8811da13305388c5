//! The demo's simulated logistics: every TPS gets its kit down the chain
//! and holds at least its allocation of every item, what a KPPS rejected
//! is replaced down to it, `saksi audit` replays every shipment and
//! delivery and passes; and `--no-logistics` ships nothing.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::audit::{AuditTarget, audit_with_roots};
use crate::common::{Server, get, json};
use crate::demo_recap::{count_before, wait_for};

/// Every TPS of the demo in `dir`: each has its device key file.
fn tps_codes(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("demo-keys"))
        .unwrap()
        .filter_map(|f| {
            let name = f.unwrap().file_name().into_string().unwrap();
            let code = name.strip_suffix(".key")?;
            (code.split('.').count() == 5).then(|| code.to_owned())
        })
        .collect()
}

/// `GET /api/v1/logistics/{what}/{code}`'s items.
fn items(server: &Server, what: &str, code: &str) -> serde_json::Map<String, Value> {
    let (status, body) = get(server.addr, &format!("/api/v1/logistics/{what}/{code}"));
    assert_eq!(status, 200, "{body}");
    json(&body)["items"].as_object().unwrap().clone()
}

/// The logged deliveries that reject some item, read from the log's
/// entries up to `size`.
fn rejecting_deliveries(server: &Server, size: u64) -> u64 {
    let mut start = 0;
    let mut found = 0;
    while start < size {
        let (status, body) = get(
            server.addr,
            &format!("/api/v1/log/entries?start={start}&end={size}"),
        );
        assert_eq!(status, 200, "{body}");
        let page = json(&body);
        let entries = page["entries"].as_array().unwrap();
        for entry in entries {
            let data = STANDARD.decode(entry["data"].as_str().unwrap()).unwrap();
            let entry: Value = serde_json::from_slice(&data).unwrap();
            if entry["type"] == "delivery" {
                let items = entry["statement"]["items"].as_object().unwrap();
                found += u64::from(items.values().any(|r| r["rejected"] != 0));
            }
        }
        start += entries.len() as u64;
    }
    found
}

#[test]
fn the_demo_makes_every_tps_ready_replacing_what_was_rejected_and_the_audit_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let log = tmp.path().join("demo.log");
    let server = Server::demo_logged(&dir, "5", "2000", &log);
    let text = wait_for(&log, "simulated logistics finished: ");
    assert!(
        text.contains("logistics: 823 of 823 TPS ready after "),
        "{text}"
    );
    assert_eq!(
        count_before(&text, " legs left after a failure"),
        0,
        "{text}"
    );
    let rejecting = count_before(&text, " deliveries rejecting items");
    assert!(rejecting > 0, "{text}");

    // The server's stocks: every TPS holds at least its allocation of
    // every item; the offices above passed on all they got.
    let tps = tps_codes(&dir);
    assert_eq!(tps.len(), 823);
    for code in &tps {
        let stock = items(&server, "stock", code);
        for (item, n) in items(&server, "allocation", code) {
            assert!(
                stock.get(&item).is_some_and(|s| s.as_u64() >= n.as_u64()),
                "{code} {item}: {stock:?}"
            );
        }
        let desa = code.rsplit_once('.').unwrap().0;
        assert!(items(&server, "stock", desa).is_empty(), "{desa}");
    }

    // The log holds the rejections, with their reasons, and the auditor
    // replays every shipment and delivery under the server's rules.
    let size = server.settled();
    assert_eq!(rejecting_deliveries(&server, size), rejecting);
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--sample", "0"]);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    let (_, finished) = text.split_once("simulated logistics finished: ").unwrap();
    let shipments = count_before(finished, " shipments and ");
    assert_eq!(count_before(finished, " deliveries signed"), shipments);
    let audited = stdout.replace(',', "");
    assert!(
        audited.contains(&format!(
            "logistics: {shipments} shipments and {shipments} deliveries applied"
        )),
        "{stdout}"
    );
}

#[test]
fn the_demo_with_no_logistics_ships_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let log = tmp.path().join("demo.log");
    let data_dir = dir.to_str().unwrap();
    let args = [
        "demo",
        "--data-dir",
        data_dir,
        "--scale",
        "0.001",
        "--seed",
        "5",
        "--rate",
        "200",
        "--no-logistics",
    ];
    let server = Server::start_logged(&args, &log);
    // The forms at 200 a second take some 20 s, by which time the
    // logistics would have shipped to every kab/kota and kecamatan.
    let text = wait_for(&log, "simulated recap finished: ");
    assert!(!text.contains("logistics"), "{text}");
    let tps = tps_codes(&dir);
    assert!(items(&server, "stock", &tps[0]).is_empty());
    server.settled();
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--sample", "0"]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("logistics: 0 shipments and 0 deliveries applied"),
        "{stdout}"
    );
}
