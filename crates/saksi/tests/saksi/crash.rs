//! Nothing acknowledged is ever lost (README, "Reliability"): `saksi
//! loadgen` drives a server at full speed with `--receipts`, the server is
//! killed with SIGKILL at a random moment, restarted, and checked:
//!
//! - every acknowledged submission (a receipt line) is in the log at the
//!   index its receipt names, with the leaf hash it names;
//! - no form version is in the log twice;
//! - every checkpoint seen before a crash is consistent with the one after
//!   it (a verified consistency proof), and no two differ at one size;
//! - at the end `saksi audit` recounts every contest at every region from
//!   the log and finds the published tallies equal.
//!
//! On PostgreSQL (a private cluster the test owns), every other cycle also
//! crashes the database itself (`pg_ctl stop -m immediate`) while the load
//! runs, before the server is killed.
//!
//! `SAKSI_CRASH_CYCLES` sets the number of crashes per backend (default 5,
//! as in CI) and `SAKSI_CRASH_PER_CYCLE` the new submissions per cycle; the
//! test prints the count of crashes, receipts checked and anomalies. A long
//! run by hand: `SAKSI_CRASH_CYCLES=100 SAKSI_CRASH_PER_CYCLE=300 cargo
//! test --release -p saksi --test saksi crash -- --nocapture`.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_log::{Checkpoint, Hash, Verifier, leaf_hash, verify_consistency};
use serde_json::Value;

use crate::common::{Server, get, json, saksi, try_http};

/// What the cycles found.
#[derive(Default)]
struct Tally {
    crashes: usize,
    receipts_checked: usize,
    anomalies: Vec<String>,
    /// Every checkpoint seen: size -> root.
    checkpoints: BTreeMap<u64, Hash>,
    /// Every acknowledged submission and key registration: (log index,
    /// leaf hash, what).
    acknowledged: Vec<(u64, Hash, String)>,
    /// How many of them were key registrations.
    key_receipts: usize,
}

/// A small pseudo-random source for the kill moments (seeded from the
/// clock and printed, so a failing run can be told apart).
struct Moments(u64);

impl Moments {
    fn below(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn cycles() -> usize {
    env_number("SAKSI_CRASH_CYCLES", 5)
}

/// New submissions a cycle adds to the load (`SAKSI_CRASH_PER_CYCLE`,
/// default 1,500): each cycle's loadgen sends the whole corpus so far,
/// replaying what earlier cycles stored, so a long run by hand wants fewer.
fn per_cycle() -> u64 {
    env_number("SAKSI_CRASH_PER_CYCLE", 1500)
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The server's signed checkpoint: size and root, checked with its key.
fn checkpoint(addr: SocketAddr, key: &Verifier) -> (u64, Hash) {
    let (status, body) = get(addr, "/api/v1/log/checkpoint");
    assert_eq!(status, 200, "{body}");
    let c = Checkpoint::open(body.as_bytes(), key, key.name()).expect("a valid checkpoint");
    (c.size, c.root)
}

/// The log's size as the server knows it now (`/healthz`).
fn live_size(addr: SocketAddr) -> u64 {
    let (status, body) = get(addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    json(&body)["log_size"].as_u64().unwrap()
}

fn log_key(addr: SocketAddr) -> Verifier {
    let (_, body) = get(addr, "/api/v1/log/key");
    Verifier::parse(body.trim()).unwrap()
}

/// Every entry of the log up to `size`.
fn entries(addr: SocketAddr, size: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(size as usize);
    while (out.len() as u64) < size {
        let start = out.len();
        let (status, body) = get(
            addr,
            &format!("/api/v1/log/entries?start={start}&end={size}"),
        );
        assert_eq!(status, 200, "{body}");
        for e in json(&body)["entries"].as_array().unwrap() {
            out.push(STANDARD.decode(e["data"].as_str().unwrap()).unwrap());
        }
        assert!(
            out.len() > start,
            "an empty page before the checkpoint's size"
        );
    }
    out
}

/// Checks the restarted server against everything seen before.
fn check(addr: SocketAddr, key: &Verifier, tally: &mut Tally) {
    let (size, root) = checkpoint(addr, key);
    for (&seen_size, seen_root) in &tally.checkpoints {
        if seen_size > size {
            tally
                .anomalies
                .push(format!("the log shrank from {seen_size} to {size}"));
        } else if seen_size == size {
            if *seen_root != root {
                tally
                    .anomalies
                    .push(format!("two checkpoints of size {size} differ"));
            }
        } else if seen_size > 0 {
            let (_, body) = get(
                addr,
                &format!("/api/v1/log/proof/consistency?from={seen_size}&to={size}"),
            );
            let proof: Vec<Hash> = json(&body)["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    STANDARD.decode(h.as_str().unwrap()).unwrap()[..]
                        .try_into()
                        .unwrap()
                })
                .collect();
            if verify_consistency(seen_size, size, seen_root, &root, &proof).is_err() {
                tally.anomalies.push(format!(
                    "checkpoint {seen_size} is not consistent with checkpoint {size}"
                ));
            }
        }
    }
    tally.checkpoints.insert(size, root);
    let log = entries(addr, size);
    for (index, leaf, what) in &tally.acknowledged {
        match log.get(*index as usize) {
            Some(data) if leaf_hash(data) == *leaf => {}
            Some(_) => tally
                .anomalies
                .push(format!("acknowledged {what} is not at log index {index}")),
            None => tally.anomalies.push(format!(
                "acknowledged {what} at index {index} is beyond the log ({size})"
            )),
        }
    }
    tally.receipts_checked += tally.acknowledged.len();
    let mut versions = HashSet::new();
    for data in &log {
        let entry: Value = serde_json::from_slice(data).unwrap();
        let form = match entry["type"].as_str() {
            Some("form") if entry["v"] == 2 => &entry["statement"],
            Some("form") => &entry,
            _ => continue,
        };
        let id = format!("{}/{} v{}", form["tps"], form["contest"], form["version"]);
        if !versions.insert(id.clone()) {
            tally.anomalies.push(format!("{id} is in the log twice"));
        }
    }
}

/// Polls the checkpoint every 20 ms until `stop`, recording each one.
fn watch_checkpoints(
    addr: SocketAddr,
    key: Verifier,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<(u64, Hash)>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            // The server may be gone (killed): what it answered is kept.
            let Ok((200, body)) = try_http(addr, "GET", "/api/v1/log/checkpoint", &[], "") else {
                break;
            };
            if let Ok(c) = Checkpoint::open(body.as_bytes(), &key, key.name()) {
                seen.push((c.size, c.root));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        seen
    })
}

/// `saksi loadgen` against `server`, writing receipts to `receipts`.
fn loadgen(dir: &Path, server: &Server, count: u64, receipts: &Path) -> Child {
    saksi()
        .args(["loadgen", "--data-dir", dir.to_str().unwrap()])
        .args(["--server", &server.url(), "--connections", "16"])
        .args(["--count", &count.to_string()])
        .args(["--receipts", receipts.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The receipt lines a loadgen run wrote (a line cut by the crash of the
/// loadgen itself would be ignored; the server's crash never cuts them).
fn read_receipts(path: &Path) -> Vec<(u64, Hash, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|l| {
            let r = &l["receipt"];
            let leaf: Hash = STANDARD.decode(r["leaf_hash"].as_str().unwrap()).unwrap()[..]
                .try_into()
                .unwrap();
            let what = match l.get("key") {
                Some(key) => format!("key {} of {key}", l["action"]),
                None => format!("{}/{} v{}", l["tps"], l["contest"], l["version"]),
            };
            (r["log_index"].as_u64().unwrap(), leaf, what)
        })
        .collect()
}

/// The writer lease a killed server leaves behind expires after this long.
const LEASE_SECONDS: &str = "2";

/// The server of the crash tests: a short lease, so a restart after a
/// kill waits at most that long.
fn serve(dir: &Path) -> Server {
    Server::start_env(
        &["serve", "--data-dir", dir.to_str().unwrap()],
        &[("SAKSI_LEASE_SECONDS", LEASE_SECONDS)],
    )
}

#[test]
fn acknowledged_submissions_survive_kill_9_on_sqlite() {
    let _load = crate::common::heavy();
    crash_cycles("sqlite", None);
}

#[test]
fn acknowledged_submissions_survive_kill_9_and_database_crashes_on_postgres() {
    let _load = crate::common::heavy();
    let Some(cluster) = crate::common::pg::private_cluster() else {
        return;
    };
    crash_cycles("postgres", Some(&cluster));
}

/// Runs the cycles on a new data directory, on SQLite or on `cluster`.
fn crash_cycles(backend: &str, cluster: Option<&crate::common::pg::PrivateCluster>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut init = saksi();
    init.args(["init", "--data-dir", dir.to_str().unwrap()])
        .args(["--scale", "0.002", "--seed", "11"]);
    if let Some(c) = cluster {
        init.args(["--database", &c.url()]);
    }
    let out = init.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut moments = Moments(seed);
    let mut tally = Tally::default();
    let mut database_crashes = 0;
    let per_cycle = per_cycle();
    for cycle in 0..cycles() {
        let server = serve(&dir);
        let key = log_key(server.addr);
        check(server.addr, &key, &mut tally);
        let start_size = live_size(server.addr);
        let receipts = tmp.path().join(format!("receipts-{cycle}.jsonl"));
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = watch_checkpoints(server.addr, key.clone(), Arc::clone(&stop));
        let mut load = loadgen(&dir, &server, per_cycle * (cycle as u64 + 1), &receipts);
        // The load generator registers the keys first and writes their
        // receipts before any form: a kill during that registration (the
        // log grows with keys too) would leave no receipt to check, cycle
        // after cycle on a slow machine. So wait for those receipts.
        let deadline = Instant::now() + Duration::from_secs(120);
        while std::fs::metadata(&receipts).map_or(true, |m| m.len() == 0) {
            assert!(Instant::now() < deadline, "no key was registered");
            if load.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // Kill once forms flow, after a random part of the first half of
        // this cycle's new ones (the live log size, not the checkpoint's,
        // which lags a second): the load is then surely still running.
        let kill_at = live_size(server.addr).max(start_size) + 10 + moments.below(per_cycle / 2);
        while live_size(server.addr) < kill_at {
            assert!(Instant::now() < deadline, "the log did not grow");
            if load.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // The kill must land while submissions are in flight: a load that
        // already finished would make this cycle prove nothing.
        if load.try_wait().unwrap().is_some() {
            tally.anomalies.push(format!(
                "cycle {cycle}: the load had finished before the kill"
            ));
        }
        let crash_database = cluster.filter(|_| cycle % 2 == 1);
        if let Some(c) = crash_database {
            c.crash();
            database_crashes += 1;
            std::thread::sleep(Duration::from_millis(moments.below(300)));
        }
        let mut server = server;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        tally.crashes += 1;
        stop.store(true, Ordering::Relaxed);
        for (size, root) in watcher.join().unwrap() {
            if let Some(seen) = tally.checkpoints.insert(size, root)
                && seen != root
            {
                tally
                    .anomalies
                    .push(format!("two checkpoints of size {size} differ"));
            }
        }
        // Cut off mid-run, the load generator reports submissions that
        // failed: the kill interrupted it.
        if load.wait().unwrap().success() {
            tally.anomalies.push(format!(
                "cycle {cycle}: the load generator saw no failed submission"
            ));
        }
        let acknowledged = read_receipts(&receipts);
        tally.key_receipts += acknowledged
            .iter()
            .filter(|a| a.2.starts_with("key "))
            .count();
        tally.acknowledged.extend(acknowledged);
        if let Some(c) = crash_database {
            c.start_server().expect("the private cluster restarts");
        }
    }
    let server = serve(&dir);
    let key = log_key(server.addr);
    check(server.addr, &key, &mut tally);
    let (_, roots) = get(server.addr, "/api/v1/log/roots");
    let mut audit = saksi();
    audit.args([
        "audit",
        "--server",
        &server.url(),
        "--key",
        &key.to_string(),
    ]);
    for root in roots.lines() {
        audit.args(["--root", root]);
    }
    let out = audit.output().unwrap();
    if !out.status.success() {
        let report = String::from_utf8_lossy(&out.stdout);
        let head: String = report.lines().take(40).collect::<Vec<_>>().join("\n");
        tally.anomalies.push(format!(
            "the audit after the last restart failed:\n{head}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    eprintln!(
        "crash test ({backend}, seed {seed}): {} crashes of saksi ({database_crashes} with a database crash), each while submissions were in flight, {} acknowledged submissions and key registrations ({} of them keys; {} receipt checks over the restarts), {} anomalies",
        tally.crashes,
        tally.acknowledged.len(),
        tally.key_receipts,
        tally.receipts_checked,
        tally.anomalies.len()
    );
    assert!(
        tally.acknowledged.len() > tally.key_receipts,
        "no form submission was acknowledged"
    );
    assert!(
        tally.key_receipts > 0,
        "no key registration was acknowledged"
    );
    assert!(tally.anomalies.is_empty(), "{:#?}", tally.anomalies);
}
