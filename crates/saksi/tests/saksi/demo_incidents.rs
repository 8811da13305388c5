//! The demo's simulated incidents, watched from outside as a newcomer
//! would: the public statistics fill with incidents filed by simulated
//! KPPS devices, most resolved and some escalated to the KPU RI and
//! overdue; an incident a person files is never touched by the
//! simulation; and the signed forms keep streaming meanwhile.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Server, http, json, path};

/// Seconds-long deadlines, and a filing about every second, so the whole
/// story (filed, handled, escalated twice, overdue) fits in a minute.
const DEADLINES: &str = "critical=4s/8s,high=4s/8s,medium=4s/8s,low=4s/8s";

/// How long the test waits for the story before it fails: generous, for
/// a machine busy with other tests.
const PATIENCE: Duration = Duration::from_secs(180);

/// A session of the demo account `account` (from `demo-accounts.json`),
/// logging in as a person does; a login refused because the server is
/// busy checking other passwords (the simulated officers log in too) is
/// tried again.
fn login(addr: SocketAddr, account: &Value) -> String {
    let body = json!({"username": account["username"], "password": account["password"]});
    for _ in 0..20 {
        let (status, answer) = http(addr, "POST", "/api/v1/auth/login", &[], &body.to_string());
        if status == 200 {
            return json(&answer)["token"].as_str().unwrap().to_owned();
        }
        assert!(matches!(status, 429 | 503), "{status} {answer}");
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("the demo kpps account could not log in");
}

/// The demo's accounts as written to `demo-accounts.json`.
fn accounts(dir: &Path) -> Vec<Value> {
    json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap())
        .as_array()
        .unwrap()
        .clone()
}

/// TPS that reported PPWP so far, nationally.
fn tps_reported(addr: SocketAddr) -> u64 {
    let (_, body) = http(addr, "GET", "/api/v1/results/ppwp", &[], "");
    json(&body)["totals"]["tps_reported"].as_u64().unwrap()
}

#[test]
fn the_demo_files_and_handles_incidents_and_leaves_a_persons_incident_to_escalate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::start(&[
        "demo",
        "--data-dir",
        path(&dir),
        "--scale",
        "0.001",
        "--seed",
        "11",
        "--rate",
        "5",
        "--incidents-every",
        "1",
        "--incident-deadlines",
        DEADLINES,
    ]);
    let reported_first = tps_reported(demo.addr);

    // A person files an incident at their TPS through their session.
    let kpps = accounts(&dir)
        .into_iter()
        .find(|a| a["role"] == "kpps")
        .expect("a kpps demo account");
    let auth = format!("Bearer {}", login(demo.addr, &kpps));
    let filing = json!({
        "region": kpps["region"], "category": "logistics", "severity": "low",
        "title": "Bilik suara roboh", "description": "Diikat ulang oleh petugas."
    });
    let (status, body) = http(
        demo.addr,
        "POST",
        "/api/v1/incidents",
        &[("Authorization", &auth), ("Idempotency-Key", "person-1")],
        &filing.to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let id = json(&body)["id"].as_str().unwrap().to_owned();

    // Wait until the person's incident has climbed to the KPU RI and been
    // marked overdue, and the simulation's own have been handled, some
    // resolved and some left overdue.
    let deadline = Instant::now() + PATIENCE;
    let (history, stats) = loop {
        let (status, page) = http(
            demo.addr,
            "GET",
            &format!("/api/v1/incidents/{id}"),
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(status, 200, "{page}");
        let history = json(&page)["history"].as_array().unwrap().clone();
        let (_, stats) = http(demo.addr, "GET", "/api/v1/incidents/stats", &[], "");
        let stats = json(&stats);
        let person_overdue = history.iter().any(|e| e["action"] == "overdue");
        // Beyond the person's: the simulation's own incidents.
        let overdue = stats["overdue"].as_u64().unwrap();
        let resolved = stats["status"]["resolved"].as_u64().unwrap();
        if person_overdue && overdue >= 2 && resolved >= 3 {
            break (history, stats);
        }
        assert!(
            Instant::now() < deadline,
            "not there within {PATIENCE:?}: {stats}\n{history:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };

    // The person's incident: filed, then only the server's own events on
    // its deadlines (kab/kota -> provinsi -> KPU RI -> overdue); the
    // simulated officers never acted on it.
    assert_eq!(history[0]["action"], "file");
    assert_eq!(history[0]["by"]["role"], "kpps");
    let later: Vec<(&str, &str)> = history[1..]
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["by"]["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        later[..3],
        [
            ("escalate", "system"),
            ("escalate", "system"),
            ("overdue", "system")
        ],
        "{history:?}"
    );
    assert!(later.iter().all(|(_, by)| *by == "system"), "{history:?}");

    // The simulation filed many, resolved most, and let some climb: more
    // overdue than the person's one.
    assert!(stats["total"].as_u64().unwrap() >= 5, "{stats}");
    assert!(stats["ack_seconds"]["p50"].as_i64().is_some(), "{stats}");

    // The forms kept streaming meanwhile.
    let reported_later = tps_reported(demo.addr);
    assert!(
        reported_later > reported_first,
        "{reported_first} -> {reported_later}"
    );

    // `demo-accounts.json` still holds one account per role: the
    // simulated officers' accounts are the store's alone.
    let accounts = accounts(&dir);
    let roles: HashSet<&str> = accounts
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), accounts.len(), "{accounts:?}");
    assert!(
        accounts
            .iter()
            .all(|a| a["username"].as_str().unwrap().starts_with("demo-")),
        "{accounts:?}"
    );
}
