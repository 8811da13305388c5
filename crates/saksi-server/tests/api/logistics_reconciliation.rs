//! Every ballot accounted for after the count (README: Logistics): the
//! ballots a TPS accepted against its C.Hasil's ballot section, a
//! mismatch flagged on the TPS page and in the review queue with its
//! numbers, the counts rolled up per region and kept across a restart, and
//! the refusals of the endpoint.

use axum::http::{Method, StatusCode};
use saksi_api::{Reconciliation, ReviewQueue, TpsPage};
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::logistics::RejectReason;
use serde_json::Value;

use crate::helpers::*;
use crate::logistics_shipments::chain;

/// A PPWP form for `tps` of 200 voters (votes 100, 60, 40) whose ballot
/// section says `diterima` received and `used`, `unused`, `damaged`.
fn form(app: &TestApp, tps: RegionCode, [diterima, used, unused, damaged]: [u32; 4]) -> String {
    let mut form: Value = serde_json::from_str(&app.ppwp_form(tps, [100, 60, 40])).unwrap();
    for (name, n) in [
        ("surat_suara_diterima", diterima),
        ("surat_suara_digunakan", used),
        ("surat_suara_tidak_digunakan", unused),
        ("surat_suara_rusak", damaged),
    ] {
        form[name] = n.into();
    }
    form.to_string()
}

async fn reconciliation(app: &TestApp, contest: &str, code: &str) -> (StatusCode, Value) {
    let answer = app
        .get(&format!(
            "/api/v1/logistics/reconciliation/{contest}/{code}"
        ))
        .await;
    (answer.status, answer.json())
}

async fn reconciled(app: &TestApp, code: RegionCode) -> Reconciliation {
    let (status, body) = reconciliation(app, "ppwp", &code.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn ballots_that_do_not_add_up_are_flagged_with_their_numbers_and_counted_per_region() {
    let c = chain().await;
    c.stocked().await;
    let app = &c.app;
    let tree = &app.election.tree;
    let desa = tree.find(c.desa).unwrap();
    let others: Vec<RegionCode> = tree.children(desa).map(|t| tree.get(t).code).collect();
    assert!(others.len() >= 2, "the first desa has {} TPS", others.len());
    let (good, bad) = (c.tps, others[1]);
    let bad_kpps = app.kpps_device(bad).await;
    c.hand_over((c.kab, &c.kpu), (c.kec, &c.ppk), &[("ballot-ppwp", 600)])
        .await;
    c.hand_over((c.kec, &c.ppk), (c.desa, &c.pps), &[("ballot-ppwp", 600)])
        .await;
    c.hand_over((c.desa, &c.pps), (good, &c.kpps), &[("ballot-ppwp", 255)])
        .await;
    // The second TPS's box: 255 shipped, 5 rejected as damaged.
    let shipment = c.shipment(c.desa, bad, &[("ballot-ppwp", 255)]);
    let id = c.shipped(&shipment, &c.pps).await;
    let delivery = c.delivery(
        id,
        &shipment,
        &[("ballot-ppwp", 250, 5)],
        RejectReason::Damaged,
    );
    let answer = c.deliver(&delivery, &bad_kpps).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());

    // The first TPS accounts for its 255; the second writes 255 received
    // though 250 were accepted.
    for (tps, key, counts) in [
        (good, &c.kpps, [255, 200, 50, 5]),
        (bad, &bad_kpps, [255, 200, 52, 3]),
    ] {
        let answer = app
            .submit(key, tps, Contest::Ppwp, form(app, tps, counts))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }

    let nation = reconciled(app, RegionCode::NASIONAL).await;
    assert_eq!((nation.tps_reconciled, nation.tps_mismatched), (1, 1));
    assert_eq!(nation.contest, "ppwp");
    let mismatch = serde_json::to_value(&nation.mismatches).unwrap();
    assert_eq!(
        mismatch,
        serde_json::json!([{"tps": bad.to_string(), "received": 250, "used": 200,
            "unused": 52, "damaged": 3, "pengguna_total_j": 200}])
    );
    let province = c.kab.ancestor_at(Level::Provinsi).unwrap().to_string();
    let child = nation
        .children
        .iter()
        .find(|ch| ch.code == province)
        .unwrap();
    assert_eq!((child.tps_reconciled, child.tps_mismatched), (1, 1));
    let summed: u64 = nation.children.iter().map(|ch| ch.tps_mismatched).sum();
    assert_eq!(summed, 1, "national = sum of provinces");
    let at_good = reconciled(app, good).await;
    assert_eq!((at_good.tps_reconciled, at_good.tps_mismatched), (1, 0));
    assert!(at_good.children.is_empty() && at_good.mismatches.is_empty());
    let (status, body) = reconciliation(app, "dpr", &c.kab.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["tps_reconciled"].as_u64(),
            body["tps_mismatched"].as_u64()
        ),
        (Some(0), Some(0))
    );

    // The flag on the TPS page, with the numbers; none on the good one.
    let page: TpsPage = app.get(&format!("/api/v1/tps/{bad}")).await.typed();
    let flag = page
        .flags
        .iter()
        .find(|f| f.code == "ballots_unreconciled")
        .expect("flagged");
    assert_eq!(flag.contest, "ppwp");
    assert!(
        flag.message
            .contains("250 received but surat_suara_diterima is 255"),
        "{}",
        flag.message
    );
    let page: TpsPage = app.get(&format!("/api/v1/tps/{good}")).await.typed();
    assert!(page.flags.iter().all(|f| f.code != "ballots_unreconciled"));

    // And in the PPK's review queue, where it asks for attention.
    let ppk = app.account_token("ppk.kec", "ppk", c.kec, None, None);
    let answer = app
        .request(
            Method::GET,
            &format!("/api/v1/recap/ppwp/{}/queue", c.kec),
            &[("authorization", &format!("Bearer {ppk}"))],
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let queue: ReviewQueue = answer.typed();
    let row = queue.tps.iter().find(|t| t.tps == bad.to_string()).unwrap();
    assert!(row.flags.iter().any(|f| f.code == "ballots_unreconciled"));
    assert!(
        row.attention.iter().any(|a| a == "flags"),
        "{:?}",
        row.attention
    );

    // A restart rebuilds the counts from the stored forms and deliveries.
    let app = c.app.restart();
    let again = reconciled(&app, RegionCode::NASIONAL).await;
    assert_eq!(again, nation);
}

#[tokio::test]
async fn an_unknown_contest_or_region_is_refused() {
    let app = spawn_app();
    for (contest, code, status, error) in [
        ("pilkada", "0", StatusCode::NOT_FOUND, "contest.not_found"),
        ("ppwp", "99.99", StatusCode::NOT_FOUND, "region.not_found"),
        (
            "ppwp",
            "11.x",
            StatusCode::BAD_REQUEST,
            "region.invalid_code",
        ),
    ] {
        let (got, body) = reconciliation(&app, contest, code).await;
        assert_eq!(got, status, "{contest}/{code}: {body}");
        assert_eq!(body["error"]["code"], error, "{body}");
    }
    let nation = reconciled(&app, RegionCode::NASIONAL).await;
    assert_eq!((nation.tps_reconciled, nation.tps_mismatched), (0, 0));
    assert_eq!(
        nation.children.len(),
        app.election.tree.children(app.election.tree.root()).len()
    );
}
