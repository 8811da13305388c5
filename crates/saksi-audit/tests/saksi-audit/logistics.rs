//! The logistics chain: shipments and deliveries are replayed under the
//! rules the server applies (the sending office's own key, one level down,
//! within its stock; the receiver's key, once, every item accounted for),
//! every office's stock is recomputed from the entries that pass, and each
//! forgery is named at its index.

use saksi_core::time::UnixTime;
use saksi_log::Signer;
use saksi_statement::logistics::{Received, RejectReason};
use saksi_statement::{DeliveryStatement, KeyRole, ShipmentStatement};
use serde_json::{Map, Value, json};

use crate::build::{NOW, ORIGIN, assert_found, code, entry, register, run};

const KAB: &str = "11.01";
const KEC: &str = "11.01.01";
const DESA: &str = "11.01.01.2001";
const TPS: &str = "11.01.01.2001.001";

/// The keys every test here starts with, registered by entries 0 to 6.
struct Chain {
    root: Signer,
    prov: Signer,
    kab: Signer,
    supplier: Signer,
    ppk: Signer,
    pps: Signer,
    kpps: Signer,
    /// The PPK of another kecamatan of the kab/kota.
    other_ppk: Signer,
}

impl Chain {
    fn new() -> Chain {
        let key = |name: &str| Signer::generate(name).unwrap();
        Chain {
            root: key("kpu-ri-root"),
            prov: key("kpu-prov-11"),
            kab: key("kpu-kabkota-11.01"),
            supplier: key("supplier-11.01"),
            ppk: key("ppk-11.01.01"),
            pps: key("pps-11.01.01.2001"),
            kpps: key("kpps-11.01.01.2001.001"),
            other_ppk: key("ppk-11.01.02"),
        }
    }

    /// Entries 0 to 6.
    fn registrations(&self) -> Vec<Vec<u8>> {
        vec![
            register(&self.prov, KeyRole::KpuProv, "11", &self.root),
            register(&self.kab, KeyRole::KpuKabkota, KAB, &self.prov),
            register(&self.supplier, KeyRole::Supplier, KAB, &self.kab),
            register(&self.ppk, KeyRole::Ppk, KEC, &self.kab),
            register(&self.pps, KeyRole::Pps, DESA, &self.kab),
            register(&self.kpps, KeyRole::Kpps, TPS, &self.kab),
            register(&self.other_ppk, KeyRole::Ppk, "11.01.02", &self.kab),
        ]
    }

    /// Entries 0 to 14: the registrations, then a kit of 300 ballots and
    /// 5 boxes down the whole chain, each shipment (at 7, 9, 11, 13)
    /// delivered by its receiver (at 8, 10, 12, 14), the TPS rejecting 5
    /// damaged ballots.
    fn down_to_the_tps(&self) -> Vec<Vec<u8>> {
        let kit = [("ballot-ppwp", 300), ("box", 5)];
        let whole = [("ballot-ppwp", 300, 0), ("box", 5, 0)];
        let mut entries = self.registrations();
        entries.extend([
            shipped(KAB, KAB, &kit, &self.supplier),
            delivered(7, &whole, &self.kab),
            shipped(KAB, KEC, &kit, &self.kab),
            delivered(9, &whole, &self.ppk),
            shipped(KEC, DESA, &kit, &self.ppk),
            delivered(11, &whole, &self.pps),
            shipped(DESA, TPS, &kit, &self.pps),
            delivered(13, &[("ballot-ppwp", 295, 5), ("box", 5, 0)], &self.kpps),
        ]);
        entries
    }
}

fn shipment(from: &str, to: &str, items: &[(&str, u64)]) -> ShipmentStatement {
    ShipmentStatement {
        origin: ORIGIN.into(),
        from: code(from),
        to: code(to),
        items: items.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect(),
        seals: vec!["KPU-1".into(), "KPU-2".into()],
        dispatched_at: UnixTime(NOW - 3600),
        due_at: UnixTime(NOW + 3600),
        signed_at: UnixTime(NOW - 3600),
    }
}

fn shipped(from: &str, to: &str, items: &[(&str, u64)], by: &Signer) -> Vec<u8> {
    entry("shipment", shipment(from, to, items).to_object(), by)
}

/// A delivery of the shipment at `shipment`: (item, accepted, rejected),
/// a rejection for damage.
fn delivery(shipment: u64, items: &[(&str, u64, u64)]) -> Map<String, Value> {
    DeliveryStatement {
        origin: ORIGIN.into(),
        shipment,
        items: items
            .iter()
            .map(|(i, accepted, rejected)| {
                let received = Received {
                    accepted: *accepted,
                    rejected: *rejected,
                    reason: (*rejected > 0).then_some(RejectReason::Damaged),
                };
                ((*i).to_owned(), received)
            })
            .collect(),
        seals_checked: vec!["KPU-1".into(), "KPU-2".into()],
        photos: vec![],
        received_at: UnixTime(NOW),
        signed_at: UnixTime(NOW),
    }
    .to_object()
}

fn delivered(shipment: u64, items: &[(&str, u64, u64)], by: &Signer) -> Vec<u8> {
    entry("delivery", delivery(shipment, items), by)
}

fn stock(replay: &saksi_audit::Replay, region: &str) -> Vec<(String, u64)> {
    replay
        .ledger
        .logistics
        .stock(code(region))
        .map(|(item, n)| (item.to_owned(), n))
        .collect()
}

#[test]
fn a_kit_shipped_down_the_whole_chain_and_delivered_at_each_step_passes() {
    let c = Chain::new();
    let replay = run(c.down_to_the_tps(), &c.root);
    assert_found(&replay, &[]);
    let stats = &replay.ledger.stats;
    assert_eq!((stats.shipments, stats.deliveries), (4, 4));
    assert_eq!(stats.registered[6], 1, "one supplier key");
    for office in [KAB, KEC, DESA] {
        assert!(stock(&replay, office).is_empty(), "{office} passed it on");
    }
    assert_eq!(
        stock(&replay, TPS),
        [("ballot-ppwp".to_owned(), 295), ("box".to_owned(), 5)]
    );
}

#[test]
fn a_shipment_signed_by_another_office_or_an_unknown_key_moves_nothing() {
    let c = Chain::new();
    let stranger = Signer::generate("ppk-11.01.01").unwrap();
    let mut entries = c.down_to_the_tps();
    entries.truncate(9);
    // The kecamatan's shipments signed by another kecamatan's PPK and by
    // a key nobody registered; the kab/kota's by the supplier and (to
    // itself) by the KPU.
    entries.extend([
        shipped(KEC, DESA, &[("box", 1)], &c.other_ppk),
        shipped(KEC, DESA, &[("box", 1)], &stranger),
        shipped(KAB, KEC, &[("box", 1)], &c.supplier),
        shipped(KAB, KAB, &[("box", 1)], &c.kab),
    ]);
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (9, "signed by a ppk key registered for 11.01.01"),
            (10, "the key chain refuses its signer"),
            (11, "signed by a kpu-kabkota key registered for 11.01"),
            (12, "signed by a supplier key registered for 11.01"),
        ],
    );
    assert_eq!(replay.ledger.stats.logistics_refused, 4);
    assert!(stock(&replay, KEC).is_empty());
}

#[test]
fn a_shipment_that_skips_a_level_or_goes_up_is_refused() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.truncate(9);
    entries.extend([
        shipped(KAB, DESA, &[("box", 1)], &c.kab),
        shipped(KAB, "11.02.01", &[("box", 1)], &c.kab),
    ]);
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (9, "not from 11.01 to 11.01.01.2001"),
            (10, "not from 11.01 to 11.02.01"),
            (10, "11.02.01 is not in the published region list"),
        ],
    );
}

#[test]
fn an_office_never_ships_more_than_it_holds() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.truncate(9);
    // The kab/kota holds 300 ballots: 200, then 101 more, is one too many.
    entries.extend([
        shipped(KAB, KEC, &[("ballot-ppwp", 200)], &c.kab),
        shipped(KAB, "11.01.02", &[("ballot-ppwp", 101)], &c.kab),
        shipped(KAB, "11.01.02", &[("ink", 1)], &c.kab),
    ]);
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (10, "11.01 holds 100 of ballot-ppwp, not the 101 shipped"),
            (11, "11.01 holds 0 of ink, not the 1 shipped"),
        ],
    );
    assert_eq!(
        stock(&replay, KAB),
        [("ballot-ppwp".to_owned(), 100), ("box".to_owned(), 5)]
    );
}

#[test]
fn a_delivery_by_anyone_but_the_receiver_is_refused_and_stocks_nothing() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.truncate(10);
    let whole = [("ballot-ppwp", 300, 0), ("box", 5, 0)];
    // The kecamatan's shipment, "delivered" by its sender, by the desa's
    // PPS and by another kecamatan's PPK.
    entries.extend([
        delivered(9, &whole, &c.kab),
        delivered(9, &whole, &c.pps),
        delivered(9, &whole, &c.other_ppk),
    ]);
    let replay = run(entries, &c.root);
    let by_receiver = "is delivered by the ppk key registered for 11.01.01";
    assert_found(
        &replay,
        &[(10, by_receiver), (11, by_receiver), (12, by_receiver)],
    );
    assert!(stock(&replay, KEC).is_empty());
}

#[test]
fn a_delivery_that_does_not_account_for_every_item_shipped_is_refused() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.truncate(10);
    entries.extend([
        delivered(9, &[("ballot-ppwp", 300, 0)], &c.ppk),
        delivered(9, &[("ballot-ppwp", 290, 5), ("box", 5, 0)], &c.ppk),
        delivered(
            9,
            &[("ballot-ppwp", 300, 0), ("box", 5, 0), ("ink", 2, 0)],
            &c.ppk,
        ),
    ]);
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (10, "item box: 5 shipped, the delivery accounts for 0"),
            (
                11,
                "item ballot-ppwp: 300 shipped, the delivery accounts for 295",
            ),
            (12, "item ink: 0 shipped, the delivery accounts for 2"),
        ],
    );
    assert!(stock(&replay, KEC).is_empty());
}

#[test]
fn a_second_delivery_of_one_shipment_and_one_of_no_shipment_are_refused() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.extend([
        delivered(13, &[("ballot-ppwp", 300, 0), ("box", 5, 0)], &c.kpps),
        delivered(12, &[("ballot-ppwp", 300, 0), ("box", 5, 0)], &c.kpps),
    ]);
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (15, "shipment 13 was already delivered (log index 14)"),
            (16, "no shipment was logged at index 12"),
        ],
    );
    assert_eq!(
        stock(&replay, TPS),
        [("ballot-ppwp".to_owned(), 295), ("box".to_owned(), 5)]
    );
}

#[test]
fn quantities_changed_after_signing_fail_the_signature_and_the_stocks_follow_only_what_passed() {
    let c = Chain::new();
    let mut entries = c.down_to_the_tps();
    entries.truncate(9);
    // The kab/kota's delivery, its accepted ballots raised in the log
    // after the KPU signed 300: not applied, so the kab/kota holds none,
    // and its shipment of them fails for stock too.
    let mut forged: Value = serde_json::from_slice(&entries[8]).unwrap();
    forged["statement"]["items"]["ballot-ppwp"]["accepted"] = json!(3000);
    forged["statement"]["items"]["ballot-ppwp"]["rejected"] = json!(0);
    entries[8] = saksi_log::canonical_json(&forged).unwrap();
    entries.push(shipped(KAB, KEC, &[("ballot-ppwp", 300)], &c.kab));
    let replay = run(entries, &c.root);
    assert_found(
        &replay,
        &[
            (8, "the signature does not verify"),
            (8, "accounts for 3000"),
            (9, "11.01 holds 0 of ballot-ppwp"),
        ],
    );
    assert!(stock(&replay, KAB).is_empty());
}
