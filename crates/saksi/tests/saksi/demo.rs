//! The quick start as a user runs it: `saksi demo` as a real process, the
//! admin commands beside it, and the results page in a real browser
//! (Debian's chromium, headless).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{Server, browser, chain, http, json, path, run, saksi};

#[test]
fn demo_serves_results_prints_accounts_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut demo = Server::demo(&dir, "5", "0");
    let (status, body) = http(demo.addr, "GET", "/api/v1/regions", &[], "");
    assert_eq!(status, 200);
    assert_eq!(json(&body)["children"].as_array().unwrap().len(), 39);

    // The demo accounts are written for their owner only, and log in.
    let accounts_file = dir.join("demo-accounts.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&accounts_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let accounts = json(&std::fs::read_to_string(&accounts_file).unwrap());
    let kpu = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "kpu-ri")
        .expect("a kpu-ri demo account");
    // Staff accounts come with TOTP enrolled: a script computes the code
    // from the secret in the file (the kpps account needs none).
    let secret = kpu["totp_secret"].as_str().expect("a TOTP secret");
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| (a["role"] == "kpps") == a.get("totp_secret").is_none()),
        "{accounts}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = saksi_server::auth::totp::code_at(secret, now).unwrap();
    let login = serde_json::json!({
        "username": kpu["username"], "password": kpu["password"], "totp": code
    })
    .to_string();
    let (status, body) = http(demo.addr, "POST", "/api/v1/auth/login", &[], &login);
    assert_eq!(status, 200, "{body}");
    assert!(json(&body)["token"].as_str().unwrap().len() >= 32);
    assert_eq!(json(&body)["totp_enrolment_required"], false);
    let (_, log_key) = http(demo.addr, "GET", "/api/v1/log/key", &[], "");

    let status = demo.terminate();
    assert!(status.success(), "{status:?}");
    let out = demo.output();
    assert!(out.contains(&format!("http://{}/", demo.addr)), "{out}");
    // The workspace's address, and that a phone needs HTTPS.
    assert!(
        out.contains(&format!("Workspace:      http://{}/login", demo.addr)),
        "{out}"
    );
    assert!(out.contains("the KPPS app needs HTTPS"), "{out}");
    assert!(out.contains(kpu["password"].as_str().unwrap()), "{out}");
    assert!(out.contains(secret), "the TOTP secret is printed: {out}");
    // The key an auditor pins, and the command that audits this server,
    // with the binary's path since `saksi` on PATH is not this binary.
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_saksi")).unwrap();
    let audit = format!(
        "{} audit --server http://{} --key '{}'",
        binary.display(),
        demo.addr,
        log_key.trim()
    );
    assert!(out.contains(&audit), "{out}");
}

/// A GET's whole answer, head and body, as text.
fn raw_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Whether an answer is marked as a simulation: the header, and for the
/// page the banner in the HTML as served (no script has run).
fn marked(addr: SocketAddr) -> (bool, bool) {
    let is_marked = |answer: &str| {
        let (head, _) = answer.split_once("\r\n\r\n").unwrap();
        head.to_ascii_lowercase()
            .contains("\r\nx-saksi-simulation: true\r\n")
    };
    let page = raw_get(addr, "/");
    let api = ["/api/v1/results/ppwp", "/api/v1/regions", "/api/v1/log/key"]
        .iter()
        .all(|path| is_marked(&raw_get(addr, path)));
    let banner = page.contains("DATA SIMULASI");
    assert_eq!(banner, is_marked(&page), "{page}");
    (banner, api)
}

#[test]
fn a_demo_and_its_data_served_later_say_data_simulasi_and_an_election_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut demo = Server::demo(&dir, "5", "0");
    assert_eq!(marked(demo.addr), (true, true));
    // A SIGTERM sent as soon as the address is read stops it cleanly too.
    assert!(demo.terminate().success());
    let mut served = Server::serve(&dir);
    assert_eq!(marked(served.addr), (true, true));
    served.terminate();

    let election = tmp.path().join("election");
    let init = run(&["init", "--data-dir", election.to_str().unwrap()]
        .into_iter()
        .chain(["--scale", "0.001", "--seed", "5"])
        .collect::<Vec<_>>());
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let served = Server::serve(&election);
    assert_eq!(marked(served.addr), (false, false));
}

#[test]
fn a_user_added_while_the_server_runs_can_log_in_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let added = saksi()
        .args(["user", "add", "--data-dir", dir.to_str().unwrap()])
        .args([
            "--username",
            "ketua.ppk",
            "--role",
            "bawaslu",
            "--region",
            "11",
        ])
        .env("SAKSI_PASSWORD", "rahasia-panjang-sekali")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let login = r#"{"username": "ketua.ppk", "password": "rahasia-panjang-sekali"}"#;
    let (status, body) = http(demo.addr, "POST", "/api/v1/auth/login", &[], login);
    assert_eq!(status, 200, "{body}");
    let (status, _) = http(
        demo.addr,
        "POST",
        "/api/v1/auth/login",
        &[],
        r#"{"username": "ketua.ppk", "password": "salah"}"#,
    );
    assert_eq!(status, 401);
}

#[test]
fn user_add_refuses_bad_input_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    assert!(
        saksi()
            .args(["init", "--data-dir", dir, "--scale", "0.001"])
            .status()
            .unwrap()
            .success()
    );
    for (args, expect) in [
        (
            vec!["--username", "ab", "--role", "ppk", "--region", "11.01.01"],
            "username",
        ),
        (
            vec![
                "--username",
                "ketua",
                "--role",
                "camat",
                "--region",
                "11.01.01",
            ],
            "unknown role",
        ),
        (
            vec!["--username", "ketua", "--role", "ppk", "--region", "11.01"],
            "kecamatan",
        ),
        (
            vec!["--username", "ketua", "--role", "saksi", "--region", "11"],
            "party",
        ),
        (
            vec![
                "--username",
                "ketua",
                "--role",
                "ppk",
                "--region",
                "98.01.01",
            ],
            "not in this election",
        ),
    ] {
        let out = saksi()
            .args(["user", "add", "--data-dir", dir])
            .args(&args)
            .env("SAKSI_PASSWORD", "rahasia-panjang-sekali")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let short = saksi()
        .args([
            "user",
            "add",
            "--data-dir",
            dir,
            "--username",
            "ketua",
            "--role",
            "auditor",
            "--region",
            "0",
        ])
        .env("SAKSI_PASSWORD", "pendek")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
}

/// The `demo-kpps` account's TPS and its simulated device key (the one a
/// person would take from `demo-keys/`).
pub(crate) fn demo_kpps(dir: &Path) -> (String, saksi_log::Signer) {
    let accounts = json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap());
    let tps = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "kpps")
        .unwrap()["region"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = std::fs::read_to_string(dir.join("demo-keys").join(format!("{tps}.key"))).unwrap();
    (tps, saksi_log::Signer::parse(key.trim()).unwrap())
}

/// A PPWP form of the demo's TPS whose three candidates got `votes`.
pub(crate) fn ppwp_form(votes: [u32; 3]) -> String {
    let sah: u32 = votes.iter().sum();
    let (l, p) = (sah / 2, sah - sah / 2);
    format!(
        r#"{{"pemilih_dpt_l": 100, "pemilih_dpt_p": 100, "pemilih_dpt_j": 200,
        "pengguna_dpt_l": {l}, "pengguna_dpt_p": {p}, "pengguna_dpt_j": {sah},
        "pengguna_dptb_l": 0, "pengguna_dptb_p": 0, "pengguna_dptb_j": 0,
        "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_non_dpt_j": 0,
        "pengguna_total_l": {l}, "pengguna_total_p": {p}, "pengguna_total_j": {sah},
        "suara_sah": {sah}, "suara_tidak_sah": 0, "suara_total": {sah},
        "options": {{"01": {}, "02": {}, "03": {}}}}}"#,
        votes[0], votes[1], votes[2]
    )
}

/// The hole this closes: the operator mints a token for the demo's `kpps`
/// account (no password needed) after its TPS's device signed 50/60/40,
/// and posts 10/130/10 through the session: refused, nothing logged, the
/// published results unchanged.
#[test]
fn a_kpps_session_from_user_token_cannot_change_a_signed_form() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let (tps, device) = demo_kpps(&dir);
    let origin = chain::origin(demo.addr);
    let (body, _) = chain::signed_form(
        &device,
        &origin,
        &tps,
        "ppwp",
        (1, None),
        &ppwp_form([50, 60, 40]),
        None,
    );
    let (status, answer) = chain::post_form(demo.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");
    let (_, before) = http(demo.addr, "GET", "/api/v1/results/ppwp", &[], "");
    let before = json(&before);
    assert_eq!(
        before["totals"]["options"],
        serde_json::json!({"01": 50, "02": 60, "03": 40})
    );

    let out = saksi()
        .args([
            "user",
            "token",
            "--data-dir",
            dir.to_str().unwrap(),
            "--username",
            "demo-kpps",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Idempotency-Key", "t-1"),
        ("Content-Type", "application/json"),
    ];
    let (status, body) = http(
        demo.addr,
        "POST",
        &format!("/api/v1/tps/{tps}/forms/ppwp"),
        &headers,
        &ppwp_form([10, 130, 10]),
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(json(&body)["error"]["code"], "form.signature_required");
    let (_, after) = http(demo.addr, "GET", "/api/v1/results/ppwp", &[], "");
    assert_eq!(json(&after), before, "the published results did not move");
    let (_, page) = http(demo.addr, "GET", &format!("/api/v1/tps/{tps}"), &[], "");
    let page = json(&page);
    let versions = page["contests"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["signer"]["role"], "kpps");
    assert_eq!(versions[0]["signer"]["key"], device.verifier().to_string());
}

/// The page's DOM after its script has run.
pub(crate) fn rendered(browser: &Path, url: &str, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=8000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_results_page_shows_the_apis_numbers_in_a_real_browser() {
    let Some(browser) = browser::chromium() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let sim = saksi()
        .args(["simulate", "--data-dir", dir.to_str().unwrap()])
        .args([
            "--server",
            &format!("http://{}", demo.addr),
            "--count",
            "60",
            "--rate",
            "1000",
        ])
        .output()
        .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    assert!(String::from_utf8_lossy(&sim.stdout).contains("accepted 60"));

    let (_, body) = http(demo.addr, "GET", "/api/v1/results/ppwp", &[], "");
    let national = json(&body);
    let reported = national["totals"]["tps_reported"].as_u64().unwrap();
    assert!(reported > 0);
    // The page may run only its own script: no inline script, no eval,
    // nothing from elsewhere.
    let head = raw_get(demo.addr, "/");
    let (head, _) = head.split_once("\r\n\r\n").unwrap();
    let csp = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-security-policy: ")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no Content-Security-Policy: {head}"));
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );

    let profile = tmp.path().join("chromium");
    let dom = rendered(&browser, &format!("http://{}/", demo.addr), &profile);
    assert!(dom.contains("Indonesia"), "{dom}");
    assert!(dom.contains("DATA SIMULASI"), "a demo says so: {dom}");
    assert!(
        dom.contains("Prabowo Subianto - Gibran Rakabuming Raka"),
        "{dom}"
    );
    // The page formats numbers the Indonesian way (1.234); small demo
    // counts print the same either way.
    let expected = national["totals"]["tps_expected"].as_u64().unwrap();
    let shown = format!("{reported} / {}", format_id(expected));
    assert!(dom.contains(&shown), "the page shows {shown:?}: {dom}");
    let aceh_rows = dom.matches("#/ppwp/11\"").count();
    assert_eq!(aceh_rows, 1, "one link down to Aceh");
    // Every option's number on the page is the API's.
    let api: Vec<(String, String)> = national["totals"]["options"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), format_id(v.as_u64().unwrap())))
        .collect();
    assert_eq!(api.len(), 3, "three paslon: {national}");
    assert_eq!(option_numbers(&dom), api, "{dom}");

    // Drill down: a province page lists its kab/kota, a TPS page its forms.
    let dom = rendered(
        &browser,
        &format!("http://{}/#/ppwp/11", demo.addr),
        &profile,
    );
    assert!(dom.contains("Aceh"), "{dom}");
    assert!(dom.contains("11.01"), "{dom}");
    let tps = first_reported_tps(demo.addr);
    let dom = rendered(
        &browser,
        &format!("http://{}/#/tps/{tps}", demo.addr),
        &profile,
    );
    assert!(dom.contains("C.Hasil Presiden"), "{dom}");
    assert!(
        dom.contains("(berlaku)"),
        "the current version is marked: {dom}"
    );
    // Each version names its signer: here the TPS's KPPS device.
    let (_, page) = http(demo.addr, "GET", &format!("/api/v1/tps/{tps}"), &[], "");
    let key_id = json(&page)["contests"][0]["versions"][0]["signer"]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        dom.contains(&format!("KPPS · kunci {key_id}")),
        "the signer is shown: {dom}"
    );
}

/// The rows of the page's options table as (option, number shown): each
/// row's first cell starts with the option's key (`01 · ...`), its second
/// holds the number before the bar.
fn option_numbers(dom: &str) -> Vec<(String, String)> {
    let table = dom
        .split_once("<table id=\"options\">")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table)
        .unwrap_or_else(|| panic!("no options table: {dom}"));
    let body = table.split_once("<tbody>").map_or("", |(_, b)| b);
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|c| c.split_once('>').map_or("", |(_, text)| text))
                .collect();
            let key = cells[0].split(" · ").next().unwrap_or_default().to_owned();
            let number = cells[1].split('<').next().unwrap_or_default().to_owned();
            (key, number)
        })
        .collect()
}

/// Thousands separated by dots, as `Intl.NumberFormat("id-ID")` writes.
fn format_id(n: u64) -> String {
    saksi_audit::thousands(n).replace(',', ".")
}

/// Walks down the results to a TPS that has reported.
fn first_reported_tps(addr: SocketAddr) -> String {
    let mut path = "/api/v1/results/ppwp".to_owned();
    loop {
        let (_, body) = http(addr, "GET", &path, &[], "");
        let data = json(&body);
        let child = data["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["totals"]["tps_reported"].as_u64() > Some(0))
            .expect("a reported child");
        let code = child["code"].as_str().unwrap().to_owned();
        if code.matches('.').count() == 4 {
            return code;
        }
        path = format!("/api/v1/results/ppwp/{code}");
    }
}

#[test]
fn loadgen_reports_throughput_and_writes_a_receipt_per_acknowledged_submission() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let receipts = tmp.path().join("receipts.jsonl");
    let out = saksi()
        .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
        .args(["--server", &format!("http://{}", demo.addr)])
        .args([
            "--connections",
            "4",
            "--count",
            "40",
            "--receipts",
            receipts.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("accepted 40,"), "{stdout}");
    assert!(stdout.contains("forms/s; latency p50"), "{stdout}");
    let (keys, lines): (Vec<serde_json::Value>, Vec<serde_json::Value>) =
        std::fs::read_to_string(&receipts)
            .unwrap()
            .lines()
            .map(json)
            .partition(|l| l.get("key").is_some());
    assert_eq!(lines.len(), 40);
    // The key registrations come first, one line each, every key once
    // (the demo had registered them: loadgen's are replays of those).
    let (_, log) = http(demo.addr, "GET", "/healthz", &[], "");
    let distinct: std::collections::HashSet<&str> =
        keys.iter().map(|k| k["key"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), keys.len());
    assert_eq!(
        keys.len() as u64 + 40,
        json(&log)["log_size"].as_u64().unwrap()
    );
    assert!(keys.iter().all(|k| k["action"] == "register"));
    let mut indexes: Vec<u64> = lines
        .iter()
        .map(|l| l["receipt"]["log_index"].as_u64().unwrap())
        .collect();
    indexes.sort_unstable();
    let first = indexes[0];
    assert_eq!(
        indexes,
        (first..first + 40).collect::<Vec<_>>(),
        "every acknowledged submission has its own log index"
    );
    for l in &lines {
        assert_eq!(l["receipt"]["statement_sha256"].as_str().unwrap().len(), 64);
        assert_eq!(l["version"], 1);
    }
    let (_, body) = http(demo.addr, "GET", "/api/v1/results/ppwp", &[], "");
    assert_eq!(
        json(&body)["log_size"],
        first + 40,
        "the keys, then the 40 forms"
    );
}

#[test]
fn loadgen_files_signed_incident_reports_before_the_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let out = saksi()
        .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
        .args(["--server", &format!("http://{}", demo.addr)])
        .args(["--connections", "4", "--count", "10", "--incidents", "30"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("filed 30 incidents in"), "{stdout}");
    assert!(stdout.contains("accepted 10,"), "{stdout}");
    // Public statistics count them: logged, open, low, at the kab/kota.
    let (status, body) = http(demo.addr, "GET", "/api/v1/incidents/stats", &[], "");
    assert_eq!(status, 200, "{body}");
    let stats = json(&body);
    assert!(stats["severity"]["low"].as_u64().unwrap() >= 30, "{stats}");
    assert!(stats["status"]["open"].as_u64().unwrap() >= 30, "{stats}");
}

#[test]
fn loadgen_refuses_count_and_duration_together() {
    let out = saksi()
        .args([
            "loadgen",
            "--data-dir",
            "/nonexistent",
            "--count",
            "5",
            "--duration",
            "5",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
}

/// A demo restarted on its data directory resends what it sent before and
/// says so: the keys were already registered, and the forms the first run
/// had logged come back as replays (counted once), not as new acceptances.
#[test]
fn a_restarted_demo_says_its_submissions_are_replays_and_its_keys_were_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let args = |rate: &'static str| -> Vec<String> {
        ["demo", "--data-dir", path(&dir), "--scale", "0.001"]
            .into_iter()
            .chain(["--seed", "6", "--rate", rate])
            .map(str::to_owned)
            .collect()
    };
    let start = |rate, log: &Path| {
        let args = args(rate);
        Server::start_logged(&args.iter().map(String::as_str).collect::<Vec<_>>(), log)
    };
    // The log's live size (the checkpoint's may lag a second).
    let log_size = |server: &Server| {
        let (_, body) = http(server.addr, "GET", "/healthz", &[], "");
        json(&body)["log_size"].as_u64().unwrap()
    };
    let first_log = tmp.path().join("first.log");
    let mut first = start("200", &first_log);
    let keys = log_size(&first);
    while log_size(&first) < keys + 40 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(first.terminate().success());
    let logged = {
        let mut served = Server::serve(&dir);
        let size = log_size(&served);
        served.terminate();
        size
    };
    let first_err = std::fs::read_to_string(&first_log).unwrap();
    let accepted = count_after(&first_err, "simulation finished: accepted ");
    assert!(accepted > 0, "{first_err}");

    let second_log = tmp.path().join("second.log");
    let mut second = start("200", &second_log);
    // Past everything the first run logged: every earlier form was resent.
    while log_size(&second) <= logged + 5 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(second.terminate().success());
    let err = std::fs::read_to_string(&second_log).unwrap();
    assert!(err.contains("from an earlier demo"), "{err}");
    let keys_line = err
        .lines()
        .find(|l| l.starts_with("registered "))
        .unwrap_or_else(|| panic!("no key registration line: {err}"));
    assert_eq!(count_after(keys_line, "registered "), 0, "{keys_line}");
    assert!(count_after(keys_line, "(") > 0, "{keys_line}");
    let replays = count_after(&err, "replays of earlier submissions ");
    assert!(replays >= accepted, "{accepted} accepted before: {err}");
}

/// The number printed right after `prefix` (0 if none).
fn count_after(text: &str, prefix: &str) -> u64 {
    text.split_once(prefix)
        .map(|(_, rest)| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
