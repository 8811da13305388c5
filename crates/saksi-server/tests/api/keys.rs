//! The key chain and signed KPPS statements end to end: registration by
//! officers' keys (root → kpu-prov → kpu-kabkota → kpps), forms that
//! authenticate themselves, retries, revocation mid-count, and every
//! refusal storing nothing.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::{Entry, Envelope, FormStatement, KeyAction, KeyRole, KeyStatement, Kind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

/// The sequencer with signed statements: version limits, a full queue, a
/// lost commit answer, one batch of competing commands, idempotency scopes,
/// a diverged log.
mod sequencing;

/// The officers and the device of one TPS, registered through the API.
pub(crate) struct Chain {
    pub(crate) prov: Signer,
    pub(crate) kab: Signer,
    pub(crate) kpps: Signer,
}

pub(crate) fn key_statement(key: &Signer, action: KeyAction, now: i64) -> KeyStatement {
    KeyStatement {
        origin: ORIGIN.into(),
        key: key.verifier(),
        action,
        signed_at: UnixTime(now),
    }
}

pub(crate) fn register(key: &Signer, role: KeyRole, region: RegionCode) -> KeyStatement {
    key_statement(
        key,
        KeyAction::Register {
            role,
            region,
            valid_from: UnixTime(now() - 3600),
            valid_until: UnixTime(now() + 30 * 86_400),
            commissioner: false,
        },
        now(),
    )
}

pub(crate) fn revoke(key: &Signer) -> KeyStatement {
    key_statement(key, KeyAction::Revoke, now())
}

pub(crate) fn envelope(statement: &KeyStatement, by: &Signer) -> Value {
    Envelope::sign(statement.to_object(), by)
        .unwrap()
        .to_value()
}

impl TestApp {
    pub(crate) async fn post(&self, uri: &str, body: &Value) -> Answer {
        self.request(
            Method::POST,
            uri,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    pub(crate) async fn post_key(&self, statement: &KeyStatement, by: &Signer) -> Answer {
        self.post("/api/v1/keys", &envelope(statement, by)).await
    }

    /// Registers a kpu-prov, a kpu-kabkota and a KPPS key for `tps`.
    pub(crate) async fn chain_for(&self, tps: RegionCode) -> Chain {
        let chain = Chain {
            prov: Signer::generate(&format!(
                "kpu-prov-{}",
                tps.ancestor_at(Level::Provinsi).unwrap()
            ))
            .unwrap(),
            kab: Signer::generate(&format!(
                "kpu-kabkota-{}",
                tps.ancestor_at(Level::Kabkota).unwrap()
            ))
            .unwrap(),
            kpps: Signer::generate(&format!("kpps-{tps}")).unwrap(),
        };
        let steps = [
            (
                register(
                    &chain.prov,
                    KeyRole::KpuProv,
                    tps.ancestor_at(Level::Provinsi).unwrap(),
                ),
                root_key(),
            ),
            (
                register(
                    &chain.kab,
                    KeyRole::KpuKabkota,
                    tps.ancestor_at(Level::Kabkota).unwrap(),
                ),
                chain.prov.clone(),
            ),
            (register(&chain.kpps, KeyRole::Kpps, tps), chain.kab.clone()),
        ];
        for (statement, by) in steps {
            let answer = self.post_key(&statement, &by).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        }
        chain
    }

    /// A form statement of `tps` signed by `by`, as its POST body.
    pub(crate) fn signed_form(
        &self,
        by: &Signer,
        tps: RegionCode,
        version: u32,
        prev: Option<[u8; 32]>,
        seed: u64,
    ) -> Value {
        let form =
            serde_json::from_str::<Value>(&self.form_json(tps, Contest::Ppwp, seed)).unwrap();
        let form = saksi_core::form::parse(Contest::Ppwp, form.to_string().as_bytes()).unwrap();
        let statement = FormStatement {
            origin: ORIGIN.into(),
            tps,
            contest: Contest::Ppwp,
            version,
            prev,
            form,
            photos: vec![],
            signed_at: UnixTime(now()),
            on_behalf: None,
            correction: None,
        };
        Envelope::sign(statement.to_object(), by)
            .unwrap()
            .to_value()
    }

    pub(crate) async fn post_form(&self, tps: RegionCode, body: &Value) -> Answer {
        self.post(&format!("/api/v1/tps/{tps}/forms/ppwp"), body)
            .await
    }

    async fn log_size(&self) -> u64 {
        self.store.log_size().unwrap()
    }
}

/// SHA-256 of a statement's canonical bytes: the next version's `prev`.
pub(crate) fn statement_digest(body: &Value) -> [u8; 32] {
    Sha256::digest(saksi_log::canonical_json(&body["statement"]).unwrap()).into()
}

#[tokio::test]
async fn a_registered_kpps_key_signs_its_form_without_a_session() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    assert_eq!(app.log_size().await, 3, "three key entries");
    let body = app.signed_form(&chain.kpps, tps, 1, None, 1);
    let answer = app.post_form(tps, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let receipt = &answer.json()["receipt"];
    assert_eq!(receipt["log_index"], 3);
    assert_eq!(receipt["version"], 1);
    assert_eq!(
        receipt["statement_sha256"],
        hex::encode(statement_digest(&body))
    );
    // The entry carries the statement as signed: anyone can check it.
    app.app.publish_checkpoint().unwrap();
    let entries = app.get("/api/v1/log/entries?start=0&end=4").await.json();
    let data = STANDARD
        .decode(entries["entries"][3]["data"].as_str().unwrap())
        .unwrap();
    let entry: Value = serde_json::from_slice(&data).unwrap();
    assert_eq!(
        (entry["type"].as_str(), entry["v"].as_u64()),
        (Some("form"), Some(2))
    );
    assert_eq!(entry["signer"], chain.kpps.verifier().to_string());
    let canonical = saksi_log::canonical_json(&entry["statement"]).unwrap();
    let signature = STANDARD
        .decode(entry["signature"].as_str().unwrap())
        .unwrap();
    assert!(
        chain
            .kpps
            .verifier()
            .verify(&saksi_statement::signed_bytes(&canonical), &signature)
    );
    let first_key_entry: Value = serde_json::from_slice(
        &STANDARD
            .decode(entries["entries"][0]["data"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first_key_entry["type"], "key");
    assert_eq!(first_key_entry["signer"], root_key().verifier().to_string());
    // Counted like any version.
    let tps_page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    assert!(tps_page.to_string().contains("\"version\":1"), "{tps_page}");
    // The receipt endpoint gives back the same receipt.
    let again = app.get("/api/v1/log/receipt/3").await.json();
    assert_eq!(&again, receipt);
}

#[tokio::test]
async fn a_byte_identical_statement_is_a_retry_and_gets_the_first_answer() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let body = app.signed_form(&chain.kpps, tps, 1, None, 1);
    let first = app.post_form(tps, &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let size = app.log_size().await;
    let again = app.post_form(tps, &body).await;
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    assert_eq!(app.log_size().await, size, "a retry logs nothing");
    // Only the retry says it is one, so a resending client can tell.
    let replayed = |a: &Answer| a.headers.get("idempotent-replayed").cloned();
    assert_eq!(replayed(&first), None);
    assert_eq!(
        replayed(&again).as_ref().map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    // Same for a key statement.
    let statement = register(&Signer::generate("spare").unwrap(), KeyRole::Kpps, tps);
    let a = app.post_key(&statement, &chain.kab).await;
    let b = app.post_key(&statement, &chain.kab).await;
    assert_eq!((a.status, &a.body), (StatusCode::CREATED, &b.body));
    assert_eq!(replayed(&a), None);
    assert_eq!(
        replayed(&b).as_ref().map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
}

#[tokio::test]
async fn refused_statements_store_nothing_and_say_why() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let other_tps = app
        .election
        .tree
        .tps_ids()
        .nth(1)
        .map(|id| app.election.tree.get(id).code)
        .unwrap();
    let chain = app.chain_for(tps).await;
    let accepted = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(
        app.post_form(tps, &accepted).await.status,
        StatusCode::CREATED
    );
    let size = app.log_size().await;
    let stranger = Signer::generate(&format!("kpps-{tps}")).unwrap();
    let mut bad_signature =
        app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&accepted)), 2);
    bad_signature["statement"]["signed_at"] = json!("2024-02-14T13:00:01Z");
    let mut other_origin =
        app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&accepted)), 2);
    other_origin["statement"]["origin"] = json!("elsewhere/log");
    let other_origin = Envelope::sign(
        other_origin["statement"].as_object().unwrap().clone(),
        &chain.kpps,
    )
    .unwrap()
    .to_value();
    let cases: Vec<(&str, RegionCode, Value, &str)> = vec![
        (
            "an unregistered key",
            tps,
            app.signed_form(&stranger, tps, 2, Some(statement_digest(&accepted)), 2),
            "key.unknown",
        ),
        (
            "another TPS's key",
            other_tps,
            app.signed_form(&chain.kpps, other_tps, 1, None, 3),
            "key.wrong_tps",
        ),
        (
            "an officer's key",
            tps,
            app.signed_form(&chain.kab, tps, 2, Some(statement_digest(&accepted)), 2),
            "key.not_authorised",
        ),
        (
            "a changed statement",
            tps,
            bad_signature,
            "signature.invalid",
        ),
        (
            "another origin",
            tps,
            other_origin,
            "statement.wrong_origin",
        ),
        (
            "a version that is not next",
            tps,
            app.signed_form(&chain.kpps, tps, 3, Some(statement_digest(&accepted)), 2),
            "statement.version_not_next",
        ),
        (
            "a wrong prev",
            tps,
            app.signed_form(&chain.kpps, tps, 2, Some([1; 32]), 2),
            "statement.prev_mismatch",
        ),
        (
            "a version 1 again",
            tps,
            app.signed_form(&chain.kpps, tps, 1, None, 4),
            "statement.version_not_next",
        ),
        (
            "the URL of another TPS",
            other_tps,
            app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&accepted)), 2),
            "statement.path_mismatch",
        ),
        (
            "a malformed envelope",
            tps,
            json!({"statement": {"v": 1}, "signature": "AAAA", "key": "x"}),
            "statement.malformed",
        ),
    ];
    for (what, url_tps, body, code) in cases {
        let answer = app.post_form(url_tps, &body).await;
        assert_eq!(answer.code(), code, "{what}: {}", answer.json());
        assert!(answer.status.is_client_error(), "{what}");
    }
    assert_eq!(app.log_size().await, size, "nothing of the refusals stored");
    // A bare form is no envelope.
    let plain = app.form_json(tps, Contest::Ppwp, 1);
    let answer = app
        .post_form(tps, &serde_json::from_str(&plain).unwrap())
        .await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::BAD_REQUEST, "statement.malformed")
    );
}

#[tokio::test]
async fn a_lost_phone_is_revoked_and_its_replacement_continues_the_count() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let v1 = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(app.post_form(tps, &v1).await.status, StatusCode::CREATED);
    let revoked = app.post_key(&revoke(&chain.kpps), &chain.kab).await;
    assert_eq!(revoked.status, StatusCode::CREATED, "{}", revoked.json());
    assert_eq!(revoked.json()["action"], "revoke");
    let v2_old = app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&v1)), 2);
    let refused = app.post_form(tps, &v2_old).await;
    assert_eq!(refused.code(), "key.revoked");
    let phone = Signer::generate(&format!("kpps-{tps}-2")).unwrap();
    let registered = app
        .post_key(&register(&phone, KeyRole::Kpps, tps), &chain.kab)
        .await;
    assert_eq!(registered.status, StatusCode::CREATED);
    let v2 = app.signed_form(&phone, tps, 2, Some(statement_digest(&v1)), 2);
    let answer = app.post_form(tps, &v2).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(answer.json()["version"], 2);
    // The chain survives a restart: still revoked, still registered.
    let app = app.restart();
    let v3_old = app.signed_form(&chain.kpps, tps, 3, Some(statement_digest(&v2)), 3);
    assert_eq!(app.post_form(tps, &v3_old).await.code(), "key.revoked");
    let v3 = app.signed_form(&phone, tps, 3, Some(statement_digest(&v2)), 3);
    assert_eq!(app.post_form(tps, &v3).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_signed_version_follows_one_entered_through_a_session_in_an_old_log() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let app = app.restart_with(|dir| {
        let store = saksi_store::SqliteStore::open(dir.join("saksi.db")).unwrap();
        TestApp::write_session_version(&store, tps, Contest::Ppwp, &form);
    });
    app.app.publish_checkpoint().unwrap();
    let entries = app.get("/api/v1/log/entries?start=3&end=4").await.json();
    let v1_entry = STANDARD
        .decode(entries["entries"][0]["data"].as_str().unwrap())
        .unwrap();
    let prev: [u8; 32] = Sha256::digest(&v1_entry).into();
    let v2 = app.signed_form(&chain.kpps, tps, 2, Some(prev), 2);
    let answer = app.post_form(tps, &v2).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());

    // Every entry the server wrote, of every kind, is read back by the one
    // codec the auditor uses and re-encodes to the same bytes.
    app.app.publish_checkpoint().unwrap();
    let page = app.get("/api/v1/log/entries?start=0&end=5").await.json();
    let mut kinds = Vec::new();
    for served in page["entries"].as_array().unwrap() {
        let bytes = STANDARD.decode(served["data"].as_str().unwrap()).unwrap();
        let entry = Entry::decode(&bytes).unwrap();
        assert_eq!(entry.encode(), bytes, "{}", String::from_utf8_lossy(&bytes));
        kinds.push(entry.kind());
    }
    assert_eq!(
        kinds,
        [
            Kind::KeyV1,
            Kind::KeyV1,
            Kind::KeyV1,
            Kind::FormV1,
            Kind::FormV2
        ]
    );
}

#[tokio::test]
async fn nobody_registers_outside_the_chain_or_their_region() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let size = app.log_size().await;
    let new = Signer::generate("new").unwrap();
    let neighbour = app
        .election
        .tree
        .tps_ids()
        .map(|id| app.election.tree.get(id).code)
        .find(|c| *c != tps && c.ancestor_at(Level::Kabkota) == tps.ancestor_at(Level::Kabkota))
        .unwrap();
    let elsewhere = app
        .election
        .tree
        .tps_ids()
        .map(|id| app.election.tree.get(id).code)
        .find(|c| c.ancestor_at(Level::Kabkota) != tps.ancestor_at(Level::Kabkota))
        .unwrap();
    let cases = [
        (
            "the server's own log key",
            register(&new, KeyRole::Kpps, tps),
            app.signer.clone(),
            "key.unknown",
        ),
        (
            "a province officer skipping a level",
            register(&new, KeyRole::Kpps, tps),
            chain.prov.clone(),
            "key.not_authorised",
        ),
        (
            "a kab/kota officer elsewhere",
            register(&new, KeyRole::Kpps, elsewhere),
            chain.kab.clone(),
            "key.not_authorised",
        ),
        (
            "a KPPS device",
            register(&new, KeyRole::Kpps, tps),
            chain.kpps.clone(),
            "key.not_authorised",
        ),
        (
            "a key registered twice",
            register(&chain.kpps, KeyRole::Kpps, neighbour),
            chain.kab.clone(),
            "key.already_registered",
        ),
        (
            "the root key",
            register(
                &root_key(),
                KeyRole::KpuProv,
                tps.ancestor_at(Level::Provinsi).unwrap(),
            ),
            root_key(),
            "key.root",
        ),
    ];
    for (what, statement, by, code) in cases {
        let answer = app.post_key(&statement, &by).await;
        assert_eq!(answer.code(), code, "{what}: {}", answer.json());
    }
    assert_eq!(app.log_size().await, size);
    // A key outside its validity signs nothing.
    let late = Signer::generate("late").unwrap();
    let expired = key_statement(
        &late,
        KeyAction::Register {
            role: KeyRole::Kpps,
            region: neighbour,
            valid_from: UnixTime(now() - 7200),
            valid_until: UnixTime(now() - 3600),
            commissioner: false,
        },
        now(),
    );
    assert_eq!(
        app.post_key(&expired, &chain.kab).await.status,
        StatusCode::CREATED
    );
    let answer = app
        .post_form(neighbour, &app.signed_form(&late, neighbour, 1, None, 1))
        .await;
    assert_eq!(answer.code(), "key.outside_validity", "{}", answer.json());
}

#[tokio::test]
async fn a_bulk_request_decides_each_statement_in_order() {
    let app = spawn_app();
    let tree = &app.election.tree;
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let devices: Vec<(Signer, RegionCode)> = tree
        .tps_ids()
        .map(|id| tree.get(id).code)
        .filter(|c| kab.contains(*c) && *c != tps)
        .take(3)
        .map(|c| (Signer::generate(&format!("kpps-{c}")).unwrap(), c))
        .collect();
    assert_eq!(devices.len(), 3);
    let mut statements: Vec<Value> = devices
        .iter()
        .map(|(k, c)| envelope(&register(k, KeyRole::Kpps, *c), &chain.kab))
        .collect();
    let mut forged = envelope(
        &register(&Signer::generate("x").unwrap(), KeyRole::Kpps, tps),
        &chain.kab,
    );
    forged["statement"]["region"] = json!(devices[0].1.to_string());
    statements.push(forged);
    let answer = app
        .post("/api/v1/keys", &json!({ "statements": statements }))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let results = answer.json()["results"].as_array().unwrap().clone();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 201, 201, 401]);
    assert_eq!(results[3]["error"]["code"], "signature.invalid");
    assert_eq!(results[0]["body"]["action"], "register");
    let too_many = json!({ "statements": vec![json!({}); 1001] });
    assert_eq!(
        app.post("/api/v1/keys", &too_many).await.code(),
        "keys.too_many"
    );
    // Each registered device signs its form.
    let (key, code) = &devices[2];
    let answer = app
        .post_form(*code, &app.signed_form(key, *code, 1, None, 5))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
}

#[tokio::test]
async fn a_version_that_changes_neither_form_nor_photos_is_refused_and_stores_nothing() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let v1 = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(app.post_form(tps, &v1).await.status, StatusCode::CREATED);
    let size = app.log_size().await;

    // The same form again as version 2 (a new statement, so not a retry).
    let same = app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&v1)), 1);
    let answer = app.post_form(tps, &same).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.code(), "form.unchanged");
    assert_eq!(answer.json()["error"]["details"]["current_version"], 1);
    assert_eq!(app.log_size().await, size, "nothing stored");

    // The same numbers with a photo added are a new version.
    let mut statement = same["statement"].as_object().unwrap().clone();
    statement.insert("photos".into(), json!([hex::encode([7u8; 32])]));
    let with_photo = Envelope::sign(statement, &chain.kpps).unwrap().to_value();
    let answer = app.post_form(tps, &with_photo).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(answer.json()["version"], 2);
}

/// A key statement naming a member twice is refused, not collapsed to one
/// of the two (which one was signed would depend on the reader), and
/// nothing is stored.
#[tokio::test]
async fn a_key_statement_naming_a_member_twice_is_refused() {
    let app = spawn_app();
    let province = app
        .first_tps(RegionCode::NASIONAL)
        .ancestor_at(saksi_core::Level::Provinsi)
        .unwrap();
    let prov = Signer::generate("kpu-prov-dup").unwrap();
    let body = envelope(&register(&prov, KeyRole::KpuProv, province), &root_key());
    let text = body.to_string();
    let twice = text.replacen("{\"statement\":", "{\"statement\":{},\"statement\":", 1);
    assert_ne!(twice, text);
    let post = |body: String| {
        app.request(
            Method::POST,
            "/api/v1/keys",
            &[("content-type", "application/json")],
            body,
        )
    };
    let answer = post(twice).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.json());
    assert_eq!(answer.code(), "request.malformed_json");
    assert_eq!(app.log_size().await, 0);
    // The same envelope once is registered.
    assert_eq!(post(text).await.status, StatusCode::CREATED);
}
