//! Shipments and proofs of delivery (README: Logistics): a kit from the
//! printer down to a TPS, each step signed by the sending office and
//! delivered by the receiving one, the stocks after each step, a damaged
//! box leaving the TPS short of its allocation; a restart keeping all of
//! it; and every refusal of the chain's rules with its stable code and
//! nothing stored.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use saksi_api::{RecapAccepted, Shipment, Stock};
use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Config;
use saksi_statement::logistics::{Received, RejectReason};
use saksi_statement::{DeliveryStatement, KeyRole, ShipmentStatement};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::signoff::signed;

/// Where shipments are posted.
pub(crate) const SHIPMENTS: &str = "/api/v1/logistics/shipments";

/// The delivery endpoint of shipment `id`.
pub(crate) fn delivery_uri(id: u64) -> String {
    format!("{SHIPMENTS}/{id}/delivery")
}

/// A test app with the chain of offices above its first TPS and their
/// keys: a supplier of the kab/kota, the KPU Kab/Kota, the PPK, the PPS
/// and the TPS's KPPS device.
pub(crate) struct Chain {
    pub app: TestApp,
    pub kab: RegionCode,
    pub kec: RegionCode,
    pub desa: RegionCode,
    pub tps: RegionCode,
    pub supplier: Signer,
    pub kpu: Signer,
    pub ppk: Signer,
    pub pps: Signer,
    pub kpps: Signer,
}

pub(crate) async fn chain() -> Chain {
    chain_with(Config::default()).await
}

/// [`chain`] on a server with these settings.
pub(crate) async fn chain_with(config: Config) -> Chain {
    let app = spawn_app_with(config);
    let tps = app.first_tps(TestApp::code("11"));
    let desa = tps.parent().unwrap();
    let kec = desa.parent().unwrap();
    let kab = kec.parent().unwrap();
    let kpu = app.kabkota_officer(kab).await;
    let supplier = app.officer_key(KeyRole::Supplier, kab).await;
    let ppk = app.officer_key(KeyRole::Ppk, kec).await;
    let pps = app.officer_key(KeyRole::Pps, desa).await;
    let kpps = app.kpps_device(tps).await;
    Chain {
        app,
        kab,
        kec,
        desa,
        tps,
        supplier,
        kpu,
        ppk,
        pps,
        kpps,
    }
}

impl Chain {
    /// A shipment statement dispatched now, due in two days, sealed with
    /// two seals.
    pub fn shipment(
        &self,
        from: RegionCode,
        to: RegionCode,
        items: &[(&str, u64)],
    ) -> ShipmentStatement {
        ShipmentStatement {
            origin: ORIGIN.into(),
            from,
            to,
            items: items.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect(),
            seals: vec![format!("KPU-{from}-1"), format!("KPU-{from}-2")],
            dispatched_at: UnixTime(now()),
            due_at: UnixTime(now() + 2 * 86_400),
            signed_at: UnixTime(now()),
        }
    }

    /// The delivery of shipment `id`: (item, accepted, rejected) with
    /// `reason` for what was rejected, every seal found intact.
    pub fn delivery(
        &self,
        id: u64,
        shipment: &ShipmentStatement,
        items: &[(&str, u64, u64)],
        reason: RejectReason,
    ) -> DeliveryStatement {
        DeliveryStatement {
            origin: ORIGIN.into(),
            shipment: id,
            items: items
                .iter()
                .map(|(item, accepted, rejected)| {
                    let received = Received {
                        accepted: *accepted,
                        rejected: *rejected,
                        reason: (*rejected > 0).then_some(reason),
                    };
                    ((*item).to_owned(), received)
                })
                .collect(),
            seals_checked: shipment.seals.clone(),
            photos: vec![],
            received_at: UnixTime(now()),
            signed_at: UnixTime(now()),
        }
    }

    /// Posts a shipment signed by `by`.
    pub async fn ship(&self, statement: &ShipmentStatement, by: &Signer) -> Answer {
        self.post(SHIPMENTS, signed(&statement.to_object(), by))
            .await
    }

    /// Posts a delivery signed by `by`.
    pub async fn deliver(&self, statement: &DeliveryStatement, by: &Signer) -> Answer {
        let uri = delivery_uri(statement.shipment);
        self.post(&uri, signed(&statement.to_object(), by)).await
    }

    async fn post(&self, uri: &str, body: Value) -> Answer {
        let headers = [("content-type", "application/json")];
        self.app
            .request(Method::POST, uri, &headers, body.to_string())
            .await
    }

    /// [`Chain::ship`], which must be accepted: the shipment's id.
    pub async fn shipped(&self, statement: &ShipmentStatement, by: &Signer) -> u64 {
        let answer = self.ship(statement, by).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        answer.typed::<RecapAccepted>().log_index
    }

    /// Ships `items` from `from` to `to` signed by `sender` and delivers
    /// all of it signed by `receiver`: the shipment's id.
    pub async fn hand_over(
        &self,
        (from, sender): (RegionCode, &Signer),
        (to, receiver): (RegionCode, &Signer),
        items: &[(&str, u64)],
    ) -> u64 {
        let shipment = self.shipment(from, to, items);
        let id = self.shipped(&shipment, sender).await;
        let whole: Vec<(&str, u64, u64)> = items.iter().map(|(i, n)| (*i, *n, 0)).collect();
        let delivery = self.delivery(id, &shipment, &whole, RejectReason::Damaged);
        let answer = self.deliver(&delivery, receiver).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        id
    }

    /// The supplier's kit delivered to the kab/kota's warehouse: 1,000
    /// ballots, 10 boxes, 4 bottles of ink.
    pub async fn stocked(&self) {
        self.hand_over(
            (self.kab, &self.supplier),
            (self.kab, &self.kpu),
            &[("ballot-ppwp", 1000), ("box", 10), ("ink", 4)],
        )
        .await;
    }

    pub async fn stock(&self, code: RegionCode) -> BTreeMap<String, u64> {
        let answer = self
            .app
            .get(&format!("/api/v1/logistics/stock/{code}"))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        let stock: Stock = answer.typed();
        assert_eq!(stock.code, code.to_string());
        stock.items
    }

    async fn shipment_page(&self, id: u64) -> Shipment {
        let answer = self.app.get(&format!("{SHIPMENTS}/{id}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        answer.typed()
    }

    fn log_size(&self) -> u64 {
        self.app.store.log_size().unwrap()
    }
}

fn items(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect()
}

#[tokio::test]
async fn a_kit_goes_from_the_printer_down_to_the_tps_and_a_damaged_box_leaves_it_short() {
    let c = chain().await;
    let allocation: saksi_api::Allocation = c
        .app
        .get(&format!("/api/v1/logistics/allocation/{}", c.tps))
        .await
        .typed();
    let ballots = allocation.items["ballot-ppwp"];
    let kit = [("ballot-ppwp", ballots), ("box", 5), ("ink", 2)];
    // The printer's two kits reach the kab/kota's warehouse.
    let double: Vec<(&str, u64)> = kit.iter().map(|(i, n)| (*i, 2 * n)).collect();
    c.hand_over((c.kab, &c.supplier), (c.kab, &c.kpu), &double)
        .await;
    assert_eq!(c.stock(c.kab).await, items(&double));
    // One kit down to the kecamatan: out of the warehouse at dispatch, in
    // the PPK's stock on delivery.
    let to_kec = c.shipment(c.kab, c.kec, &kit);
    let id = c.shipped(&to_kec, &c.kpu).await;
    assert_eq!(c.stock(c.kab).await, items(&kit));
    assert!(c.stock(c.kec).await.is_empty(), "in transit: nobody's");
    let page = c.shipment_page(id).await;
    assert_eq!((page.id, page.log_index), (id, id));
    assert_eq!(page.from, c.kab.to_string());
    assert_eq!(page.items, items(&kit));
    assert!(page.delivery.is_none());
    let whole: Vec<(&str, u64, u64)> = kit.iter().map(|(i, n)| (*i, *n, 0)).collect();
    let delivery = c.delivery(id, &to_kec, &whole, RejectReason::Damaged);
    let answer = c.deliver(&delivery, &c.ppk).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(c.stock(c.kec).await, items(&kit));
    // A retry of the same delivery is answered as the first, storing
    // nothing.
    let size = c.log_size();
    let again = c.deliver(&delivery, &c.ppk).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, answer.body);
    assert_eq!(c.log_size(), size);
    // On to the desa.
    c.hand_over((c.kec, &c.ppk), (c.desa, &c.pps), &kit).await;
    assert!(c.stock(c.kec).await.is_empty());
    assert_eq!(c.stock(c.desa).await, items(&kit));
    // And to the TPS, where the KPPS finds one box of 50 ballots wet, a
    // seal broken, and photographs it.
    let to_tps = c.shipment(c.desa, c.tps, &kit);
    let id = c.shipped(&to_tps, &c.pps).await;
    let photo = jpeg(7);
    let mut delivery = c.delivery(
        id,
        &to_tps,
        &[
            ("ballot-ppwp", ballots - 50, 50),
            ("box", 5, 0),
            ("ink", 2, 0),
        ],
        RejectReason::Damaged,
    );
    delivery.seals_checked.truncate(1);
    delivery.photos = vec![sha256(&photo)];
    let answer = c.deliver(&delivery, &c.kpps).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let stored = c.app.put_photo(&hex::encode(sha256(&photo)), photo).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.json());
    let held = c.stock(c.tps).await;
    assert_eq!(held["ballot-ppwp"], ballots - 50);
    assert!(
        held["ballot-ppwp"] < allocation.items["ballot-ppwp"],
        "short of its allocation"
    );
    let page = c.shipment_page(id).await;
    let delivered = page.delivery.clone().unwrap();
    assert_eq!(
        delivered.log_index,
        answer.typed::<RecapAccepted>().log_index
    );
    let ballots_in = &delivered.items["ballot-ppwp"];
    assert_eq!(
        (ballots_in.accepted, ballots_in.rejected),
        (ballots - 50, 50)
    );
    assert_eq!(ballots_in.reason.as_deref(), Some("damaged"));
    assert_eq!(delivered.items["box"].reason, None);
    assert_eq!(delivered.seals_missing, [to_tps.seals[1].clone()]);
    assert_eq!(delivered.photos, [hex::encode(sha256(&jpeg(7)))]);
    // A restart rebuilds every stock and shipment from the log.
    let stocks = [
        c.stock(c.kab).await,
        c.stock(c.kec).await,
        c.stock(c.desa).await,
        held,
    ];
    let c = Chain {
        app: c.app.restart(),
        ..c
    };
    for (office, stock) in [c.kab, c.kec, c.desa, c.tps].into_iter().zip(stocks) {
        assert_eq!(c.stock(office).await, stock, "{office}");
    }
    assert_eq!(c.shipment_page(id).await, page);
    let mut second = delivery.clone();
    second.signed_at = UnixTime(now() + 1);
    let answer = c.deliver(&second, &c.kpps).await;
    assert_eq!(answer.code(), "logistics.already_delivered");
}

/// Asserts `answer` is the refusal `code` with `status` and that the log
/// did not grow.
fn refused(c: &Chain, size: u64, answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (status, code),
        "{}",
        answer.json()
    );
    assert_eq!(c.log_size(), size, "{code} stored something");
}

#[tokio::test]
async fn a_shipment_from_another_office_or_past_the_next_level_or_the_stock_is_refused() {
    let c = chain().await;
    c.stocked().await;
    let size = c.log_size();
    let kit = [("ballot-ppwp", 100)];
    // From the kab/kota's warehouse, signed by the PPK, the supplier, the
    // PPS; from the desa by a PPS of another desa.
    for by in [&c.ppk, &c.supplier, &c.pps] {
        let answer = c.ship(&c.shipment(c.kab, c.kec, &kit), by).await;
        refused(
            &c,
            size,
            &answer,
            StatusCode::FORBIDDEN,
            "logistics.not_sender",
        );
    }
    let other_desa = c
        .app
        .election
        .tree
        .iter()
        .map(|(_, region)| region.code)
        .find(|code| code.level() == Level::Desa && *code != c.desa)
        .unwrap();
    let stranger = c.app.officer_key(KeyRole::Pps, other_desa).await;
    let size = c.log_size();
    let answer = c.ship(&c.shipment(c.desa, c.tps, &kit), &stranger).await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::FORBIDDEN,
        "logistics.not_sender",
    );
    // Skipping the kecamatan, sideways, and a KPU key to its own kab/kota.
    for (from, to) in [(c.kab, c.desa), (c.kab, c.tps), (c.kab, c.kab)] {
        let answer = c.ship(&c.shipment(from, to, &kit), &c.kpu).await;
        let code = if from == to {
            "logistics.not_sender"
        } else {
            "logistics.not_next_level"
        };
        let status = if from == to {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        refused(&c, size, &answer, status, code);
    }
    // More than the warehouse holds.
    let answer = c
        .ship(&c.shipment(c.kab, c.kec, &[("box", 5), ("ink", 5)]), &c.kpu)
        .await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::CONFLICT,
        "logistics.insufficient_stock",
    );
    assert_eq!(
        answer.json()["error"]["details"],
        json!({"item": "ink", "held": 4, "asked": 5})
    );
    // An item the allocation table does not name, a region the election
    // lacks, a key nobody registered.
    let answer = c
        .ship(&c.shipment(c.kab, c.kec, &[("ballot-pilkada", 1)]), &c.kpu)
        .await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "logistics.unknown_item",
    );
    let nowhere = RegionCode::parse(&format!("{}.99", c.kab)).unwrap();
    let answer = c.ship(&c.shipment(c.kab, nowhere, &kit), &c.kpu).await;
    refused(&c, size, &answer, StatusCode::NOT_FOUND, "region.not_found");
    let unknown = Signer::generate(&format!("kpu-kabkota-{}", c.kab)).unwrap();
    let answer = c.ship(&c.shipment(c.kab, c.kec, &kit), &unknown).await;
    refused(&c, size, &answer, StatusCode::UNAUTHORIZED, "key.unknown");
    assert_eq!(c.stock(c.kab).await["ballot-ppwp"], 1000);
}

#[tokio::test]
async fn negative_zero_or_absurd_quantities_and_malformed_seals_are_refused() {
    let c = chain().await;
    c.stocked().await;
    let size = c.log_size();
    let good = c.shipment(c.kab, c.kec, &[("box", 1)]);
    let mut cases: Vec<serde_json::Map<String, Value>> = Vec::new();
    for n in [json!(0), json!(-5), json!(1_000_001), json!("3")] {
        let mut s = good.to_object();
        s["items"] = json!({"box": n});
        cases.push(s);
    }
    for (member, value) in [
        ("items", json!({})),
        ("seals", json!(["KPU-1", "KPU-1"])),
        ("seals", json!(["KPU 1"])),
        ("due_at", json!("2000-01-01T00:00:00Z")),
    ] {
        let mut s = good.to_object();
        s[member] = value;
        cases.push(s);
    }
    for statement in cases {
        let body = signed(&statement, &c.kpu);
        let answer = c.post(SHIPMENTS, body).await;
        refused(
            &c,
            size,
            &answer,
            StatusCode::BAD_REQUEST,
            "statement.malformed",
        );
    }
}

#[tokio::test]
async fn a_delivery_is_the_receiver_s_once_and_accounts_for_every_item_shipped() {
    let c = chain().await;
    c.stocked().await;
    let kit = [("ballot-ppwp", 300), ("box", 5)];
    let shipment = c.shipment(c.kab, c.kec, &kit);
    let id = c.shipped(&shipment, &c.kpu).await;
    let size = c.log_size();
    let whole = c.delivery(
        id,
        &shipment,
        &[("ballot-ppwp", 300, 0), ("box", 5, 0)],
        RejectReason::Short,
    );
    // By the sender, the PPS below, the supplier.
    for by in [&c.kpu, &c.pps, &c.supplier] {
        let answer = c.deliver(&whole, by).await;
        refused(
            &c,
            size,
            &answer,
            StatusCode::FORBIDDEN,
            "logistics.not_receiver",
        );
    }
    // Not adding up: short without saying so, an item left out, one
    // never shipped.
    for (items, item) in [
        (vec![("ballot-ppwp", 290, 0), ("box", 5, 0)], "ballot-ppwp"),
        (vec![("ballot-ppwp", 300, 0)], "box"),
        (
            vec![("ballot-ppwp", 300, 0), ("box", 5, 0), ("ink", 1, 0)],
            "ink",
        ),
    ] {
        let answer = c
            .deliver(
                &c.delivery(id, &shipment, &items, RejectReason::Short),
                &c.ppk,
            )
            .await;
        refused(
            &c,
            size,
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "logistics.items_mismatch",
        );
        assert_eq!(answer.json()["error"]["details"]["item"], item);
    }
    // A seal that was not shipped, a negative count, a rejection without
    // its reason.
    let mut forged_seal = whole.clone();
    forged_seal.seals_checked.push("KPU-lain".into());
    let answer = c.deliver(&forged_seal, &c.ppk).await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "logistics.seal_not_shipped",
    );
    for received in [
        json!({"accepted": -1, "rejected": 301, "reason": "short"}),
        json!({"accepted": 290, "rejected": 10}),
    ] {
        let mut statement = whole.to_object();
        statement["items"]["ballot-ppwp"] = received;
        let answer = c.post(&delivery_uri(id), signed(&statement, &c.ppk)).await;
        refused(
            &c,
            size,
            &answer,
            StatusCode::BAD_REQUEST,
            "statement.malformed",
        );
    }
    // Another shipment's id in the URL, and an index that is no shipment.
    let answer = c
        .post(&delivery_uri(id + 1), signed(&whole.to_object(), &c.ppk))
        .await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "statement.path_mismatch",
    );
    let mut of_a_key = whole.clone();
    of_a_key.shipment = 0;
    let answer = c.deliver(&of_a_key, &c.ppk).await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::NOT_FOUND,
        "logistics.shipment_not_found",
    );
    // The receiver, once: 90 short stated as such.
    let short = c.delivery(
        id,
        &shipment,
        &[("ballot-ppwp", 210, 90), ("box", 5, 0)],
        RejectReason::Short,
    );
    let answer = c.deliver(&short, &c.ppk).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(
        c.stock(c.kec).await,
        items(&[("ballot-ppwp", 210), ("box", 5)])
    );
    let size = c.log_size();
    let answer = c.deliver(&whole, &c.ppk).await;
    refused(
        &c,
        size,
        &answer,
        StatusCode::CONFLICT,
        "logistics.already_delivered",
    );
    assert_eq!(
        answer.json()["error"]["details"]["delivery_log_index"],
        size - 1
    );
}

#[tokio::test]
async fn shipments_and_stocks_are_public_reads_of_known_ids_and_regions() {
    let c = chain().await;
    for (uri, status, code) in [
        (
            format!("{SHIPMENTS}/0"),
            StatusCode::NOT_FOUND,
            "logistics.shipment_not_found",
        ),
        (
            format!("{SHIPMENTS}/x"),
            StatusCode::NOT_FOUND,
            "logistics.shipment_not_found",
        ),
        (
            "/api/v1/logistics/stock/11.99".to_owned(),
            StatusCode::NOT_FOUND,
            "region.not_found",
        ),
        (
            "/api/v1/logistics/stock/x".to_owned(),
            StatusCode::BAD_REQUEST,
            "region.invalid_code",
        ),
    ] {
        let answer = c.app.get(&uri).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (status, code),
            "{uri}"
        );
    }
    assert!(c.stock(RegionCode::NASIONAL).await.is_empty());
}
