//! The review end to end with the real binary and real HTTP: a witness
//! account made with `saksi user add --paslon`, its objection, a PPK
//! member's ruling with `saksi recap rule`, the correction with `saksi
//! kpps sign --correction`, the kecamatan's sign-off with `saksi recap
//! signoff`, its D.Hasil in chromium on a phone and on paper, its
//! reopening with `saksi recap reopen`, and a `saksi audit` that replays
//! all of it and passes, counting what it checked. Then the recap of a
//! whole election, the smallest `saksi init` makes: a warning, an
//! objection upheld and corrected and another rejected, two
//! commissioners signing off every region up to national, a reopen and
//! the second sign-off, an audit that passes; and a national sign-off
//! whose totals are not its provinces' sum, written into the database
//! behind the server's back, that the audit names.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::{Envelope, KeyRole};
use serde_json::{Value, json};

use crate::common::browser::{self, script_json};
use crate::common::chain::{
    FORM, FORM_2, first_tps, kabkota_officer, kpps_device, origin, post_form, prepare, prepare_at,
    register, register_as, signed_form,
};
use crate::common::{Server, get, http, json, now, path, saksi, text};

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

/// A PPWP pair's witness over `kabkota`, made with `saksi user add
/// --paslon`, and their session.
fn witness(server: &Server, dir: &Path, kabkota: &str) -> String {
    let (username, password) = ("saksi.paslon1", "rahasia-panjang-sekali");
    run_ok(
        &[
            "user",
            "add",
            "--data-dir",
            path(dir),
            "--username",
            username,
            "--role",
            "saksi",
            "--paslon",
            "1",
            "--region",
            kabkota,
        ],
        None,
        &[("SAKSI_PASSWORD", password)],
    );
    staff_session(server, username, password)
}

/// A staff account's session as a person gets one (a witness's, Bawaslu's):
/// a password login, TOTP enrolment (staff need a second factor), and a
/// login with the code of the next time step (the enrolment's code is
/// used up).
pub(crate) fn staff_session(server: &Server, username: &str, password: &str) -> String {
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

/// The witness's objection (session `token`) that one vote for pair 02
/// was recorded for pair 01 in version `version` of the PPWP form of
/// `tps`: its log index.
fn object(server: &Server, token: &str, tps: &str, version: u32) -> String {
    let objection = json!({"tps": tps, "contest": "ppwp", "version": version,
        "fields": ["options.01", "options.02"], "text": "Satu suara 02 tercatat untuk 01."});
    let (status, answer) = http(
        server.addr,
        "POST",
        "/api/v1/objections",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
            ("idempotency-key", &format!("o-{tps}-{version}")),
        ],
        &objection.to_string(),
    );
    assert_eq!(status, 201, "{answer}");
    json(&answer)["log_index"].as_u64().unwrap().to_string()
}

/// A PPK member's ruling (`upheld` or `rejected`) on the objection logged
/// at `objection`, with `saksi recap rule` and the key in `ppk_file`.
fn rule(ppk_file: &Path, objection: &str, decision: &str, url: &str) -> Value {
    let ruled = run_ok(
        &[
            "recap",
            "rule",
            "--key",
            path(ppk_file),
            "--objection",
            objection,
            "--decision",
            decision,
            "--reason",
            "Plano dicocokkan di pleno",
            "--server",
            url,
        ],
        None,
        &[],
    );
    serde_json::from_str(&ruled).unwrap()
}

/// The PPK's correction answering the upheld objection logged at
/// `objection`: `form` as the PPWP form of `tps`, signed with `saksi kpps
/// sign --correction` and the key in `ppk_file`.
fn correct(ppk_file: &Path, objection: &str, tps: &str, form: &str, url: &str) -> Value {
    let statement = json!({"v": 1, "type": "form", "tps": tps, "contest": "ppwp",
        "form": serde_json::from_str::<Value>(form).unwrap(), "photos": []});
    let corrected = run_ok(
        &[
            "kpps",
            "sign",
            "--key",
            path(ppk_file),
            "--correction",
            objection,
            "--reason",
            "Dihitung ulang di pleno",
            "--server",
            url,
        ],
        Some(&statement.to_string()),
        &[],
    );
    serde_json::from_str(&corrected).unwrap()
}

/// `saksi audit` of `server`, the KPU RI root keys of its data directory
/// `dir` pinned: whether it passed, and its report.
pub(crate) fn audit(server: &Server, dir: &Path) -> (bool, String) {
    let key = crate::common::get(server.addr, "/api/v1/log/key").1;
    let roots: Vec<String> = std::fs::read_to_string(dir.join("root-keys.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| ["--root".to_owned(), l.trim().to_owned()])
        .collect();
    let url = server.url();
    let mut args = vec!["audit", "--server", &url, "--key", key.trim()];
    args.extend(roots.iter().map(String::as_str));
    let out = saksi().args(&args).output().unwrap();
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.success(), report)
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
    let token = witness(&server, &dir, &kabkota);
    let objected_at = object(&server, &token, &tps, 1);

    // The PPK member upholds it and the PPK signs the corrected numbers.
    let ruled = rule(&ppk_file, &objected_at, "upheld", &url);
    assert!(ruled["log_index"].as_u64().is_some(), "{ruled}");
    let corrected = correct(&ppk_file, &objected_at, &tps, FORM_2, &url);
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
    let digest = current_digest(&server, &tps);
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
    let reopened = reopen(&kecamatan, &[path(&commissioner_file).to_owned()], &url);
    assert!(reopened["log_index"].as_u64().is_some(), "{reopened}");
    let results =
        json(&crate::common::get(server.addr, &format!("/api/v1/results/ppwp/{kecamatan}")).1);
    assert_eq!(results["final"], Value::Null);
    let (status, answer) = post_form(server.addr, &tps, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");

    // The audit replays the review under the server's rules and passes.
    let (passed, stdout) = audit(&server, &dir);
    assert!(passed, "{stdout}");
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

/// Two commissioners' keys for every region of an election and a KPPS
/// device key for each TPS. With two registered, two confirmations make
/// a sign-off final (the default quorum of three, capped by the
/// commissioners there): the smallest collegial sign-off.
struct Officers {
    commissioners: HashMap<String, Vec<Signer>>,
    devices: HashMap<String, Signer>,
}

impl Officers {
    /// Registers them along the key chain, parents first (`regions` is
    /// depth first): the root key registers the KPU RI's and each
    /// province's, a province's first commissioner its kab/kota's, a
    /// kab/kota's first commissioner its kecamatan's and its TPS's devices.
    fn register(server: &Server, dir: &Path, regions: &[(String, String)]) -> Officers {
        let root = Signer::parse(
            std::fs::read_to_string(dir.join("root.key"))
                .unwrap()
                .trim(),
        )
        .unwrap();
        let mut officers = Officers {
            commissioners: HashMap::new(),
            devices: HashMap::new(),
        };
        let nasional = [("nasional".to_owned(), "0".to_owned())];
        for (level, code) in nasional.iter().chain(regions) {
            let region = RegionCode::parse(code).unwrap();
            let first_of = |level: Level| {
                let above = region.ancestor_at(level).unwrap().to_string();
                officers.commissioners[&above][0].clone()
            };
            let (role, by) = match level.as_str() {
                "nasional" => (KeyRole::KpuRi, root.clone()),
                "provinsi" => (KeyRole::KpuProv, root.clone()),
                "kabkota" => (KeyRole::KpuKabkota, first_of(Level::Provinsi)),
                "kecamatan" => (KeyRole::Ppk, first_of(Level::Kabkota)),
                "tps" => {
                    let device = Signer::generate(&format!("kpps-{code}")).unwrap();
                    let by = first_of(Level::Kabkota);
                    register(server.addr, &device, KeyRole::Kpps, region, &by);
                    officers.devices.insert(code.clone(), device);
                    continue;
                }
                _ => continue,
            };
            let keys: Vec<Signer> = (1..=2)
                .map(|i| Signer::generate(&format!("{level}-{code}-{i}")).unwrap())
                .collect();
            for key in &keys {
                register_as(server.addr, key, (role, region, true), &by);
            }
            officers.commissioners.insert(code.clone(), keys);
        }
        officers
    }

    /// The commissioners' keys of `region`, written as private key files
    /// into `dir`, for the command line.
    fn key_files(&self, dir: &Path, region: &str) -> Vec<String> {
        self.commissioners[region]
            .iter()
            .map(|key| key_file(dir, key))
            .collect()
    }
}

/// [`FORM`] with one voter more than the votes cast: accepted, with a
/// warning.
fn one_voter_more() -> String {
    let mut form: Value = serde_json::from_str(FORM).unwrap();
    for field in [
        "pengguna_dpt_l",
        "pengguna_dpt_j",
        "pengguna_total_l",
        "pengguna_total_j",
    ] {
        form[field] = (form[field].as_u64().unwrap() + 1).into();
    }
    form.to_string()
}

/// Each of `commissioners` confirms the PPWP sign-off the server offers
/// for `region`: the log index of the confirmation that made it final.
fn sign_off(server: &Server, region: &str, commissioners: &[Signer]) -> u64 {
    let recap = json(&get(server.addr, &format!("/api/v1/recap/ppwp/{region}")).1);
    let Value::Object(statement) = recap["statement"].clone() else {
        panic!("nothing to sign off for {region}: {recap}");
    };
    assert_eq!(recap["k"], commissioners.len(), "{recap}");
    let mut final_at = 0;
    for key in commissioners {
        let body = Envelope::sign(statement.clone(), key).unwrap().to_value();
        let (status, answer) = http(
            server.addr,
            "POST",
            &format!("/api/v1/recap/ppwp/{region}/signoffs"),
            &[("content-type", "application/json")],
            &body.to_string(),
        );
        assert_eq!(status, 201, "{region}: {answer}");
        final_at = json(&answer)["log_index"].as_u64().unwrap();
    }
    final_at
}

/// The commissioners of the level above `region`, their keys in
/// `key_files`, each confirm the reopening of its final PPWP sign-off
/// with `saksi recap reopen`: the last answer.
fn reopen(region: &str, key_files: &[String], url: &str) -> Value {
    let mut answer = Value::Null;
    for file in key_files {
        answer = serde_json::from_str(&run_ok(
            &[
                "recap",
                "reopen",
                "--key",
                file,
                "--contest",
                "ppwp",
                "--region",
                region,
                "--reason",
                "Putusan Bawaslu: hitung ulang",
                "--server",
                url,
            ],
            None,
            &[],
        ))
        .unwrap();
    }
    answer
}

/// Writes into the log of the data directory `dir`, behind the back of
/// its server (stopped), one confirmation of `statement` signed by each
/// of `keys`: at the next indexes, each entry the server's sign-off entry
/// at `like` with its statement, signature, signer and time replaced,
/// its leaf hash SHA-256(0x00 || bytes), and indexed as a recap entry so
/// that the server replays it at start. The index of the first.
fn forge_signoffs(dir: &Path, like: u64, statement: &Value, keys: &[Signer]) -> u64 {
    let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
    let (next, data): (i64, Vec<u8>) = db
        .query_row(
            "SELECT (SELECT MAX(log_index) + 1 FROM log_entries), data \
             FROM log_entries WHERE log_index = ?1",
            [i64::try_from(like).unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let like: Value = serde_json::from_slice(&data).unwrap();
    let Value::Object(signed) = statement.clone() else {
        panic!("not a statement: {statement}");
    };
    for (index, key) in (next..).zip(keys) {
        let envelope = Envelope::sign(signed.clone(), key).unwrap().to_value();
        let mut entry = like.clone();
        entry["statement"] = statement.clone();
        entry["signature"] = envelope["signature"].clone();
        entry["signer"] = envelope["key"].clone();
        entry["logged_at"] = UnixTime(now()).to_string().into();
        let bytes = saksi_log::canonical_json(&entry).unwrap();
        let leaf = saksi_log::leaf_hash(&bytes);
        db.execute(
            "INSERT INTO log_entries (log_index, data, leaf_hash) VALUES (?1, ?2, ?3)",
            rusqlite::params![index, bytes, &leaf[..]],
        )
        .unwrap();
        db.execute("INSERT INTO recap_entries (log_index) VALUES (?1)", [index])
            .unwrap();
    }
    u64::try_from(next).unwrap()
}

/// The current digest of the PPWP form of `tps`: what the next version's
/// `prev` names.
fn current_digest(server: &Server, tps: &str) -> Option<[u8; 32]> {
    let (_, page) = get(server.addr, &format!("/api/v1/tps/{tps}"));
    json(&page)["contests"][0]["current"]["digest"]
        .as_str()
        .map(|d| <[u8; 32]>::try_from(hex::decode(d).unwrap()).unwrap())
}

#[test]
fn a_whole_election_signed_off_up_to_national_passes_the_audit_and_a_signoff_total_forged_in_the_database_fails_it()
 {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    prepare_at(&dir, "0.000001", None);
    let mut server = Server::serve(&dir);
    let url = server.url();
    let origin = origin(server.addr);
    let regions = regions_under(&server, "0");
    let at = |level: &str| -> Vec<&str> {
        regions
            .iter()
            .filter_map(|(l, code)| (l == level).then_some(code.as_str()))
            .collect()
    };
    let officers = Officers::register(&server, &dir, &regions);

    // Every TPS's device signs its form; one counted a voter more than
    // the votes cast, which is stored with a warning.
    let tps = at("tps");
    let (objected, warned) = (tps[0], tps[1]);
    for code in &tps {
        let form = if *code == warned {
            one_voter_more()
        } else {
            FORM.to_owned()
        };
        let device = &officers.devices[*code];
        let (body, _) = signed_form(device, &origin, code, "ppwp", (1, None), &form, None);
        let (status, answer) = post_form(server.addr, code, "ppwp", &body);
        assert_eq!(status, 201, "{answer}");
        let warnings: Vec<&Value> = answer["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| &w["code"])
            .collect();
        let expected: &[&str] = if *code == warned {
            &["warning.votes_vs_voters"]
        } else {
            &[]
        };
        assert_eq!(warnings, expected, "{code}: {answer}");
    }

    // A witness objects twice to the first TPS's count: upheld and
    // corrected by a PPK member, then, against the correction, rejected.
    let code = RegionCode::parse(objected).unwrap();
    let kecamatan = code.ancestor_at(Level::Kecamatan).unwrap().to_string();
    let kabkota = code.ancestor_at(Level::Kabkota).unwrap().to_string();
    let province = code.ancestor_at(Level::Provinsi).unwrap().to_string();
    let ppk_file = PathBuf::from(&officers.key_files(tmp.path(), &kecamatan)[0]);
    let token = witness(&server, &dir, &kabkota);
    let upheld = object(&server, &token, objected, 1);
    rule(&ppk_file, &upheld, "upheld", &url);
    let corrected = correct(&ppk_file, &upheld, objected, FORM_2, &url);
    assert_eq!(corrected["version"], 2, "{corrected}");
    let rejected = object(&server, &token, objected, 2);
    rule(&ppk_file, &rejected, "rejected", &url);
    let (_, page) = get(server.addr, &format!("/api/v1/tps/{objected}"));
    let objections = &json(&page)["contests"][0]["objections"];
    assert_eq!(objections[0]["status"], "upheld", "{objections}");
    assert_eq!(objections[1]["status"], "rejected", "{objections}");

    // Two commissioners sign off every kecamatan, then every kab/kota,
    // province, and the nation.
    let signed = |region: &str| sign_off(&server, region, &officers.commissioners[region]);
    for level in ["kecamatan", "kabkota", "provinsi"] {
        for region in at(level) {
            signed(region);
        }
    }
    let first = signed("0");
    let national = || json(&get(server.addr, "/api/v1/results/ppwp").1);
    assert_eq!(national()["final"]["log_index"], first, "{}", national());

    // The KPU Kab/Kota reopens the objected TPS's kecamatan, which voids
    // every final sign-off above it; the KPPS sends the recount, and the
    // kecamatan is signed off again up to national.
    reopen(&kecamatan, &officers.key_files(tmp.path(), &kabkota), &url);
    assert_eq!(national()["final"], Value::Null);
    let prev = current_digest(&server, objected);
    let (body, _) = signed_form(
        &officers.devices[objected],
        &origin,
        objected,
        "ppwp",
        (3, prev),
        FORM,
        None,
    );
    let (status, answer) = post_form(server.addr, objected, "ppwp", &body);
    assert_eq!(status, 201, "{answer}");
    for region in [&kecamatan, &kabkota, &province] {
        signed(region);
    }
    let second = signed("0");
    let published = national();
    assert_eq!(published["final"]["log_index"], second, "{published}");
    assert_eq!(published["final"]["totals"], published["totals"]);

    // The audit replays all of it under the server's rules and passes.
    let (passed, report) = audit(&server, &dir);
    assert!(passed, "{report}");
    assert!(report.contains("discrepancies: 0"), "{report}");
    assert!(
        report.contains("review: 2 objections and 2 rulings applied, 0 failing"),
        "{report}"
    );
    assert!(
        report.contains("1 corrections a PPK signed for an upheld objection"),
        "{report}"
    );
    let [kec, kab, prov] = ["kecamatan", "kabkota", "provinsi"].map(|l| at(l).len());
    // Two keys confirm each region once, and the four on the objected
    // TPS's path again; two reopen the kecamatan.
    let confirmations = 2 * (kec + kab + prov + 1) + 2 * 4 + 2;
    let recap = format!(
        "recap: {confirmations} sign-off and reopen confirmations applied, 0 failing a check (see the discrepancies); sign-offs made final: {} kecamatan, {} kab/kota, {} provinsi, 2 nasional; 1 reopen of a final region",
        kec + 1,
        kab + 1,
        prov + 1
    );
    assert!(report.contains(&recap), "{recap} in {report}");
    let line = format!("ppwp: final national totals signed off at log index {second} (");
    let line = report
        .lines()
        .find(|l| l.contains(&line))
        .unwrap_or_else(|| panic!("{line} in {report}"));
    assert!(line.ends_with("; the same as published"), "{report}");

    // The KPU RI reopens the national recap. Then, written behind the
    // server's back, its two commissioners confirm a national sign-off
    // with 7 more votes for pair 01 than the provinces' final totals sum.
    reopen("0", &officers.key_files(tmp.path(), "0"), &url);
    let mut forged = json(&get(server.addr, "/api/v1/recap/ppwp/0").1)["statement"].clone();
    let honest = forged["totals"].clone();
    let counts = ["suara_sah", "suara_total", "options.01"];
    let count = |totals: &Value, field: &str| {
        let path = format!("/{}", field.replace('.', "/"));
        totals.pointer(&path).and_then(Value::as_u64).unwrap()
    };
    for field in counts {
        let path = format!("/totals/{}", field.replace('.', "/"));
        *forged.pointer_mut(&path).unwrap() = (count(&honest, field) + 7).into();
    }
    server.terminate();
    drop(server);
    let forged_at = forge_signoffs(&dir, second, &forged, &officers.commissioners["0"]);

    // The restarted server replays the forgery and publishes it as final.
    let server = Server::serve(&dir);
    let published = json(&get(server.addr, "/api/v1/results/ppwp").1);
    assert_eq!(
        published["final"]["log_index"],
        forged_at + 1,
        "{published}"
    );
    assert_eq!(published["final"]["totals"], forged["totals"]);

    // The audit refuses both confirmations, naming each count that is not
    // the sum, and says the published final is no sign-off's.
    let (passed, report) = audit(&server, &dir);
    assert!(!passed, "{report}");
    for index in [forged_at, forged_at + 1] {
        for field in counts {
            let summed = count(&honest, field);
            let refusal = format!(
                "log entry {index}: signoff v1 of ppwp 0: the sign-offs refuse it: `totals.{field}` is {}, but the children it names sum to {summed} (not applied)",
                summed + 7
            );
            assert!(report.contains(&refusal), "{refusal} in {report}");
        }
    }
    let published = format!(
        "log: the server publishes final national ppwp totals (log index {}) that no valid sign-off in the log makes final",
        forged_at + 1
    );
    assert!(report.contains(&published), "{published} in {report}");
    assert!(report.contains("discrepancies: 7"), "{report}");
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

/// Every region below `code`, depth first, with its level, from the
/// published region list.
fn regions_under(server: &Server, code: &str) -> Vec<(String, String)> {
    let (_, body) = crate::common::get(server.addr, &format!("/api/v1/regions/{code}"));
    let mut regions = Vec::new();
    for child in json(&body)["children"].as_array().unwrap() {
        let level = child["level"].as_str().unwrap().to_owned();
        let code = child["code"].as_str().unwrap().to_owned();
        let below = if level == "tps" {
            Vec::new()
        } else {
            regions_under(server, &code)
        };
        regions.push((level, code));
        regions.extend(below);
    }
    regions
}

/// The TPS below a region, from the published region list.
pub(crate) fn tps_of(server: &Server, region: &str) -> Vec<String> {
    regions_under(server, region)
        .into_iter()
        .filter_map(|(level, code)| (level == "tps").then_some(code))
        .collect()
}
