//! The review end to end with the real binary and real HTTP: a witness
//! account made with `saksi user add --paslon`, its objection, a PPK
//! member's ruling with `saksi recap rule`, the correction with `saksi
//! kpps sign --correction`, the kecamatan's sign-off with `saksi recap
//! signoff`, its D.Hasil in chromium on a phone and on paper, its
//! reopening with `saksi recap reopen`, and a `saksi audit` that replays
//! all of it and passes, counting what it checked.

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::KeyRole;
use serde_json::{Value, json};

use crate::common::browser::{self, script_json};
use crate::common::chain::{
    FORM, FORM_2, first_tps, kabkota_officer, kpps_device, origin, post_form, prepare, register,
    signed_form,
};
use crate::common::{Server, http, json, path, saksi, text};

/// Runs `saksi ARGS` (with `stdin` if given); its standard output, which
/// must come with success.
fn run_ok(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> String {
    let mut cmd = saksi();
    cmd.args(args).envs(env.iter().copied());
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "saksi {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A staff account's session as a person gets one (a witness's, Bawaslu's):
/// a password login, TOTP enrolment (staff need a second factor), and a
/// login with the code of the next time step (the enrolment's code is
/// used up).
pub(crate) fn witness_session(server: &Server, username: &str, password: &str) -> String {
    let post = |path: &str, auth: Option<&str>, body: Value| {
        let bearer = auth.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            headers.push(("authorization", b));
        }
        let (status, answer) = http(server.addr, "POST", path, &headers, &body.to_string());
        assert!(
            (200..300).contains(&status),
            "POST {path}: {status} {answer}"
        );
        json(&answer)
    };
    let login = json!({"username": username, "password": password});
    let enrolling = post("/api/v1/auth/login", None, login.clone());
    let enrolling = enrolling["token"].as_str().unwrap();
    let offer = post("/api/v1/auth/totp", Some(enrolling), json!({}));
    let secret = offer["secret"].as_str().unwrap();
    let now = crate::common::now();
    let code = saksi_server::auth::totp::code_at(secret, now).unwrap();
    post(
        "/api/v1/auth/totp/confirm",
        Some(enrolling),
        json!({"code": code}),
    );
    let next = saksi_server::auth::totp::code_at(secret, now + 30).unwrap();
    let session = post(
        "/api/v1/auth/login",
        None,
        json!({"username": username, "password": password, "totp": next}),
    );
    session["token"].as_str().unwrap().to_owned()
}

/// Writes `key` as a private key file.
fn key_file(dir: &Path, key: &Signer) -> String {
    let file = dir.join(format!("{}.key", key.name()));
    std::fs::write(&file, key.to_private_key_string()).unwrap();
    path(&file).to_owned()
}

#[test]
fn an_objection_ruled_upheld_and_corrected_with_the_cli_shows_in_the_d_hasil_and_passes_the_audit()
{
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare(&dir, None);
    let server = Server::serve(&dir);
    let url = server.url();
    let tps = first_tps(&server);
    let code = RegionCode::parse(&tps).unwrap();
    let kecamatan = code.ancestor_at(Level::Kecamatan).unwrap().to_string();
    let kabkota = code.ancestor_at(Level::Kabkota).unwrap().to_string();
    let origin = origin(server.addr);

    // The TPS's device signs version 1.
    let device = kpps_device(server.addr, &dir, &tps);
    let (body, _) = signed_form(&device, &origin, &tps, "ppwp", (1, None), FORM, None);
    let (status, answer) = post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");

    // A PPK member's key, certified by the kab/kota as a commissioner's.
    let kab = kabkota_officer(server.addr, &dir, code);
    let kab_file = key_file(tmp.path(), &kab);
    let (ppk_file, verifier) =
        certified_commissioner(tmp.path(), &kab_file, "ppk", &kecamatan, &url);

    // A PPWP pair's witness objects.
    let data = path(&dir);
    run_ok(
        &[
            "user",
            "add",
            "--data-dir",
            data,
            "--username",
            "saksi.paslon1",
            "--role",
            "saksi",
            "--paslon",
            "1",
            "--region",
            &kabkota,
        ],
        None,
        &[("SAKSI_PASSWORD", "rahasia-panjang-sekali")],
    );
    let token = witness_session(&server, "saksi.paslon1", "rahasia-panjang-sekali");
    let auth = format!("Bearer {token}");
    let objection = json!({"tps": tps, "contest": "ppwp", "version": 1,
        "fields": ["options.01", "options.02"], "text": "Satu suara 02 tercatat untuk 01."});
    let (status, answer) = http(
        server.addr,
        "POST",
        "/api/v1/objections",
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
            ("idempotency-key", "o-1"),
        ],
        &objection.to_string(),
    );
    assert_eq!(status, 201, "{answer}");
    let objected_at = json(&answer)["log_index"].as_u64().unwrap().to_string();

    // The PPK member upholds it and the PPK signs the corrected numbers.
    let ruled: Value = serde_json::from_str(&run_ok(
        &[
            "recap",
            "rule",
            "--key",
            path(&ppk_file),
            "--objection",
            &objected_at,
            "--decision",
            "upheld",
            "--reason",
            "Plano dicocokkan di pleno",
            "--server",
            &url,
        ],
        None,
        &[],
    ))
    .unwrap();
    assert!(ruled["log_index"].as_u64().is_some(), "{ruled}");
    let statement = json!({"v": 1, "type": "form", "tps": tps, "contest": "ppwp",
        "form": serde_json::from_str::<Value>(FORM_2).unwrap(), "photos": []});
    let corrected: Value = serde_json::from_str(&run_ok(
        &[
            "kpps",
            "sign",
            "--key",
            path(&ppk_file),
            "--correction",
            &objected_at,
            "--reason",
            "Dihitung ulang di pleno",
            "--server",
            &url,
        ],
        Some(&statement.to_string()),
        &[],
    ))
    .unwrap();
    assert_eq!(corrected["version"], 2, "{corrected}");
    let (_, page) = http(server.addr, "GET", &format!("/api/v1/tps/{tps}"), &[], "");
    let ppwp = &json(&page)["contests"][0];
    assert_eq!(ppwp["objections"][0]["status"], "upheld");
    assert_eq!(
        ppwp["current"]["signer"]["correction"]["reason"],
        "Dihitung ulang di pleno"
    );
    // Every other TPS of the kecamatan reports, and the PPK's one
    // commissioner signs the kecamatan off (with one registered, one is
    // the quorum).
    for other in tps_of(&server, &kecamatan) {
        if other == tps {
            continue;
        }
        let device = kpps_device(server.addr, &dir, &other);
        let (body, _) = signed_form(&device, &origin, &other, "ppwp", (1, None), FORM, None);
        let (status, answer) = post_form(server.addr, &other, "ppwp", &body);
        assert_eq!(status, 201, "{answer}");
    }
    let signed_off: Value = serde_json::from_str(&run_ok(
        &[
            "recap",
            "signoff",
            "--key",
            path(&ppk_file),
            "--contest",
            "ppwp",
            "--region",
            &kecamatan,
            "--server",
            &url,
        ],
        None,
        &[],
    ))
    .unwrap();
    let signed_at = signed_off["log_index"].as_u64().unwrap();
    let results =
        json(&crate::common::get(server.addr, &format!("/api/v1/results/ppwp/{kecamatan}")).1);
    assert_eq!(results["final"]["log_index"], signed_at, "{results}");
    assert_eq!(results["final"]["totals"], results["totals"]);
    // Locked: the KPPS can no longer re-submit.
    let (_, page) = http(server.addr, "GET", &format!("/api/v1/tps/{tps}"), &[], "");
    let digest = json(&page)["contests"][0]["current"]["digest"]
        .as_str()
        .map(|d| <[u8; 32]>::try_from(hex::decode(d).unwrap()).unwrap());
    let (body, _) = signed_form(&device, &origin, &tps, "ppwp", (3, digest), FORM, None);
    let (status, answer) = post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("recap.locked"))
    );

    // The public TPS page shows the objection and the correction, at
    // phone width, and the kecamatan's results page its final sign-off.
    if browser::playwright().is_some() {
        let screenshot = tmp.path().join("tps.png");
        let out = script_json(&browser::run_script(
            Path::new("tps-review.mjs"),
            &[
                ("SAKSI_URL", &url),
                ("TPS", &tps),
                ("KECAMATAN", &kecamatan),
                ("SCREENSHOT", path(&screenshot)),
            ],
        ));
        assert_eq!(out["errors"], json!([]), "{out}");
        let objection = out["objections"][0].as_str().unwrap();
        assert!(
            objection.starts_with(&format!("Keberatan #{objected_at} (diterima)")),
            "{out}"
        );
        assert!(objection.contains("Saksi paslon 01"), "{out}");
        assert!(objection.contains("options.01, options.02"), "{out}");
        assert_eq!(
            out["diff_links"],
            json!([format!("/api/v1/tps/{tps}/diff/ppwp")]),
            "{out}"
        );
        assert_eq!(
            out["corrections"],
            json!([format!(
                "koreksi atas keberatan #{objected_at}: Dihitung ulang di pleno"
            )]),
            "{out}"
        );
        assert_eq!(out["scroll_width"], 360, "{out}");
        assert_eq!(out["badge"], "final", "{out}");
        let line = out["final"].as_str().unwrap();
        assert!(
            line.starts_with(&format!("Rekapitulasi disahkan: entri log #{signed_at}")),
            "{out}"
        );
    }

    // The kecamatan's D.Hasil, on a phone and on paper, in chromium.
    if browser::playwright().is_some() {
        d_hasil_prints(
            &server,
            &kecamatan,
            &kabkota,
            signed_at,
            verifier.trim(),
            tmp.path(),
        );
    }

    // The KPU Kab/Kota's one commissioner reopens the kecamatan, and the
    // KPPS may send a new version again.
    let root = Signer::parse(
        std::fs::read_to_string(dir.join("root.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let province = code.ancestor_at(Level::Provinsi).unwrap();
    let prov = Signer::generate(&format!("kpu-prov-{province}")).unwrap();
    register(server.addr, &prov, KeyRole::KpuProv, province, &root);
    let (commissioner_file, _) = certified_commissioner(
        tmp.path(),
        &key_file(tmp.path(), &prov),
        "kpu-kabkota",
        &kabkota,
        &url,
    );
    let reopened: Value = serde_json::from_str(&run_ok(
        &[
            "recap",
            "reopen",
            "--key",
            path(&commissioner_file),
            "--contest",
            "ppwp",
            "--region",
            &kecamatan,
            "--reason",
            "Putusan Bawaslu: hitung ulang",
            "--server",
            &url,
        ],
        None,
        &[],
    ))
    .unwrap();
    assert!(reopened["log_index"].as_u64().is_some(), "{reopened}");
    let results =
        json(&crate::common::get(server.addr, &format!("/api/v1/results/ppwp/{kecamatan}")).1);
    assert_eq!(results["final"], Value::Null);
    let (status, answer) = post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");

    // The audit replays the review under the server's rules and passes.
    let key = crate::common::get(server.addr, "/api/v1/log/key").1;
    let roots: Vec<String> = std::fs::read_to_string(dir.join("root-keys.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| ["--root".to_owned(), l.trim().to_owned()])
        .collect();
    let mut args = vec!["audit", "--server", &url, "--key", key.trim()];
    args.extend(roots.iter().map(String::as_str));
    let out = saksi().args(&args).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
    assert!(
        stdout.contains("review: 1 objection and 1 ruling applied, 0 failing"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 corrections a PPK signed for an upheld objection"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recap: 2 sign-off and reopen confirmations applied, 0 failing a check (see the discrepancies); sign-offs made final: 1 kecamatan, 0 kab/kota, 0 provinsi, 0 nasional; 1 reopen of a final region; 0 reasons for no form for a TPS"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ppwp: not final nationally yet (0 provinces final)"),
        "{stdout}"
    );
}

/// A new commissioner's key of `role` for `region`, generated with `saksi
/// key generate` and certified with `saksi key certify --commissioner` by
/// the key in `by`: its private key file and its verifier key.
fn certified_commissioner(
    dir: &Path,
    by: &str,
    role: &str,
    region: &str,
    url: &str,
) -> (std::path::PathBuf, String) {
    let file = dir.join(format!("{role}-{region}-commissioner.key"));
    let name = format!("{role}-{region}");
    let verifier = run_ok(
        &["key", "generate", "--name", &name, "--out", path(&file)],
        None,
        &[],
    );
    let certified: Value = serde_json::from_str(&run_ok(
        &[
            "key",
            "certify",
            "--key",
            by,
            "--verifier",
            verifier.trim(),
            "--role",
            role,
            "--region",
            region,
            "--commissioner",
            "--server",
            url,
        ],
        None,
        &[],
    ))
    .unwrap();
    assert_eq!(certified["action"], "register");
    (file, verifier.trim().to_owned())
}

/// The D.Hasil of `kecamatan` (final for PPWP by one commissioner, whose
/// verifier key is `ppk`, at `signed_at`) at 360 px: no sideways scroll,
/// every TPS, the key, the QR code and, once a checkpoint includes the
/// sign-off, the checkpoint; printed, no navigation and no control. The
/// kab/kota, not final, is a 404 page.
fn d_hasil_prints(
    server: &Server,
    kecamatan: &str,
    kabkota: &str,
    signed_at: u64,
    ppk: &str,
    dir: &Path,
) {
    // The checkpoint is signed every second: wait until it includes the
    // sign-off.
    let size = || {
        let (_, note) = crate::common::get(server.addr, "/api/v1/log/checkpoint");
        note.lines().nth(1).unwrap().parse::<u64>().unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while size() <= signed_at {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint includes {signed_at}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Into `SAKSI_SCREENSHOTS` when regenerating the README's.
    let shots = std::env::var_os("SAKSI_SCREENSHOTS")
        .map_or_else(|| dir.to_owned(), std::path::PathBuf::from);
    let (screenshot, printed) = (shots.join("d-hasil.png"), shots.join("d-hasil-print.png"));
    let out = script_json(&browser::run_script(
        Path::new("d-hasil.mjs"),
        &[
            ("SAKSI_URL", &server.url()),
            ("CONTEST", "ppwp"),
            ("REGION", kecamatan),
            ("NOT_FINAL", kabkota),
            ("SCREENSHOT", path(&screenshot)),
            ("PRINT_SCREENSHOT", path(&printed)),
        ],
    ));
    assert_eq!(out["errors"], json!([]), "{out}");
    assert_eq!(out["status"], 200, "{out}");
    let key_id = format!("{:08x}", saksi_log::Verifier::parse(ppk).unwrap().key_id());
    let tps = tps_of(server, kecamatan).len();
    let (screen, paper) = (&out["screen"], &out["paper"]);
    for look in [screen, paper] {
        assert_eq!(look["scroll_width"], 360, "{out}");
        assert_eq!(look["status"], "Final", "{out}");
        assert_eq!(look["children"], tps, "{out}");
        assert_eq!(look["keys"], json!([key_id]), "{out}");
        assert_eq!(look["qr_drawn"], true, "{out}");
        assert_eq!(look["checkpoint"], true, "{out}");
        assert_eq!(look["document"], true, "{out}");
    }
    // On screen the navigation and the print button are there; on paper
    // neither is, and the proof link prints its address.
    assert_ne!(screen["navigation"], json!([]), "{out}");
    assert_eq!(screen["controls"], json!(["print"]), "{out}");
    assert_eq!(paper["navigation"], json!([]), "{out}");
    assert_eq!(paper["controls"], json!([]), "{out}");
    assert!(
        paper["proof_after"].as_str().unwrap().contains(&format!(
            "/api/v1/log/proof/inclusion?index={signed_at}&size="
        )),
        "{out}"
    );
    assert_eq!(screen["proof_after"], "none", "{out}");
    assert_eq!(
        out["not_final"],
        json!({"status": 404, "code": "recap.no_d_hasil", "scroll_width": 360}),
        "{out}"
    );
}

/// The TPS of a kecamatan, from the published region list.
pub(crate) fn tps_of(server: &Server, kecamatan: &str) -> Vec<String> {
    let children = |code: &str| -> Vec<String> {
        let (_, body) = http(
            server.addr,
            "GET",
            &format!("/api/v1/regions/{code}"),
            &[],
            "",
        );
        json(&body)["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap().to_owned())
            .collect()
    };
    children(kecamatan)
        .iter()
        .flat_map(|desa| children(desa))
        .collect()
}
