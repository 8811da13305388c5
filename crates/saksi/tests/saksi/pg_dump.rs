//! The PostgreSQL backup path the README documents ("Backup and restore"):
//! a `pg_dump` of a running deployment's database, restored with
//! `pg_restore` into a new database, served from a data directory that
//! names it, passes `saksi audit` with the same log key.

use std::path::Path;
use std::process::Command;

use crate::common::{Server, get, json, saksi};

/// Runs a PostgreSQL client program, failing the test with its output.
fn client(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_pg_dump_restored_into_a_new_database_serves_the_same_audited_log() {
    let Some(cluster) = crate::common::pg::private_cluster() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = saksi()
        .args(["init", "--data-dir", dir.to_str().unwrap()])
        .args([
            "--scale",
            "0.001",
            "--seed",
            "8",
            "--database",
            &cluster.url(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut server = Server::serve(&dir);
    let out = saksi()
        .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
        .args(["--server", &server.url(), "--count", "200"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = json(&get(server.addr, "/api/v1/results/ppwp").1)["log_size"].clone();
    // An online dump while the server runs: one consistent snapshot.
    let dump = tmp.path().join("saksi.dump");
    client(
        "pg_dump",
        &[
            "--format=custom",
            "--dbname",
            &cluster.url(),
            "--file",
            dump.to_str().unwrap(),
        ],
    );
    server.terminate();

    let restored_url = format!("postgres://postgres@127.0.0.1:{}/restored", cluster.port);
    client("psql", &[&cluster.url(), "-c", "CREATE DATABASE restored"]);
    client(
        "pg_restore",
        &[
            "--dbname",
            &restored_url,
            "--no-owner",
            dump.to_str().unwrap(),
        ],
    );
    // The restored directory: the same keys and record, the new database.
    let restored = tmp.path().join("restored");
    copy_dir(&dir, &restored);
    std::fs::write(restored.join("database.url"), format!("{restored_url}\n")).unwrap();
    let server = Server::serve(&restored);
    assert_eq!(
        json(&get(server.addr, "/api/v1/results/ppwp").1)["log_size"],
        size
    );
    let (_, key) = get(server.addr, "/api/v1/log/key");
    let (_, roots) = get(server.addr, "/api/v1/log/roots");
    let mut audit = saksi();
    audit.args(["audit", "--server", &server.url(), "--key", key.trim()]);
    for root in roots.lines() {
        audit.args(["--root", root]);
    }
    let out = audit.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
