//! Entries, keys and forms built in the test, as a signing KPPS phone, a
//! KPU key holder or a dishonest server would write them.

use saksi_core::form::{CHasil, OptionVotes, Options, Triple};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_log::Signer;
use saksi_statement::{
    Envelope, FormEntryV1, FormStatement, KeyAction, KeyRole, KeyStatement, OnBehalf,
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use saksi_audit::{Regions, Replay, ServedEntry};
use saksi_log::leaf_hash;

pub const ORIGIN: &str = "saksi.localhost/log";
pub const NOW: i64 = 1_707_915_600;

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn entry(kind: &str, statement: Map<String, Value>, by: &Signer) -> Vec<u8> {
    let envelope = Envelope::sign(statement.clone(), by).unwrap();
    saksi_log::canonical_json(&json!({
        "logged_at": UnixTime(NOW).to_string(),
        "signature": envelope.signature_base64(),
        "signer": by.verifier().to_string(),
        "statement": Value::Object(statement),
        "type": kind,
        "v": if kind == "form" { 2 } else { 1 },
    }))
    .unwrap()
}

pub fn register(key: &Signer, role: KeyRole, region: &str, by: &Signer) -> Vec<u8> {
    register_as(key, role, region, by, false)
}

/// [`register`], as a commissioner's key if `commissioner`.
pub fn register_as(
    key: &Signer,
    role: KeyRole,
    region: &str,
    by: &Signer,
    commissioner: bool,
) -> Vec<u8> {
    let statement = KeyStatement {
        origin: ORIGIN.into(),
        key: key.verifier(),
        action: KeyAction::Register {
            role,
            region: code(region),
            valid_from: UnixTime(NOW - 86_400),
            valid_until: UnixTime(NOW + 86_400),
            commissioner,
        },
        signed_at: UnixTime(NOW),
    };
    entry("key", statement.to_object(), by)
}

pub fn revoke(key: &Signer, by: &Signer) -> Vec<u8> {
    let statement = KeyStatement {
        origin: ORIGIN.into(),
        key: key.verifier(),
        action: KeyAction::Revoke,
        signed_at: UnixTime(NOW),
    };
    entry("key", statement.to_object(), by)
}

/// A PPWP statement of `tps`, and its digest.
pub fn form(
    tps: &str,
    version: u32,
    prev: Option<[u8; 32]>,
    sah: u32,
) -> (Map<String, Value>, [u8; 32]) {
    form_on_behalf(tps, version, prev, sah, None)
}

/// [`form`], signed on behalf of the TPS if a reason is given.
pub fn form_on_behalf(
    tps: &str,
    version: u32,
    prev: Option<[u8; 32]>,
    sah: u32,
    reason: Option<&str>,
) -> (Map<String, Value>, [u8; 32]) {
    let statement = FormStatement {
        origin: ORIGIN.into(),
        tps: code(tps),
        contest: Contest::Ppwp,
        version,
        prev,
        form: CHasil {
            pemilih_dpt: Triple::of(200, 200),
            pengguna_dpt: Triple::of(sah / 2, sah - sah / 2),
            pengguna_dptb: Triple::of(0, 0),
            pengguna_non_dpt: Triple::of(0, 0),
            pengguna_total: Triple::of(sah / 2, sah - sah / 2),
            disabilitas: None,
            surat_suara: None,
            suara_sah: sah,
            suara_tidak_sah: 0,
            suara_total: sah,
            options: Options::Paslon(vec![
                OptionVotes {
                    number: 1,
                    votes: sah,
                },
                OptionVotes {
                    number: 2,
                    votes: 0,
                },
            ]),
        },
        photos: vec![],
        signed_at: UnixTime(NOW),
        on_behalf: reason.map(|reason| OnBehalf {
            reason: reason.to_owned(),
        }),
        correction: None,
    }
    .to_object();
    let digest =
        Sha256::digest(saksi_log::canonical_json(&Value::Object(statement.clone())).unwrap())
            .into();
    (statement, digest)
}

/// Asserts that the replay found exactly `expect`: for each (index, text),
/// a discrepancy at that log entry containing the text, and no other.
pub fn assert_found(replay: &Replay, expect: &[(u64, &str)]) {
    let found: Vec<String> = replay.found.iter().map(ToString::to_string).collect();
    for (index, text) in expect {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&format!("log entry {index}: ")) && f.contains(text)),
            "{index}: {text} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

pub fn run(entries: Vec<Vec<u8>>, root: &Signer) -> Replay {
    run_allowing_unsigned_before(entries, root, 0)
}

/// [`run`], accepting `form` v1 entries below index `n`.
pub fn run_allowing_unsigned_before(entries: Vec<Vec<u8>>, root: &Signer, n: u64) -> Replay {
    let mut replay = Replay::new(
        &[root.verifier()],
        ORIGIN,
        &[],
        Regions::new([code("11")], [code("11.01")]),
    )
    .allow_unsigned_before(n);
    let served: Vec<ServedEntry> = entries
        .into_iter()
        .enumerate()
        .map(|(i, data)| ServedEntry {
            index: i as u64,
            leaf_hash: Some(leaf_hash(&data)),
            data,
        })
        .collect();
    // In two calls, as pages arrive.
    replay.process(&served[..3]);
    replay.process(&served[3..]);
    replay
}

/// A `form` v1 entry: a PPWP version of `tps` entered through a kpps
/// session, signed by nobody, as old logs hold; and its digest.
pub fn session_form(
    tps: &str,
    version: u32,
    prev: Option<[u8; 32]>,
    sah: u32,
) -> (Vec<u8>, [u8; 32]) {
    let (statement, _) = form(tps, version, prev, sah);
    let form = saksi_core::form::parse(
        Contest::Ppwp,
        &saksi_log::canonical_json(&statement["form"]).unwrap(),
    )
    .unwrap();
    let data = FormEntryV1 {
        tps: code(tps),
        contest: Contest::Ppwp,
        version,
        prev,
        form_bytes: saksi_statement::form::form_bytes(&form).unwrap(),
        form,
        role: saksi_core::permission::Role::Kpps,
        region: code(tps),
        submitted_at: UnixTime(NOW),
    }
    .encode();
    let digest = Sha256::digest(&data).into();
    (data, digest)
}
