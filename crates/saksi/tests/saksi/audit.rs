//! `saksi audit` against real servers: an honest one (signed forms, a key
//! rotation, a re-submission), one whose database was changed behind its
//! back, one whose log was replaced by another of the same size, forged
//! entries appended by a malicious server (a statement whose signature does
//! not verify, a key registered by the server's own key and what it
//! signed), entry bytes changed or removed in the database, a checkpoint
//! signed by another key, a resumed audit and a corrupt saved state, and an
//! audit over HTTPS through a TLS endpoint with a private CA.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_audit::thousands;
use saksi_core::RegionCode;
use saksi_core::time::UnixTime;
use saksi_log::Signer;
use saksi_statement::{Envelope, KeyAction, KeyRole, KeyStatement};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Server, get, hex, http, json, now, saksi};

/// What these tests do with a server beyond starting it.
pub(crate) trait AuditTarget {
    fn key(&self) -> String;
    fn submit(&self, dir: &Path, count: u64, seed: u64) -> u64;
    fn settled(&self) -> u64;
    fn stop(self);
}

impl AuditTarget for Server {
    /// The log's verifier key, as served.
    fn key(&self) -> String {
        get(self.addr, "/api/v1/log/key").1.trim().to_owned()
    }

    /// Submits `count` signed forms with `saksi loadgen` (which registers
    /// the simulated keys first, if the server lacks them) and returns the
    /// log's size once a signed checkpoint covers it.
    fn submit(&self, dir: &Path, count: u64, seed: u64) -> u64 {
        let out = saksi()
            .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
            .args(["--server", &self.url(), "--connections", "4"])
            .args(["--count", &count.to_string(), "--seed", &seed.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.settled()
    }

    /// The log's size once a signed checkpoint covers every entry.
    fn settled(&self) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let health = json(&get(self.addr, "/healthz").1);
            let size = health["log_size"].as_u64();
            if size.is_some() && size == health["checkpoint_size"].as_u64() {
                return size.unwrap_or_default();
            }
            assert!(
                Instant::now() < deadline,
                "no checkpoint covers the log: {health}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server and waits for it, so its database can be changed.
    fn stop(mut self) {
        self.terminate();
    }
}

/// The KPU RI root keys of a data directory, as `--root` arguments.
fn roots(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("root-keys.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| ["--root".to_owned(), l.trim().to_owned()])
        .collect()
}

/// `saksi audit --server URL --key KEY ARGS...`.
fn audit(url: &str, key: &str, args: &[&str]) -> (Output, String) {
    let out = saksi()
        .args(["audit", "--server", url, "--key", key])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

/// [`audit`] with the root keys of `dir` pinned.
pub(crate) fn audit_with_roots(
    url: &str,
    key: &str,
    dir: &Path,
    args: &[&str],
) -> (Output, String) {
    let mut all: Vec<String> = roots(dir);
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    audit(url, key, &all)
}

/// A number printed after `prefix` on a line of `stdout`.
fn count_after(stdout: &str, prefix: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|l| l.split_whitespace().next())
        .map(|n| n.replace(',', "").parse().unwrap())
        .unwrap_or_else(|| panic!("no {prefix:?} in {stdout}"))
}

/// Entries `start..end` as served, decoded.
fn entries(server: &Server, start: u64, end: u64) -> Vec<Value> {
    let (status, body) = get(
        server.addr,
        &format!("/api/v1/log/entries?start={start}&end={end}"),
    );
    assert_eq!(status, 200, "{body}");
    json(&body)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let data = STANDARD.decode(e["data"].as_str().unwrap()).unwrap();
            serde_json::from_slice(&data).unwrap()
        })
        .collect()
}

/// A demo with 30 forms submitted, and the latest signed version 1 in its
/// log: what the tampering tests start from.
struct SignedDemo {
    server: Server,
    v1_index: u64,
    /// The version 1 entry, its TPS and contest.
    v1: Value,
    tps: String,
    contest: String,
}

fn signed_demo(dir: &Path) -> SignedDemo {
    let server = Server::demo(dir, "5", "0");
    let size = server.submit(dir, 30, 2024);
    let (v1_index, v1) = a_signed_form(&server, size);
    let tps = v1["statement"]["tps"].as_str().unwrap().to_owned();
    let contest = v1["statement"]["contest"].as_str().unwrap().to_owned();
    SignedDemo {
        server,
        v1_index,
        v1,
        tps,
        contest,
    }
}

/// The latest signed form entry of the log (a `form` v2 that loadgen
/// submitted) and its index.
fn a_signed_form(server: &Server, size: u64) -> (u64, Value) {
    let start = size.saturating_sub(1000);
    entries(server, start, size)
        .into_iter()
        .enumerate()
        .rev()
        .find(|(_, e)| e["type"] == "form" && e["v"] == 2 && e["statement"]["version"] == 1)
        .map(|(i, e)| (start + i as u64, e))
        .expect("a signed form in the log")
}

/// SHA-256 of a statement's RFC 8785 bytes: the next version's `prev`.
fn digest(statement: &Value) -> String {
    hex(&Sha256::digest(
        saksi_log::canonical_json(statement).unwrap(),
    ))
}

/// Version 2 of the form statement `v1`, as its TPS's device would sign
/// it (same numbers with one more photo, so it is a new version rather than
/// `form.unchanged`; chained by `prev`), unsigned.
fn next_version(v1: &Value) -> Map<String, Value> {
    let mut statement = v1.as_object().unwrap().clone();
    let mut photos = statement
        .get("photos")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    photos.push(json!(hex(&Sha256::digest(b"the form's second photo"))));
    statement.insert("photos".into(), Value::Array(photos));
    statement.insert("version".into(), json!(2));
    statement.insert("prev".into(), json!(digest(v1)));
    statement.insert("signed_at".into(), json!(UnixTime(now()).to_string()));
    statement
}

fn register(key: &Signer, role: KeyRole, region: RegionCode, origin: &str) -> KeyStatement {
    KeyStatement {
        origin: origin.into(),
        key: key.verifier(),
        action: KeyAction::Register {
            role,
            region,
            valid_from: UnixTime(now() - 3600),
            valid_until: UnixTime(now() + 30 * 86_400),
            commissioner: false,
        },
        signed_at: UnixTime(now()),
    }
}

/// POSTs a signed envelope; the answer must be 201.
fn post(server: &Server, path: &str, statement: Map<String, Value>, by: &Signer) -> Value {
    let body = Envelope::sign(statement, by)
        .unwrap()
        .to_value()
        .to_string();
    let (status, answer) = http(
        server.addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        &body,
    );
    assert_eq!(status, 201, "POST {path}: {answer}");
    json(&answer)
}

/// A private key file of the data directory.
fn signer(file: &Path) -> Signer {
    Signer::parse(std::fs::read_to_string(file).unwrap().trim()).unwrap()
}

/// The entry bytes of a signed statement logged at `logged_at`, as the
/// server writes them (docs/log-entries.md).
fn signed_entry(
    kind: &str,
    statement: &Map<String, Value>,
    signature: &str,
    signer: &str,
    logged_at: i64,
) -> Vec<u8> {
    saksi_log::canonical_json(&json!({
        "logged_at": UnixTime(logged_at).to_string(),
        "signature": signature,
        "signer": signer,
        "statement": Value::Object(statement.clone()),
        "type": kind,
        "v": if kind == "form" { 2 } else { 1 },
    }))
    .unwrap()
}

/// Appends an entry to a stopped server's log, with its RFC 9162 leaf
/// hash, as a malicious server would; returns its index.
fn append_entry(db: &rusqlite::Connection, data: &[u8]) -> i64 {
    let index: i64 = db
        .query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0))
        .unwrap();
    db.execute(
        "INSERT INTO log_entries (log_index, data, leaf_hash) VALUES (?1, ?2, ?3)",
        rusqlite::params![index, data, saksi_log::leaf_hash(data).to_vec()],
    )
    .unwrap();
    index
}

#[test]
fn an_audit_of_an_honest_server_passes_and_says_what_it_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let size = server.submit(&dir, 200, 2024);
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--full"]);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("checkpoint: size {size},")),
        "{stdout}"
    );
    let size = thousands(size);
    assert!(
        stdout.contains(&format!("entries verified: {size} ({size} fetched")),
        "{stdout}"
    );
    assert!(stdout.contains("200 form v2"), "{stdout}");
    assert!(
        stdout.contains("key chain: from 1 root key pinned with --root;"),
        "{stdout}"
    );
    assert!(stdout.contains("0 not applied"), "{stdout}");
    assert!(
        stdout.contains(
            "form versions: 200 accepted (200 signed by the TPS's KPPS key, 0 signed on its behalf by a PPS or PPK key, 0 corrections a PPK signed for an upheld objection, 0 unsigned (form v1) below --allow-unsigned-before 0)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(", 0 invalid"), "{stdout}");
    assert!(stdout.contains(", 0 not in the list"), "{stdout}");
    assert!(
        stdout.contains(
            "incidents: 0 filed (0 open, 0 acknowledged, 0 resolved, 0 closed; 0 overdue); 0 events replayed"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    let compared = count_after(&stdout, "regions compared: ");
    assert!(compared > 200, "{stdout}");
    assert!(stdout.contains("transferred: "), "{stdout}");

    // The default sample passes too.
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--sample", "20"]);
    assert!(out.status.success(), "{stdout}");

    // Without the root keys nothing can be traced to them.
    let (out, stdout) = audit(&server.url(), &server.key(), &["--sample", "0"]);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("with no --root no key entry can be traced to a root"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "the key is neither a KPU RI root key nor registered in this log (not applied)"
        ),
        "{stdout}"
    );
}

#[test]
fn signed_forms_and_a_key_rotation_pass_and_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let SignedDemo {
        server,
        v1_index,
        v1,
        tps,
        contest,
    } = signed_demo(&dir);
    let origin = server.key().split('+').next().unwrap().to_owned();
    let tps = RegionCode::parse(&tps).unwrap();
    let old_key = v1["signer"].as_str().unwrap().to_owned();

    // A province and a kab/kota officer of our own along the chain: the kab/kota
    // officer revokes the device's key (a lost phone) and registers another.
    let root = signer(&dir.join("root.key"));
    let prov = Signer::generate("kpu-prov-rotation").unwrap();
    let kab = Signer::generate("kpu-kabkota-rotation").unwrap();
    let phone = Signer::generate(&format!("kpps-{tps}-2")).unwrap();
    let prov_region = tps.ancestor_at(saksi_core::Level::Provinsi).unwrap();
    let kab_region = tps.ancestor_at(saksi_core::Level::Kabkota).unwrap();
    post(
        &server,
        "/api/v1/keys",
        register(&prov, KeyRole::KpuProv, prov_region, &origin).to_object(),
        &root,
    );
    post(
        &server,
        "/api/v1/keys",
        register(&kab, KeyRole::KpuKabkota, kab_region, &origin).to_object(),
        &prov,
    );
    let revoke = KeyStatement {
        origin: origin.clone(),
        key: saksi_log::Verifier::parse(&old_key).unwrap(),
        action: KeyAction::Revoke,
        signed_at: UnixTime(now()),
    };
    let revoked_at = post(&server, "/api/v1/keys", revoke.to_object(), &kab)["log_index"]
        .as_u64()
        .unwrap();
    let registered_at = post(
        &server,
        "/api/v1/keys",
        register(&phone, KeyRole::Kpps, tps, &origin).to_object(),
        &kab,
    )["log_index"]
        .as_u64()
        .unwrap();
    // The new phone sends version 2, chained to the old phone's version 1.
    let answer = post(
        &server,
        &format!("/api/v1/tps/{tps}/forms/{contest}"),
        next_version(&v1["statement"]),
        &phone,
    );
    assert_eq!(answer["version"], 2);
    let v2_index = answer["receipt"]["log_index"].as_u64().unwrap();
    let size = server.settled();
    assert_eq!(v2_index + 1, size);

    let state = tmp.path().join("state");
    let (out, stdout) = audit_with_roots(
        &server.url(),
        &server.key(),
        &dir,
        &["--sample", "50", "--state", state.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    assert!(
        stdout.contains("key rotations (a TPS's KPPS key revoked, another registered): 1"),
        "{stdout}"
    );
    let registered_old = entries(&server, 0, size.min(1000))
        .iter()
        .position(|e| e["type"] == "key" && e["statement"]["key"] == old_key.as_str())
        .expect("the old key's registration");
    let rotation = format!(
        "  TPS {tps}: {old_key} (registered at entry {registered_old}, revoked at entry {revoked_at}) replaced by {} (registered at entry {registered_at})",
        phone.verifier()
    );
    assert!(stdout.contains(&rotation), "{rotation} in {stdout}");
    assert!(stdout.contains("1 revoked"), "{stdout}");
    assert!(stdout.contains("re-submissions: 1\n"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  entry {v2_index}: {tps} {contest} version 2 (signed)"
        )),
        "{stdout}"
    );
    assert!(v1_index < v2_index);
    // The full lists are in the state directory.
    let listed: Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("resubmissions.json")).unwrap())
            .unwrap();
    assert_eq!(
        listed,
        json!([{"index": v2_index, "tps": tps.to_string(), "contest": contest, "version": 2, "signed": true}])
    );
    let listed: Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("rotations.json")).unwrap())
            .unwrap();
    assert_eq!(listed[0]["new_key"], phone.verifier().to_string());
    assert_eq!(listed[0]["revoked_at"], revoked_at);
    // The version of the new phone is the one counted, at the TPS too.
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--full"]);
    assert!(out.status.success(), "{stdout}");
}

/// The session rewrite: after a TPS's device signed version 1, a version
/// entered through a kpps session (a `form` v1 entry, as the server wrote
/// them before sessions were closed to forms) changes the numbers. The
/// audit names it and fails; an old log's unsigned prefix is accepted with
/// `--allow-unsigned-before`, and still counted in the summary.
#[test]
fn a_version_entered_through_a_session_fails_the_audit_unless_below_the_allowed_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let SignedDemo {
        server,
        v1_index,
        v1,
        tps,
        contest,
    } = signed_demo(&dir);
    let key = server.key();
    server.stop();

    let statement = next_version(&v1["statement"]);
    let contest_id = saksi_core::Contest::parse(&contest).unwrap();
    let form = saksi_core::form::parse(
        contest_id,
        &saksi_log::canonical_json(&statement["form"]).unwrap(),
    )
    .unwrap();
    let prev: [u8; 32] =
        Sha256::digest(saksi_log::canonical_json(&v1["statement"]).unwrap()).into();
    let data = saksi_statement::FormEntryV1 {
        tps: RegionCode::parse(&tps).unwrap(),
        contest: contest_id,
        version: 2,
        prev: Some(prev),
        form_bytes: saksi_statement::form::form_bytes(&form).unwrap(),
        form,
        role: saksi_core::permission::Role::Kpps,
        region: RegionCode::parse(&tps).unwrap(),
        submitted_at: UnixTime(now()),
    }
    .encode();
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let index = append_entry(&db, &data);
    db.execute(
        "INSERT INTO form_versions (log_index, tps, contest, version, form_json, \
         warnings_json, submitted_by, submitted_at) \
         SELECT ?1, tps, contest, 2, form_json, warnings_json, 'user:1', submitted_at \
         FROM form_versions WHERE log_index = ?2",
        rusqlite::params![index, v1_index as i64],
    )
    .unwrap();
    drop(db);

    let server = Server::serve(&dir);
    assert_eq!(server.settled(), index as u64 + 1);
    let page = json(&get(server.addr, &format!("/api/v1/tps/{tps}")).1);
    let versions = page["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == contest.as_str())
        .unwrap()["versions"]
        .clone();
    assert!(versions[1]["signer"].is_null(), "{versions}");
    assert_eq!(versions[0]["signer"]["role"], "kpps", "{versions}");

    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "10"]);
    assert!(!out.status.success(), "{stdout}");
    let expected = format!(
        "log entry {index}: form v1 {tps} {contest} version 2: unsigned: entered through a session, signed by no key"
    );
    assert!(stdout.contains(&expected), "{expected} in {stdout}");

    let allowed = (index + 1).to_string();
    let (out, stdout) = audit_with_roots(
        &server.url(),
        &key,
        &dir,
        &["--sample", "10", "--allow-unsigned-before", &allowed],
    );
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "1 unsigned (form v1) below --allow-unsigned-before {allowed})"
        )),
        "{stdout}"
    );
}

#[test]
fn a_statement_whose_signature_does_not_verify_is_caught_and_not_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let SignedDemo {
        server,
        v1_index,
        v1,
        tps,
        contest,
    } = signed_demo(&dir);
    let key = server.key();
    let device = signer(&dir.join("demo-keys").join(format!("{tps}.key")));
    assert_eq!(v1["signer"], device.verifier().to_string());
    server.stop();

    // Version 2 signed by the TPS's own device, then seven votes more for the
    // first option in the logged statement: the signature no longer covers it.
    let statement = next_version(&v1["statement"]);
    let signature = Envelope::sign(statement.clone(), &device)
        .unwrap()
        .signature_base64();
    let mut forged = statement.clone();
    let form = forged.get_mut("form").unwrap();
    let options = form["options"].as_object_mut().unwrap();
    let (first, votes) = options.iter_mut().next().unwrap();
    let first = first.clone();
    match votes {
        Value::Number(n) => *votes = json!(n.as_u64().unwrap() + 7),
        party => party["party"] = json!(party["party"].as_u64().unwrap() + 7),
    }
    for field in ["suara_sah", "suara_total"] {
        form[field] = json!(form[field].as_u64().unwrap() + 7);
    }
    let form_json = form.to_string();
    let data = signed_entry(
        "form",
        &forged,
        &signature,
        &device.verifier().to_string(),
        now(),
    );
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let index = append_entry(&db, &data);
    // The server counts it as the current version (it rebuilds its tallies
    // from its form versions).
    db.execute(
        "INSERT INTO form_versions (log_index, tps, contest, version, form_json, \
         warnings_json, submitted_by, submitted_at) \
         SELECT ?1, tps, contest, 2, ?2, warnings_json, submitted_by, submitted_at \
         FROM form_versions WHERE log_index = ?3",
        rusqlite::params![index, form_json, v1_index as i64],
    )
    .unwrap();
    drop(db);

    let server = Server::serve(&dir);
    assert_eq!(server.settled(), index as u64 + 1);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--full"]);
    assert!(!out.status.success(), "{stdout}");
    let expected = format!(
        "log entry {index}: form v2 {tps} {contest} version 2: the signature does not verify under {} (not counted)",
        device.verifier()
    );
    assert!(stdout.contains(&expected), "{expected} in {stdout}");
    assert!(stdout.contains(", 1 invalid"), "{stdout}");
    assert!(
        stdout.contains("1 not counted for failing a check"),
        "{stdout}"
    );
    // Not counted: the server, which counts it, publishes seven votes more.
    assert!(
        stdout.contains(&format!("results {contest} region {tps}: suara_sah is ")),
        "{stdout}"
    );
    let province = &tps[..2];
    assert!(
        stdout.contains(&format!(
            "results {contest} region {province}: options.{first} is "
        )),
        "{stdout}"
    );
}

#[test]
fn a_key_registered_by_the_server_itself_is_caught_with_what_it_signed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let size = server.submit(&dir, 30, 2024);
    let key = server.key();
    let origin = key.split('+').next().unwrap().to_owned();
    let (_, v1) = a_signed_form(&server, size);
    let tps = RegionCode::parse(v1["statement"]["tps"].as_str().unwrap()).unwrap();
    let contest = v1["statement"]["contest"].as_str().unwrap().to_owned();
    server.stop();

    // The server registers a KPPS key of its own, signed with the log key,
    // and takes it for a registered key from then on.
    let log_key = signer(&dir.join("log.key"));
    let rogue = Signer::generate(&format!("kpps-{tps}")).unwrap();
    let statement = register(&rogue, KeyRole::Kpps, tps, &origin).to_object();
    let signature = Envelope::sign(statement.clone(), &log_key)
        .unwrap()
        .signature_base64();
    let data = signed_entry(
        "key",
        &statement,
        &signature,
        &log_key.verifier().to_string(),
        now(),
    );
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let index = append_entry(&db, &data);
    db.execute(
        "INSERT INTO officer_keys (log_index, key, role, region, valid_from, valid_until) \
         VALUES (?1, ?2, 'kpps', ?3, ?4, ?5)",
        rusqlite::params![
            index,
            rogue.verifier().to_string(),
            tps.to_string(),
            now() - 3600,
            now() + 30 * 86_400
        ],
    )
    .unwrap();
    drop(db);

    // Its key then signs version 2 of the TPS's form, which the server
    // accepts and counts.
    let server = Server::serve(&dir);
    let answer = post(
        &server,
        &format!("/api/v1/tps/{tps}/forms/{contest}"),
        next_version(&v1["statement"]),
        &rogue,
    );
    let form_index = answer["receipt"]["log_index"].as_u64().unwrap();
    server.settled();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "10"]);
    assert!(!out.status.success(), "{stdout}");
    let refused_key = format!(
        "log entry {index}: key v1 registering {} as kpps for {tps}: the key chain refuses it (signed by {} at ",
        rogue.verifier(),
        log_key.verifier()
    );
    assert!(stdout.contains(&refused_key), "{refused_key} in {stdout}");
    assert!(
        stdout.contains(
            "the key is neither a KPU RI root key nor registered in this log (not applied)"
        ),
        "{stdout}"
    );
    let refused_form = format!(
        "log entry {form_index}: form v2 {tps} {contest} version 2: the key chain refuses its signer {} at ",
        rogue.verifier()
    );
    assert!(stdout.contains(&refused_form), "{refused_form} in {stdout}");
    assert!(stdout.contains("1 not applied"), "{stdout}");
}

#[test]
fn a_vote_count_changed_in_the_database_is_caught_as_a_results_discrepancy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let size = server.submit(&dir, 200, 2024);
    let key = server.key();
    server.stop();

    // Seven votes more for paslon 01 at one TPS, behind the server's back.
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let (index, tps, form): (i64, String, String) = db
        .query_row(
            "SELECT log_index, tps, form_json FROM form_versions \
             WHERE contest = 'ppwp' ORDER BY log_index LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let mut form: serde_json::Value = serde_json::from_str(&form).unwrap();
    let sah = form["suara_sah"].as_u64().unwrap();
    let votes = form["options"]["01"].as_u64().unwrap();
    form["options"]["01"] = (votes + 7).into();
    form["suara_sah"] = (sah + 7).into();
    form["suara_total"] = (form["suara_total"].as_u64().unwrap() + 7).into();
    db.execute(
        "UPDATE form_versions SET form_json = ?1 WHERE log_index = ?2",
        rusqlite::params![form.to_string(), index],
    )
    .unwrap();
    drop(db);

    let server = Server::serve(&dir);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "0"]);
    assert!(!out.status.success(), "{stdout}");
    let province = &tps[..2];
    for region in ["0", province] {
        let prefix = format!("results ppwp region {region}: suara_sah is ");
        assert!(stdout.contains(&prefix), "{prefix} in {stdout}");
    }
    assert!(
        stdout.contains(&format!("results ppwp region {province}: options.01 is ")),
        "{stdout}"
    );
    // The log itself is intact.
    assert!(
        stdout.contains(&format!("entries verified: {}", thousands(size))),
        "{stdout}"
    );
    assert!(!stdout.contains("log entry"), "{stdout}");

    // Down to the TPS with --full.
    let (_, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--full"]);
    assert!(
        stdout.contains(&format!(
            "results ppwp region {tps}: suara_sah is {} published, {sah} in the log",
            sah + 7
        )),
        "{stdout}"
    );
}

#[test]
fn the_public_incident_statistics_are_recounted_and_a_status_changed_in_the_database_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    // Three signed reports (and one form) through the load generator.
    let out = saksi()
        .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
        .args(["--server", &server.url(), "--connections", "2"])
        .args(["--count", "1", "--incidents", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = server.settled();
    let key = server.key();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "0"]);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("incidents: 3 filed (3 open,"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "incident statistics: the published national counts (category, severity, status) and response times compared with the replay at log size {}",
            thousands(size)
        )),
        "{stdout}"
    );
    server.stop();

    // One marked resolved behind the server's back (the log says open).
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE incidents SET status = 'resolved', resolved_at = filed_at + 60, \
             ack_due = NULL, resolve_due = NULL, next_due = NULL \
             WHERE id = (SELECT id FROM incidents ORDER BY id LIMIT 1)",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let server = Server::serve(&dir);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "0"]);
    assert!(!out.status.success(), "{stdout}");
    for line in [
        "results incidents region 0: status.resolved is 1 published, 0 in the log",
        "results incidents region 0: status.open is 2 published, 3 in the log",
        "results incidents region 0: resolve_seconds.p50 is 60 published, null in the log",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }
    // The log itself is intact.
    assert!(!stdout.contains("log entry"), "{stdout}");
}

#[test]
fn a_history_rewritten_after_a_saved_checkpoint_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let state = state.to_str().unwrap();
    let first = tmp.path().join("first");
    let server = Server::demo(&first, "5", "0");
    let size = server.submit(&first, 200, 2024);
    let key = server.key();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &first, &["--state", state]);
    assert!(out.status.success(), "{stdout}");
    server.stop();

    // Another log, signed with the same key, grown to the same size.
    let second = tmp.path().join("second");
    let init = saksi()
        .args(["init", "--data-dir", second.to_str().unwrap()])
        .args(["--scale", "0.001", "--seed", "6"])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    std::fs::copy(first.join("log.key"), second.join("log.key")).unwrap();
    let server = Server::serve(&second);
    assert_eq!(server.key(), key);
    // Loadgen registers the keys, then sends forms; the same seed with a
    // larger count resends the first ones (retries, not logged again).
    let keys = server.submit(&second, 1, 7) - 1;
    assert!(keys < size, "{keys} key entries");
    assert_eq!(server.submit(&second, size - keys, 7), size);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &second, &["--state", state]);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("history rewritten"), "{stdout}");

    // Grown past the saved size, it is the consistency proof that fails.
    let larger = server.submit(&second, size - keys + 50, 7);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &second, &["--state", state]);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("history rewritten: the consistency proof from the saved size {size} to {larger} does not verify")),
        "{stdout}"
    );
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let other = saksi_log::Signer::generate("saksi.localhost/log")
        .unwrap()
        .verifier()
        .to_string();
    assert_ne!(other, server.key());
    let (out, stdout) = audit(&server.url(), &other, &[]);
    assert!(!out.status.success(), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("checkpoint is refused"), "{stderr}");
}

#[test]
fn a_resumed_audit_fetches_only_the_new_entries_and_checks_the_log_grew() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let state_dir = tmp.path().join("state");
    let state = state_dir.to_str().unwrap();
    let server = Server::demo(&dir, "5", "0");
    let first = server.submit(&dir, 100, 2024);
    let key = server.key();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--state", state]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "entries verified: {} ({} fetched, 0 from the saved state",
            thousands(first),
            thousands(first)
        )),
        "{stdout}"
    );
    let pinned = std::fs::read_to_string(state_dir.join("roots")).unwrap();
    assert_eq!(
        pinned.trim(),
        std::fs::read_to_string(dir.join("root-keys.txt"))
            .unwrap()
            .trim()
    );

    // The same corpus, larger: 50 new forms (the first 100 are retries).
    let second = server.submit(&dir, 150, 2024);
    assert_eq!(second, first + 50);
    let (out, stdout) =
        audit_with_roots(&server.url(), &key, &dir, &["--state", state, "--verbose"]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "entries verified: {} ({} fetched, {} from the saved state",
            thousands(second),
            second - first,
            thousands(first)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "proof from the saved size {first} to {second} verified"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");

    // Nothing new: nothing fetched.
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--state", state]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "entries verified: {} (0 fetched, {} from the saved state",
            thousands(second),
            thousands(second)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("unchanged since the saved checkpoint"),
        "{stdout}"
    );
}

/// The auditor against a server on HTTPS: a TLS endpoint (as a reverse
/// proxy in front of a real deployment would be) whose certificate a
/// private CA signed.
mod over_https {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        SanType,
    };
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    use super::*;

    /// A TLS-terminating proxy on 127.0.0.1 in front of a plain server,
    /// and the PEM file of the CA that signed its certificate (for
    /// 127.0.0.1 and localhost). It serves until the test process ends.
    struct TlsEndpoint {
        addr: SocketAddr,
        ca_pem: PathBuf,
    }

    impl TlsEndpoint {
        fn start(backend: SocketAddr, dir: &Path) -> TlsEndpoint {
            let ca_key = KeyPair::generate().unwrap();
            let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
            ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            ca_params
                .distinguished_name
                .push(DnType::CommonName, "Saksi test CA");
            ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            let ca_cert = ca_params.self_signed(&ca_key).unwrap();
            let ca = Issuer::new(ca_params, ca_key);

            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.subject_alt_names = vec![
                SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                SanType::DnsName("localhost".try_into().unwrap()),
            ];
            params
                .distinguished_name
                .push(DnType::CommonName, "127.0.0.1");
            let cert = params.signed_by(&key, &ca).unwrap();

            let ca_pem = dir.join("ca.pem");
            std::fs::write(&ca_pem, ca_cert.pem()).unwrap();
            let config = ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from(cert.der().to_vec())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )
                .unwrap();
            let acceptor = TlsAcceptor::from(Arc::new(config));
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let addr = listener.local_addr().unwrap();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    while let Ok((tcp, _)) = listener.accept().await {
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            // A client that refuses the certificate ends
                            // the handshake; nothing is proxied then.
                            let Ok(mut tls) = acceptor.accept(tcp).await else {
                                return;
                            };
                            let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await
                            else {
                                return;
                            };
                            let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                        });
                    }
                });
            });
            TlsEndpoint { addr, ca_pem }
        }

        fn url(&self) -> String {
            format!("https://{}", self.addr)
        }
    }

    /// The report without what differs between two runs of one audit:
    /// the server's URL, the bytes, the time and the memory it took.
    fn report(stdout: &str, url: &str) -> String {
        stdout
            .lines()
            .filter(|l| !l.starts_with("transferred: ") && !l.starts_with("log verified in "))
            .map(|l| l.replace(url, "SERVER"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn an_audit_over_https_trusts_the_ca_given_and_names_an_unknown_issuer() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let server = Server::demo(&dir, "6", "0");
        server.submit(&dir, 50, 2024);
        let key = server.key();
        let tls = TlsEndpoint::start(server.addr, tmp.path());
        let ca = tls.ca_pem.to_str().unwrap();

        let (out, plain) = audit_with_roots(&server.url(), &key, &dir, &["--full"]);
        assert!(out.status.success(), "{plain}");
        let (out, stdout) = audit_with_roots(&tls.url(), &key, &dir, &["--full", "--ca-cert", ca]);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            report(&stdout, &tls.url()),
            report(&plain, &server.url()),
            "the same report over HTTPS as over HTTP"
        );

        // The CA from the environment.
        let out = saksi()
            .env("SAKSI_CA_CERT", ca)
            .args(["audit", "--server", &tls.url(), "--key", &key, "--full"])
            .args(roots(&dir))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert_eq!(report(&stdout, &tls.url()), report(&plain, &server.url()));

        // Without the CA the certificate's issuer is unknown: the message
        // says so, names the server and the remedy.
        let (out, stdout) = audit_with_roots(&tls.url(), &key, &dir, &["--full"]);
        assert!(!out.status.success(), "{stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("unknown issuer"), "{stderr}");
        assert!(stderr.contains(&tls.url()), "{stderr}");
        assert!(stderr.contains("--ca-cert"), "{stderr}");
    }
}

#[test]
fn entry_bytes_changed_or_removed_behind_the_servers_back_fail_the_signed_root() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    let size = server.submit(&dir, 40, 2025);
    let key = server.key();
    server.stop();

    // One entry's bytes edited in place (its stored leaf hash kept, so a
    // server that trusts its own table would not notice), as a database
    // administrator could.
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let victim = (size / 2) as i64;
    let data: Vec<u8> = db
        .query_row(
            "SELECT data FROM log_entries WHERE log_index = ?1",
            [victim],
            |r| r.get(0),
        )
        .unwrap();
    let edited =
        String::from_utf8(data)
            .unwrap()
            .replacen("\"logged_at\":\"", "\"logged_at\":\"1", 1);
    db.execute(
        "UPDATE log_entries SET data = ?1 WHERE log_index = ?2",
        rusqlite::params![edited.as_bytes(), victim],
    )
    .unwrap();
    drop(db);
    let server = Server::serve(&dir);
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--sample", "0"]);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("log entry {victim}: the served leaf_hash is not")),
        "{stdout}"
    );
    assert!(stdout.contains("the entries give root "), "{stdout}");
    server.stop();

    // The last entry removed: the log is now shorter than a checkpoint the
    // server signed, and the server refuses to serve it at all.
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    db.execute(
        "DELETE FROM log_entries WHERE log_index = ?1",
        [(size - 1) as i64],
    )
    .unwrap();
    drop(db);
    let mut serve = saksi()
        .args(["serve", "--data-dir", dir.to_str().unwrap()])
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            serve.kill().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        status.is_some_and(|s| !s.success()),
        "the server served a log shorter than it signed: {stderr}"
    );
    assert!(
        stderr.contains(&format!("but only {} log entries", size - 1)),
        "{stderr}"
    );
}

#[test]
fn a_corrupt_state_directory_is_refused_not_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let state_dir = tmp.path().join("state");
    let state = state_dir.to_str().unwrap();
    let server = Server::demo(&dir, "5", "0");
    server.submit(&dir, 30, 2026);
    let key = server.key();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--state", state]);
    assert!(out.status.success(), "{stdout}");

    // One digit of a saved entry changed: the saved entries no longer give
    // the saved checkpoint's root.
    let entries = state_dir.join("entries");
    let mut bytes = std::fs::read(&entries).unwrap();
    let at = bytes
        .windows(13)
        .position(|w| w == b"\"logged_at\":\"")
        .unwrap()
        + 13;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&entries, &bytes).unwrap();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--state", state]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stderr.contains("the state directory is corrupt"),
        "{stdout}{stderr}"
    );

    // Cut short in the middle of an entry.
    bytes.truncate(bytes.len() - 7);
    std::fs::write(&entries, &bytes).unwrap();
    let (out, stdout) = audit_with_roots(&server.url(), &key, &dir, &["--state", state]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("entries is truncated"), "{stdout}{stderr}");
}
