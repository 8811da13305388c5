//! Receipts: the log key's signed promise that an entry is in the log at an
//! index, so an officer can later prove an omission (`docs/log-entries.md`, "Receipts").
//!
//! The signature is a C2SP signed note by the log key over the text
//! `saksi/receipt/v1\n<origin>\n<log index>\n<base64 leaf hash>\n<RFC 3339
//! time>\n`. Ed25519 is deterministic, so the receipt rebuilt from a stored
//! entry (`GET /api/v1/log/receipt/{index}`) is byte for byte the one the
//! submission's answer carried.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::Receipt;
use saksi_log::{Hash, Note, NoteError, Signer};

use saksi_statement::Entry;
use saksi_statement::entry::entry_sha256;

/// The fields of an entry that its receipt repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptHeader {
    /// (tps, contest, version) for a form entry.
    pub form: Option<(String, String, u32)>,
    /// When the log accepted the fact (RFC 3339).
    pub time: String,
    /// SHA-256 of the statement's RFC 8785 bytes, for signed entries.
    pub statement_sha256: Option<[u8; 32]>,
}

impl ReceiptHeader {
    /// The header of a decoded entry.
    pub fn of(entry: &Entry) -> ReceiptHeader {
        ReceiptHeader {
            form: entry
                .form_version()
                .map(|(tps, contest, version)| (tps.to_string(), contest.id().to_owned(), version)),
            time: entry.logged_at().to_string(),
            statement_sha256: entry.statement_sha256(),
        }
    }
}

/// The first line of every receipt's signed text.
pub const RECEIPT_HEADER: &str = "saksi/receipt/v1";

/// The signed text of a receipt.
pub fn receipt_text(origin: &str, index: u64, leaf: &Hash, time: &str) -> String {
    format!(
        "{RECEIPT_HEADER}\n{origin}\n{index}\n{}\n{time}\n",
        STANDARD.encode(leaf)
    )
}

/// The `receipt` object of an entry: the fields scripts already read
/// (`log_index`, `submitted_at`, and for a form `tps`, `contest`,
/// `version`), the proof (`leaf_hash`, `entry_sha256`, `signed`) and, for
/// a signed statement, `statement_sha256`.
pub fn receipt(
    signer: &Signer,
    index: u64,
    header: &ReceiptHeader,
    entry: &[u8],
    leaf: &Hash,
) -> Result<Receipt, NoteError> {
    let mut receipt = unsigned_receipt(index, header, entry, leaf);
    sign_receipt(signer, &mut receipt)?;
    Ok(receipt)
}

/// A receipt without its `signed` note: what the sequencer stores with the
/// answer. The request handler adds the signature ([`sign_receipt`]) off
/// the sequencer thread; Ed25519 is deterministic, so a replayed answer is
/// signed to the same bytes.
pub fn unsigned_receipt(index: u64, header: &ReceiptHeader, entry: &[u8], leaf: &Hash) -> Receipt {
    let (tps, contest, version) = match &header.form {
        Some((tps, contest, version)) => (Some(tps.clone()), Some(contest.clone()), Some(*version)),
        None => (None, None, None),
    };
    Receipt {
        log_index: index,
        submitted_at: header.time.clone(),
        leaf_hash: STANDARD.encode(leaf),
        entry_sha256: hex::encode(entry_sha256(entry)),
        tps,
        contest,
        version,
        statement_sha256: header.statement_sha256.map(hex::encode),
        signed: None,
    }
}

/// Adds `signed` to a receipt from its own `log_index`, `leaf_hash` and
/// `submitted_at`. A receipt that has it already, or whose leaf hash is not
/// one (a stored answer can only be as the server wrote it), is left as it
/// is.
pub fn sign_receipt(signer: &Signer, receipt: &mut Receipt) -> Result<(), NoteError> {
    if receipt.signed.is_some() {
        return Ok(());
    }
    let leaf = STANDARD
        .decode(&receipt.leaf_hash)
        .ok()
        .and_then(|b| Hash::try_from(b.as_slice()).ok());
    if let Some(leaf) = leaf {
        let text = receipt_text(
            signer.name(),
            receipt.log_index,
            &leaf,
            &receipt.submitted_at,
        );
        receipt.signed = Some(Note::sign(&text, &[signer])?.format());
    }
    Ok(())
}
