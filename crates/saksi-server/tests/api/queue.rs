//! A kecamatan's review queue through the API: every TPS holding the
//! contest, those needing the PPK's attention first (an open objection,
//! then a TPS with no form and no reason), a recorded reason for no form
//! shown and settling the TPS, the current versions as the TPS page gives
//! them; read by the staff of a region holding the kecamatan and refused
//! to anyone else.

use axum::http::{Method, StatusCode};
use saksi_api::ReviewQueue;
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::{KeyRole, NoFormReason, NoFormStatement};
use saksi_store::Store;
use serde_json::Value;

use crate::helpers::{Answer, ORIGIN, TestApp, now, spawn_app};
use crate::incidents::post;
use crate::review::objection;
use crate::signoff::signed;

async fn queue(app: &TestApp, kecamatan: RegionCode, token: Option<&str>) -> Answer {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    app.request(
        Method::GET,
        &format!("/api/v1/recap/ppwp/{kecamatan}/queue"),
        &headers,
        "",
    )
    .await
}

/// The TPS of `kecamatan`, in code order.
fn tps_of(app: &TestApp, kecamatan: RegionCode) -> Vec<RegionCode> {
    let tree = &app.election.tree;
    let mut all: Vec<RegionCode> = tree
        .children(tree.find(kecamatan).unwrap())
        .flat_map(|d| tree.children(d))
        .map(|t| tree.get(t).code)
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn the_queue_lists_every_tps_with_those_needing_attention_first() {
    let app = spawn_app();
    let first = app.first_tps(RegionCode::NASIONAL);
    let kecamatan = first.ancestor_at(Level::Kecamatan).unwrap();
    let kabkota = first.ancestor_at(Level::Kabkota).unwrap();
    let all = tps_of(&app, kecamatan);
    assert!(all.len() >= 4, "{} TPS", all.len());
    // The last TPS has no form and no reason; the one before it was not
    // held, and says so; every other one sent its form.
    let missing = all[all.len() - 1];
    let not_held = all[all.len() - 2];
    for (seed, t) in (1..).zip(&all[..all.len() - 2]) {
        let kpps = app.kpps_device(*t).await;
        let form = app.form_json(*t, Contest::Ppwp, seed);
        let answer = app.submit(&kpps, *t, Contest::Ppwp, form).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let ppk_key = app.officer_key(KeyRole::Ppk, kecamatan).await;
    let reason = NoFormStatement {
        origin: ORIGIN.into(),
        tps: not_held,
        contest: Contest::Ppwp,
        reason: NoFormReason::NotHeld,
        incident: None,
        note: "Banjir: TPS tidak dapat dibuka".into(),
        signed_at: saksi_core::time::UnixTime(now()),
    };
    let recorded = app
        .request(
            Method::POST,
            &format!("/api/v1/recap/ppwp/{kecamatan}/no-form/{not_held}"),
            &[("content-type", "application/json")],
            signed(&reason.to_object(), &ppk_key).to_string(),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.json());
    let reason_index = recorded.json()["log_index"].as_u64().unwrap();
    // A witness objects to the second TPS's form: the objection comes first.
    let objected_tps = all[1];
    let witness = app.account_token("saksi.kab", "saksi", kabkota, Some(1), None);
    let objected = post(
        &app,
        "/api/v1/objections",
        Some(&witness),
        "objection-1",
        &objection(objected_tps, "ppwp", 1, &["suara_sah"]),
    )
    .await;
    assert_eq!(objected.status, StatusCode::CREATED, "{}", objected.json());
    let objection_index = objected.json()["log_index"].as_u64().unwrap();

    let ppk = app.account_token("ppk.kec", "ppk", kecamatan, None, None);
    let answer = queue(&app, kecamatan, Some(&ppk)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let q: ReviewQueue = answer.typed();
    assert_eq!(q.kecamatan, kecamatan.to_string());
    assert_eq!(q.contest, "ppwp");
    assert_eq!(q.state, "open");
    assert_eq!(q.log_size, app.store.log_size().unwrap());

    // Every TPS, once.
    let mut listed: Vec<String> = q.tps.iter().map(|t| t.tps.clone()).collect();
    listed.sort();
    let expected: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(listed, expected);
    assert_eq!(q.counts.total, all.len() as u64);
    assert_eq!(q.counts.with_form, all.len() as u64 - 2);
    assert_eq!(q.counts.no_form_reason, 1);
    assert_eq!(q.counts.missing, 1);

    // The open objection first, then the TPS with no form; every TPS
    // needing attention before every one that needs none, which follow
    // in code order.
    let at = |code: RegionCode| q.tps.iter().position(|t| t.tps == code.to_string());
    assert_eq!(q.tps[0].tps, objected_tps.to_string());
    assert_eq!(q.tps[0].attention[0], "objection_open");
    assert_eq!(q.tps[0].objections[0].log_index, objection_index);
    assert_eq!(q.tps[0].objections[0].status, "open");
    let missing_row = &q.tps[at(missing).unwrap()];
    assert_eq!(missing_row.attention, ["no_form"]);
    assert_eq!(missing_row.version, None);
    assert!(at(missing).unwrap() < at(all[0]).unwrap());
    let calm = q.tps.iter().position(|t| t.attention.is_empty()).unwrap();
    assert!(q.tps[calm..].iter().all(|t| t.attention.is_empty()));
    assert_eq!(
        q.counts.attention,
        q.tps.iter().filter(|t| !t.attention.is_empty()).count() as u64
    );
    let rest: Vec<&String> = q.tps[calm..].iter().map(|t| &t.tps).collect();
    assert!(rest.is_sorted(), "{rest:?}");

    // The reason is shown, and settles the TPS.
    let held = &q.tps[at(not_held).unwrap()];
    let no_form = held.no_form.as_ref().unwrap();
    assert_eq!(no_form.reason, "not_held");
    assert_eq!(no_form.log_index, reason_index);
    assert!(!held.attention.iter().any(|a| a == "no_form"));

    // A TPS's current version is the TPS page's.
    let page = app.get(&format!("/api/v1/tps/{}", all[0])).await.json();
    let ppwp = page["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == "ppwp")
        .unwrap();
    let current = &ppwp["current"];
    let row = &q.tps[at(all[0]).unwrap()];
    assert_eq!(row.version, Some(1));
    assert_eq!(Value::from(row.digest.clone()), current["digest"]);
    assert_eq!(Value::from(row.log_index), current["log_index"]);
    assert_eq!(
        serde_json::to_value(&row.warnings).unwrap(),
        current["warnings"]
    );
}

#[tokio::test]
async fn the_queue_is_for_staff_of_a_region_holding_the_kecamatan() {
    let app = spawn_app();
    let first = app.first_tps(RegionCode::NASIONAL);
    let kecamatan = first.ancestor_at(Level::Kecamatan).unwrap();
    let kabkota = first.ancestor_at(Level::Kabkota).unwrap();
    // A kecamatan of another kab/kota.
    let tree = &app.election.tree;
    let other = app.first_tps(
        tree.children(tree.find(RegionCode::NASIONAL).unwrap())
            .flat_map(|p| tree.children(p))
            .map(|k| tree.get(k).code)
            .find(|k| *k != kabkota)
            .unwrap(),
    );
    let other = other.ancestor_at(Level::Kecamatan).unwrap();
    let size = app.store.log_size().unwrap();

    for (name, role, region, party) in [
        ("ppk.kec", "ppk", kecamatan, None),
        ("kpu.kab", "kpu-kabkota", kabkota, None),
        ("bawaslu.kab", "bawaslu", kabkota, None),
        ("saksi.kab", "saksi", kabkota, Some(1)),
    ] {
        let token = app.account_token(name, role, region, party, None);
        let answer = queue(&app, kecamatan, Some(&token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{role}: {}", answer.json());
    }
    for (name, role, region) in [
        ("ppk.other", "ppk", other),
        ("pps.desa", "pps", first.parent().unwrap()),
    ] {
        let token = app.account_token(name, role, region, None, None);
        let answer = queue(&app, kecamatan, Some(&token)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(answer.code(), "auth.forbidden");
    }
    let answer = queue(&app, kecamatan, None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "auth.required");
    let ppk = app.account_token("ppk.kec2", "ppk", kecamatan, None, None);
    let kab = queue(&app, kabkota, Some(&ppk)).await;
    assert_eq!(kab.status, StatusCode::NOT_FOUND);
    assert_eq!(kab.code(), "recap.not_a_kecamatan");
    assert_eq!(app.store.log_size().unwrap(), size);
}
