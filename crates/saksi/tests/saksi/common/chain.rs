//! Signing as the key chain does, for tests that submit forms to a server
//! started on a data directory `saksi init` made (its `root.key` is the
//! KPU RI root key): the small election they start on and a form valid
//! there, registering officers' and devices' keys, and signing form
//! statements.

use std::net::SocketAddr;
use std::path::Path;

use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::{Envelope, KeyAction, KeyRole, KeyStatement};
use serde_json::{Value, json};

use super::{Server, get, http, json, now, saksi};

/// The log's origin, as its served key names it.
pub fn origin(addr: SocketAddr) -> String {
    let key = get(addr, "/api/v1/log/key").1;
    key.trim().split('+').next().unwrap().to_owned()
}

/// A small election in `dir` (on `database` if given), seed 5: [`FORM`]
/// is valid for its [`first_tps`].
pub fn prepare(dir: &Path, database: Option<&str>) {
    prepare_at(dir, "0.001", database);
}

/// [`prepare`] at `scale` of the nation: at a millionth, every province
/// keeps about one region of each level (42 TPS in 40 kecamatan in all),
/// an election small enough to sign off whole in a test.
pub fn prepare_at(dir: &Path, scale: &str, database: Option<&str>) {
    let mut init = saksi();
    init.args(["init", "--data-dir", dir.to_str().unwrap()])
        .args(["--scale", scale, "--seed", "5"]);
    if let Some(url) = database {
        init.args(["--database", url]);
    }
    let out = init.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first TPS of the election a server serves.
pub fn first_tps(server: &Server) -> String {
    let mut code = "0".to_owned();
    loop {
        let (_, body) = get(server.addr, &format!("/api/v1/regions/{code}"));
        let region = json(&body);
        if region["level"] == "tps" {
            return code;
        }
        code = region["children"][0]["code"].as_str().unwrap().to_owned();
    }
}

/// A PPWP C.Hasil of [`prepare`]'s first TPS.
pub const FORM: &str = r#"{"pemilih_dpt_l": 100, "pemilih_dpt_p": 100, "pemilih_dpt_j": 200,
    "pengguna_dpt_l": 50, "pengguna_dpt_p": 50, "pengguna_dpt_j": 100,
    "pengguna_dptb_l": 0, "pengguna_dptb_p": 0, "pengguna_dptb_j": 0,
    "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_non_dpt_j": 0,
    "pengguna_total_l": 50, "pengguna_total_p": 50, "pengguna_total_j": 100,
    "suara_sah": 98, "suara_tidak_sah": 2, "suara_total": 100,
    "options": {"01": 30, "02": 50, "03": 18}}"#;

/// A correction of [`FORM`]: a vote moved from one pair to another.
pub const FORM_2: &str = r#"{"pemilih_dpt_l": 100, "pemilih_dpt_p": 100, "pemilih_dpt_j": 200,
    "pengguna_dpt_l": 50, "pengguna_dpt_p": 50, "pengguna_dpt_j": 100,
    "pengguna_dptb_l": 0, "pengguna_dptb_p": 0, "pengguna_dptb_j": 0,
    "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_non_dpt_j": 0,
    "pengguna_total_l": 50, "pengguna_total_p": 50, "pengguna_total_j": 100,
    "suara_sah": 98, "suara_tidak_sah": 2, "suara_total": 100,
    "options": {"01": 31, "02": 49, "03": 18}}"#;

/// Registers `key` in `role` for `region`, signed by `by`; the answer
/// must be 201.
pub fn register(addr: SocketAddr, key: &Signer, role: KeyRole, region: RegionCode, by: &Signer) {
    register_as(addr, key, (role, region, false), by);
}

/// [`register`], as a commissioner's key (one that signs a region's
/// recap off) if `commissioner`.
pub fn register_as(
    addr: SocketAddr,
    key: &Signer,
    (role, region, commissioner): (KeyRole, RegionCode, bool),
    by: &Signer,
) {
    let statement = KeyStatement {
        origin: origin(addr),
        key: key.verifier(),
        action: KeyAction::Register {
            role,
            region,
            valid_from: UnixTime(now() - 3600),
            valid_until: UnixTime(now() + 30 * 86_400),
            commissioner,
        },
        signed_at: UnixTime(now()),
    };
    let body = Envelope::sign(statement.to_object(), by)
        .unwrap()
        .to_value()
        .to_string();
    let (status, answer) = http(
        addr,
        "POST",
        "/api/v1/keys",
        &[("content-type", "application/json")],
        &body,
    );
    assert_eq!(status, 201, "registering {}: {answer}", key.name());
}

/// A KPU Kab/Kota officer's key over `region`, registered with a KPU
/// Provinsi key between it and the data directory's root key.
pub fn kabkota_officer(addr: SocketAddr, dir: &Path, region: RegionCode) -> Signer {
    let root = Signer::parse(
        std::fs::read_to_string(dir.join("root.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let prov_region = region.ancestor_at(Level::Provinsi).unwrap();
    let kab_region = region.ancestor_at(Level::Kabkota).unwrap();
    let prov = Signer::generate(&format!("kpu-prov-{prov_region}")).unwrap();
    let kab = Signer::generate(&format!("kpu-kabkota-{kab_region}")).unwrap();
    register(addr, &prov, KeyRole::KpuProv, prov_region, &root);
    register(addr, &kab, KeyRole::KpuKabkota, kab_region, &prov);
    kab
}

/// A KPPS device key for `tps`, registered along the chain.
pub fn kpps_device(addr: SocketAddr, dir: &Path, tps: &str) -> Signer {
    let tps = RegionCode::parse(tps).unwrap();
    let kab = kabkota_officer(addr, dir, tps);
    let device = Signer::generate(&format!("kpps-{tps}")).unwrap();
    register(addr, &device, KeyRole::Kpps, tps, &kab);
    device
}

/// A form statement of (`tps`, `contest`) signed by `key` as version
/// `(version, prev)` (on behalf of the TPS, if a reason is given): the
/// POST body and the statement's digest, the next version's `prev`.
pub fn signed_form(
    key: &Signer,
    origin: &str,
    tps: &str,
    contest: &str,
    (version, prev): (u32, Option<[u8; 32]>),
    form: &str,
    on_behalf: Option<&str>,
) -> (String, [u8; 32]) {
    let mut statement = json!({
        "v": 1, "type": "form", "origin": origin, "tps": tps, "contest": contest,
        "version": version, "prev": prev.map(|p| super::hex(&p)),
        "form": serde_json::from_str::<Value>(form).unwrap(), "photos": [],
        "signed_at": UnixTime(now()).to_string(),
    });
    if let Some(reason) = on_behalf {
        statement["on_behalf"] = json!({ "reason": reason });
    }
    let Value::Object(statement) = statement else {
        unreachable!()
    };
    let envelope = Envelope::sign(statement, key).unwrap();
    let digest = envelope.statement_sha256();
    (envelope.to_value().to_string(), digest)
}

/// POSTs a signed form body: (status, JSON answer).
pub fn post_form(addr: SocketAddr, tps: &str, contest: &str, body: &str) -> (u16, Value) {
    let (status, answer) = http(
        addr,
        "POST",
        &format!("/api/v1/tps/{tps}/forms/{contest}"),
        &[("content-type", "application/json")],
        body,
    );
    (status, json(&answer))
}
