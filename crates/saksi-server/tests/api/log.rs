//! The transparency log end to end: entries, checkpoints, proofs, receipts,
//! and the refusal to sign over a store behind what was already signed.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{Accepted, LogEntries, Proof, Receipt};
use saksi_core::{Contest, RegionCode};
use saksi_log::{
    Checkpoint, Hash, Verifier, canonical_json, leaf_hash, merkle_root, verify_consistency,
    verify_inclusion,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::*;

/// The first `n` TPS of the election.
fn tps_codes(app: &TestApp, n: usize) -> Vec<RegionCode> {
    let tree = &app.election.tree;
    tree.tps_ids().take(n).map(|id| tree.get(id).code).collect()
}

/// Submits the presidential form of `n` TPS, from the `skip`-th on, each
/// signed by its KPPS device (whose key, and the officers' above it, are
/// registered first if they are not yet).
async fn submit_forms(app: &TestApp, skip: usize, n: usize) {
    for (i, tps) in tps_codes(app, skip + n).into_iter().enumerate().skip(skip) {
        let kpps = app.kpps_device(tps).await;
        let form = app.form_json(tps, Contest::Ppwp, i as u64);
        let answer = app.submit(&kpps, tps, Contest::Ppwp, form).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
}

async fn log_key(app: &TestApp) -> Verifier {
    let answer = app.get("/api/v1/log/key").await;
    assert_eq!(answer.status, StatusCode::OK);
    let text = String::from_utf8(answer.body).unwrap();
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    Verifier::parse(text.trim_end()).unwrap()
}

/// Publishes now, then fetches and verifies the latest checkpoint.
async fn checkpoint(app: &TestApp) -> Checkpoint {
    app.app.publish_checkpoint().unwrap();
    let answer = app.get("/api/v1/log/checkpoint").await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let key = log_key(app).await;
    Checkpoint::open(&answer.body, &key, ORIGIN).unwrap()
}

fn b64(s: &Value) -> Vec<u8> {
    STANDARD.decode(s.as_str().unwrap()).unwrap()
}

fn hash(s: &Value) -> Hash {
    Hash::try_from(b64(s).as_slice()).unwrap()
}

/// Every entry up to `size`, paging `page` at a time.
async fn fetch_entries(app: &TestApp, size: u64, page: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while (out.len() as u64) < size {
        let start = out.len() as u64;
        let uri = format!("/api/v1/log/entries?start={start}&end={}", start + page);
        let answer = app.get(&uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let entries = answer.typed::<LogEntries>().entries;
        assert!(!entries.is_empty() && entries.len() as u64 <= page, "{uri}");
        for e in entries {
            assert_eq!(e.index, out.len() as u64);
            let data = b64(&e.data.as_str().into());
            assert_eq!(hash(&e.leaf_hash.as_str().into()), leaf_hash(&data));
            out.push(data);
        }
    }
    out
}

async fn proof(app: &TestApp, uri: &str) -> Vec<Vec<u8>> {
    let answer = app.get(uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.json());
    answer
        .typed::<Proof>()
        .proof
        .into_iter()
        .map(|h| b64(&h.into()))
        .collect()
}

#[tokio::test]
async fn an_empty_log_publishes_a_size_zero_checkpoint() {
    let app = spawn_app();
    let cp = checkpoint(&app).await;
    assert_eq!(cp.size, 0);
    assert_eq!(cp.root, saksi_log::EMPTY_ROOT);
    let entries = app.get("/api/v1/log/entries?start=0&end=10").await;
    assert_eq!(entries.json()["entries"], serde_json::json!([]));
}

#[tokio::test]
async fn the_checkpoint_verifies_and_its_root_is_recomputed_from_every_entry() {
    let app = spawn_app();
    submit_forms(&app, 0, 6).await;
    // A correction: version 2 of the first TPS's form.
    let tps = tps_codes(&app, 1)[0];
    let kpps = app.kpps_device(tps).await;
    let form = app.form_json(tps, Contest::Ppwp, 99);
    let answer = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    assert_eq!(answer.json()["version"], 2);

    let cp = checkpoint(&app).await;
    assert_eq!(cp.size, app.store.log_size().unwrap());
    let entries = fetch_entries(&app, cp.size, 3).await;
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(merkle_root(&leaves), cp.root);

    // Every entry is canonical JSON; every form entry is a statement signed
    // by a device key, whose form is the stored form.
    let page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    let versions = page["contests"][0]["versions"].as_array().unwrap().clone();
    let mut forms = Vec::new();
    for data in &entries {
        let value: Value = serde_json::from_slice(data).unwrap();
        assert_eq!(&canonical_json(&value).unwrap(), data);
        assert!(value.get("username").is_none());
        if value["type"] == "form" {
            assert_eq!(value["v"], 2);
            assert!(value["signer"].as_str().unwrap().starts_with("kpps-"));
            forms.push(value);
        }
    }
    assert_eq!(forms.len(), 7);
    let v1 = &forms[0]["statement"];
    let v2 = &forms[6]["statement"];
    assert_eq!(v1["tps"], tps.to_string());
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["prev"], Value::Null);
    assert_eq!(v1["form"], versions[0]["form"]);
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["form"], versions[1]["form"]);
    assert_eq!(
        v2["prev"],
        hex::encode(Sha256::digest(canonical_json(v1).unwrap()))
    );
    for (i, v) in versions.iter().enumerate() {
        let index = v["log_index"].as_u64().unwrap();
        assert_eq!(hash(&v["leaf_hash"]), leaves[index as usize], "version {i}");
    }
    // Results state the log's size.
    assert_eq!(
        app.get("/api/v1/results/ppwp").await.json()["log_size"],
        cp.size
    );
}

#[tokio::test]
async fn inclusion_and_consistency_proofs_verify_for_old_and_new_sizes() {
    let app = spawn_app();
    submit_forms(&app, 0, 5).await;
    let first = checkpoint(&app).await;
    assert_eq!(first.size, app.store.log_size().unwrap());
    submit_forms(&app, 5, 6).await;
    let second = checkpoint(&app).await;
    assert_eq!(second.size, app.store.log_size().unwrap());
    assert!(second.size >= first.size + 6);
    let entries = fetch_entries(&app, second.size, 1000).await;
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();

    for size in 1..=second.size {
        let root = merkle_root(&leaves[..size as usize]);
        for index in 0..size {
            let uri = format!("/api/v1/log/proof/inclusion?index={index}&size={size}");
            let p = proof(&app, &uri).await;
            verify_inclusion(index, size, &leaves[index as usize], &p, &root).unwrap();
        }
    }
    let uri = format!(
        "/api/v1/log/proof/consistency?from={}&to={}",
        first.size, second.size
    );
    let p = proof(&app, &uri).await;
    verify_consistency(first.size, second.size, &first.root, &second.root, &p).unwrap();
    for from in 1..=second.size {
        let uri = format!(
            "/api/v1/log/proof/consistency?from={from}&to={}",
            second.size
        );
        let p = proof(&app, &uri).await;
        let old = merkle_root(&leaves[..from as usize]);
        verify_consistency(from, second.size, &old, &second.root, &p).unwrap();
    }
    assert!(
        proof(&app, "/api/v1/log/proof/consistency?from=4&to=4")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_retry_adds_no_entry() {
    let app = spawn_app();
    let tps = tps_codes(&app, 1)[0];
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &form, None);
    let first = app.post_signed(tps, Contest::Ppwp, &body).await;
    let again = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(first.body, again.body);
    assert_eq!(checkpoint(&app).await.size, keys + 1);
    assert_eq!(
        app.store.log_entries(0, keys + 10).unwrap().len() as u64,
        keys + 1
    );
}

#[tokio::test]
async fn receipts_verify_with_the_log_key_and_are_served_again() {
    let app = spawn_app();
    let tps = tps_codes(&app, 1)[0];
    let kpps = app.kpps_device(tps).await;
    let index = app.store.log_size().unwrap();
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let answer = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    let receipt = answer.typed::<Accepted>().receipt;
    // The fields scripts already rely on are still there.
    assert_eq!(receipt.tps, Some(tps.to_string()));
    assert_eq!(receipt.contest.as_deref(), Some("ppwp"));
    assert_eq!(receipt.version, Some(1));
    assert_eq!(receipt.log_index, index);

    let key = log_key(&app).await;
    let signed = receipt.signed.as_deref().unwrap();
    let opened = saksi_log::open(signed.as_bytes(), std::slice::from_ref(&key)).unwrap();
    let expected = format!(
        "saksi/receipt/v1\n{ORIGIN}\n{index}\n{}\n{}\n",
        receipt.leaf_hash, receipt.submitted_at
    );
    assert_eq!(opened.text, expected);

    let entry = &app.store.log_entries(index, index + 1).unwrap()[0];
    assert_eq!(hash(&receipt.leaf_hash.as_str().into()), entry.leaf_hash);
    assert_eq!(
        receipt.entry_sha256,
        hex::encode(Sha256::digest(&entry.data))
    );

    let served = app.get(&format!("/api/v1/log/receipt/{index}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.typed::<Receipt>(), receipt);
    let missing = app.get(&format!("/api/v1/log/receipt/{}", index + 1)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "log.entry_not_found");
}

#[tokio::test]
async fn bad_log_parameters_are_refused_with_stable_codes() {
    let app = spawn_app();
    // Three entries: a KPPS device's key and the officers' keys above it.
    app.kpps_device(tps_codes(&app, 1)[0]).await;
    assert_eq!(checkpoint(&app).await.size, 3);
    for (uri, code) in [
        ("/api/v1/log/entries?start=0", "log.invalid_parameter"),
        (
            "/api/v1/log/entries?start=-1&end=2",
            "log.invalid_parameter",
        ),
        (
            "/api/v1/log/entries?start=%2B1&end=2",
            "log.invalid_parameter",
        ),
        ("/api/v1/log/entries?start=a&end=2", "log.invalid_parameter"),
        (
            "/api/v1/log/entries?start=0&end=99999999999999999999999",
            "log.invalid_parameter",
        ),
        ("/api/v1/log/entries?start=2&end=1", "log.invalid_range"),
        ("/api/v1/log/entries?start=4&end=9", "log.beyond_checkpoint"),
        (
            "/api/v1/log/proof/inclusion?index=0",
            "log.invalid_parameter",
        ),
        (
            "/api/v1/log/proof/inclusion?index=3&size=3",
            "log.invalid_range",
        ),
        (
            "/api/v1/log/proof/inclusion?index=0&size=0",
            "log.invalid_range",
        ),
        (
            "/api/v1/log/proof/inclusion?index=0&size=4",
            "log.beyond_checkpoint",
        ),
        (
            "/api/v1/log/proof/consistency?from=0&to=2",
            "log.invalid_range",
        ),
        (
            "/api/v1/log/proof/consistency?from=3&to=2",
            "log.invalid_range",
        ),
        (
            "/api/v1/log/proof/consistency?from=1&to=4",
            "log.beyond_checkpoint",
        ),
        (
            "/api/v1/log/proof/consistency?from=x&to=2",
            "log.invalid_parameter",
        ),
        ("/api/v1/log/receipt/abc", "log.invalid_parameter"),
    ] {
        let answer = app.get(uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(answer.code(), code, "{uri}");
    }
    // The end is clamped to the checkpoint, not refused.
    let clamped = app.get("/api/v1/log/entries?start=1&end=100").await.json();
    assert_eq!(clamped["entries"].as_array().unwrap().len(), 2);
    let at_end = app.get("/api/v1/log/entries?start=3&end=100").await.json();
    assert_eq!(at_end["entries"], serde_json::json!([]));
}

#[tokio::test]
async fn the_highest_signed_checkpoint_survives_a_restart() {
    let app = spawn_app();
    submit_forms(&app, 0, 4).await;
    let before = checkpoint(&app).await;
    let note_before = app.get("/api/v1/log/checkpoint").await.body;
    let app = app.restart();
    // The same checkpoint is served at once, and the record is on disk.
    assert_eq!(app.get("/api/v1/log/checkpoint").await.body, note_before);
    let recorded = std::fs::read(app.dir.path().join("log.highest")).unwrap();
    assert_eq!(recorded, note_before);
    submit_forms(&app, 4, 2).await;
    let after = checkpoint(&app).await;
    assert_eq!(after.size, app.store.log_size().unwrap());
    assert!(after.size >= before.size + 2);
    let uri = format!(
        "/api/v1/log/proof/consistency?from={}&to={}",
        before.size, after.size
    );
    let p = proof(&app, &uri).await;
    verify_consistency(before.size, after.size, &before.root, &after.root, &p).unwrap();
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_restored_backup_makes_the_server_refuse_to_sign_and_say_why() {
    let app = spawn_app();
    submit_forms(&app, 0, 3).await;
    let backup = app.dir.path().join("backup.db");
    app.backup(&backup);
    let backed_up = app.store.log_size().unwrap();
    submit_forms(&app, 3, 3).await;
    let signed = checkpoint(&app).await.size;
    assert!(signed >= backed_up + 3);

    let app = app.restart_with(|dir| {
        for stale in ["saksi.db-wal", "saksi.db-shm"] {
            let _ = std::fs::remove_file(dir.join(stale));
        }
        std::fs::copy(dir.join("backup.db"), dir.join("saksi.db")).unwrap();
    });
    assert_eq!(app.app.state().live().log_size(), backed_up);

    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    let health = health.json();
    assert_eq!(health["reason"], "log.behind_signed");
    let message = health["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{backed_up} log entries"))
            && message.contains(&format!("size {signed}")),
        "{message}"
    );

    assert!(app.app.publish_checkpoint().is_err());
    let cp = app.get("/api/v1/log/checkpoint").await;
    assert_eq!(cp.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(cp.code(), "log.behind_signed");
    // Nothing new is accepted (nor promised by a receipt) meanwhile.
    // (a correction by a device registered before the backup)
    let tps = tps_codes(&app, 1)[0];
    let kpps = named_key(&format!("kpps-{tps}"));
    let form = app.form_json(tps, Contest::Ppwp, 7);
    let refused = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "log.behind_signed");
    assert_eq!(app.store.log_size().unwrap(), backed_up);
    // The record still says what was signed.
    let recorded = std::fs::read(app.dir.path().join("log.highest")).unwrap();
    let key = app.signer.verifier();
    assert_eq!(
        Checkpoint::open(&recorded, &key, ORIGIN).unwrap().size,
        signed
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("saksi_log_refusing_to_sign 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_tps_page_carries_log_index_and_leaf_hash() {
    let app = spawn_app();
    submit_forms(&app, 0, 1).await;
    let tps = tps_codes(&app, 2)[1];
    app.kpps_device(tps).await;
    let index = app.store.log_size().unwrap();
    submit_forms(&app, 1, 1).await;
    let page = app.get(&format!("/api/v1/tps/{tps}")).await.json();
    let v = &page["contests"][0]["versions"][0];
    assert_eq!(v["log_index"], index);
    let entry = &app.store.log_entries(index, index + 1).unwrap()[0];
    assert_eq!(hash(&v["leaf_hash"]), entry.leaf_hash);
}

#[tokio::test]
async fn the_root_keys_are_served_one_per_line() {
    let app = spawn_app();
    let answer = app.get("/api/v1/log/roots").await;
    assert_eq!(answer.status, StatusCode::OK);
    let text = String::from_utf8(answer.body.to_vec()).unwrap();
    assert_eq!(text, format!("{}\n", root_key().verifier()));
    assert!(Verifier::parse(text.trim()).is_ok());
}
