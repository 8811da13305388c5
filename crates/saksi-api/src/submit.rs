//! What a logged submission answers: a form version or a key statement
//! with its receipt, the log key's signed promise of its place in the log.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorInfo, Issue};

/// `201` to a form version (`POST /api/v1/tps/{code}/forms/{contest}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub version: u32,
    pub warnings: Vec<Issue>,
    pub receipt: Receipt,
}

/// `201` to a key statement (`POST /api/v1/keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAccepted {
    pub log_index: u64,
    /// `register` or `revoke`.
    pub action: String,
    /// The key the statement is about (`<name>+<key id hex>+<base64>`).
    pub key: String,
    pub receipt: Receipt,
}

/// `201` to an objection (`POST /api/v1/objections`) or a ruling (`POST
/// /api/v1/objections/{log_index}/ruling`): its place in the log, which
/// is how later facts name it (a ruling its objection, a correction the
/// objection it answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecapAccepted {
    pub log_index: u64,
    pub receipt: Receipt,
}

/// `200` to a bulk key request: one item per statement, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResults {
    pub results: Vec<BulkItem>,
}

/// The answer a single request with this statement would have had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BulkItem {
    Accepted {
        status: u16,
        body: KeyAccepted,
        /// `true` when this statement had been logged before and this is
        /// its first answer again (a single request's `Idempotent-Replayed:
        /// true`); absent otherwise.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        replayed: bool,
    },
    Refused {
        error: ErrorInfo,
        status: u16,
    },
}

/// A receipt (`docs/log-entries.md`, "Receipts"): an entry's place in the
/// log, its digests and the log key's signed note over `saksi/receipt/v1`,
/// the origin, the index, the leaf hash and the time.
/// `GET /api/v1/log/receipt/{index}` rebuilds it byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub log_index: u64,
    /// When the log accepted the fact (RFC 3339).
    pub submitted_at: String,
    /// Standard base64 of the RFC 9162 leaf hash.
    pub leaf_hash: String,
    /// Hex SHA-256 of the entry's bytes.
    pub entry_sha256: String,
    /// A form version's TPS, contest and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tps: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// A signed statement's hex SHA-256 of its RFC 8785 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_sha256: Option<String>,
    /// The signed note; absent only inside the server, before signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
}

/// The answer to `PUT /api/v1/photos/{sha256}`: 201 when the photo was
/// newly stored, 200 when it already was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoStored {
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// Their length.
    pub bytes: u64,
    /// Always true: the photo is stored.
    pub stored: bool,
}
