//! `saksi backup`, `saksi restore` and `saksi log new-origin` against real
//! servers (README, "Backup and restore"): a backup of a demo that keeps writing, restored
//! into a new directory and audited; a backup restored onto the original
//! directory after more entries were published (the server refuses to
//! sign) and the recovery under a new origin; and the refusals.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{Server, get, http, json, path, run, saksi};

/// The metrics token of the servers these tests start.
const METRICS_TOKEN: &str = "backup-metrics-token-0123";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success, showing what the command said otherwise.
fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// `saksi backup --data-dir DIR --out FILE`; returns the log entries the
/// summary line says were copied.
fn backup(dir: &Path, file: &Path) -> u64 {
    let out = ok(run(&[
        "backup",
        "--data-dir",
        path(dir),
        "--out",
        path(file),
    ]));
    let line = stdout(&out);
    assert!(line.starts_with("backed up "), "{line}");
    assert!(
        stderr(&out).contains("not in the backup, by design: log.key, root.key"),
        "{}",
        stderr(&out)
    );
    line.split(", ")
        .find_map(|part| part.strip_suffix(" log entries"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of log entries in {line}"))
}

/// The size of the signed checkpoint the server serves.
pub(crate) fn checkpoint_size(addr: SocketAddr) -> u64 {
    let (status, note) = get(addr, "/api/v1/log/checkpoint");
    assert_eq!(status, 200, "{note}");
    note.lines().nth(1).unwrap().parse().unwrap()
}

/// Waits until a signed checkpoint covers at least `size` entries.
pub(crate) fn wait_for_checkpoint(addr: SocketAddr, size: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = checkpoint_size(addr);
        if now >= size {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint of size {size} within 60 s (at {now})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `saksi audit` of a server with its served log key and root keys (as an
/// auditor would have pinned them).
fn audit(server: &Server, extra: &[&str]) -> Output {
    let (_, key) = get(server.addr, "/api/v1/log/key");
    let (_, roots) = get(server.addr, "/api/v1/log/roots");
    let mut cmd = saksi();
    cmd.args(["audit", "--server", &server.url(), "--key", key.trim()])
        .args(["--sample", "50"])
        .args(extra);
    for root in roots.lines().filter(|l| !l.is_empty()) {
        cmd.args(["--root", root]);
    }
    cmd.output().unwrap()
}

/// The names in a directory.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_backup_of_a_running_demo_restores_into_a_new_directory_that_audits_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let original = tmp.path().join("original");
    let file = tmp.path().join("demo.saksi");
    let server = Server::demo(&original, "5", "200");
    // The demo registered its keys before it printed its address; wait for
    // forms to be streaming.
    let before = checkpoint_size(server.addr);
    let seen = wait_for_checkpoint(server.addr, before + 100);

    let copied = backup(&original, &file);
    assert!(copied >= seen, "the copy ({copied}) is older than {seen}");
    // The server kept writing meanwhile and after.
    wait_for_checkpoint(server.addr, copied + 50);
    let mut server = server;
    server.terminate();

    // One file, mode 0600, holding the public files and no secret.
    assert_eq!(mode(&file), 0o600);
    assert!(!tmp.path().join("demo.saksi.partial").exists());
    assert!(!tmp.path().join("demo.saksi-wal").exists());
    {
        let db = rusqlite::Connection::open(&file).unwrap();
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let names: BTreeSet<String> = db
            .prepare("SELECT name FROM saksi_backup_files")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["log.highest".to_owned(), "root-keys.txt".to_owned()])
        );
        let (log_size, highest, version): (i64, Option<i64>, String) = db
            .query_row(
                "SELECT log_size, highest_size, saksi_version FROM saksi_backup_meta",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(log_size as u64, copied);
        // The record was read before the copy: never ahead of it.
        let highest = highest.expect("the demo signed checkpoints") as u64;
        assert!(highest <= copied, "{highest} > {copied}");
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
    }
    let bytes = std::fs::read(&file).unwrap();
    for secret in ["log.key", "root.key"] {
        let text = std::fs::read_to_string(original.join(secret)).unwrap();
        let private = text.trim().as_bytes();
        assert!(
            !bytes.windows(private.len()).any(|w| w == private),
            "{secret} is in the backup"
        );
    }

    // Restored into a new directory with the log key kept apart.
    let restored = tmp.path().join("restored");
    let log_key = original.join("log.key");
    let out = ok(run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&restored),
        "--log-key",
        path(&log_key),
    ]));
    let summary = stdout(&out);
    assert!(
        summary.contains(&format!("{copied} log entries")),
        "{summary}"
    );
    assert!(summary.contains("(the backup's)"), "{summary}");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(
        listing(&restored),
        BTreeSet::from(["log.highest", "log.key", "root-keys.txt", "saksi.db"].map(str::to_owned))
    );
    assert_eq!(mode(&restored.join("log.key")), 0o600);
    assert_eq!(
        std::fs::read(restored.join("log.key")).unwrap(),
        std::fs::read(&log_key).unwrap()
    );
    {
        let db = rusqlite::Connection::open(restored.join("saksi.db")).unwrap();
        let tables: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'saksi_backup%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "the backup's tables are dropped");
    }

    let server = Server::serve(&restored);
    let (status, health) = get(server.addr, "/healthz");
    assert_eq!(status, 200, "{health}");
    // The restored server signs the copy's size at start-up, with the same key.
    assert_eq!(wait_for_checkpoint(server.addr, copied), copied);
    let out = audit(&server, &[]);
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    let verified: u64 = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("entries verified: "))
        .and_then(|l| l.split_whitespace().next())
        .map(|n| n.replace(',', "").parse().unwrap())
        .expect("a count of entries verified");
    assert_eq!(verified, copied, "{}", stdout(&out));
}

/// The latest version in a data directory's database (no server running),
/// signed again by its TPS's demo device as the next version, naming
/// `photos` (at least one, so that it is a new version): its TPS and
/// contest, and a signer of the body for a log `origin`.
pub(crate) fn next_version_by_device(
    dir: &Path,
    photos: &[[u8; 32]],
) -> (String, String, impl Fn(&str) -> String + use<>) {
    use saksi_store::Store;
    let (tps, contest): (String, String) = rusqlite::Connection::open(dir.join("saksi.db"))
        .unwrap()
        .query_row(
            "SELECT tps, contest FROM form_versions ORDER BY log_index DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let store = saksi_store::SqliteStore::open(dir.join("saksi.db")).unwrap();
    let code = saksi_core::RegionCode::parse(&tps).unwrap();
    let current = store
        .current_form(code, saksi_core::Contest::parse(&contest).unwrap())
        .unwrap()
        .unwrap();
    let i = current.log_index;
    let entry = &store.log_entries(i, i + 1).unwrap()[0];
    let decoded = saksi_statement::Entry::decode(&entry.data).unwrap();
    let prev = saksi_statement::form::version_digest(&decoded, &entry.data).unwrap();
    let device = saksi_log::Signer::parse(
        std::fs::read_to_string(dir.join("demo-keys").join(format!("{tps}.key")))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let (t, c, version) = (tps.clone(), contest.clone(), current.version + 1);
    let photos: Vec<String> = photos.iter().map(|p| crate::common::hex(p)).collect();
    let body = move |origin: &str| {
        let statement = serde_json::json!({
            "v": 1, "type": "form", "origin": origin, "tps": t, "contest": c,
            "version": version, "prev": crate::common::hex(&prev),
            "form": json(&current.form_json), "photos": photos,
            "signed_at": saksi_core::time::UnixTime(crate::common::now()).to_string(),
        });
        let serde_json::Value::Object(statement) = statement else {
            unreachable!()
        };
        saksi_statement::Envelope::sign(statement, &device)
            .unwrap()
            .to_value()
            .to_string()
    };
    (tps, contest, body)
}

/// Posts a signed form body; returns status and JSON answer.
pub(crate) fn submit(
    addr: SocketAddr,
    tps: &str,
    contest: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let (status, body) = http(
        addr,
        "POST",
        &format!("/api/v1/tps/{tps}/forms/{contest}"),
        &[("Content-Type", "application/json")],
        body,
    );
    (status, json(&body))
}

/// One HTTP/1.1 request with a body of bytes (a photo); status and body.
pub(crate) fn raw(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&answer[9..12]).parse().unwrap();
    (status, answer[split + 4..].to_vec())
}

#[test]
fn a_backup_copies_the_photos_beside_it_incrementally_and_a_restore_takes_them_back() {
    use sha2::{Digest, Sha256};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("original");
    let file = tmp.path().join("photos.saksi");
    let mut server = Server::demo(&dir, "5", "200");
    wait_for_checkpoint(server.addr, checkpoint_size(server.addr) + 20);
    server.terminate();
    // A form version naming a photo, then the photo.
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.extend_from_slice(b"the paper C.Hasil, photographed");
    let sha: [u8; 32] = Sha256::digest(&photo).into();
    let hash = crate::common::hex(&sha);
    let (tps, contest, next) = next_version_by_device(&dir, &[sha]);
    let mut server = Server::serve(&dir);
    let (status, answer) = submit(server.addr, &tps, &contest, &next("saksi.localhost/log"));
    assert_eq!(status, 201, "{answer}");
    let photo_path = format!("/api/v1/photos/{hash}");
    assert_eq!(raw(server.addr, "PUT", &photo_path, &photo).0, 201);
    let fanned = |root: &Path| root.join(&hash[..2]).join(&hash[2..4]).join(&hash);

    // Beside the backup file, by hash, while the server runs.
    backup(&dir, &file);
    let beside = tmp.path().join("photos.saksi.photos");
    assert_eq!(std::fs::read(fanned(&beside)).unwrap(), photo);
    let copied_at = std::fs::metadata(fanned(&beside))
        .unwrap()
        .modified()
        .unwrap();
    // The next backup under that name finds the photo there: not copied again.
    std::fs::rename(&file, tmp.path().join("earlier.saksi")).unwrap();
    let out = ok(run(&[
        "backup",
        "--data-dir",
        path(&dir),
        "--out",
        path(&file),
    ]));
    assert!(
        stdout(&out).contains(&format!(
            "photos: 0 copied to {} (0 bytes), 1 already there",
            beside.display()
        )),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::metadata(fanned(&beside))
            .unwrap()
            .modified()
            .unwrap(),
        copied_at
    );
    server.terminate();

    // A restore takes them back into the new directory's photos/.
    let restored = tmp.path().join("restored");
    let out = ok(run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&restored),
        "--log-key",
        path(&dir.join("log.key")),
    ]));
    assert!(
        stdout(&out).contains("photos: 1 copied"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read(fanned(&restored.join("photos"))).unwrap(),
        photo
    );
    let server = Server::serve(&restored);
    let (status, served) = raw(server.addr, "GET", &photo_path, b"");
    assert_eq!(status, 200);
    assert_eq!(served, photo, "the restored server serves the signed bytes");
}

#[test]
fn a_backup_restored_onto_the_original_directory_refuses_to_sign_until_a_new_log_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("original");
    let file = tmp.path().join("older.saksi");
    let server = Server::demo(&dir, "5", "200");
    let before = checkpoint_size(server.addr);
    wait_for_checkpoint(server.addr, before + 50);
    let copied = backup(&dir, &file);
    // More entries are published after the backup, then the disk is lost.
    wait_for_checkpoint(server.addr, copied + 100);
    let mut server = server;
    server.terminate();
    let highest = std::fs::read(dir.join("log.highest")).unwrap();
    let signed: u64 = String::from_utf8_lossy(&highest)
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(signed >= copied + 100, "{signed} vs {copied}");
    for name in ["saksi.db", "saksi.db-wal", "saksi.db-shm"] {
        let _ = std::fs::remove_file(dir.join(name));
    }

    // The restore keeps the directory's newer record and says what follows.
    let out = ok(run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&dir),
    ]));
    assert!(
        stdout(&out).contains(&format!(
            "highest signed checkpoint size {signed} (kept from the directory)"
        )),
        "{}",
        stdout(&out)
    );
    let warning = stderr(&out);
    assert!(
        warning.contains(&format!(
            "holds {copied} log entries, fewer than the checkpoint of size {signed} already signed"
        )),
        "{warning}"
    );
    assert!(warning.contains("503 log.behind_signed"), "{warning}");
    assert!(warning.contains("saksi log new-origin"), "{warning}");
    assert_eq!(std::fs::read(dir.join("log.highest")).unwrap(), highest);

    // The next version of a form of the restored database, by its device.
    let (tps, contest, next) = next_version_by_device(&dir, &[[0xab; 32]]);

    // The restored server refuses to sign and to take submissions.
    let server = Server::start_env(
        &["serve", "--data-dir", path(&dir)],
        &[("SAKSI_METRICS_TOKEN", METRICS_TOKEN)],
    );
    let (status, health) = get(server.addr, "/healthz");
    assert_eq!(status, 503, "{health}");
    let health = json(&health);
    assert_eq!(health["reason"], "log.behind_signed", "{health}");
    assert_eq!(health["log_size"], copied, "{health}");
    // No checkpoint is served: the last good one is larger than the log
    // the server can prove entries of (publisher.rs: `latest` is the refusal).
    let (status, body) = get(server.addr, "/api/v1/log/checkpoint");
    assert_eq!(status, 503, "{body}");
    assert_eq!(json(&body)["error"]["code"], "log.behind_signed");
    let (status, answer) = submit(server.addr, &tps, &contest, &next("saksi.localhost/log"));
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "log.behind_signed", "{answer}");
    let (_, metrics) = http(
        server.addr,
        "GET",
        "/metrics",
        &[("Authorization", &format!("Bearer {METRICS_TOKEN}"))],
        "",
    );
    assert!(
        metrics.contains("saksi_log_refusing_to_sign 1"),
        "{metrics}"
    );

    // A new log cannot start under a running server.
    let old_key = std::fs::read(dir.join("log.key")).unwrap();
    let out = run(&[
        "log",
        "new-origin",
        "--data-dir",
        path(&dir),
        "--origin",
        "recovered.localhost/log",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("stop the server first"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(dir.join("log.key")).unwrap(), old_key);
    let mut server = server;
    server.terminate();

    // The recovery: a new log under a new origin and key.
    let out = ok(run(&[
        "log",
        "new-origin",
        "--data-dir",
        path(&dir),
        "--origin",
        "recovered.localhost/log",
    ]));
    let new_key = stdout(&out).trim().to_owned();
    assert!(new_key.starts_with("recovered.localhost/log+"), "{new_key}");
    let told = stderr(&out);
    assert!(
        told.contains(&format!(
            "its first {copied} entries are those the database holds"
        )),
        "{told}"
    );
    assert!(
        told.contains(&format!(
            "the {} entries from index {copied} to {} are not in the new log and must be submitted again",
            signed - copied,
            signed - 1
        )),
        "{told}"
    );
    assert!(!dir.join("log.highest").exists());
    let names = listing(&dir);
    assert!(
        names.iter().any(|n| n.starts_with("log.key.retired-")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("log.highest.retired-")),
        "{names:?}"
    );
    let predecessors: String = rusqlite::Connection::open(dir.join("saksi.db"))
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'log.predecessors'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let predecessors = json(&predecessors);
    assert_eq!(predecessors[0]["origin"], "saksi.localhost/log");
    assert_eq!(predecessors[0]["entries_carried_over"], copied);

    // It signs again, under the new origin, and takes the submission.
    let server = Server::serve(&dir);
    let (status, health) = get(server.addr, "/healthz");
    assert_eq!(status, 200, "{health}");
    let (_, key) = get(server.addr, "/api/v1/log/key");
    assert_eq!(key.trim(), new_key);
    let (_, note) = get(server.addr, "/api/v1/log/checkpoint");
    assert_eq!(
        note.lines().next(),
        Some("recovered.localhost/log"),
        "{note}"
    );
    assert_eq!(
        note.lines().nth(1),
        Some(copied.to_string().as_str()),
        "{note}"
    );
    let (status, answer) = submit(
        server.addr,
        &tps,
        &contest,
        &next("recovered.localhost/log"),
    );
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["receipt"]["log_index"], copied, "{answer}");
    wait_for_checkpoint(server.addr, copied + 1);

    // `saksi audit` with the new key verifies the new log: the carried-over
    // entries are statements signed for the old origin, refused unless the
    // auditor pins that origin as a predecessor, as it pins the keys.
    let out = audit(&server, &[]);
    let said = stdout(&out);
    assert!(said.contains("(signature verified)"), "{said}");
    assert!(
        said.lines()
            .any(|l| l.contains("\"saksi.localhost/log\"")
                && l.contains("\"recovered.localhost/log\"")),
        "{said}"
    );
    assert!(!out.status.success(), "{said}");
    let out = audit(&server, &["--previous-origin", "saksi.localhost/log"]);
    let said = stdout(&out);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("root recomputed: "), "{said}");
}

#[test]
fn backups_and_restores_refuse_to_overwrite_or_to_go_without_the_log_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("election");
    ok(run(&[
        "init",
        "--data-dir",
        path(&dir),
        "--scale",
        "0.001",
        "--seed",
        "5",
    ]));
    let file = tmp.path().join("idle.saksi");
    // An idle directory (no checkpoint signed yet) backs up too.
    assert_eq!(backup(&dir, &file), 0);

    // A backup never replaces a file.
    let existing = tmp.path().join("existing.saksi");
    std::fs::write(&existing, "keep me").unwrap();
    let out = run(&["backup", "--data-dir", path(&dir), "--out", path(&existing)]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already exists: a backup never replaces a file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert!(!tmp.path().join("existing.saksi.partial").exists());

    // A restore never replaces a database.
    let before = listing(&dir);
    let db = std::fs::read(dir.join("saksi.db")).unwrap();
    let out = run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&dir),
        "--log-key",
        path(&dir.join("log.key")),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already holds a database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(listing(&dir), before);
    assert_eq!(std::fs::read(dir.join("saksi.db")).unwrap(), db);

    // Nor goes without the log key, which no backup holds.
    for target in [tmp.path().join("absent"), tmp.path().join("empty")] {
        if target.ends_with("empty") {
            std::fs::create_dir(&target).unwrap();
        }
        let out = run(&[
            "restore",
            "--from",
            path(&file),
            "--data-dir",
            path(&target),
        ]);
        assert!(!out.status.success());
        let said = stderr(&out);
        assert!(
            said.contains("holds no log key and no --log-key was given"),
            "{said}"
        );
        assert!(said.contains("the log key is never in a backup"), "{said}");
        if target.ends_with("empty") {
            assert!(listing(&target).is_empty());
        } else {
            assert!(!target.exists());
        }
    }

    // A file that is not a backup, and a new log under the old origin.
    let out = run(&[
        "restore",
        "--from",
        path(&dir.join("saksi.db")),
        "--data-dir",
        path(&tmp.path().join("other")),
        "--log-key",
        path(&dir.join("log.key")),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a Saksi backup"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("other").exists());
    let out = run(&[
        "log",
        "new-origin",
        "--data-dir",
        path(&dir),
        "--origin",
        "saksi.localhost/log",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("a new log needs a new origin"),
        "{}",
        stderr(&out)
    );
    assert_eq!(listing(&dir), before);

    // With the key the idle backup restores, and serves.
    let restored = tmp.path().join("restored");
    ok(run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&restored),
        "--log-key",
        path(&dir.join("log.key")),
    ]));
    let server = Server::serve(&restored);
    assert_eq!(wait_for_checkpoint(server.addr, 0), 0);
    drop(server);

    // Without the key, a restore can start a new log instead.
    let renewed = tmp.path().join("renewed");
    let out = ok(run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&renewed),
        "--new-origin",
        "renewed.localhost/log",
    ]));
    let key = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("new log key: "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no new log key in {}", stdout(&out)));
    assert!(key.starts_with("renewed.localhost/log+"), "{key}");
    assert_eq!(
        listing(&renewed),
        BTreeSet::from(["log.key", "root-keys.txt", "saksi.db"].map(str::to_owned))
    );
    assert_eq!(mode(&renewed.join("log.key")), 0o600);
    let server = Server::serve(&renewed);
    let (_, served) = get(server.addr, "/api/v1/log/key");
    assert_eq!(served.trim(), key);
}

#[test]
fn a_restore_with_a_log_key_that_did_not_sign_the_backup_is_refused_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let init = |name: &str| {
        let dir = tmp.path().join(name);
        ok(run(&[
            "init",
            "--data-dir",
            path(&dir),
            "--scale",
            "0.001",
            "--seed",
            "5",
        ]));
        dir
    };
    let dir = init("election");
    let stranger = init("stranger");
    // Served once, so the backup carries a checkpoint the log key signed.
    let server = Server::serve(&dir);
    wait_for_checkpoint(server.addr, 0);
    drop(server);
    assert!(dir.join("log.highest").exists());
    let file = tmp.path().join("signed.saksi");
    backup(&dir, &file);

    let target = tmp.path().join("restored");
    let out = run(&[
        "restore",
        "--from",
        path(&file),
        "--data-dir",
        path(&target),
        "--log-key",
        path(&stranger.join("log.key")),
    ]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("is not a checkpoint signed by the log key"),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists(), "{:?}", listing(tmp.path()));
}
