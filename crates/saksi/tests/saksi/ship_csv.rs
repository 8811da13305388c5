//! `saksi logistics ship` with the real binary against a real server: a
//! KPU Kab/Kota warehouse stocked by its printer ships a CSV to its
//! kecamatan. A good file ships and moves the stock, a refusal is
//! reported at its line, a second run replays what was logged and ships
//! nothing twice, and a file with bad rows reports each by line and ships
//! nothing.

use std::path::PathBuf;
use std::process::Output;

use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::KeyRole;
use serde_json::json;

use crate::common::chain::{first_tps, kabkota_officer, origin, prepare, register};
use crate::common::{Server, get, path, saksi, text};
use crate::logistics::{delivery, post, shipment};

/// A served election whose first kab/kota's warehouse holds 300 PPWP
/// ballots, 5 boxes and 2 bottles of ink, delivered by its printer.
struct Stocked {
    server: Server,
    kab: RegionCode,
    kec: RegionCode,
    /// The kab/kota's KPU key file.
    key: PathBuf,
    tmp: tempfile::TempDir,
}

fn stocked() -> Stocked {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare(&dir, None);
    let server = Server::serve(&dir);
    let tps = RegionCode::parse(&first_tps(&server)).unwrap();
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let kec = tps.ancestor_at(Level::Kecamatan).unwrap();
    let kpu = kabkota_officer(server.addr, &dir, tps);
    let printer = Signer::generate("printer").unwrap();
    register(server.addr, &printer, KeyRole::Supplier, kab, &kpu);
    let origin = origin(server.addr);
    let kit = shipment(
        &origin,
        kab,
        kab,
        &[("ballot-ppwp", 300), ("box", 5), ("ink", 2)],
    );
    let uri = "/api/v1/logistics/shipments";
    let (status, answer) = post(&server, uri, kit.to_object(), &printer);
    assert_eq!(status, 201, "{answer}");
    let id = answer["log_index"].as_u64().unwrap();
    let uri = format!("/api/v1/logistics/shipments/{id}/delivery");
    let (status, answer) = post(
        &server,
        &uri,
        delivery(&origin, id, &kit, 0).to_object(),
        &kpu,
    );
    assert_eq!(status, 201, "{answer}");
    let key = tmp.path().join("kpu.key");
    std::fs::write(&key, kpu.to_private_key_string()).unwrap();
    Stocked {
        server,
        kab,
        kec,
        key,
        tmp,
    }
}

impl Stocked {
    /// `saksi logistics ship --key KPU --server URL FILE` on `csv`.
    fn ship(&self, csv: &str) -> Output {
        let file = self.tmp.path().join("shipments.csv");
        std::fs::write(&file, csv).unwrap();
        saksi()
            .args(["logistics", "ship", "--key", path(&self.key)])
            .args(["--server", &self.server.url(), path(&file)])
            .output()
            .unwrap()
    }

    fn stock(&self, code: RegionCode) -> serde_json::Value {
        let (status, body) = get(self.server.addr, &format!("/api/v1/logistics/stock/{code}"));
        assert_eq!(status, 200, "{body}");
        crate::common::json(&body)["items"].clone()
    }

    fn log_size(&self) -> u64 {
        let (_, health) = get(self.server.addr, "/healthz");
        crate::common::json(&health)["log_size"].as_u64().unwrap()
    }
}

const TIMES: &str = "2024-02-01T08:00:00Z,2024-02-03T08:00:00Z";

#[test]
fn a_csv_ships_its_shipments_reports_a_refusal_at_its_line_and_a_rerun_replays() {
    let s = stocked();
    let (kab, kec) = (s.kab, s.kec);
    let csv = format!(
        "shipment,from,to,item,quantity,seals,dispatched_at,due_at\n\
         K1,{kab},{kec},ballot-ppwp,200,S-1,{TIMES}\n\
         K1,{kab},{kec},box,3,S-2 S-3,{TIMES}\n\
         K2,{kab},{kec},ink,2,S-4,{TIMES}\n\
         K3,{kab},{kec},ballot-ppwp,50,S-5,{TIMES}\n\
         K3,{kab},{kec},box,9,S-6,{TIMES}\n"
    );
    let out = s.ship(&csv);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("line 2: shipment \"K1\": log index"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 4: shipment \"K2\": log index"),
        "{stdout}"
    );
    // Only 2 boxes are left after K1: K3 is refused at its box row.
    assert!(
        stderr.contains("line 6: shipment \"K3\": error: logistics.insufficient_stock"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 shipments: 2 shipped, 0 already logged, 1 refused"),
        "{stderr}"
    );
    let after = json!({"ballot-ppwp": 100, "box": 2});
    assert_eq!(s.stock(kab), after);
    let size = s.log_size();

    // The same file again: K1 and K2 are replays, K3 refused again.
    let out = s.ship(&csv);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("line 2: shipment \"K1\": already logged at"),
        "{stdout}"
    );
    assert!(
        stderr.contains("3 shipments: 0 shipped, 2 already logged, 1 refused"),
        "{stderr}"
    );
    assert_eq!(s.stock(kab), after);
    assert_eq!(s.log_size(), size, "a replay logs nothing");

    // Without the refused shipment, the file is a replay and succeeds.
    let good: String = csv.lines().take(4).map(|l| format!("{l}\n")).collect();
    let out = s.ship(&good);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("2 shipments: 0 shipped, 2 already logged, 0 refused"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_csv_with_bad_rows_reports_each_by_line_and_ships_nothing() {
    let s = stocked();
    let (kab, kec) = (s.kab, s.kec);
    let before = (s.stock(kab), s.log_size());
    let csv = format!(
        "shipment,from,to,item,quantity,seals,dispatched_at,due_at\n\
         K1,{kab},{kec},ballot-ppwp,200,S-1,{TIMES}\n\
         K1,{kab},{kec},ballot-ppwp,10,S-2,{TIMES}\n\
         K2,{kab},{kec},box,-3,S-3,{TIMES}\n\
         K3,{kab},{kec},Kotak,1,S-4,{TIMES}\n\
         K4,{kab},{kec},ink,1,S-5,yesterday,2024-02-03T08:00:00Z\n\
         K5,{kec},{kab},ink,1,S-6,{TIMES}\n"
    );
    let out = s.ship(&csv);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("has 5 problems; nothing was signed or shipped"),
        "{stderr}"
    );
    let pair = format!("from {kec} to {kab}: a shipment goes");
    for (line, why) in [
        (3, "item \"ballot-ppwp\" is already on line 2"),
        (4, "quantity: \"-3\""),
        (5, "item: \"Kotak\""),
        (6, "dispatched_at: \"yesterday\""),
        (7, pair.as_str()),
    ] {
        assert!(
            stderr.contains(&format!("line {line}: {why}")),
            "line {line}: {stderr}"
        );
    }

    // Well formed, but the server's election and table know neither.
    let nowhere = kab.child(99).unwrap();
    let csv = format!(
        "shipment,from,to,item,quantity,seals,dispatched_at,due_at\n\
         K1,{kab},{kec},ballot-ppwp,200,S-1,{TIMES}\n\
         K2,{kab},{nowhere},ink,1,S-2,{TIMES}\n\
         K3,{kab},{kec},golden-ballot,1,S-3,{TIMES}\n"
    );
    let out = s.ship(&csv);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("line 3: the election has no region {nowhere}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4: item: the server's allocation gives no unit \"golden-ballot\""),
        "{stderr}"
    );
    assert_eq!((s.stock(kab), s.log_size()), before, "nothing was shipped");
}
