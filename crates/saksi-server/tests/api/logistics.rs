//! `/api/v1/logistics/allocation`: public, a TPS's kit from its DPT and
//! contests, a region's the sum of its TPS', an override table served as
//! given.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use saksi_api::Allocation;
use saksi_core::logistics::{AllocationTable, DEFAULT_TABLE};
use saksi_core::{Contest, RegionCode};
use saksi_server::Config;

use crate::helpers::*;

async fn allocation(app: &TestApp, code: RegionCode) -> Allocation {
    let r = app
        .get(&format!("/api/v1/logistics/allocation/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    r.typed()
}

#[tokio::test]
async fn a_tps_gets_ballots_for_its_dpt_plus_two_percent_for_each_contest_held() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let id = app.election.tree.find(tps).unwrap();
    let dpt = u64::from(app.election.tree.get(id).dpt.total());
    let kit = allocation(&app, tps).await;
    assert_eq!(kit.code, tps.to_string());
    let held = Contest::ALL
        .into_iter()
        .filter(|c| app.election.holds(id, *c))
        .count() as u64;
    assert_eq!(held, 5, "Aceh holds every contest");
    for contest in Contest::ALL {
        assert_eq!(
            kit.items[&format!("ballot-{}", contest.id())],
            (dpt * 102).div_ceil(100)
        );
        assert_eq!(kit.items[&format!("form-{}", contest.id())], 2);
    }
    assert_eq!(kit.items["box"], 5);
    assert_eq!(kit.items["seal"], 5);
    assert_eq!(kit.items["booth"], 4);
    assert_eq!(kit.items["ink"], 2);
    assert_eq!(kit.items["braille-ppwp"], 1);
    assert_eq!(kit.items["braille-dpd"], 1);
    assert!(!kit.items.contains_key("pos-envelope"), "{:?}", kit.items);

    // Compact codes name the same TPS; Jakarta's TPS have no DPRD Kab/Kota.
    let compact = app
        .get(&format!("/api/v1/logistics/allocation/{}", tps.compact()))
        .await;
    assert_eq!(compact.typed::<Allocation>(), kit);
    let jakarta = allocation(&app, app.first_tps(TestApp::code("31"))).await;
    assert_eq!(jakarta.items["box"], 4);
    assert!(!jakarta.items.contains_key("ballot-dprd-kabkota"));
}

#[tokio::test]
async fn a_regions_allocation_is_the_sum_over_its_tps_and_unknown_regions_are_refused() {
    let app = spawn_app();
    let desa = app.first_tps(TestApp::code("11")).parent().unwrap();
    let mut sum: BTreeMap<String, u64> = BTreeMap::new();
    for tps in app
        .election
        .tree
        .children(app.election.tree.find(desa).unwrap())
    {
        let code = app.election.tree.get(tps).code;
        for (item, n) in allocation(&app, code).await.items {
            *sum.entry(item).or_default() += n;
        }
    }
    assert_eq!(allocation(&app, desa).await.items, sum);
    let national = allocation(&app, RegionCode::NASIONAL).await;
    assert_eq!(national.code, "0");
    assert!(national.items["ballot-ppwp"] > national.items["ballot-dprd-kabkota"]);

    let missing = app.get("/api/v1/logistics/allocation/11.99").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "region.not_found");
    let malformed = app.get("/api/v1/logistics/allocation/11.x").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "region.invalid_code");
}

#[tokio::test]
async fn an_allocation_table_given_to_the_server_sets_the_quantities() {
    let table = DEFAULT_TABLE.replacen(
        r#"{ "item": "booth", "fixed": 4 },"#,
        r#"{ "item": "booth", "fixed": 6 }, { "item": "lamp", "fixed": 1 },"#,
        1,
    );
    let app = spawn_app_with(Config {
        allocation: Arc::new(AllocationTable::parse(&table).unwrap()),
        ..Config::default()
    });
    let kit = allocation(&app, app.first_tps(TestApp::code("11"))).await;
    assert_eq!(kit.items["booth"], 6);
    assert_eq!(kit.items["lamp"], 1);
}
