//! The real `saksi` binary, run in fresh temporary directories: what a user
//! or a script sees, exit codes included.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{Server, get, http, json, path, run, text};

/// `saksi init` of a small election into `dir`, with `extra` flags.
fn init(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["init", "--data-dir", path(dir), "--scale", "0.001"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn init_generates_an_election_with_every_province() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--seed", "7"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("39 provinsi"), "{stdout}");
    assert!(stdout.contains("dprd-kabkota:"), "{stdout}");
    assert!(dir.join("saksi.db").exists());
}

#[test]
fn init_writes_the_log_key_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--origin", "pemilu.example.test/log"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = dir.join("log.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let contents = std::fs::read_to_string(&key).unwrap();
    assert!(
        contents.starts_with("PRIVATE+KEY+pemilu.example.test/log+"),
        "{contents}"
    );
    // Only the public half is printed.
    let printed = text(&out.stderr) + &text(&out.stdout);
    assert!(!printed.contains("PRIVATE+KEY"), "{printed}");
    assert!(printed.contains("pemilu.example.test/log+"), "{printed}");
}

#[test]
fn init_refuses_an_origin_that_cannot_name_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--origin", "bad origin+x"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("origin"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.join("saksi.db").exists());
}

#[test]
fn init_refuses_a_directory_that_already_holds_an_election() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(init(tmp.path(), &[]).status.success());
    let again = init(tmp.path(), &[]);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already holds an election"), "{stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one-line reason: {stderr}"
    );
}

#[test]
fn a_scale_outside_zero_to_one_is_refused_before_anything_is_made() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = run(&["init", "--data-dir", path(&dir), "--scale", "2"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("scale must be in (0, 1]"));
    assert!(!dir.exists());
}

#[test]
fn the_data_directory_can_come_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_saksi"))
        .args(["init", "--scale", "0.001"])
        .env("SAKSI_DATA_DIR", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(tmp.path().join("saksi.db").exists());
}

const DESA_HEADER: &str =
    "kode_desa,kode_desa_dotted,desa_kelurahan,tps_no_max,tps_ext_from,tps_ext_to,tps_total\n";

#[test]
fn import_regions_builds_a_data_directory_from_a_desa_list() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("desa.csv");
    std::fs::write(
        &list,
        format!(
            "{DESA_HEADER}1101012001,11.01.01.2001,KEUDE BAKONGAN,3,,,3\n\
             3171011001,31.71.01.1001,\"GAMBIR, PUSAT\",2,901,901,3\n"
        ),
    )
    .unwrap();
    let dir = tmp.path().join("data");
    let out = run(&["import-regions", "--data-dir", path(&dir), path(&list)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Two provinces from the list plus the overseas province 99.
    assert!(stdout.starts_with("3 provinsi"), "{stdout}");

    // `saksi serve` serves the imported tree as it is.
    let server = Server::serve(&dir);
    let (status, body) = get(server.addr, "/api/v1/regions/31.71.01.1001");
    assert_eq!(status, 200, "{body}");
    let desa = json(&body);
    assert_eq!(desa["name"], "GAMBIR, PUSAT");
    let tps: Vec<&str> = desa["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        tps,
        [
            "31.71.01.1001.001",
            "31.71.01.1001.002",
            "31.71.01.1001.901"
        ]
    );
    let (status, body) = get(server.addr, "/api/v1/results/ppwp");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json(&body)["totals"]["tps_expected"].as_u64(),
        Some(6 + 3205)
    );
}

#[test]
fn a_malformed_desa_list_is_reported_by_line_and_nothing_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("desa.csv");
    std::fs::write(
        &list,
        format!(
            "{DESA_HEADER}1101012001,11.01.01.2001,KEUDE BAKONGAN,3,,,3\n\
             1101012002,11.01.01.2002,UJONG MANGKI,2,,,5\n\
             11010X2003,11.01.01.2003,UJONG PADANG,2,,,2\n"
        ),
    )
    .unwrap();
    let dir = tmp.path().join("data");
    let out = run(&["import-regions", "--data-dir", path(&dir), path(&list)]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("line 4"), "{stderr}");
    assert!(!dir.exists(), "no data directory is left behind");
}

#[test]
fn a_missing_desa_list_is_named_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "import-regions",
        "--data-dir",
        path(&tmp.path().join("data")),
        "/nonexistent/desa.csv",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("/nonexistent/desa.csv"));
}

#[test]
fn serve_refuses_a_data_directory_without_a_log_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_file(dir.join("log.key")).unwrap();
    let out = run(&["serve", "--data-dir", path(&dir), "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("log key"), "{stderr}");
}

#[test]
fn init_makes_a_root_key_when_none_is_given_and_keeps_its_private_half_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let private = dir.join("root.key");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let roots = std::fs::read_to_string(dir.join("root-keys.txt")).unwrap();
    assert_eq!(roots.lines().count(), 1);
    assert!(roots.starts_with("kpu-ri-root+"), "{roots}");
    assert!(
        text(&out.stderr).contains(roots.trim()),
        "the root key is printed"
    );
}

#[test]
fn init_records_the_root_keys_given_and_serve_publishes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..2)
        .map(|i| {
            let file = tmp.path().join(format!("k{i}"));
            let out = init(&tmp.path().join(format!("scratch{i}")), &[]);
            assert!(out.status.success());
            std::fs::copy(tmp.path().join(format!("scratch{i}/root-keys.txt")), &file).unwrap();
            std::fs::read_to_string(file).unwrap().trim().to_owned()
        })
        .collect();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--root-key", &keys[0], "--root-key", &keys[1]]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !dir.join("root.key").exists(),
        "no private root key when keys are given"
    );
    let server = Server::serve(&dir);
    let (status, body) = get(server.addr, "/api/v1/log/roots");
    assert_eq!(status, 200);
    assert_eq!(body, format!("{}\n{}\n", keys[0], keys[1]));
}

#[test]
fn a_malformed_root_key_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--root-key", "kpu+00000000+AAAA"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--root-key"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!dir.join("log.key").exists() && !dir.join("root-keys.txt").exists());
}

#[test]
fn the_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &["--seed", "7"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut child = crate::common::saksi()
        .args(["serve", "--data-dir", path(&dir), "--listen", "127.0.0.1:0"])
        .env_remove("NO_COLOR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        // The server's tracing line once the election is loaded.
        if line.contains("state loaded") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.contains("state loaded"), "{seen}");
    assert!(!seen.contains('\u{1b}'), "colour codes in a pipe: {seen:?}");
}

#[test]
fn metrics_are_served_only_with_a_token_or_on_their_own_address() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = "metrics-token-0123456789";

    // Neither flag: not served at all.
    let mut server = Server::serve(&dir);
    let (status, body) = get(server.addr, "/metrics");
    assert_eq!(status, 404, "{body}");
    assert_eq!(json(&body)["error"]["code"], "route.not_found");
    assert!(server.terminate().success());

    // A token: on the main address, to requests bearing it.
    let mut server = Server::start_env(
        &["serve", "--data-dir", path(&dir)],
        &[("SAKSI_METRICS_TOKEN", token)],
    );
    let (status, _) = get(server.addr, "/metrics");
    assert_eq!(status, 401);
    let bearer = format!("Bearer {token}");
    let (status, body) = http(
        server.addr,
        "GET",
        "/metrics",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("saksi_queue_depth"), "{body}");
    assert!(server.terminate().success());

    // An address of its own: there, and not on the main address.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_addr = free.local_addr().unwrap();
    drop(free);
    let mut server = Server::start(&[
        "serve",
        "--data-dir",
        path(&dir),
        "--metrics-listen",
        &metrics_addr.to_string(),
    ]);
    let (status, _) = get(server.addr, "/metrics");
    assert_eq!(status, 404);
    let (status, body) = get(metrics_addr, "/metrics");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("saksi_queue_depth"), "{body}");
    assert!(server.terminate().success());

    // A short token is refused at start.
    let out = run(&[
        "serve",
        "--data-dir",
        path(&dir),
        "--metrics-token",
        "short",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("16 to 256"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn malformed_incident_deadlines_are_refused_with_the_reason_before_serving() {
    let tmp = tempfile::tempdir().unwrap();
    for (value, reason) in [
        ("critical=2h/1h", "shorter than the time to acknowledge"),
        ("urgent=1m/2m", "not a severity"),
        ("critical=15x/2h", "units s, m, h, d"),
    ] {
        for command in ["serve", "demo"] {
            let out = run(&[
                command,
                "--data-dir",
                path(tmp.path()),
                "--incident-deadlines",
                value,
            ]);
            assert!(!out.status.success(), "{command} {value}");
            let stderr = text(&out.stderr);
            assert!(stderr.contains(reason), "{command} {value}: {stderr}");
        }
    }
}

#[test]
fn malformed_logistics_deadlines_or_polling_day_are_refused_naming_the_part() {
    let tmp = tempfile::tempdir().unwrap();
    for (flag, value, reason) in [
        (
            "--logistics-deadlines",
            "kabkota=10d,desa=1x",
            "desa=1x: a deadline is Nd (N days before polling day, 0 to 90) or HH:MM",
        ),
        (
            "--logistics-deadlines",
            "provinsi=3d",
            "\"provinsi\" is not a receiving level: kabkota, kecamatan, desa or tps",
        ),
        (
            "--logistics-deadlines",
            "tps=25:00",
            "tps=25:00: a deadline is",
        ),
        (
            "--logistics-deadlines",
            "tps",
            "\"tps\" is not level=deadline",
        ),
        ("--polling-day", "2024-02-30", "is not a date YYYY-MM-DD"),
    ] {
        for command in ["serve", "demo"] {
            let out = run(&[command, "--data-dir", path(tmp.path()), flag, value]);
            assert!(!out.status.success(), "{command} {flag} {value}");
            let stderr = text(&out.stderr);
            assert!(stderr.contains(reason), "{command} {value}: {stderr}");
        }
    }
}

#[test]
fn a_wrong_allocation_table_is_refused_with_the_rule_before_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.json");
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        saksi_core::logistics::DEFAULT_TABLE.replacen(
            r#"{ "item": "booth", "fixed": 4 }"#,
            r#"{ "item": "booth", "fixed": 4, "per_contest": 1 }"#,
            1,
        ),
    )
    .unwrap();
    for (file, reason) in [
        (&missing, "cannot read"),
        (
            &bad,
            "tps rule 3: give exactly one of fixed, per_contest, dpt_percent",
        ),
    ] {
        for command in ["serve", "demo"] {
            let out = run(&[
                command,
                "--data-dir",
                path(tmp.path()),
                "--allocation",
                path(file),
            ]);
            assert!(!out.status.success(), "{command} {file:?}");
            let stderr = text(&out.stderr);
            assert!(stderr.contains(reason), "{command} {file:?}: {stderr}");
        }
    }
}
