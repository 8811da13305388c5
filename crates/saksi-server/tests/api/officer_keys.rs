//! Officers' keys made in the browser: submitted by their owner, listed to
//! the officer one level up, certified by the existing key registration
//! and read back as certified or revoked. Jurisdiction and every refusal.

use axum::http::{Method, StatusCode};
use saksi_api::{KeyDefaults, OfficerKeyStatus, OfficerKeySubmitted, OfficerKeys};
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Clock;
use saksi_statement::{KeyAction, KeyRole};
use saksi_store::UnixTime;
use serde_json::json;

use crate::enrolment::staff;
use crate::helpers::*;
use crate::keys::{key_statement, register, revoke};

impl TestApp {
    async fn submit_key(&self, token: &str, key: &str) -> crate::helpers::Answer {
        self.call(
            Method::POST,
            "/api/v1/officer-keys",
            Some(token),
            Some(json!({ "key": key })),
        )
        .await
    }

    async fn keys_at(&self, token: &str, uri: &str) -> Vec<saksi_api::OfficerKeyEntry> {
        let answer = self.call(Method::GET, uri, Some(token), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        answer.typed::<OfficerKeys>().keys
    }
}

fn browser_key(name: &str) -> Signer {
    Signer::generate(name).unwrap()
}

fn submissions(app: &TestApp) -> i64 {
    let conn = rusqlite::Connection::open(app.database()).unwrap();
    conn.query_row("SELECT COUNT(*) FROM officer_key_submissions", [], |r| {
        r.get(0)
    })
    .unwrap()
}

#[tokio::test]
async fn a_pps_key_is_listed_to_its_kabkota_only_and_certified_then_revoked_through_the_registry() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let desa = tps.ancestor_at(Level::Desa).unwrap();
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let pps = staff(&app, "pps.desa", "pps", desa);
    let key = browser_key("pps-desa");
    let answer = app.submit_key(&pps, &key.verifier().to_string()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let submitted = answer.typed::<OfficerKeySubmitted>();
    assert_eq!(
        (submitted.role.as_str(), submitted.region.as_str()),
        ("pps", desa.to_string().as_str())
    );
    assert_eq!(submitted.status, OfficerKeyStatus::Pending);

    let officer = staff(&app, "kpu.kab", "kpu-kabkota", kab);
    let listed = app
        .keys_at(&officer, "/api/v1/officer-keys?status=pending")
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].username, "pps.desa");
    assert_eq!(listed[0].key, key.verifier().to_string());
    // Not another kab/kota's, nor the province's to certify.
    let far = app
        .first_tps(TestApp::code("12"))
        .ancestor_at(Level::Kabkota)
        .unwrap();
    let stranger = staff(&app, "kpu.lain", "kpu-kabkota", far);
    assert!(
        app.keys_at(&stranger, "/api/v1/officer-keys")
            .await
            .is_empty()
    );
    let prov = staff(
        &app,
        "kpu.prov",
        "kpu-prov",
        tps.ancestor_at(Level::Provinsi).unwrap(),
    );
    assert!(app.keys_at(&prov, "/api/v1/officer-keys").await.is_empty());

    // Certifying is the key's registration by the kab/kota's key.
    let kab_key = app.kabkota_officer(tps).await;
    let answer = app
        .post_key(&register(&key, KeyRole::Pps, desa), &kab_key)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let mine = app.keys_at(&pps, "/api/v1/officer-keys/mine").await;
    assert_eq!(mine[0].status, OfficerKeyStatus::Certified);
    assert!(
        app.keys_at(&officer, "/api/v1/officer-keys?status=pending")
            .await
            .is_empty()
    );
    let certified = app
        .keys_at(&officer, "/api/v1/officer-keys?status=certified")
        .await;
    assert_eq!(certified.len(), 1);
    // Certified twice (not a retry: another statement): the registry's
    // own refusal.
    let again = key_statement(
        &key,
        KeyAction::Register {
            role: KeyRole::Pps,
            region: desa,
            valid_from: UnixTime(now() - 60),
            valid_until: UnixTime(now() + 86_400),
            commissioner: false,
        },
        now(),
    );
    let answer = app.post_key(&again, &kab_key).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::CONFLICT, "key.already_registered")
    );

    let answer = app.post_key(&revoke(&key), &kab_key).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let mine = app.keys_at(&pps, "/api/v1/officer-keys/mine").await;
    assert_eq!(mine[0].status, OfficerKeyStatus::Revoked);
}

#[tokio::test]
async fn a_kabkota_key_is_listed_to_its_province_and_a_prov_key_only_to_its_owner() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let province = tps.ancestor_at(Level::Provinsi).unwrap();
    let kab_account = staff(&app, "kpu.kab", "kpu-kabkota", kab);
    let prov_account = staff(&app, "kpu.prov", "kpu-prov", province);
    let kab_key = browser_key("kpu-kabkota");
    let prov_key = browser_key("kpu-prov");
    let answer = app
        .submit_key(&kab_account, &kab_key.verifier().to_string())
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let answer = app
        .submit_key(&prov_account, &prov_key.verifier().to_string())
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);

    let listed = app.keys_at(&prov_account, "/api/v1/officer-keys").await;
    assert_eq!(listed.len(), 1, "the kab/kota key, not its own");
    assert_eq!(
        (listed[0].role.as_str(), listed[0].username.as_str()),
        ("kpu-kabkota", "kpu.kab")
    );
    let other_province = staff(&app, "kpu.prov.lain", "kpu-prov", TestApp::code("12"));
    assert!(
        app.keys_at(&other_province, "/api/v1/officer-keys")
            .await
            .is_empty()
    );
    let mine = app
        .keys_at(&prov_account, "/api/v1/officer-keys/mine")
        .await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, OfficerKeyStatus::Pending);

    // A root key holder certifies the kpu-prov key (saksi key certify).
    let answer = app
        .post_key(
            &register(&prov_key, KeyRole::KpuProv, province),
            &root_key(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let mine = app
        .keys_at(&prov_account, "/api/v1/officer-keys/mine")
        .await;
    assert_eq!(mine[0].status, OfficerKeyStatus::Certified);
    // A key registered in another role or region is not this submission's.
    let tree = &app.election.tree;
    let Some(other_kab) = tree
        .iter()
        .map(|(_, r)| r.code)
        .find(|c| c.level() == Level::Kabkota && province.contains(*c) && *c != kab)
    else {
        return;
    };
    let answer = app
        .post_key(
            &register(&kab_key, KeyRole::KpuKabkota, other_kab),
            &prov_key,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let listed = app.keys_at(&prov_account, "/api/v1/officer-keys").await;
    assert_eq!(listed[0].status, OfficerKeyStatus::Pending);
}

#[tokio::test]
async fn a_key_submitted_twice_a_bad_key_or_a_role_that_signs_nothing_is_refused() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let ppk = staff(
        &app,
        "ppk.kec",
        "ppk",
        tps.ancestor_at(Level::Kecamatan).unwrap(),
    );
    let key = browser_key("ppk").verifier().to_string();
    assert_eq!(app.submit_key(&ppk, &key).await.status, StatusCode::CREATED);
    let before = submissions(&app);

    let answer = app.submit_key(&ppk, &key).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::CONFLICT, "officer_key.already_submitted")
    );
    // Another account cannot claim it either.
    let pps = staff(
        &app,
        "pps.desa",
        "pps",
        tps.ancestor_at(Level::Desa).unwrap(),
    );
    assert_eq!(
        app.submit_key(&pps, &key).await.code(),
        "officer_key.already_submitted"
    );
    for bad in ["", "ppk", &key.replace('+', "-")] {
        let answer = app.submit_key(&ppk, bad).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (StatusCode::BAD_REQUEST, "key.invalid_verifier"),
            "{bad:?}"
        );
    }
    for role in ["bawaslu", "kpps", "auditor"] {
        let token = staff(&app, &format!("{role}.x"), role, tps);
        let answer = app
            .submit_key(&token, &browser_key(role).verifier().to_string())
            .await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (StatusCode::FORBIDDEN, "workspace.role_forbidden"),
            "{role}"
        );
    }
    let answer = app
        .call(
            Method::POST,
            "/api/v1/officer-keys",
            None,
            Some(json!({"key": key})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = app
        .call(
            Method::POST,
            "/api/v1/officer-keys",
            Some(&ppk),
            Some(json!({"verifier": key})),
        )
        .await;
    assert_eq!(answer.code(), "request.malformed_json");
    assert_eq!(submissions(&app), before, "nothing stored");

    // Listing for certifying is for kpu-kabkota and kpu-prov.
    let answer = app
        .call(Method::GET, "/api/v1/officer-keys", Some(&ppk), None)
        .await;
    assert_eq!(answer.code(), "workspace.role_forbidden");
    let kab = staff(
        &app,
        "kpu.kab",
        "kpu-kabkota",
        tps.ancestor_at(Level::Kabkota).unwrap(),
    );
    let answer = app
        .call(
            Method::GET,
            "/api/v1/officer-keys?status=approved",
            Some(&kab),
            None,
        )
        .await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::BAD_REQUEST, "workspace.invalid_status")
    );
}

#[tokio::test]
async fn key_defaults_are_the_logs_origin_and_180_days_from_the_servers_now() {
    let app = spawn_app();
    let answer = app.get("/api/v1/keys/defaults").await;
    assert_eq!(answer.status, StatusCode::OK);
    let defaults = answer.typed::<KeyDefaults>();
    let now = app.clock.now();
    assert_eq!(defaults.origin, ORIGIN);
    assert_eq!(defaults.valid_from, now.to_string());
    assert_eq!(defaults.valid_until, now.plus(180 * 86_400).to_string());
    app.clock.advance(86_400);
    let later = app
        .get("/api/v1/keys/defaults")
        .await
        .typed::<KeyDefaults>();
    assert_eq!(later.valid_from, now.plus(86_400).to_string());
}
