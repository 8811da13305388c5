//! The browser's signing library (`crates/saksi-web/assets/js/signing.js`)
//! against the Rust that checks what it signs: run in Node on many
//! generated statements, every envelope must verify under
//! `saksi_statement::Envelope` and its canonical bytes must be exactly
//! `saksi_log::canonical_json`'s; and in Debian's chromium (through
//! Playwright's library) on a demo's page, where IndexedDB is real.

use std::path::Path;

use saksi_core::form::CHasil;
use saksi_log::{Signer, Verifier, canonical_check, canonical_json};
use saksi_sim::rng::Rng;
use saksi_statement::{Envelope, FormStatement, KeyStatement};
use serde_json::{Map, Value, json};

use crate::common::browser::{self, script_json};
use crate::common::{Server, hex};

/// Pieces of strings and member names where encoders disagree: every JSON
/// escape, other control characters, DEL, U+2028/2029 (escaped by some
/// encoders, not by RFC 8785), characters whose UTF-16 and code point
/// orders differ (U+FB33 sorts after U+1F600 in UTF-16), a decomposed
/// accent, the highest code point.
const PIECES: &[&str] = &[
    "",
    "a",
    "A",
    "1",
    "10",
    "kpps",
    "Sulawesi Tengah",
    "\"",
    "\\",
    "/",
    "\n",
    "\r",
    "\t",
    "\u{8}",
    "\u{c}",
    "\u{0}",
    "\u{1f}",
    "\u{7f}",
    "\u{80}",
    "\u{f6}",
    "e\u{301}",
    "\u{20ac}",
    "\u{2028}",
    "\u{2029}",
    "\u{fb33}",
    "\u{feff}",
    "\u{ffff}",
    "\u{1f600}",
    "\u{10ffff}",
    "suara sah",
];

/// Integers at the edges of what RFC 8785 here allows.
const INTEGERS: &[i64] = &[
    0,
    1,
    -1,
    9_007_199_254_740_991,
    -9_007_199_254_740_991,
    4_294_967_296,
    -2_147_483_648,
    1_000_000_000_000_000,
];

fn string(rng: &mut Rng) -> String {
    (0..rng.below(5)).map(|_| *rng.pick(PIECES)).collect()
}

fn integer(rng: &mut Rng) -> i64 {
    const MAX: u64 = (1 << 53) - 1;
    if rng.below(3) == 0 {
        *rng.pick(INTEGERS)
    } else {
        (rng.next_u64() % (2 * MAX + 1)) as i64 - MAX as i64
    }
}

fn value(rng: &mut Rng, depth: u32) -> Value {
    let kinds = if depth >= 4 { 4 } else { 6 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(integer(rng)),
        3 => Value::String(string(rng)),
        4 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
        _ => Value::Object(object(rng, depth + 1)),
    }
}

fn object(rng: &mut Rng, depth: u32) -> Map<String, Value> {
    (0..rng.below(6))
        .map(|_| (string(rng), value(rng, depth)))
        .collect()
}

/// A number RFC 8785 here has no form for, put somewhere inside `outer`.
fn with_unencodable(rng: &mut Rng, mut outer: Map<String, Value>) -> Map<String, Value> {
    let bad = match rng.below(7) {
        0 => json!(9_007_199_254_740_992u64),
        1 => json!(-9_007_199_254_740_992i64),
        2 => json!(u64::MAX),
        3 => json!(i64::MIN),
        4 => json!(1.5),
        5 => json!(-0.25),
        _ => json!(1e300),
    };
    let inner = json!({"deeper": [1, {"n": bad}]});
    outer.insert(string(rng), inner);
    outer
}

/// Statements as the workspace signs them: key registrations and
/// revocations, and C.Hasil forms (some on behalf, with a reason in any
/// script).
fn real_statements(rng: &mut Rng) -> (Vec<Value>, Vec<Value>) {
    let mut keys = Vec::new();
    let mut forms = Vec::new();
    for i in 0..20u8 {
        let device = Signer::from_seed(&format!("kpps-11.01.01.2001.{:03}", i + 1), &[i; 32])
            .unwrap()
            .verifier()
            .to_string();
        keys.push(if i % 2 == 0 {
            json!({"v": 1, "type": "key", "action": "register", "origin": "saksi.localhost/log",
                "key": device, "role": "kpps", "region": format!("11.01.01.2001.{:03}", i + 1),
                "valid_from": "2024-02-01T00:00:00Z", "valid_until": "2024-04-01T00:00:00Z",
                "signed_at": "2024-02-10T08:00:00Z"})
        } else {
            json!({"v": 1, "type": "key", "action": "revoke", "origin": "saksi.localhost/log",
                "key": device, "signed_at": "2024-02-14T15:00:00.125Z"})
        });
    }
    let form = serde_json::to_value(CHasil::example_ppwp()).unwrap();
    for version in 1..=10u64 {
        let prev = (version > 1).then(|| hex(&[version as u8; 32]));
        let mut statement = json!({"v": 1, "type": "form", "origin": "saksi.localhost/log",
            "tps": "11.01.01.2001.001", "contest": "ppwp", "version": version, "prev": prev,
            "form": form, "photos": [hex(&[7; 32])], "signed_at": "2024-02-14T13:05:09Z"});
        if version % 2 == 0 {
            statement["on_behalf"] = json!({"reason": format!("HP KPPS rusak {}", string(rng))});
        }
        forms.push(statement);
    }
    (keys, forms)
}

/// Key names for the library's keys: officers' names, non-ASCII ones, and
/// lengths whose key-id input (name, 0x0A, 0x01, 32 bytes) ends either side
/// of SHA-256's 55- and 64-byte block edges.
fn key_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "kpps-11.01.01.2001.001",
        "kpu-kabkota-11.01",
        "pps-11.01.01.2001",
        "\u{f1}ame-\u{1f600}-\u{20ac}",
    ]
    .map(str::to_owned)
    .into();
    names.extend([21, 22, 30, 31, 85, 86].map(|n| "k".repeat(n)));
    names
}

#[test]
fn signing_js_in_node_signs_what_rust_verifies_byte_for_byte() {
    let Some(node) = browser::node() else { return };
    let mut rng = Rng::new(10);
    let (keys, forms) = real_statements(&mut rng);
    let random: Vec<Value> = (0..400)
        .map(|_| Value::Object(object(&mut rng, 0)))
        .collect();
    let unencodable: Vec<Value> = (0..40)
        .map(|_| {
            let outer = object(&mut rng, 1);
            Value::Object(with_unencodable(&mut rng, outer))
        })
        .collect();
    let statements: Vec<Value> = [&keys, &forms, &random, &unencodable]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let names = key_names();
    let input = json!({"names": names, "statements": statements}).to_string();

    let out = browser::node_json(&node, "signing-agreement.mjs", &input);

    // Every key: a verifier key Rust reads, whose id WebCrypto's SHA-256
    // confirms, and which verifierKey() rebuilds from the raw key.
    let made = out["keys"].as_array().unwrap();
    assert_eq!(made.len(), names.len());
    for (key, name) in made.iter().zip(&names) {
        let text = key["verifier"].as_str().unwrap();
        let verifier = Verifier::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(verifier.name(), name);
        assert_eq!(format!("{:08x}", verifier.key_id()), key["expected_id"]);
        assert_eq!(key["again"], text);
        assert_eq!(verifier.to_string(), text);
    }

    // Every statement: the same canonical bytes, a signature that
    // verifies, and the statement as it was; or, for a number RFC 8785
    // here has no form for, a refusal on both sides.
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), statements.len());
    let (mut signed, mut refused) = (0, 0);
    for (i, (statement, result)) in statements.iter().zip(results).enumerate() {
        let Ok(expected) = canonical_json(statement) else {
            assert!(
                result["error"].is_string(),
                "signing.js encoded what Rust refuses: {statement} -> {result}"
            );
            refused += 1;
            continue;
        };
        assert_eq!(result["error"], Value::Null, "{statement}");
        let canonical = result["canonical"].as_str().unwrap();
        assert_eq!(
            canonical.as_bytes(),
            expected,
            "canonical bytes differ for {statement}:\n js: {canonical}\nrust: {}",
            String::from_utf8_lossy(&expected)
        );
        canonical_check::check(canonical.as_bytes()).unwrap();
        let envelope = Envelope::from_value(result["envelope"].clone()).unwrap();
        assert_eq!(envelope.canonical, expected);
        assert!(envelope.verify(), "does not verify: {}", result["envelope"]);
        // The digest the phone names as a next version's `prev` is the
        // server's.
        assert_eq!(result["digest"], hex(&envelope.statement_sha256()));
        assert_eq!(
            envelope.key.to_string(),
            made[i % names.len()]["verifier"].as_str().unwrap()
        );
        assert_eq!(&Value::Object(envelope.statement.clone()), statement);
        signed += 1;
    }
    let wanted_refusals = unencodable.len();
    assert_eq!(signed, statements.len() - wanted_refusals);
    assert_eq!(refused, wanted_refusals);

    // The real statements also read under their schemas.
    for result in &results[..keys.len()] {
        let envelope = Envelope::from_value(result["envelope"].clone()).unwrap();
        envelope.open::<KeyStatement>().unwrap();
    }
    for result in &results[keys.len()..keys.len() + forms.len()] {
        let envelope = Envelope::from_value(result["envelope"].clone()).unwrap();
        envelope.open::<FormStatement>().unwrap();
    }

    // What JSON cannot carry to the script is refused there.
    let refusals = out["refusals"].as_array().unwrap();
    assert_eq!(refusals.len(), 21, "{refusals:?}");
    for refusal in refusals {
        assert_eq!(
            refusal["threw"], true,
            "signing.js accepted {}",
            refusal["what"]
        );
    }

    // The key store as a page uses it.
    let store = out["store"].as_object().unwrap();
    assert_eq!(store.len(), 7, "{store:?}");
    for (what, ok) in store {
        assert_eq!(ok, true, "key store: {what}");
    }
}

#[test]
fn a_demo_page_in_headless_chromium_at_phone_width_declares_its_language_and_signs() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let demo = Server::demo(&tmp.path().join("demo"), "5", "0");
    let screenshot = tmp.path().join("home.png");
    let out = browser::run_script(
        Path::new("smoke.mjs"),
        &[
            ("SAKSI_URL", &demo.url()),
            ("SCREENSHOT", screenshot.to_str().unwrap()),
        ],
    );
    let out = script_json(&out);
    assert_eq!(out["status"], 200, "{out}");
    assert!(
        ["id", "en"].contains(&out["lang"].as_str().unwrap_or_default()),
        "<html lang> is {}",
        out["lang"]
    );
    assert_eq!(out["errors"], json!([]), "the page threw");

    // A PNG of what the phone's screen shows.
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let dimension = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dimension(16), dimension(20)), (360, 800));

    // WebCrypto Ed25519: a non-extractable key that survived IndexedDB
    // signs what Rust's strict verifier accepts.
    let webcrypto = &out["webcrypto"];
    assert_eq!(webcrypto["private_key_class"], "CryptoKey");
    assert_eq!(webcrypto["private_key_extractable"], false);
    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let public_key: [u8; 32] = b64(&webcrypto["public_key"]).try_into().unwrap();
    let verifier = Verifier::new("smoke", &public_key).unwrap();
    assert!(verifier.verify(b"saksi smoke", &b64(&webcrypto["signature"])));

    // signing.js in the page: the key it made is found after a reload and
    // signs a revocation the key chain's schema reads.
    assert_eq!(out["has_key"], true);
    let envelope = Envelope::from_value(out["envelope"].clone()).unwrap();
    assert!(envelope.verify(), "{}", out["envelope"]);
    assert_eq!(envelope.key.to_string(), out["made"]["verifier"]);
    let signed = envelope.open::<KeyStatement>().unwrap();
    assert_eq!(signed.statement.key.to_string(), out["made"]["verifier"]);
}
