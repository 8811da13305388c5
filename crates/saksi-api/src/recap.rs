//! `GET /api/v1/recap/{contest}/{code}`: where a region's recap of a
//! contest stands, for the public and the commissioners who sign it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A region's recap state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecapState {
    pub code: String,
    pub contest: String,
    /// `open` (something below is not in or not settled: `blocked_by`
    /// says what), `ready` (it can be signed off), `pending` (confirmed by
    /// fewer than `k` commissioners), `final`, or `reopened`.
    pub state: String,
    /// The confirmations a sign-off of this region needs.
    pub k: u64,
    /// Of the pending statement, or of the final one.
    pub confirmations: Vec<RecapConfirmation>,
    /// What keeps an `open` region from being signed off, at most 100.
    pub blocked_by: Vec<Blocker>,
    /// The `signoff` statement to sign while the region is `ready` or
    /// `pending`, or `reopened` with nothing blocking it (each
    /// commissioner signs these very bytes, once canonicalised), otherwise
    /// `null`.
    pub statement: Option<Map<String, Value>>,
}

/// One commissioner's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecapConfirmation {
    /// 8 hex digits, as in the verifier key.
    pub key_id: String,
    pub log_index: u64,
}

/// A child or a TPS that keeps the region open, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub code: String,
    /// `no_form`, `revote_ordered` (a PSU's form awaited), `incident` (an
    /// unresolved incident named as the reason), `objection_open`,
    /// `correction_due`, or `not_final` (a child region).
    pub reason: String,
}
