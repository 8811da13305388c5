//! The log's JSON answers: pages of entries and Merkle proofs (RFC 9162).
//! The checkpoint, the log key and the root keys are text, not JSON.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/log/entries`: consecutive entries from `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntries {
    pub entries: Vec<LogEntry>,
}

/// One entry: the exact bytes hashed (`docs/log-entries.md`) and the leaf
/// hash, both standard base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub index: u64,
    pub data: String,
    pub leaf_hash: String,
}

/// `GET /api/v1/log/proof/{inclusion,consistency}`: the proof's hashes,
/// bottom-up, standard base64 (RFC 9162 §2.1.3, §2.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub proof: Vec<String>,
}
