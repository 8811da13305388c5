//! `GET /api/v1/recap/{contest}/{code}`: where a region's recap of a
//! contest stands, for the public and the commissioners who sign it; and
//! `GET /api/v1/recap/{contest}/{kecamatan}/queue`: what the PPK reviews
//! of each TPS before it.

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

/// A kecamatan's review queue for a contest: every TPS holding it, those
/// needing the PPK's attention first, with what the plenary reviews of
/// each (`GET /api/v1/recap/{contest}/{kecamatan}/queue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub contest: String,
    pub kecamatan: String,
    /// The kecamatan's name.
    pub name: String,
    /// The log's size the objections, reasons, flags and recap state
    /// reflect.
    pub log_size: u64,
    /// The kecamatan's recap state, as `GET /api/v1/recap/{contest}/{code}`
    /// gives it.
    pub state: String,
    pub counts: QueueCounts,
    /// Attention first (by its most pressing reason), then by code.
    pub tps: Vec<QueueTps>,
}

/// How many TPS the queue holds, and how they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub total: u64,
    /// With a current version.
    pub with_form: u64,
    /// Without one, with a recorded reason.
    pub no_form_reason: u64,
    /// Without either.
    pub missing: u64,
    /// With at least one reason for attention.
    pub attention: u64,
}

/// One TPS of a review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueTps {
    pub tps: String,
    pub name: String,
    /// The current version, its statement's digest (lowercase hex, what
    /// the sign-off names) and its log index; all `None` without a form.
    pub version: Option<u32>,
    pub digest: Option<String>,
    pub log_index: Option<u64>,
    /// The SHA-256 (lowercase hex) of each photo the current version
    /// names, in its order.
    pub photos: Vec<String>,
    /// The current version's arithmetic warnings, as stored with it.
    pub warnings: Vec<crate::Issue>,
    /// The anomaly flags of the current form.
    pub flags: Vec<crate::TpsFlag>,
    /// Incidents filed at the TPS, open or acknowledged, that name the
    /// contest or none.
    pub incidents_open: u64,
    /// Every objection against the contest's form, in log order.
    pub objections: Vec<crate::TpsObjection>,
    /// The latest reason recorded for having no form, if it still stands.
    pub no_form: Option<QueueNoForm>,
    /// Why it needs attention, most pressing first: the recap state's
    /// blockers (`objection_open`, `correction_due`, `no_form`,
    /// `revote_ordered`, `incident`), then `warnings`, `flags`,
    /// `incidents_open`; empty for a TPS that needs none.
    pub attention: Vec<String>,
}

/// A recorded reason for a TPS having no form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueNoForm {
    /// `not_held`, `no_voters`, `revote_ordered` or `incident`.
    pub reason: String,
    pub log_index: u64,
}
