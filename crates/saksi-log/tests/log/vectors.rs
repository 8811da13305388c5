//! Locating and decoding the shared reference vectors. Absent vectors skip
//! a test with a printed reason, except under CI (`CI=true`), where they fail.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The path of a vector file or directory, or `None` (after printing why)
/// when it is absent outside CI.
pub fn path(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors"
    ))
    .join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} not found (required under CI)", path.display());
    }
    println!("skipped: {} not found", path.display());
    None
}

/// A vector JSON file, or `None` when skipped.
pub fn json(relative: &str) -> Option<Value> {
    let path = path(relative)?;
    let text = std::fs::read_to_string(&path).unwrap();
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

pub fn b64(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

pub fn hex(v: &Value) -> Vec<u8> {
    ::hex::decode(v.as_str().unwrap()).unwrap()
}

pub fn hash_hex(v: &Value) -> [u8; 32] {
    hex(v).try_into().unwrap()
}

/// A list of base64 strings, `null` being the empty list.
pub fn b64_list(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .map(|a| a.iter().map(b64).collect())
        .unwrap_or_default()
}

pub fn b64enc(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
