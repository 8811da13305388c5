//! Who may change a number: every form version is a statement signed by a
//! key of the chain that may sign it (the TPS's KPPS device, or on its
//! behalf a PPS key of its desa or a PPK key of its kecamatan); no session
//! enters a form; a version signed on behalf never supersedes one the
//! KPPS device signed; the TPS page names each version's signer.

use axum::http::{Method, StatusCode};
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::KeyRole;
use serde_json::Value;

use crate::helpers::*;

/// The national PPWP totals as published.
async fn published(app: &TestApp) -> Value {
    app.get("/api/v1/results/ppwp").await.json()["totals"].clone()
}

/// A PPWP form of `tps` with `votes`, signed by `key` as the next version
/// (on behalf, with a reason given), posted.
async fn sign_and_post(
    app: &TestApp,
    key: &Signer,
    tps: RegionCode,
    votes: [u32; 3],
    on_behalf: Option<&str>,
) -> Answer {
    let form = app.ppwp_form(tps, votes);
    let body = app.sign_next(key, tps, Contest::Ppwp, &form, on_behalf);
    app.post_signed(tps, Contest::Ppwp, &body).await
}

fn votes(totals: &Value) -> Vec<u64> {
    let mut v: Vec<(String, u64)> = totals["options"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    v.sort();
    v.into_iter().map(|(_, n)| n).collect()
}

/// A TPS in the same kecamatan as `tps` but another desa, and one in
/// another kecamatan.
fn neighbours(app: &TestApp, tps: RegionCode) -> (RegionCode, RegionCode) {
    let tree = &app.election.tree;
    let codes: Vec<RegionCode> = tree.tps_ids().map(|id| tree.get(id).code).collect();
    let desa = tps.ancestor_at(Level::Desa).unwrap();
    let kecamatan = tps.ancestor_at(Level::Kecamatan).unwrap();
    let same_kecamatan = *codes
        .iter()
        .find(|c| kecamatan.contains(**c) && !desa.contains(**c))
        .expect("a kecamatan with two desa");
    let elsewhere = *codes.iter().find(|c| !kecamatan.contains(**c)).unwrap();
    (same_kecamatan, elsewhere)
}

#[tokio::test]
async fn a_kpps_session_cannot_rewrite_a_signed_form() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let signed = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [50, 60, 40]))
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.json());
    let before = published(&app).await;
    assert_eq!(votes(&before), [50, 60, 40]);
    let size = app.store.log_size().unwrap();

    // The operator adds a kpps account for the TPS (no password needed for
    // a token) and posts a form through its session.
    let token = app.kpps_token(tps);
    let session = app
        .post_with_session(
            &token,
            tps,
            Contest::Ppwp,
            app.ppwp_form(tps, [10, 130, 10]),
        )
        .await;
    assert_eq!(session.status, StatusCode::BAD_REQUEST);
    assert_eq!(session.code(), "form.signature_required");
    assert_eq!(app.store.log_size().unwrap(), size, "nothing logged");
    assert_eq!(published(&app).await, before, "the results did not move");
    let page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    assert_eq!(page["contests"][0]["versions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_body_that_is_not_an_envelope_is_malformed_whatever_its_headers() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let uri = format!("/api/v1/tps/{tps}/forms/ppwp");
    let token = app.kpps_token(tps);
    let auth = format!("Bearer {token}");
    let form = app.ppwp_form(tps, [1, 2, 3]);
    let json = ("content-type", "application/json");
    for (headers, body) in [
        (vec![json], "{not json".to_owned()),
        (vec![json], "{}".to_owned()),
        (vec![json], form.clone()),
        (
            vec![json, ("authorization", auth.as_str())],
            "{not json".to_owned(),
        ),
        (
            vec![json, ("authorization", auth.as_str())],
            "[1]".to_owned(),
        ),
        (
            vec![json, ("authorization", "Bearer 0123")],
            "{}".to_owned(),
        ),
        (
            vec![json, ("idempotency-key", "k")],
            r#"{"statement": 5}"#.to_owned(),
        ),
    ] {
        let a = app
            .request(Method::POST, &uri, &headers, body.clone())
            .await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_REQUEST, "statement.malformed"),
            "{headers:?} {body}"
        );
    }
    assert_eq!(app.store.log_size().unwrap(), 0);
}

#[tokio::test]
async fn pps_and_ppk_keys_sign_on_behalf_of_the_tps_of_their_region_only() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let (same_kecamatan, elsewhere) = neighbours(&app, tps);
    let pps = app
        .officer_key(KeyRole::Pps, tps.ancestor_at(Level::Desa).unwrap())
        .await;
    let ppk = app
        .officer_key(KeyRole::Ppk, tps.ancestor_at(Level::Kecamatan).unwrap())
        .await;
    let reason = Some("HP KPPS hilang");
    let size = app.store.log_size().unwrap();
    for (key, at, on_behalf, status, code) in [
        (&pps, same_kecamatan, reason, 403, "key.wrong_tps"),
        (&ppk, elsewhere, reason, 403, "key.wrong_tps"),
        (&pps, tps, None, 422, "statement.on_behalf_required"),
        (&ppk, tps, None, 422, "statement.on_behalf_required"),
    ] {
        let a = sign_and_post(&app, key, at, [5, 6, 7], on_behalf).await;
        assert_eq!(
            (a.status.as_u16(), a.code().as_str()),
            (status, code),
            "{} at {at}",
            key.name()
        );
    }
    assert_eq!(app.store.log_size().unwrap(), size, "refusals log nothing");

    let a = sign_and_post(&app, &pps, tps, [5, 6, 7], reason).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json());
    let b = sign_and_post(&app, &ppk, same_kecamatan, [5, 6, 7], reason).await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.json());
    // A PPK may follow a PPS: neither is the TPS's own device.
    let c = sign_and_post(&app, &ppk, tps, [6, 5, 7], Some("koreksi PPK")).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.json());
    assert_eq!(c.json()["version"], 2);
    let totals = published(&app).await;
    assert_eq!(votes(&totals), [11, 11, 14]);
}

#[tokio::test]
async fn a_kpps_key_may_not_sign_on_behalf() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let body = app.sign_next(
        &kpps,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [1, 2, 3]),
        Some("atas nama sendiri"),
    );
    let size = app.store.log_size().unwrap();
    let a = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(
        (a.status.as_u16(), a.code().as_str()),
        (422, "statement.on_behalf_not_allowed")
    );
    assert_eq!(app.store.log_size().unwrap(), size);
}

#[tokio::test]
async fn a_version_signed_on_behalf_never_supersedes_the_kpps_device() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let ppk = app
        .officer_key(KeyRole::Ppk, tps.ancestor_at(Level::Kecamatan).unwrap())
        .await;
    // On behalf first (no working phone), then the KPPS device: accepted.
    let first = sign_and_post(&app, &ppk, tps, [1, 1, 1], Some("HP mati")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    let second = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [50, 60, 40]))
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.json());
    assert_eq!(second.json()["version"], 2);

    // Once the device has signed, a version on its behalf is refused.
    let size = app.store.log_size().unwrap();
    let before = published(&app).await;
    let over = sign_and_post(&app, &ppk, tps, [10, 130, 10], Some("koreksi")).await;
    assert_eq!(
        (over.status.as_u16(), over.code().as_str()),
        (409, "form.on_behalf_over_kpps"),
        "{}",
        over.json()
    );
    assert_eq!(over.json()["error"]["details"]["current_version"], 2);
    assert_eq!(app.store.log_size().unwrap(), size);
    assert_eq!(published(&app).await, before);
    // Also after a restart, when the current version is read from the store.
    let app = app.restart();
    let again = sign_and_post(&app, &ppk, tps, [10, 130, 10], Some("koreksi")).await;
    assert_eq!(again.code(), "form.on_behalf_over_kpps");
    // The device itself may still re-submit.
    let third = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [51, 60, 40]))
        .await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.json());
}

#[tokio::test]
async fn the_tps_page_names_each_versions_signer() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let pps = app
        .officer_key(KeyRole::Pps, tps.ancestor_at(Level::Desa).unwrap())
        .await;
    // An old log's version entered through a session, then one on behalf,
    // then the device's.
    let old = app.ppwp_form(tps, [4, 4, 4]);
    let app = app.restart_with(|dir| {
        let store = saksi_store::SqliteStore::open(dir.join("saksi.db")).unwrap();
        TestApp::write_session_version(&store, tps, Contest::Ppwp, &old);
    });
    let on_behalf = sign_and_post(&app, &pps, tps, [2, 2, 2], Some("HP KPPS rusak")).await;
    assert_eq!(
        on_behalf.status,
        StatusCode::CREATED,
        "{}",
        on_behalf.json()
    );
    let own = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [3, 3, 3]))
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.json());

    let page = app.get(&format!("/api/v1/tps/{tps}")).await;
    let typed: saksi_api::TpsPage = page.typed();
    let signers: Vec<Option<saksi_api::FormSigner>> = typed.contests[0]
        .versions
        .iter()
        .map(|v| v.signer.clone())
        .collect();
    let key_id = |k: &Signer| format!("{:08x}", k.verifier().key_id());
    assert_eq!(
        signers,
        [
            None,
            Some(saksi_api::FormSigner {
                role: "pps".into(),
                key_id: key_id(&pps),
                key: pps.verifier().to_string(),
                on_behalf: Some(saksi_api::OnBehalfReason {
                    reason: "HP KPPS rusak".into()
                }),
                correction: None,
            }),
            Some(saksi_api::FormSigner {
                role: "kpps".into(),
                key_id: key_id(&kpps),
                key: kpps.verifier().to_string(),
                on_behalf: None,
                correction: None,
            }),
        ]
    );
    // On the wire: `null` for nobody and for no reason.
    let json = page.json();
    let versions = &json["contests"][0]["versions"];
    assert!(versions[0]["signer"].is_null());
    assert!(versions[2]["signer"]["on_behalf"].is_null());
    assert_eq!(
        versions[2]["signer"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["role", "key_id", "key", "on_behalf", "correction"]
    );
}
