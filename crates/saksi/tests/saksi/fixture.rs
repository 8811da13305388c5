//! The national fixture (`saksi init --with-forms`): a data directory
//! that serves and passes the audit, whose results are the sum of its
//! forms, whose entries are those HTTP ingest makes of the same statements
//! but for their times, on SQLite and PostgreSQL; an interrupted run that
//! leaves a valid log of what it wrote; and a refused run that changes
//! nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::audit::audit_with_roots;
use crate::common::{Server, get, heavy, json, path, run, saksi, text};

/// `saksi init --with-forms` of a small election into `dir`.
fn init_with_forms(dir: &Path, scale: &str, seed: &str, extra: &[&str]) -> Output {
    let mut args = vec!["init", "--data-dir", path(dir), "--scale", scale];
    args.extend_from_slice(&["--seed", seed, "--with-forms"]);
    args.extend_from_slice(extra);
    run(&args)
}

/// The log entries of a SQLite data directory, in log order, decoded.
fn entries(dir: &Path) -> Vec<Value> {
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let mut select = db
        .prepare("SELECT data FROM log_entries ORDER BY log_index")
        .unwrap();
    select
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|data| serde_json::from_slice(&data.unwrap()).unwrap())
        .collect()
}

/// The audit of a served directory: it passes and finds nothing wrong.
fn audit_passes(server: &Server, dir: &Path) {
    let key = get(server.addr, "/api/v1/log/key").1.trim().to_owned();
    let (out, stdout) = audit_with_roots(&server.url(), &key, dir, &["--sample", "20"]);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
}

#[test]
fn a_fixture_is_served_audited_and_its_results_are_the_sum_of_its_forms() {
    let _heavy = heavy();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init_with_forms(&dir, "0.001", "11", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("national fixture: "), "{stdout}");
    let log = entries(&dir);
    // "..., 92 desa, 823 TPS; DPT ..."
    let tps: usize = stdout
        .split(", ")
        .find_map(|p| p.split_once(" TPS;"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no TPS count in {stdout}"));

    // Each TPS's current PPWP form: its last version in the log.
    let mut ppwp: HashMap<String, (u64, Value)> = HashMap::new();
    let mut keys = 0;
    for entry in &log {
        let statement = &entry["statement"];
        match entry["type"].as_str() {
            Some("key") => keys += 1,
            Some("form") if statement["contest"] == "ppwp" => {
                let version = statement["version"].as_u64().unwrap();
                let tps = statement["tps"].as_str().unwrap().to_owned();
                let current = ppwp.entry(tps).or_insert((0, Value::Null));
                if version > current.0 {
                    *current = (version, statement["form"].clone());
                }
            }
            _ => {}
        }
    }
    // Every TPS has its KPPS key, under its kab/kota officer's.
    assert!(keys > tps, "{keys} keys for {tps} TPS");
    assert_eq!(ppwp.len(), tps, "every TPS sent its PPWP form");
    let corrected: Vec<&String> = ppwp
        .iter()
        .filter(|(_, (version, _))| *version == 2)
        .map(|(tps, _)| tps)
        .collect();
    assert!(!corrected.is_empty(), "no TPS sent a correction");
    // The demo's key files, as `saksi demo` leaves them.
    for tps in ppwp.keys() {
        assert!(dir.join("demo-keys").join(format!("{tps}.key")).exists());
    }
    // Logged on the polling day, in order: the keys in the morning (06:00
    // to 12:00 WIB), the forms from 16:00 to 23:00 WIB.
    let times: Vec<&str> = log
        .iter()
        .map(|e| e["logged_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times go back");
    for (entry, time) in log.iter().zip(&times) {
        let (from, until) = match entry["type"].as_str() {
            Some("key") => ("2024-02-13T23:00:00Z", "2024-02-14T05:00:00Z"),
            _ => ("2024-02-14T09:00:00Z", "2024-02-14T16:00:00Z"),
        };
        assert!((from..=until).contains(time), "{time}: {entry}");
    }

    let server = Server::serve(&dir);
    let national = json(&get(server.addr, "/api/v1/results/ppwp").1);
    let totals = &national["totals"];
    assert_eq!(totals["tps_reported"], tps, "{totals}");
    assert_eq!(totals["tps_expected"], tps, "{totals}");
    assert_eq!(national["log_size"], log.len(), "{national}");
    let mut summed: BTreeMap<String, u64> = BTreeMap::new();
    let mut sah = 0;
    for (_, form) in ppwp.values() {
        sah += form["suara_sah"].as_u64().unwrap();
        for (option, votes) in form["options"].as_object().unwrap() {
            *summed.entry(option.clone()).or_default() += votes.as_u64().unwrap();
        }
    }
    assert_eq!(totals["suara_sah"], sah, "{totals}");
    let published: BTreeMap<String, u64> =
        serde_json::from_value(totals["options"].clone()).unwrap();
    assert_eq!(published, summed);
    // The TPS page shows the correction as the current version.
    let page = json(&get(server.addr, &format!("/api/v1/tps/{}", corrected[0])).1);
    assert!(page.to_string().contains("\"version\":2"), "{page}");
    audit_passes(&server, &dir);
}

/// An entry without its time, as canonical text: what must be equal.
fn timeless(entry: &Value) -> String {
    let mut entry = entry.clone();
    entry.as_object_mut().unwrap().remove("logged_at");
    entry.to_string()
}

#[test]
fn the_fixture_logs_the_entries_http_ingest_logs_but_for_their_times() {
    let _heavy = heavy();
    let tmp = tempfile::tempdir().unwrap();
    let fixture = tmp.path().join("fixture");
    let out = init_with_forms(&fixture, "0.0001", "12", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The same election, with the fixture's root key, loaded over HTTP:
    // the demo's key registrations, then every form `saksi simulate`
    // sends with the same seed.
    let http = tmp.path().join("http");
    let out = run(&[
        "init",
        "--data-dir",
        path(&http),
        "--scale",
        "0.0001",
        "--seed",
        "12",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in ["root.key", "root-keys.txt"] {
        std::fs::copy(fixture.join(file), http.join(file)).unwrap();
    }
    let server = Server::serve(&http);
    let out = saksi()
        .args([
            "simulate",
            "--data-dir",
            path(&http),
            "--server",
            &server.url(),
        ])
        .args(["--rate", "100000", "--seed", "12"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("refused 0, failed 0"), "{stdout}");
    drop(server);

    let ours = entries(&fixture);
    let theirs = entries(&http);
    let count = |log: &[Value], kind: &str| log.iter().filter(|e| e["type"] == kind).count();
    assert!(count(&ours, "key") > 96, "{}", ours.len());
    assert!(count(&ours, "form") > 96 * 4, "{}", ours.len());
    assert!(
        ours.iter().any(|e| e["statement"]["version"] == 2),
        "no correction"
    );
    // HTTP clients send on several connections, so the order differs a
    // little; every entry is the same bytes but for `logged_at`.
    let mut ours: Vec<String> = ours.iter().map(timeless).collect();
    let mut theirs: Vec<String> = theirs.iter().map(timeless).collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a, b);
    }
}

#[test]
fn a_fixture_on_postgresql_serves_and_passes_the_audit() {
    let Some(cluster) = crate::common::pg::private_cluster() else {
        return;
    };
    let _heavy = heavy();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init_with_forms(&dir, "0.0001", "13", &["--database", &cluster.url()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!dir.join("saksi.db").exists());
    let server = Server::serve(&dir);
    let national = json(&get(server.addr, "/api/v1/results/ppwp").1);
    assert_eq!(
        national["totals"]["tps_reported"], national["totals"]["tps_expected"],
        "{national}"
    );
    audit_passes(&server, &dir);
}

#[test]
fn an_interrupted_fixture_leaves_a_valid_log_of_what_it_wrote() {
    use std::io::{BufRead, BufReader, Read};
    let _heavy = heavy();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut child = saksi()
        .args(["init", "--data-dir", path(&dir), "--scale", "0.01"])
        .args(["--seed", "15", "--with-forms"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    // Once the keys are logged, the forms stream: interrupt them.
    while !said.contains("officer and KPPS keys") {
        assert!(stderr.read_line(&mut said).unwrap() > 0, "{said}");
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    stderr.read_to_string(&mut said).unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "{said}");
    assert!(said.contains("interrupted: "), "{said}");
    assert!(said.contains("cannot be resumed"), "{said}");
    let forms = entries(&dir).iter().filter(|e| e["type"] == "form").count();
    let server = Server::serve(&dir);
    let national = json(&get(server.addr, "/api/v1/results/ppwp").1);
    let reported = national["totals"]["tps_reported"].as_u64().unwrap();
    assert!(
        reported < national["totals"]["tps_expected"].as_u64().unwrap(),
        "{national}"
    );
    assert!(
        said.contains(&format!("and {forms} forms written before")),
        "{said}"
    );
    audit_passes(&server, &dir);
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            files.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

#[test]
fn a_fixture_is_refused_over_an_election_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = run(&["init", "--data-dir", path(&dir), "--scale", "0.0001"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = snapshot(&dir);
    let out = init_with_forms(&dir, "0.0001", "14", &[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("already holds an election"), "{stderr}");
    assert_eq!(snapshot(&dir), before);
    assert!(!dir.join("demo-keys").exists());

    // Without the root key `init` makes, no demo key can be derived.
    let other = tmp.path().join("other");
    let root = text(&std::fs::read(dir.join("root-keys.txt")).unwrap());
    let out = init_with_forms(&other, "0.0001", "14", &["--root-key", root.trim()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot be used with"),
        "{}",
        text(&out.stderr)
    );
    assert!(!other.exists());
}
