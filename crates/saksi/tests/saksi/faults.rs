//! Faults a real deployment meets (README, "Reliability"), on real
//! processes: the PostgreSQL database going away under a running server,
//! and a disk that refuses writes (the store's failpoint, as tests run as
//! root and file permissions cannot make a disk refuse). Either way a
//! submission gets 503 `store.unavailable`, nothing is half-written, reads
//! keep being served, `/healthz` says degraded, and the server recovers by
//! itself.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::chain::{self, FORM, FORM_2, first_tps, prepare};
use crate::common::{Server, get, json};

fn log_size(server: &Server) -> u64 {
    json(&get(server.addr, "/api/v1/results/ppwp").1)["log_size"]
        .as_u64()
        .unwrap()
}

/// Submits while `break_it` holds the store down, then after `mend_it`:
/// the behaviour every fault must have.
fn refused_while_down_then_recovers(
    server: &Server,
    dir: &Path,
    break_it: impl FnOnce(),
    mend_it: impl FnOnce(),
) {
    let tps = first_tps(server);
    let device = chain::kpps_device(server.addr, dir, &tps);
    let origin = chain::origin(server.addr);
    let (first, digest) = chain::signed_form(&device, &origin, &tps, "ppwp", (1, None), FORM, None);
    let (status, answer) = chain::post_form(server.addr, &tps, "ppwp", &first);
    assert_eq!(status, 201, "{answer}");
    let size = log_size(server);
    break_it();
    let (during, _) = chain::signed_form(
        &device,
        &origin,
        &tps,
        "ppwp",
        (2, Some(digest)),
        FORM_2,
        None,
    );
    let (status, answer) = chain::post_form(server.addr, &tps, "ppwp", &during);
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "store.unavailable", "{answer}");
    // Reads are served from memory.
    assert_eq!(log_size(server), size, "nothing half-written is visible");
    let health = json(&get(server.addr, "/healthz").1);
    assert_eq!(health["status"], "degraded", "{health}");
    mend_it();
    let deadline = Instant::now() + Duration::from_secs(30);
    while json(&get(server.addr, "/healthz").1)["status"] != "ok" {
        assert!(
            Instant::now() < deadline,
            "the server did not recover by itself"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, answer) = chain::post_form(server.addr, &tps, "ppwp", &during);
    assert_eq!(status, 201, "the refused submission, retried: {answer}");
    assert_eq!(answer["version"], 2, "{answer}");
    assert_eq!(log_size(server), size + 1);
}

#[test]
fn a_postgresql_database_that_goes_away_gives_503_and_the_server_recovers_by_itself() {
    let Some(cluster) = crate::common::pg::private_cluster() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare(&dir, Some(&cluster.url()));
    let server = Server::serve(&dir);
    refused_while_down_then_recovers(
        &server,
        &dir,
        || cluster.crash(),
        || cluster.start_server().unwrap(),
    );
}

#[test]
fn a_disk_that_refuses_writes_gives_503_and_the_server_recovers_by_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare(&dir, None);
    let flag = tmp.path().join("disk-full");
    let server = Server::start_env(
        &["serve", "--data-dir", dir.to_str().unwrap()],
        &[("SAKSI_FAILPOINT_WRITES", flag.to_str().unwrap())],
    );
    refused_while_down_then_recovers(
        &server,
        &dir,
        || std::fs::write(&flag, "").unwrap(),
        || std::fs::remove_file(&flag).unwrap(),
    );
}
