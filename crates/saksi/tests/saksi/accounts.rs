//! `saksi user` end to end: the account lifecycle (list, disable, enable,
//! reset-password, revoke-sessions), usernames compared ignoring case, the
//! password policy, and tokens minted only for kpps and auditor accounts,
//! each listed.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::common::{Server, http, json, path, run, saksi, text};

/// `saksi init` of a small election in `dir`.
pub(crate) fn init(dir: &Path) {
    let out = run(&[
        "init",
        "--data-dir",
        path(dir),
        "--scale",
        "0.001",
        "--seed",
        "5",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `saksi user ARGS... --data-dir DIR`, with `SAKSI_PASSWORD` if given.
fn user(dir: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = saksi();
    cmd.arg("user").args(args).args(["--data-dir", path(dir)]);
    if let Some(p) = password {
        cmd.env("SAKSI_PASSWORD", p);
    }
    cmd.output().unwrap()
}

/// [`user`], which must succeed; its standard output.
fn user_ok(dir: &Path, args: &[&str], password: Option<&str>) -> String {
    let out = user(dir, args, password);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// [`user`], which must fail with one line naming `expect`.
fn user_refused(dir: &Path, args: &[&str], password: Option<&str>, expect: &str) {
    let out = user(dir, args, password);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(stderr.contains(expect), "{args:?}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

fn add(dir: &Path, username: &str, role: &str, region: &str, password: &str) -> Output {
    user(
        dir,
        &[
            "add",
            "--username",
            username,
            "--role",
            role,
            "--region",
            region,
        ],
        Some(password),
    )
}

/// The accounts as `saksi user list --json` prints them.
fn listed(dir: &Path) -> Vec<serde_json::Value> {
    json(&user_ok(dir, &["list", "--json"], None))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn every_minted_token_is_listed_with_its_state_and_revoke_sessions_ends_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("election");
    init(&dir);
    assert!(
        add(
            &dir,
            "Auditor.Satu",
            "auditor",
            "0",
            "rahasia-panjang-sekali"
        )
        .status
        .success()
    );
    let first = user_ok(&dir, &["token", "--username", "auditor.satu"], None);
    let second = user_ok(&dir, &["token", "--username", "AUDITOR.SATU"], None);
    assert_ne!(first, second);
    let revoked = user_ok(
        &dir,
        &["revoke-sessions", "--username", "auditor.satu"],
        None,
    );
    assert_eq!(revoked.trim(), "2 live session(s) of Auditor.Satu revoked");
    let third = user_ok(
        &dir,
        &["token", "--username", "auditor.satu", "--ttl-hours", "1"],
        None,
    );

    let accounts = listed(&dir);
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let a = &accounts[0];
    assert_eq!(a["username"], "Auditor.Satu");
    assert_eq!(a["role"], "auditor");
    assert_eq!(a["region"], "0");
    assert_eq!(a["status"], "active");
    assert_eq!(a["live_sessions"], 1);
    let tokens = a["tokens"].as_array().unwrap();
    let ids: Vec<String> = [&first, &second, &third]
        .iter()
        .map(|t| hex::encode(&Sha256::digest(t.trim().as_bytes())[..4]))
        .collect();
    let mut listed_ids: Vec<String> = tokens
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    listed_ids.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(listed_ids, expected, "every minted token, by hash only");
    let state_of = |id: &str| {
        let t = tokens.iter().find(|t| t["id"] == id).unwrap();
        (
            t["state"].as_str().unwrap().to_owned(),
            t["revoked_at"].is_string(),
        )
    };
    assert_eq!(state_of(&ids[0]), ("revoked".to_owned(), true));
    assert_eq!(state_of(&ids[1]), ("revoked".to_owned(), true));
    assert_eq!(state_of(&ids[2]), ("live".to_owned(), false));
    for t in [&first, &second, &third] {
        assert!(
            !user_ok(&dir, &["list"], None).contains(t.trim()),
            "no token is printed"
        );
    }

    let table = user_ok(&dir, &["list"], None);
    let header = table.lines().next().unwrap();
    for column in ["USERNAME", "ROLE", "REGION", "STATUS", "SESSIONS", "TOKENS"] {
        assert!(header.contains(column), "{table}");
    }
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.starts_with("Auditor.Satu") && row.contains("auditor") && row.contains("active"),
        "{table}"
    );
    assert_eq!(table.matches("    token ").count(), 3, "{table}");
    assert_eq!(table.matches(" revoked ").count(), 2, "{table}");

    user_ok(&dir, &["disable", "--username", "auditor.satu"], None);
    let a = &listed(&dir)[0];
    assert_eq!(a["status"], "disabled");
    assert!(a["disabled_at"].is_string());
    assert_eq!(a["live_sessions"], 0, "disabling revoked the live token");
    user_refused(
        &dir,
        &["token", "--username", "auditor.satu"],
        None,
        "is disabled",
    );
}

#[test]
fn tokens_are_minted_only_for_kpps_and_auditor_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("election");
    init(&dir);
    for (name, role) in [("ketua.kpu", "kpu-ri"), ("bawaslu.ri", "bawaslu")] {
        assert!(
            add(&dir, name, role, "0", "rahasia-panjang-sekali")
                .status
                .success()
        );
        user_refused(
            &dir,
            &["token", "--username", name],
            None,
            "tokens are minted only for kpps and auditor accounts",
        );
    }
    for a in listed(&dir) {
        assert_eq!(a["tokens"].as_array().unwrap().len(), 0, "{a}");
        assert_eq!(a["live_sessions"], 0, "{a}");
    }
}

#[test]
fn usernames_are_unique_ignoring_case_and_passwords_meet_the_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("election");
    init(&dir);
    assert!(
        add(&dir, "Ketua.KPU", "kpu-ri", "0", "rahasia-panjang-sekali")
            .status
            .success()
    );
    let taken = add(&dir, "ketua.kpu", "auditor", "0", "rahasia-panjang-sekali");
    assert!(!taken.status.success());
    assert!(
        text(&taken.stderr).contains("already taken (by Ketua.KPU"),
        "{}",
        text(&taken.stderr)
    );
    for (password, expect) in [
        ("pendek", "at least 12 characters"),
        ("            ", "only spaces"),
        ("Password2024!", "common password"),
        ("bismillah123", "common password"),
        ("AUDITOR.KEDUA", "the username"),
    ] {
        let out = add(&dir, "auditor.kedua", "auditor", "0", password);
        assert!(!out.status.success(), "{password:?}");
        assert!(
            text(&out.stderr).contains(expect),
            "{password:?}: {}",
            text(&out.stderr)
        );
    }
    for (password, expect) in [
        ("pendek", "at least 12 characters"),
        ("Password2024!", "common password"),
    ] {
        user_refused(
            &dir,
            &["reset-password", "--username", "KETUA.kpu"],
            Some(password),
            expect,
        );
    }
    let names: Vec<String> = listed(&dir)
        .iter()
        .map(|a| a["username"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Ketua.KPU"], "nothing refused was stored");
    user_refused(
        &dir,
        &["disable", "--username", "nobody"],
        None,
        "no user \"nobody\"",
    );
}

/// Logs in; the status and the token (if any).
fn login(server: &Server, username: &str, password: &str) -> (u16, Option<String>, String) {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let (status, answer) = http(server.addr, "POST", "/api/v1/auth/login", &[], &body);
    let token = (status == 200).then(|| json(&answer)["token"].as_str().unwrap().to_owned());
    (status, token, answer)
}

/// The status of a logout with `token`: 204 while the session is live,
/// 401 once it is not.
fn logout(server: &Server, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    http(
        server.addr,
        "POST",
        "/api/v1/auth/logout",
        &[("Authorization", &auth)],
        "",
    )
    .0
}

/// The status of `GET /api/v1/auth/session` with `token`.
fn session(server: &Server, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    http(
        server.addr,
        "GET",
        "/api/v1/auth/session",
        &[("Authorization", &auth)],
        "",
    )
    .0
}

#[test]
fn disable_enable_reset_password_and_revoke_sessions_act_on_a_running_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    // The one demo account that logs in with its password alone (staff
    // need TOTP codes, each usable once: see the TOTP test below).
    let accounts = json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap());
    let password = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "demo-kpps")
        .unwrap()["password"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, token, _) = login(&server, "DEMO-KPPS", &password);
    assert_eq!(status, 200, "a username logs in in any case");
    let token = token.unwrap();

    let out = user_ok(&dir, &["disable", "--username", "demo-kpps"], None);
    assert_eq!(out.trim(), "disabled demo-kpps; 1 live session(s) revoked");
    assert_eq!(logout(&server, &token), 401);
    let (status, _, body) = login(&server, "demo-kpps", &password);
    assert_eq!(status, 403, "{body}");
    assert_eq!(json(&body)["error"]["code"], "auth.account_disabled");
    let (status, _, body) = login(&server, "demo-kpps", "salah-salah-salah");
    assert_eq!(status, 401, "a wrong password gets the usual answer");
    assert_eq!(json(&body)["error"]["code"], "auth.invalid_credentials");

    user_ok(&dir, &["enable", "--username", "demo-kpps"], None);
    let (status, token, _) = login(&server, "demo-kpps", &password);
    assert_eq!(status, 200);
    let token = token.unwrap();

    let out = user(
        &dir,
        &["reset-password", "--username", "demo-kpps", "--generate"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new_password = text(&out.stdout).trim().to_owned();
    assert_eq!(new_password.len(), 27, "{new_password}");
    assert!(
        text(&out.stderr).contains("1 live session(s) revoked"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(logout(&server, &token), 401);
    assert_eq!(login(&server, "demo-kpps", &password).0, 401);
    let (status, token, _) = login(&server, "demo-kpps", &new_password);
    assert_eq!(status, 200);
    let token = token.unwrap();

    // Used, so the server holds it in its session cache.
    assert_eq!(session(&server, &token), 200);
    let out = user_ok(&dir, &["revoke-sessions", "--username", "demo-kpps"], None);
    assert_eq!(out.trim(), "1 live session(s) of demo-kpps revoked");
    // The server rereads the account revision once a second; the bound
    // here is only against a hang.
    let deadline = Instant::now() + Duration::from_secs(10);
    while session(&server, &token) == 200 {
        assert!(
            Instant::now() < deadline,
            "a revoked session is still honoured"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(session(&server, &token), 401);
    assert_eq!(logout(&server, &token), 401);
}

/// The demo account `username`'s password and TOTP secret.
fn demo_account(dir: &Path, username: &str) -> (String, Option<String>) {
    let accounts = json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap());
    let account = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .unwrap()
        .clone();
    (
        account["password"].as_str().unwrap().to_owned(),
        account["totp_secret"].as_str().map(str::to_owned),
    )
}

/// Logs in with the TOTP code of now; the status and the answer.
fn login_totp(server: &Server, username: &str, password: &str, secret: &str) -> (u16, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = saksi_server::auth::totp::code_at(secret, now).unwrap();
    let body =
        serde_json::json!({"username": username, "password": password, "totp": code}).to_string();
    http(server.addr, "POST", "/api/v1/auth/login", &[], &body)
}

#[test]
fn totp_reset_ends_the_sessions_and_the_next_login_enrols_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let (password, secret) = demo_account(&dir, "demo-kpu-ri");
    let secret = secret.expect("a staff demo account has TOTP enrolled");
    let enrolled = |dir: &Path| {
        listed(dir)
            .iter()
            .find(|a| a["username"] == "demo-kpu-ri")
            .unwrap()["totp_enrolled"]
            .clone()
    };
    assert_eq!(enrolled(&dir), true);
    assert!(
        user_ok(&dir, &["list"], None)
            .lines()
            .any(|l| l.starts_with("demo-kpu-ri ") && l.contains(" yes ")),
        "the table shows TOTP"
    );
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/v1/auth/login",
        &[],
        &serde_json::json!({"username": "demo-kpu-ri", "password": password}).to_string(),
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(json(&body)["error"]["code"], "auth.totp_required");
    let (status, body) = login_totp(&server, "demo-kpu-ri", &password, &secret);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["totp_enrolment_required"], false);
    let token = json(&body)["token"].as_str().unwrap().to_owned();
    assert_eq!(session(&server, &token), 200);

    let out = user_ok(&dir, &["totp", "reset", "--username", "DEMO-KPU-RI"], None);
    assert!(out.contains("1 live session(s) revoked"), "{out}");
    assert_eq!(enrolled(&dir), false);
    // The server rereads the account revision once a second; the bound
    // here is only against a hang.
    let deadline = Instant::now() + Duration::from_secs(10);
    while session(&server, &token) == 200 {
        assert!(
            Instant::now() < deadline,
            "a reset account's session is still honoured"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, token, body) = login(&server, "demo-kpu-ri", &password);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["totp_enrolment_required"], true);
    // The restricted session shows itself and logs out.
    let token = token.unwrap();
    assert_eq!(session(&server, &token), 200);
    assert_eq!(logout(&server, &token), 204);

    user_refused(
        &dir,
        &["totp", "reset", "--username", "nobody"],
        None,
        "no user \"nobody\"",
    );
}
