//! `saksi key` and `saksi kpps`: officer and device keys made, statements
//! built and signed on the officer's machine (`docs/statements.md`):
//! printed, or sent to a real demo server with `--server`.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use saksi_core::form::CHasil;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::Signer;
use saksi_statement::{Envelope, FormStatement, KeyAction, KeyRole, KeyStatement};
use serde_json::{Value, json};

use crate::common::{hex, now, path, run, text};

/// `saksi args...` with `stdin` on standard input.
fn saksi_with_input(args: &[&str], stdin: &str) -> Output {
    let mut child = crate::common::saksi()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A key file for `signer` in `dir`, as `saksi key generate` writes it.
fn key_file(dir: &Path, signer: &Signer) -> String {
    let file = dir.join(format!("{}.key", signer.name()));
    std::fs::write(&file, format!("{}\n", signer.to_private_key_string())).unwrap();
    path(&file).to_owned()
}

/// `saksi key generate --name NAME` into `dir`: the key file's path and
/// the verifier key printed.
fn generated(dir: &Path, name: &str) -> (String, String) {
    let file = dir.join(format!("{name}.key"));
    let out = run(&["key", "generate", "--name", name, "--out", path(&file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (path(&file).to_owned(), text(&out.stdout).trim().to_owned())
}

/// The envelope a command printed, parsed and verified.
fn signed(out: &Output) -> Envelope {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    let envelope = Envelope::parse(stdout.as_bytes()).expect("an envelope");
    assert!(envelope.verify(), "the signature verifies");
    envelope
}

fn kabkota() -> Signer {
    Signer::from_seed("kpu-kabkota-11.01", &[3; 32]).unwrap()
}

fn device() -> Signer {
    Signer::from_seed("kpps-11.01.01.2001.001", &[4; 32]).unwrap()
}

/// A valid PPWP statement (the example of saksi-statement's form tests).
fn form_statement() -> FormStatement {
    FormStatement {
        origin: "saksi.localhost/log".into(),
        tps: RegionCode::parse("11.01.01.2001.001").unwrap(),
        contest: Contest::Ppwp,
        version: 1,
        prev: None,
        form: CHasil::example_ppwp(),
        photos: vec![],
        signed_at: UnixTime(1_707_915_600),
        on_behalf: None,
        correction: None,
    }
}

#[test]
fn generate_writes_a_private_key_for_its_owner_only_and_prints_the_verifier() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ani.key");
    let out = run(&[
        "key",
        "generate",
        "--name",
        "kpu-kabkota-11.01-ani",
        "--out",
        path(&file),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let contents = std::fs::read_to_string(&file).unwrap();
    assert!(contents.ends_with('\n'));
    let signer = Signer::parse(contents.trim_end()).expect("a private key file");
    assert_eq!(signer.name(), "kpu-kabkota-11.01-ani");
    // The verifier alone, on one line; nothing private.
    let stdout = text(&out.stdout);
    assert_eq!(stdout, format!("{}\n", signer.verifier()));
    assert!(!stdout.contains("PRIVATE") && !text(&out.stderr).contains("PRIVATE"));
}

#[test]
fn show_prints_the_verifier_generate_printed_and_nothing_private() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("phone.key");
    let generated = run(&[
        "key",
        "generate",
        "--name",
        "kpps-phone",
        "--out",
        path(&file),
    ]);
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let shown = run(&["key", "show", "--key", path(&file)]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert_eq!(text(&shown.stdout), text(&generated.stdout));
    assert!(!text(&shown.stdout).contains("PRIVATE"));

    // A missing file or one that holds no private key: one line, no panic,
    // and never the file's content.
    let verifier = tmp.path().join("verifier.txt");
    std::fs::write(&verifier, text(&generated.stdout)).unwrap();
    for bad in [tmp.path().join("missing.key"), verifier] {
        let out = run(&["key", "show", "--key", path(&bad)]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("saksi: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn generate_never_overwrites_a_file_and_refuses_bad_names() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("k.key");
    let first = run(&["key", "generate", "--name", "a", "--out", path(&file)]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = std::fs::read(&file).unwrap();
    let again = run(&["key", "generate", "--name", "b", "--out", path(&file)]);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(again.stdout.is_empty());
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the key is untouched"
    );

    for name in ["a b", "a+b", ""] {
        let other = tmp.path().join("other.key");
        let out = run(&["key", "generate", "--name", name, "--out", path(&other)]);
        assert!(!out.status.success(), "{name:?} was accepted");
        assert!(
            text(&out.stderr).contains("not a key name"),
            "{}",
            text(&out.stderr)
        );
        assert!(!other.exists());
    }
}

#[test]
fn certify_prints_a_signed_registration_for_the_role_and_region() {
    let tmp = tempfile::tempdir().unwrap();
    let prov = Signer::from_seed("kpu-prov-11", &[2; 32]).unwrap();
    let key = key_file(tmp.path(), &prov);
    let vkey = kabkota().verifier().to_string();
    let before = now();
    let out = run(&[
        "key",
        "certify",
        "--key",
        &key,
        "--verifier",
        &vkey,
        "--role",
        "kpu-kabkota",
        "--region",
        "11.01",
    ]);
    let envelope = signed(&out);
    assert_eq!(envelope.key, prov.verifier(), "signed by the --key");
    let statement = envelope
        .open::<KeyStatement>()
        .expect("a key statement")
        .statement;
    assert_eq!(statement.origin, "saksi.localhost/log");
    assert_eq!(statement.key, kabkota().verifier());
    let KeyAction::Register {
        role,
        region,
        valid_from,
        valid_until,
        commissioner,
    } = statement.action
    else {
        panic!("not a registration: {statement:?}");
    };
    assert_eq!(role, KeyRole::KpuKabkota);
    assert!(
        !commissioner,
        "registered as a commissioner without --commissioner"
    );
    assert_eq!(region, RegionCode::parse("11.01").unwrap());
    // Defaults: valid from now for 180 days; signed now.
    let after = now();
    assert!((before..=after).contains(&statement.signed_at.0));
    assert_eq!(valid_from, statement.signed_at);
    assert_eq!(valid_until, statement.signed_at.plus(180 * 86_400));
}

#[test]
fn certify_takes_validity_and_origin_from_flags_or_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &kabkota());
    let vkey = device().verifier().to_string();
    let args = [
        "key",
        "certify",
        "--key",
        &key,
        "--verifier",
        &vkey,
        "--role",
        "kpps",
        "--region",
        "11.01.01.2001.001",
        "--valid-from",
        "2024-02-01T00:00:00Z",
        "--valid-until",
        "2024-03-01T00:00:00Z",
    ];
    let mut with_origin = args.to_vec();
    with_origin.extend(["--origin", "pemilu.example.test/log"]);
    let from_flag = signed(&run(&with_origin));
    let from_env = signed(
        &crate::common::saksi()
            .args(args)
            .env("SAKSI_ORIGIN", "pemilu.example.test/log")
            .output()
            .unwrap(),
    );
    for envelope in [from_flag, from_env] {
        let statement = envelope.open::<KeyStatement>().unwrap().statement;
        assert_eq!(statement.origin, "pemilu.example.test/log");
        assert_eq!(
            statement.action,
            KeyAction::Register {
                role: KeyRole::Kpps,
                region: RegionCode::parse("11.01.01.2001.001").unwrap(),
                valid_from: UnixTime::parse_rfc3339("2024-02-01T00:00:00Z").unwrap(),
                valid_until: UnixTime::parse_rfc3339("2024-03-01T00:00:00Z").unwrap(),
                commissioner: false,
            }
        );
    }
}

#[test]
fn certify_refuses_what_could_never_be_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &kabkota());
    let vkey = device().verifier().to_string();
    let certify = |extra: &[&str]| {
        let mut args = vec!["key", "certify", "--key", &key, "--verifier", &vkey];
        args.extend_from_slice(extra);
        run(&args)
    };
    for (extra, expected) in [
        (
            &["--role", "kpu-prov", "--region", "11.01"][..],
            "not a province code",
        ),
        (&["--role", "kpu-pusat", "--region", "0"], "kpu-pusat"),
        (&["--role", "kpu-ri", "--region", "11"], "kpu-ri"),
        (
            &[
                "--role",
                "kpps",
                "--region",
                "11.01.01.2001.001",
                "--commissioner",
            ],
            "--commissioner is for ppk, kpu-kabkota, kpu-prov and kpu-ri keys, not kpps",
        ),
        (
            &["--role", "kpps", "--region", "banda aceh"],
            "not a TPS code",
        ),
        (
            &[
                "--role",
                "kpps",
                "--region",
                "11.01.01.2001.001",
                "--valid-from",
                "2024-03-01T00:00:00Z",
                "--valid-until",
                "2024-02-01T00:00:00Z",
            ],
            "is not after --valid-from",
        ),
        (
            &[
                "--role",
                "kpps",
                "--region",
                "11.01.01.2001.001",
                "--valid-from",
                "14/02/2024",
            ],
            "RFC 3339",
        ),
        (
            &[
                "--role",
                "kpps",
                "--region",
                "11.01.01.2001.001",
                "--origin",
                "a log",
            ],
            "not a log origin",
        ),
    ] {
        let out = certify(extra);
        assert!(!out.status.success(), "{extra:?} was accepted");
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
    }
    // A bad verifier key, or a key file that is not one.
    let out = run(&[
        "key",
        "certify",
        "--key",
        &key,
        "--verifier",
        "nonsense",
        "--role",
        "kpps",
        "--region",
        "11.01.01.2001.001",
    ]);
    assert!(text(&out.stderr).contains("--verifier \"nonsense\" is not"));
    let not_a_key = tmp.path().join("notes.txt");
    std::fs::write(&not_a_key, "secret words\n").unwrap();
    let out = run(&[
        "key",
        "certify",
        "--key",
        path(&not_a_key),
        "--verifier",
        &vkey,
        "--role",
        "kpps",
        "--region",
        "11.01.01.2001.001",
    ]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("is not a private key file"), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the file's content is never shown"
    );
}

#[test]
fn kpps_register_certifies_a_device_for_a_tps_only() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &kabkota());
    let vkey = device().verifier().to_string();
    let out = run(&[
        "kpps",
        "register",
        "--key",
        &key,
        "--verifier",
        &vkey,
        "--tps",
        "11.01.01.2001.001",
    ]);
    let envelope = signed(&out);
    assert_eq!(envelope.key, kabkota().verifier());
    let statement = envelope.open::<KeyStatement>().unwrap().statement;
    assert_eq!(statement.key, device().verifier());
    assert!(matches!(
        statement.action,
        KeyAction::Register { role: KeyRole::Kpps, region, .. }
            if region == RegionCode::parse("11.01.01.2001.001").unwrap()
    ));

    for code in ["11.01", "11.01.01.2001", "12345"] {
        let out = run(&[
            "kpps",
            "register",
            "--key",
            &key,
            "--verifier",
            &vkey,
            "--tps",
            code,
        ]);
        assert!(!out.status.success(), "{code} was accepted");
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("--tps \"{code}\" is not a TPS code")),
            "{stderr}"
        );
    }
}

#[test]
fn revoke_prints_a_signed_revocation() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &kabkota());
    let vkey = device().verifier().to_string();
    let out = run(&[
        "key",
        "revoke",
        "--key",
        &key,
        "--verifier",
        &vkey,
        "--origin",
        "pemilu.example.test/log",
    ]);
    let envelope = signed(&out);
    assert_eq!(envelope.key, kabkota().verifier());
    let statement = envelope.open::<KeyStatement>().unwrap().statement;
    assert_eq!(statement.action, KeyAction::Revoke);
    assert_eq!(statement.key, device().verifier());
    assert_eq!(statement.origin, "pemilu.example.test/log");
    assert_eq!(
        envelope.statement.keys().collect::<Vec<_>>(),
        ["v", "type", "origin", "key", "signed_at", "action"]
    );
}

#[test]
fn kpps_sign_signs_a_valid_form_statement_as_given() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &device());
    let statement = form_statement();
    let input = serde_json::to_string_pretty(&Value::Object(statement.to_object())).unwrap();
    let out = saksi_with_input(&["kpps", "sign", "--key", &key], &input);
    let envelope = signed(&out);
    assert_eq!(envelope.key, device().verifier());
    assert_eq!(envelope.statement, statement.to_object());
    assert_eq!(
        envelope.open::<FormStatement>().unwrap().statement,
        statement
    );

    // Without `signed_at`, the current time is filled in.
    let mut object = statement.to_object();
    object.remove("signed_at");
    let before = now();
    let out = saksi_with_input(
        &["kpps", "sign", "--key", &key],
        &Value::Object(object).to_string(),
    );
    let signed = signed(&out).open::<FormStatement>().unwrap().statement;
    assert!((before..=now()).contains(&signed.signed_at.0));
}

#[test]
fn kpps_sign_refuses_an_invalid_statement_with_every_problem_and_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let key = key_file(tmp.path(), &device());
    let refuse = |input: &str| {
        let out = saksi_with_input(&["kpps", "sign", "--key", &key], input);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "nothing is signed");
        text(&out.stderr)
    };

    // A form with two problems: both listed, one per line.
    let mut object = form_statement().to_object();
    object["form"]["suara_sah"] = json!("banyak");
    object["form"]
        .as_object_mut()
        .unwrap()
        .remove("pemilih_dpt_l");
    let stderr = refuse(&Value::Object(object).to_string());
    assert!(stderr.contains("nothing was signed"), "{stderr}");
    assert!(stderr.contains("suara_sah"), "{stderr}");
    assert!(stderr.contains("pemilih_dpt_l"), "{stderr}");
    assert!(
        stderr.lines().filter(|l| l.starts_with("  - ")).count() >= 2,
        "{stderr}"
    );

    let mut object = form_statement().to_object();
    object.insert("tps".into(), json!("11.01"));
    assert!(refuse(&Value::Object(object).to_string()).contains("`tps` must be a TPS code"));
    let mut object = form_statement().to_object();
    object.insert("extra".into(), json!(1));
    assert!(refuse(&Value::Object(object).to_string()).contains("`extra`"));
    assert!(refuse("{\"v\": 1").contains("not JSON"));
    assert!(refuse("[1, 2]").contains("one JSON object"));
}

/// The whole chain against a real demo server: officers' keys certified
/// from the demo's root key with `--server` (the origin read from the
/// server's checkpoint), a device registered, a form signed with `kpps
/// sign` and accepted, then the device revoked and its next form refused.
#[test]
fn with_server_the_chain_is_registered_and_a_signed_form_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = crate::common::Server::demo(&dir, "3", "0");
    let url = demo.url();
    let tps = std::fs::read_dir(dir.join("demo-keys"))
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".key")
                .map(str::to_owned)
        })
        .min()
        .expect("the demo keeps one key file per TPS");
    let tps = RegionCode::parse(&tps).unwrap();
    let prov = tps.ancestor_at(saksi_core::Level::Provinsi).unwrap();
    let kab = tps.ancestor_at(saksi_core::Level::Kabkota).unwrap();
    let root = path(&dir.join("root.key")).to_owned();
    let generate = |name: &str| generated(tmp.path(), name);
    let (prov_key, prov_vkey) = generate("prov-officer");
    let (kab_key, kab_vkey) = generate("kab-officer");
    let (kpps_key, kpps_vkey) = generate("kpps-phone");
    for args in [
        vec![
            "key",
            "certify",
            "--key",
            &root,
            "--verifier",
            &prov_vkey,
            "--role",
            "kpu-prov",
            "--region",
            &prov.to_string(),
        ],
        vec![
            "key",
            "certify",
            "--key",
            &prov_key,
            "--verifier",
            &kab_vkey,
            "--role",
            "kpu-kabkota",
            "--region",
            &kab.to_string(),
        ],
        vec![
            "kpps",
            "register",
            "--key",
            &kab_key,
            "--verifier",
            &kpps_vkey,
            "--tps",
            &tps.to_string(),
        ],
    ] {
        let out = run(&[args.as_slice(), &["--server", &url]].concat());
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(
            crate::common::json(&text(&out.stdout))["action"],
            "register"
        );
    }
    let statement = |version: u32, prev: Option<[u8; 32]>| {
        let mut s = form_statement();
        s.tps = tps;
        s.version = version;
        s.prev = prev;
        json!(s.to_object()).to_string()
    };
    let post_signed = |statement: String| {
        let out = saksi_with_input(&["kpps", "sign", "--key", &kpps_key], &statement);
        let body = text(&out.stdout);
        let envelope = signed(&out);
        let (status, answer) = crate::common::http(
            demo.addr,
            "POST",
            &format!("/api/v1/tps/{tps}/forms/ppwp"),
            &[("Content-Type", "application/json")],
            &body,
        );
        (
            status,
            crate::common::json(&answer),
            envelope.statement_sha256(),
        )
    };
    let (status, answer, digest) = post_signed(statement(1, None));
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["receipt"]["statement_sha256"], hex(&digest));
    let out = run(&[
        "key",
        "revoke",
        "--key",
        &kab_key,
        "--verifier",
        &kpps_vkey,
        "--server",
        &url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (status, answer, _) = post_signed(statement(2, Some(digest)));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("key.revoked")),
        "{answer}"
    );
    // A refusal through the CLI: the revoked device signs nothing more.
    let (_, spare) = generate("spare");
    let out = run(&[
        "kpps",
        "register",
        "--key",
        &kpps_key,
        "--verifier",
        &spare,
        "--tps",
        &tps.to_string(),
        "--server",
        &url,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).starts_with("error: key.revoked: "),
        "{}",
        text(&out.stderr)
    );
}

/// The README's lost-phone steps as written, against a demo: the kab/kota
/// officer's key the demo keeps revokes the lost device's key and
/// registers the new phone's; the new phone signs with `kpps sign
/// --server`, which fills in `origin`, `version` and `prev` from the
/// server, and continues the chain; the lost phone's next version is
/// refused.
#[test]
fn the_lost_phone_steps_run_against_a_demo_with_its_officer_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = crate::common::Server::demo(&dir, "4", "0");
    let url = demo.url();
    let keys = dir.join("demo-keys");
    let tps = std::fs::read_dir(&keys)
        .unwrap()
        .filter_map(|e| {
            let name = e
                .ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".key")?
                .to_owned();
            RegionCode::parse(&name).ok()
        })
        .min()
        .expect("the demo keeps one key file per TPS");
    let kab = tps.ancestor_at(saksi_core::Level::Kabkota).unwrap();
    let officer = keys.join(format!("kpu-kabkota-{kab}.key"));
    assert!(officer.exists(), "the demo keeps {}", officer.display());
    let officer = path(&officer).to_owned();
    let lost = path(&keys.join(format!("{tps}.key"))).to_owned();
    // The unsigned statement a field app would hand over: no origin,
    // version or prev.
    // Each version moves `moved` votes from candidate 2 to candidate 1, so
    // no two versions are the same form.
    let statement = |moved: u32| {
        let mut s = form_statement();
        s.tps = tps;
        if let saksi_core::form::Options::Paslon(options) = &mut s.form.options {
            options[0].votes += moved;
            options[1].votes -= moved;
        }
        let mut s = s.to_object();
        for member in ["origin", "version", "prev", "signed_at"] {
            s.remove(member);
        }
        json!(s).to_string()
    };
    let sign = |key: &str, moved: u32| {
        saksi_with_input(
            &["kpps", "sign", "--key", key, "--server", &url],
            &statement(moved),
        )
    };
    // The lost phone had signed version 1 before it was lost.
    let first = sign(&lost, 0);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(crate::common::json(&text(&first.stdout))["version"], 1);

    let lost_vkey = run(&["key", "show", "--key", &lost]);
    assert!(lost_vkey.status.success(), "{}", text(&lost_vkey.stderr));
    let revoke = run(&[
        "key",
        "revoke",
        "--key",
        &officer,
        "--verifier",
        text(&lost_vkey.stdout).trim(),
        "--server",
        &url,
    ]);
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    let new_phone = path(&tmp.path().join("hp-baru.key")).to_owned();
    let generated = run(&["key", "generate", "--name", "hp-baru", "--out", &new_phone]);
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let register = run(&[
        "kpps",
        "register",
        "--key",
        &officer,
        "--verifier",
        text(&generated.stdout).trim(),
        "--tps",
        &tps.to_string(),
        "--server",
        &url,
    ]);
    assert!(register.status.success(), "{}", text(&register.stderr));

    let refused = sign(&lost, 1);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).starts_with("error: key.revoked: "),
        "{}",
        text(&refused.stderr)
    );
    for (moved, version) in [(2, 2), (3, 3)] {
        let out = sign(&new_phone, moved);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(crate::common::json(&text(&out.stdout))["version"], version);
    }
    let (status, page) = crate::common::get(demo.addr, &format!("/api/v1/tps/{tps}"));
    assert_eq!(status, 200);
    let page = crate::common::json(&page);
    let ppwp = page["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == "ppwp")
        .unwrap();
    assert_eq!(ppwp["current"]["version"], 3);
    assert_eq!(ppwp["current"]["form"]["options"]["01"], 33);
}

/// A TPS with no working phone: a KPU Kab/Kota officer registers a PPS key
/// for its desa and a PPK key for its kecamatan with `key certify`; `kpps
/// sign --on-behalf` signs the form with the PPS key and it counts, the TPS
/// page naming the PPS and the reason; the PPK key is refused for a TPS of
/// another kecamatan, and a reason over 500 characters is not signed.
#[test]
fn with_server_a_pps_key_signs_on_behalf_of_a_tps_of_its_desa() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = crate::common::Server::demo(&dir, "3", "0");
    let url = demo.url();
    let mut tps_codes: Vec<RegionCode> = std::fs::read_dir(dir.join("demo-keys"))
        .unwrap()
        .filter_map(|e| {
            let name = e
                .ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".key")?
                .to_owned();
            RegionCode::parse(&name).ok()
        })
        .collect();
    tps_codes.sort();
    let tps = tps_codes[0];
    let level = |l| tps.ancestor_at(l).unwrap();
    use saksi_core::Level;
    let elsewhere = *tps_codes
        .iter()
        .find(|c| c.ancestor_at(Level::Kecamatan) != Some(level(Level::Kecamatan)))
        .expect("a TPS of another kecamatan");
    let root = path(&dir.join("root.key")).to_owned();
    let generate = |name: &str| generated(tmp.path(), name);
    let (prov_key, prov_vkey) = generate("prov-officer");
    let (kab_key, kab_vkey) = generate("kab-officer");
    let (pps_key, pps_vkey) = generate("pps-desa");
    let (ppk_key, ppk_vkey) = generate("ppk-kecamatan");
    let certify = |by: &str, vkey: &str, role: &str, region: RegionCode| {
        let region = region.to_string();
        let out = run(&[
            "key",
            "certify",
            "--key",
            by,
            "--verifier",
            vkey,
            "--role",
            role,
            "--region",
            &region,
            "--server",
            &url,
        ]);
        assert!(out.status.success(), "{role}: {}", text(&out.stderr));
    };
    certify(&root, &prov_vkey, "kpu-prov", level(Level::Provinsi));
    certify(&prov_key, &kab_vkey, "kpu-kabkota", level(Level::Kabkota));
    certify(&kab_key, &pps_vkey, "pps", level(Level::Desa));
    certify(&kab_key, &ppk_vkey, "ppk", level(Level::Kecamatan));

    let sign = |key: &str, at: RegionCode, reason: &str| {
        let mut s = form_statement();
        s.tps = at;
        let input = json!(s.to_object()).to_string();
        saksi_with_input(
            &["kpps", "sign", "--key", key, "--on-behalf", reason],
            &input,
        )
    };
    let post = |at: RegionCode, out: &std::process::Output| {
        let (status, answer) = crate::common::http(
            demo.addr,
            "POST",
            &format!("/api/v1/tps/{at}/forms/ppwp"),
            &[("Content-Type", "application/json")],
            &text(&out.stdout),
        );
        (status, crate::common::json(&answer))
    };
    let out = sign(&pps_key, tps, "HP KPPS rusak");
    assert_eq!(
        signed(&out).statement["on_behalf"],
        json!({"reason": "HP KPPS rusak"})
    );
    let (status, answer) = post(tps, &out);
    assert_eq!(status, 201, "{answer}");
    let page = crate::common::json(&crate::common::get(demo.addr, &format!("/api/v1/tps/{tps}")).1);
    let signer = &page["contests"][0]["versions"][0]["signer"];
    assert_eq!(signer["role"], "pps", "{page}");
    assert_eq!(signer["key"], pps_vkey.as_str());
    assert_eq!(signer["key_id"], pps_vkey.split('+').nth(1).unwrap());
    assert_eq!(signer["on_behalf"]["reason"], "HP KPPS rusak");

    let (status, answer) = post(elsewhere, &sign(&ppk_key, elsewhere, "HP hilang"));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("key.wrong_tps")),
        "{answer}"
    );
    let out = sign(&ppk_key, tps, &"x".repeat(501));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("on_behalf"),
        "{}",
        text(&out.stderr)
    );
}
