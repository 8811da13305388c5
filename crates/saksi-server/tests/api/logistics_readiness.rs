//! Readiness (docs/logistics.md, "Readiness"): a TPS ready once its whole
//! kit is delivered into it and not before (stock at the offices above
//! does not count), a region's counts and shortfalls, a rejected item
//! leaving a shortfall, the TPS page's `logistics`, the counters rebuilt
//! by a restart, and a shipment overdue only once its receiving level's
//! deadline has passed on the server's clock.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use saksi_api::{Allocation, Readiness, ReadinessCounts, TpsPage};
use saksi_core::RegionCode;
use saksi_core::logistics::{Deadlines, PollingDay};
use saksi_core::time::UnixTime;
use saksi_server::Config;
use saksi_server::clock::Clock;
use saksi_statement::logistics::RejectReason;

use crate::helpers::*;
use crate::logistics_shipments::{Chain, chain, chain_with};

async fn readiness(app: &TestApp, code: RegionCode) -> Readiness {
    let r = app
        .get(&format!("/api/v1/logistics/readiness/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let readiness: Readiness = r.typed();
    assert_eq!(readiness.counts.code, code.to_string());
    readiness
}

async fn allocation(app: &TestApp, code: RegionCode) -> BTreeMap<String, u64> {
    let r = app
        .get(&format!("/api/v1/logistics/allocation/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    r.typed::<Allocation>().items
}

async fn tps_page(app: &TestApp, tps: RegionCode) -> TpsPage {
    let r = app.get(&format!("/api/v1/tps/{tps}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    r.typed()
}

/// `a` minus `b`, item by item, leaving out what comes to nothing.
fn minus(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    a.iter()
        .map(|(item, n)| (item.clone(), n - b.get(item).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn as_pairs(items: &BTreeMap<String, u64>) -> Vec<(&str, u64)> {
    items.iter().map(|(i, n)| (i.as_str(), *n)).collect()
}

impl Chain {
    /// `kit` from the supplier down to the PPS, each step delivered whole:
    /// the desa's PPS holds it, ready to ship to the TPS.
    async fn down_to_the_desa(&self, kit: &[(&str, u64)]) {
        self.hand_over((self.kab, &self.supplier), (self.kab, &self.kpu), kit)
            .await;
        self.hand_over((self.kab, &self.kpu), (self.kec, &self.ppk), kit)
            .await;
        self.hand_over((self.kec, &self.ppk), (self.desa, &self.pps), kit)
            .await;
    }

    /// The counts of `code` among `of`'s children.
    fn child<'a>(&self, of: &'a Readiness, code: RegionCode) -> &'a ReadinessCounts {
        of.children
            .iter()
            .find(|c| c.code == code.to_string())
            .unwrap_or_else(|| panic!("{code} is not a child of {}", of.counts.code))
    }
}

#[tokio::test]
async fn a_tps_is_ready_once_its_whole_kit_is_delivered_into_it_and_its_regions_count_it() {
    let c = chain().await;
    let app = &c.app;
    let tree = &app.election.tree;
    let kit = allocation(app, c.tps).await;
    let desa_kit = allocation(app, c.desa).await;
    let tps_in_desa = tree.children(tree.find(c.desa).unwrap()).count() as u64;
    assert!(tps_in_desa > 1, "the test needs a second TPS in the desa");
    let all_tps = tree.tps_ids().count() as u64;

    let before = readiness(app, c.tps).await;
    assert_eq!(
        (before.counts.tps_ready, before.counts.tps_expected),
        (0, 1)
    );
    assert_eq!(before.counts.shortfall, kit, "nothing arrived: all of it");
    assert_eq!(before.counts.overdue, 0);
    assert!(before.children.is_empty());
    let desa = readiness(app, c.desa).await;
    assert_eq!(
        (desa.counts.tps_ready, desa.counts.tps_expected),
        (0, tps_in_desa)
    );
    assert_eq!(desa.counts.shortfall, desa_kit);
    assert_eq!(desa.children.len() as u64, tps_in_desa);
    assert_eq!(c.child(&desa, c.tps).shortfall, kit);
    let national = readiness(app, RegionCode::NASIONAL).await;
    assert_eq!(
        (national.counts.tps_ready, national.counts.tps_expected),
        (0, all_tps)
    );
    assert_eq!(
        national
            .children
            .iter()
            .map(|p| p.tps_expected)
            .sum::<u64>(),
        all_tps
    );
    assert_eq!(
        national.counts.shortfall,
        allocation(app, RegionCode::NASIONAL).await
    );
    assert!(!tps_page(app, c.tps).await.logistics.ready);

    // The kit held by the offices above is no TPS's: nothing changes.
    c.down_to_the_desa(&as_pairs(&kit)).await;
    assert_eq!(readiness(app, c.desa).await, desa);
    assert_eq!(readiness(app, c.tps).await, before);

    c.hand_over((c.desa, &c.pps), (c.tps, &c.kpps), &as_pairs(&kit))
        .await;
    let ready = readiness(app, c.tps).await;
    assert_eq!((ready.counts.tps_ready, ready.counts.tps_expected), (1, 1));
    assert!(ready.counts.shortfall.is_empty(), "{:?}", ready.counts);
    let desa = readiness(app, c.desa).await;
    assert_eq!(
        (desa.counts.tps_ready, desa.counts.tps_expected),
        (1, tps_in_desa)
    );
    assert_eq!(desa.counts.shortfall, minus(&desa_kit, &kit));
    assert_eq!(c.child(&desa, c.tps).tps_ready, 1);
    for region in [c.kec, c.kab, c.kab.parent().unwrap(), RegionCode::NASIONAL] {
        let r = readiness(app, region).await;
        assert_eq!(r.counts.tps_ready, 1, "{region}");
        let kit_there = allocation(app, region).await;
        assert_eq!(r.counts.shortfall, minus(&kit_there, &kit), "{region}");
    }
    let page = tps_page(app, c.tps).await;
    assert!(page.logistics.ready);
    assert_eq!(page.logistics.received, kit);

    // A restart counts the same from the log.
    let answers = [
        readiness(app, c.tps).await,
        readiness(app, c.desa).await,
        readiness(app, RegionCode::NASIONAL).await,
    ];
    let c = Chain {
        app: c.app.restart(),
        ..c
    };
    for (code, answer) in [c.tps, c.desa, RegionCode::NASIONAL]
        .into_iter()
        .zip(answers)
    {
        assert_eq!(readiness(&c.app, code).await, answer, "{code}");
    }
    assert!(tps_page(&c.app, c.tps).await.logistics.ready);
}

#[tokio::test]
async fn a_rejected_item_leaves_its_tps_short_until_a_replacement_is_delivered() {
    let c = chain().await;
    let app = &c.app;
    let kit = allocation(app, c.tps).await;
    let mut spare = kit.clone();
    *spare.get_mut("box").unwrap() += 1;
    c.down_to_the_desa(&as_pairs(&spare)).await;
    let shipment = c.shipment(c.desa, c.tps, &as_pairs(&kit));
    let id = c.shipped(&shipment, &c.pps).await;
    let one_damaged: Vec<(&str, u64, u64)> = kit
        .iter()
        .map(|(i, n)| {
            (
                i.as_str(),
                if i == "box" { n - 1 } else { *n },
                u64::from(i == "box"),
            )
        })
        .collect();
    let delivery = c.delivery(id, &shipment, &one_damaged, RejectReason::Damaged);
    let answer = c.deliver(&delivery, &c.kpps).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());

    let short = readiness(app, c.tps).await;
    assert_eq!(short.counts.tps_ready, 0);
    assert_eq!(short.counts.shortfall, BTreeMap::from([("box".into(), 1)]));
    let page = tps_page(app, c.tps).await;
    assert!(!page.logistics.ready);
    assert_eq!(page.logistics.received["box"], kit["box"] - 1);
    let desa = readiness(app, c.desa).await;
    assert_eq!(desa.counts.tps_ready, 0);
    assert_eq!(
        desa.counts.shortfall,
        minus(
            &allocation(app, c.desa).await,
            &minus(&kit, &BTreeMap::from([("box".into(), 1)]))
        )
    );

    c.hand_over((c.desa, &c.pps), (c.tps, &c.kpps), &[("box", 1)])
        .await;
    let ready = readiness(app, c.tps).await;
    assert_eq!(ready.counts.tps_ready, 1);
    assert!(ready.counts.shortfall.is_empty());
    assert!(tps_page(app, c.tps).await.logistics.ready);
    assert_eq!(readiness(app, c.desa).await.counts.tps_ready, 1);
}

#[tokio::test]
async fn a_shipment_not_delivered_is_overdue_once_its_level_s_deadline_has_passed_and_not_before() {
    // Polling day 11 and a half days ahead: the kab/kota's deadline (10
    // days before) falls 12 to 36 hours from now, the kecamatan's (3
    // days) a week later.
    let start = UnixTime(now());
    let day = PollingDay::containing(start.plus(11 * 86_400 + 12 * 3600));
    let [kab_deadline, kec_deadline, ..] = Deadlines::default().on(day);
    let c = chain_with(Config {
        polling_day: day,
        ..Config::default()
    })
    .await;
    let app = &c.app;
    let province = c.kab.parent().unwrap();
    let overdue = |r: &Readiness| r.counts.overdue;
    let from_printer = c.shipment(c.kab, c.kab, &[("box", 10)]);
    let printed = c.shipped(&from_printer, &c.supplier).await;

    let to = |t: UnixTime| app.clock.advance(t.0 - app.clock.now().0);
    to(kab_deadline);
    for region in [c.kab, province, RegionCode::NASIONAL] {
        assert_eq!(
            overdue(&readiness(app, region).await),
            0,
            "{region} at the deadline"
        );
    }
    to(kab_deadline.plus(1));
    for region in [c.kab, province, RegionCode::NASIONAL] {
        assert_eq!(
            overdue(&readiness(app, region).await),
            1,
            "{region} past it"
        );
    }
    let national = readiness(app, RegionCode::NASIONAL).await;
    assert_eq!(c.child(&national, province).overdue, 1);
    assert_eq!(
        national.children.iter().map(|p| p.overdue).sum::<u64>(),
        1,
        "only its own province"
    );
    assert_eq!(
        overdue(&readiness(app, c.kec).await),
        0,
        "below the receiver"
    );

    // Delivered late, it is no longer overdue; a shipment on to the
    // kecamatan is not overdue until the kecamatan's deadline.
    let whole = c.delivery(
        printed,
        &from_printer,
        &[("box", 10, 0)],
        RejectReason::Damaged,
    );
    let answer = c.deliver(&whole, &c.kpu).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(overdue(&readiness(app, RegionCode::NASIONAL).await), 0);
    c.shipped(&c.shipment(c.kab, c.kec, &[("box", 4)]), &c.kpu)
        .await;
    to(kec_deadline);
    assert_eq!(overdue(&readiness(app, c.kab).await), 0);
    to(kec_deadline.plus(1));
    let kab = readiness(app, c.kab).await;
    assert_eq!(overdue(&kab), 1);
    assert_eq!(c.child(&kab, c.kec).overdue, 1);
    assert_eq!(overdue(&readiness(app, c.kec).await), 1);
    assert_eq!(overdue(&readiness(app, c.desa).await), 0);
}

#[tokio::test]
async fn readiness_is_a_public_read_of_known_regions() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let compact = app
        .get(&format!("/api/v1/logistics/readiness/{}", tps.compact()))
        .await;
    assert_eq!(compact.typed::<Readiness>(), readiness(&app, tps).await);
    let missing = app.get("/api/v1/logistics/readiness/11.99").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "region.not_found");
    let malformed = app.get("/api/v1/logistics/readiness/11.x").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "region.invalid_code");
}
