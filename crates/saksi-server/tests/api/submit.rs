use axum::http::StatusCode;
use saksi_core::Contest;
use serde_json::Value;

use crate::helpers::*;

fn total(v: &Value, field: &str) -> u64 {
    v["totals"][field].as_u64().unwrap()
}

#[tokio::test]
async fn a_submission_shows_in_results_at_every_level() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let desa = tps.parent().unwrap();
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let sah = serde_json::from_str::<Value>(&form).unwrap()["suara_sah"]
        .as_u64()
        .unwrap();

    let answer = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let body: saksi_api::Accepted = answer.typed();
    assert_eq!(body.version, 1);
    assert_eq!(body.warnings, []);
    assert_eq!(body.receipt.tps, Some(tps.to_string()));
    assert_eq!(body.receipt.contest.as_deref(), Some("ppwp"));
    assert_eq!(body.receipt.log_index, keys);

    for uri in [
        "/api/v1/results/ppwp".to_owned(),
        "/api/v1/results/ppwp/11".to_owned(),
        format!("/api/v1/results/ppwp/{desa}"),
        format!("/api/v1/results/ppwp/{tps}"),
    ] {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        let r: saksi_api::Results = r.typed();
        assert_eq!(r.log_size, keys + 1, "{uri}");
        assert_eq!(r.totals.suara_sah, sah, "{uri}");
        assert_eq!(r.totals.tps_reported, 1, "{uri}");
        let votes: u64 = r.totals.options.0.iter().map(|(_, v)| v).sum();
        assert_eq!(votes, sah, "{uri}");
    }
    let desa_results = app
        .get(&format!("/api/v1/results/ppwp/{desa}"))
        .await
        .json();
    let child = desa_results["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == tps.to_string())
        .unwrap();
    assert_eq!(total(child, "suara_sah"), sah);
    let national = app.get("/api/v1/results/ppwp").await.json();
    let provinces_sah: u64 = national["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| total(c, "suara_sah"))
        .sum();
    assert_eq!(provinces_sah, sah);

    let tps_page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    assert_eq!(tps_page["log_size"], keys + 1);
    assert_eq!(tps_page["contests"][0]["current"]["version"], 1);
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_stores_nothing_twice() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &form, None);
    let first = app.post_signed(tps, Contest::Ppwp, &body).await;
    let retry = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(first.body, retry.body);
    assert_eq!(app.store.log_size().unwrap(), keys + 1);
    assert_eq!(
        app.get("/api/v1/results/ppwp").await.json()["log_size"],
        keys + 1
    );
}

#[tokio::test]
async fn concurrent_retries_in_one_batch_store_one_version() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &form, None);
    let answers =
        futures_util::future::join_all((0..8).map(|_| app.post_signed(tps, Contest::Ppwp, &body)))
            .await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::CREATED);
        assert_eq!(a.body, answers[0].body);
    }
    assert_eq!(app.store.log_size().unwrap(), keys + 1);
}

#[tokio::test]
async fn a_second_version_replaces_the_first_in_the_tallies() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let first = app.form_json(tps, Contest::Ppwp, 1);
    let second = app.form_json(tps, Contest::Ppwp, 2);
    let sah2 = serde_json::from_str::<Value>(&second).unwrap()["suara_sah"]
        .as_u64()
        .unwrap();
    assert_eq!(
        app.submit(&kpps, tps, Contest::Ppwp, first).await.status,
        StatusCode::CREATED
    );
    let answer = app.submit(&kpps, tps, Contest::Ppwp, second).await;
    assert_eq!(answer.json()["version"], 2);
    assert_eq!(answer.json()["receipt"]["log_index"], keys + 1);
    let national = app.get("/api/v1/results/ppwp").await.json();
    assert_eq!(national["log_size"], keys + 2);
    assert_eq!(total(&national, "suara_sah"), sah2);
    assert_eq!(total(&national, "tps_reported"), 1);
    let page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    assert_eq!(page["contests"][0]["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn legislative_results_break_down_by_dapil_and_by_candidate() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let form = app.form_json(tps, Contest::Dpr, 3);
    let sah = serde_json::from_str::<Value>(&form).unwrap()["suara_sah"]
        .as_u64()
        .unwrap();
    let answer = app.submit(&kpps, tps, Contest::Dpr, form).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let national = app.get("/api/v1/results/dpr").await.json();
    let dapil = national["dapil"].as_array().unwrap();
    assert!(!dapil.is_empty());
    let reported: Vec<&Value> = dapil
        .iter()
        .filter(|d| d["totals"]["tps_reported"] == 1)
        .collect();
    assert_eq!(reported.len(), 1);
    let code = reported[0]["code"].as_str().unwrap();
    let detail = app.get(&format!("/api/v1/results/dpr/dapil/{code}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.json();
    let sum: u64 = detail["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, sah);
    assert_eq!(
        app.get("/api/v1/results/dpr/dapil/99-99").await.code(),
        "dapil.not_found"
    );
}

#[tokio::test]
async fn the_state_is_rebuilt_from_the_store_at_start() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    assert_eq!(
        app.submit(&kpps, tps, Contest::Ppwp, form).await.status,
        StatusCode::CREATED
    );
    let before = app.get("/api/v1/results/ppwp").await.body;
    let again = saksi_server::App::load(
        app.store.clone(),
        saksi_server::Config::default(),
        log_setup(&app.dir, &app.signer),
    )
    .unwrap();
    let reloaded = answer(
        again.router(),
        axum::http::Request::get("/api/v1/results/ppwp")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&before).unwrap(),
        serde_json::from_slice(&reloaded.body).unwrap(),
    );
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(b["log_size"], keys + 1);
}

/// The sequencer remembers versions and statement digests in memory; after
/// a restart it must know them from the store, or a retry would be stored
/// twice and a correction would not subtract its predecessor.
#[tokio::test]
async fn after_a_restart_a_retry_is_replayed_and_a_correction_replaces_its_predecessor() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("12"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let first = app.form_json(tps, Contest::Ppwp, 1);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &first, None);
    let answer = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let app = app.restart();

    let retry = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, answer.body, "the first answer, byte for byte");
    assert_eq!(
        app.get("/api/v1/results/ppwp").await.json()["log_size"],
        keys + 1
    );

    let second = app.form_json(tps, Contest::Ppwp, 2);
    let corrected = app.submit(&kpps, tps, Contest::Ppwp, second.clone()).await;
    assert_eq!(corrected.status, StatusCode::CREATED);
    assert_eq!(corrected.json()["version"], 2);
    let national = app.get("/api/v1/results/ppwp").await.json();
    let form: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(national["totals"]["suara_sah"], form["suara_sah"]);
    assert_eq!(national["totals"]["tps_reported"], 1);
}
