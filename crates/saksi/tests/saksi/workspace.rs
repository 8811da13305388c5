//! The officers' workspace in a real `saksi demo`: the enrolment codes it
//! prints enrol a phone, and its simulated officers above certify a key
//! that a demo staff account submits.
//!
//! Sessions of the demo's staff accounts are written into the store, as
//! `saksi user token` would (it mints tokens only for kpps and auditor),
//! so these tests need no password or TOTP code of theirs.

use std::path::Path;
use std::time::{Duration, Instant};

use saksi_log::Signer;
use saksi_server::auth::token;
use saksi_store::{Session, SqliteStore, Store, UnixTime};
use serde_json::{Value, json};

use crate::common::{Server, http, json, now};

/// A session token for the demo account `username`, written straight into
/// the demo's database while it runs.
fn session_of(dir: &Path, username: &str) -> String {
    let store = SqliteStore::open(dir.join("saksi.db")).unwrap();
    let user = store.user_by_username(username).unwrap().unwrap();
    let token = token::generate().unwrap();
    store
        .insert_session(&Session {
            token_hash: token::hash(&token).to_vec(),
            user_id: user.id,
            created_at: UnixTime(now()),
            expires_at: UnixTime(now() + 3600),
            minted: true,
        })
        .unwrap();
    token
}

/// The demo account of `role` from `demo-accounts.json`.
fn account(dir: &Path, role: &str) -> Value {
    let accounts = json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap());
    accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == role)
        .unwrap_or_else(|| panic!("no {role} demo account"))
        .clone()
}

/// The status of the caller's first submitted key, once it is not
/// pending any more (or after 30 s).
fn settled_status(demo: &Server, token: &str) -> String {
    let auth = format!("Bearer {token}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = http(
            demo.addr,
            "GET",
            "/api/v1/officer-keys/mine",
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let state = json(&body)["keys"][0]["status"]
            .as_str()
            .unwrap()
            .to_owned();
        if state != "pending" || Instant::now() > deadline {
            return state;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_demo_certifies_its_staffs_browser_keys_and_prints_codes_that_enrol_a_phone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut demo = Server::demo(&dir, "5", "0");

    // A pps and a kpu-prov member each submit a key made in the browser;
    // the simulated officer above certifies it.
    for role in ["pps", "kpu-prov"] {
        let username = format!("demo-{role}");
        let token = session_of(&dir, &username);
        let key = Signer::generate(&format!("{role}-browser")).unwrap();
        let body = json!({"key": key.verifier().to_string()}).to_string();
        let (status, answer) = http(
            demo.addr,
            "POST",
            "/api/v1/officer-keys",
            &[
                ("Authorization", &format!("Bearer {token}")),
                ("Content-Type", "application/json"),
            ],
            &body,
        );
        assert_eq!(status, 201, "{answer}");
        assert_eq!(json(&answer)["status"], "pending");
        assert_eq!(settled_status(&demo, &token), "certified", "{role}");
    }

    assert!(demo.terminate().success());
    let out = demo.output();
    let codes: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| {
            l.split_once("Enrol a phone as KPPS: ")?
                .1
                .split_once("TPS ")
        })
        .map(|(_, rest)| {
            let words: Vec<&str> = rest.split_whitespace().collect();
            (words[0].to_owned(), words[2].to_owned())
        })
        .collect();
    assert_eq!(codes.len(), 3, "{out}");
    let kpps_tps = account(&dir, "kpps")["region"].as_str().unwrap().to_owned();
    let kabkota = account(&dir, "kpu-kabkota")["region"]
        .as_str()
        .unwrap()
        .to_owned();
    for (tps, _) in &codes {
        assert_ne!(*tps, kpps_tps, "never the demo kpps account's TPS");
        assert!(
            tps.starts_with(&format!("{kabkota}.")),
            "{tps} in {kabkota}"
        );
    }

    // A printed code enrols a phone with the election served again.
    let mut server = Server::serve(&dir);
    let (tps, code) = &codes[0];
    let phone = Signer::generate("hp-kpps").unwrap();
    let body = json!({"tps": tps, "code": code, "key": phone.verifier().to_string()}).to_string();
    let (status, answer) = http(
        server.addr,
        "POST",
        "/api/v1/enrolments",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 201, "{answer}");
    assert_eq!(json(&answer)["status"], "pending");
    assert!(server.terminate().success());
}
