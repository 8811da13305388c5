//! `saksi audit` against real servers: an honest one, one whose database
//! was changed behind its back, one whose log was replaced by another of
//! the same size, a checkpoint signed by another key, and a resumed audit.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{Server, get, saksi};

/// What these tests do with a server beyond starting it.
trait AuditTarget {
    fn key(&self) -> String;
    fn submit(&self, dir: &Path, count: u64, seed: u64, size: u64);
    fn stop(self);
}

impl AuditTarget for Server {
    /// The log's verifier key, as served.
    fn key(&self) -> String {
        get(self.addr, "/api/v1/log/key").1.trim().to_owned()
    }

    /// Submits `count` forms with `saksi loadgen` and waits until a signed
    /// checkpoint covers `size` entries.
    fn submit(&self, dir: &Path, count: u64, seed: u64, size: u64) {
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
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, note) = get(self.addr, "/api/v1/log/checkpoint");
            if note.lines().nth(1) == Some(size.to_string().as_str()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no checkpoint of size {size}: {note}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server and waits for it, so its database can be changed.
    fn stop(mut self) {
        self.terminate();
    }
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

#[test]
fn an_audit_of_an_honest_server_passes_and_says_what_it_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    server.submit(&dir, 200, 2024, 200);
    let (out, stdout) = audit(&server.url(), &server.key(), &["--full"]);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("checkpoint: size 200,"), "{stdout}");
    assert!(
        stdout.contains("entries verified: 200 (200 fetched"),
        "{stdout}"
    );
    assert!(
        stdout.contains("key chain: not yet in the log; skipped"),
        "{stdout}"
    );
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    let compared: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("regions compared: "))
        .and_then(|l| l.split_whitespace().next())
        .map(|n| n.replace(',', "").parse().unwrap())
        .expect("a count of regions compared");
    assert!(compared > 200, "{stdout}");
    assert!(stdout.contains("transferred: "), "{stdout}");

    // The default sample passes too.
    let (out, stdout) = audit(&server.url(), &server.key(), &["--sample", "20"]);
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn a_vote_count_changed_in_the_database_is_caught_as_a_results_discrepancy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::demo(&dir, "5", "0");
    server.submit(&dir, 200, 2024, 200);
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
    let (out, stdout) = audit(&server.url(), &key, &["--sample", "0"]);
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
    assert!(stdout.contains("entries verified: 200"), "{stdout}");
    assert!(!stdout.contains("log entry"), "{stdout}");

    // Down to the TPS with --full.
    let (_, stdout) = audit(&server.url(), &key, &["--full"]);
    assert!(
        stdout.contains(&format!(
            "results ppwp region {tps}: suara_sah is {} published, {sah} in the log",
            sah + 7
        )),
        "{stdout}"
    );
}

#[test]
fn a_history_rewritten_after_a_saved_checkpoint_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let state = state.to_str().unwrap();
    let first = tmp.path().join("first");
    let server = Server::demo(&first, "5", "0");
    server.submit(&first, 200, 2024, 200);
    let key = server.key();
    let (out, stdout) = audit(&server.url(), &key, &["--state", state]);
    assert!(out.status.success(), "{stdout}");
    server.stop();

    // Another log of the same size, signed with the same key.
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
    server.submit(&second, 200, 7, 200);
    let (out, stdout) = audit(&server.url(), &key, &["--state", state]);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("history rewritten"), "{stdout}");

    // Grown past the saved size, it is the consistency proof that fails.
    server.submit(&second, 50, 8, 250);
    let (out, stdout) = audit(&server.url(), &key, &["--state", state]);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("history rewritten: the consistency proof from the saved size 200 to 250 does not verify"),
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
    let state = tmp.path().join("state");
    let state = state.to_str().unwrap();
    let server = Server::demo(&dir, "5", "0");
    server.submit(&dir, 100, 2024, 100);
    let key = server.key();
    let (out, stdout) = audit(&server.url(), &key, &["--state", state, "--root", &key]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("entries verified: 100 (100 fetched, 0 from the saved state"),
        "{stdout}"
    );
    assert!(stdout.contains("1 root key recorded"), "{stdout}");

    server.submit(&dir, 50, 9, 150);
    let (out, stdout) = audit(&server.url(), &key, &["--state", state, "--verbose"]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("entries verified: 150 (50 fetched, 100 from the saved state"),
        "{stdout}"
    );
    assert!(
        stdout.contains("proof from the saved size 100 to 150 verified"),
        "{stdout}"
    );

    // Nothing new: nothing fetched.
    let (out, stdout) = audit(&server.url(), &key, &["--state", state]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("entries verified: 150 (0 fetched, 150 from the saved state"),
        "{stdout}"
    );
    assert!(
        stdout.contains("unchanged since the saved checkpoint"),
        "{stdout}"
    );
}
