//! Receipts: the log key's signed promise that an entry is in the log at an
//! index, so an officer can later prove an omission (DESIGN §5).
//!
//! The signature is a C2SP signed note by the log key over the text
//! `saksi/receipt/v1\n<origin>\n<log index>\n<base64 leaf hash>\n<RFC 3339
//! time>\n`. Ed25519 is deterministic, so the receipt rebuilt from a stored
//! entry (`GET /api/v1/log/receipt/{index}`) is byte for byte the one the
//! submission's answer carried.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_log::{Hash, Note, NoteError, Signer};
use serde_json::{Value, json};

use super::entry::{FormEntryHeader, entry_sha256};

/// The first line of every receipt's signed text.
pub const RECEIPT_HEADER: &str = "saksi/receipt/v1";

/// The signed text of a receipt.
pub fn receipt_text(origin: &str, index: u64, leaf: &Hash, time: &str) -> String {
    format!(
        "{RECEIPT_HEADER}\n{origin}\n{index}\n{}\n{time}\n",
        STANDARD.encode(leaf)
    )
}

/// The `receipt` object of a form version: the fields scripts already read
/// (`tps`, `contest`, `version`, `log_index`, `submitted_at`) and the proof
/// (`leaf_hash`, `entry_sha256`, `signed`).
pub fn form_receipt(
    signer: &Signer,
    index: u64,
    header: &FormEntryHeader,
    entry: &[u8],
    leaf: &Hash,
) -> Result<Value, NoteError> {
    let text = receipt_text(signer.name(), index, leaf, &header.submitted_at);
    let signed = Note::sign(&text, &[signer])?.format();
    Ok(json!({
        "tps": header.tps,
        "contest": header.contest,
        "version": header.version,
        "log_index": index,
        "submitted_at": header.submitted_at,
        "leaf_hash": STANDARD.encode(leaf),
        "entry_sha256": hex::encode(entry_sha256(entry)),
        "signed": signed,
    }))
}
