//! The logistics chain end to end with the real binary and real HTTP: a
//! supplier, the KPU Kab/Kota, the PPK, the PPS and the KPPS device of a
//! TPS, each with its own registered key, hand a kit down from the
//! printer to the TPS (a damaged box refused there, a delivery by the
//! wrong office refused on the way), and `saksi audit` replays every
//! shipment and delivery under the server's rules, recomputes every
//! stock, and passes.

use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::logistics::{Received, RejectReason};
use saksi_statement::{DeliveryStatement, Envelope, KeyRole, ShipmentStatement};
use serde_json::Value;

use crate::common::chain::{first_tps, kabkota_officer, origin, prepare, register};
use crate::common::{Server, get, http, json, now};

/// Posts `statement` signed by `by` to `uri`: the status and the answer.
pub(crate) fn post(
    server: &Server,
    uri: &str,
    statement: serde_json::Map<String, Value>,
    by: &Signer,
) -> (u16, Value) {
    let body = Envelope::sign(statement, by)
        .unwrap()
        .to_value()
        .to_string();
    let headers = [("content-type", "application/json")];
    let (status, answer) = http(server.addr, "POST", uri, &headers, &body);
    (status, json(&answer))
}

/// A shipment of `items` from `from` to `to`, dispatched now.
pub(crate) fn shipment(
    origin: &str,
    from: RegionCode,
    to: RegionCode,
    items: &[(&str, u64)],
) -> ShipmentStatement {
    ShipmentStatement {
        origin: origin.to_owned(),
        from,
        to,
        items: items.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect(),
        seals: vec![format!("S-{from}")],
        dispatched_at: UnixTime(now()),
        due_at: UnixTime(now() + 86_400),
        signed_at: UnixTime(now()),
    }
}

/// The delivery of shipment `id` of `s`, `damaged` of its first item
/// rejected.
pub(crate) fn delivery(
    origin: &str,
    id: u64,
    s: &ShipmentStatement,
    damaged: u64,
) -> DeliveryStatement {
    DeliveryStatement {
        origin: origin.to_owned(),
        shipment: id,
        items: s
            .items
            .iter()
            .enumerate()
            .map(|(i, (item, n))| {
                let rejected = if i == 0 { damaged } else { 0 };
                let received = Received {
                    accepted: n - rejected,
                    rejected,
                    reason: (rejected > 0).then_some(RejectReason::Damaged),
                };
                (item.clone(), received)
            })
            .collect(),
        seals_checked: s.seals.clone(),
        photos: vec![],
        received_at: UnixTime(now()),
        signed_at: UnixTime(now()),
    }
}

#[test]
fn a_kit_handed_down_from_the_printer_to_a_tps_passes_the_audit_with_every_stock_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare(&dir, None);
    let server = Server::serve(&dir);
    let origin = origin(server.addr);
    let tps = RegionCode::parse(&first_tps(&server)).unwrap();
    let at = |level| tps.ancestor_at(level).unwrap();
    let (kab, kec, desa) = (at(Level::Kabkota), at(Level::Kecamatan), at(Level::Desa));
    let kpu = kabkota_officer(server.addr, &dir, tps);
    let key = |role: KeyRole, region: RegionCode| {
        let key = Signer::generate(&format!("{}-{region}", role.id())).unwrap();
        register(server.addr, &key, role, region, &kpu);
        key
    };
    let supplier = key(KeyRole::Supplier, kab);
    let ppk = key(KeyRole::Ppk, kec);
    let pps = key(KeyRole::Pps, desa);
    let kpps = key(KeyRole::Kpps, tps);

    let kit = [("ballot-ppwp", 300), ("box", 5), ("ink", 2)];
    let steps = [
        (kab, &supplier, kab, &kpu, 0),
        (kab, &kpu, kec, &ppk, 0),
        (kec, &ppk, desa, &pps, 0),
        (desa, &pps, tps, &kpps, 20),
    ];
    for (from, sender, to, receiver, damaged) in steps {
        let s = shipment(&origin, from, to, &kit);
        let (status, answer) = post(
            &server,
            "/api/v1/logistics/shipments",
            s.to_object(),
            sender,
        );
        assert_eq!(status, 201, "{from} -> {to}: {answer}");
        let id = answer["log_index"].as_u64().unwrap();
        let uri = format!("/api/v1/logistics/shipments/{id}/delivery");
        let d = delivery(&origin, id, &s, damaged);
        // Signed by the sender instead of the receiver: refused, not logged.
        let (status, answer) = post(&server, &uri, d.to_object(), sender);
        assert_eq!(status, 403, "{answer}");
        assert_eq!(answer["error"]["code"], "logistics.not_receiver");
        let (status, answer) = post(&server, &uri, d.to_object(), receiver);
        assert_eq!(status, 201, "{to}: {answer}");
    }
    let stock = |code: RegionCode| {
        let (status, body) = get(server.addr, &format!("/api/v1/logistics/stock/{code}"));
        assert_eq!(status, 200, "{body}");
        json(&body)["items"].clone()
    };
    assert_eq!(
        stock(tps),
        serde_json::json!({"ballot-ppwp": 280, "box": 5, "ink": 2})
    );
    for office in [kab, kec, desa] {
        assert_eq!(stock(office), serde_json::json!({}), "{office}");
    }

    // The checkpoint is signed every second: audit once one covers it all.
    let (_, health) = get(server.addr, "/healthz");
    let size = json(&health)["log_size"].as_u64().unwrap();
    let covered = (0..100).any(|_| {
        let (_, note) = get(server.addr, "/api/v1/log/checkpoint");
        let signed = note.lines().nth(1).and_then(|l| l.parse::<u64>().ok());
        signed == Some(size) || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    assert!(covered, "no checkpoint covers the log's {size} entries");
    let (passed, report) = crate::review::audit(&server, &dir);
    assert!(passed, "{report}");
    assert!(
        report.contains("logistics: 4 shipments and 4 deliveries applied"),
        "{report}"
    );
    assert!(report.contains("1 supplier"), "{report}");
    assert!(report.contains("shipment v1"), "{report}");
}
