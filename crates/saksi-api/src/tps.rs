//! `GET /api/v1/tps/{code}`: a TPS with every version of every contest's
//! form, as of `log_size`.

use saksi_core::Level;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Issue;
use crate::regions::Dpt;

/// A TPS page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TpsPage {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub dpt: Dpt,
    pub log_size: u64,
    /// Every contest, held here or not, in ballot order.
    pub contests: Vec<TpsContest>,
    /// The open or acknowledged `high` or `critical` incidents filed at
    /// this TPS that name one of its contests: a reader weighing its
    /// numbers learns that someone reported trouble with them.
    pub incidents: Vec<TpsIncident>,
    /// The flags of its current forms, every contest, in ballot order:
    /// odd numbers for the reviewers to look at, never a refusal.
    #[serde(default)]
    pub flags: Vec<TpsFlag>,
    /// What reached it of its kit, and whether that is all of it.
    #[serde(default)]
    pub logistics: TpsLogistics,
}

/// A TPS's kit as the logistics chain's signed deliveries left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsLogistics {
    /// Per item, what its KPPS accepted of the deliveries into it (a TPS
    /// ships nothing on, so this is its stock); items none arrived of
    /// are left out.
    pub received: std::collections::BTreeMap<String, u64>,
    /// Whether it holds at least its allocation of every item.
    pub ready: bool,
}

/// A flag on one contest's current form at a TPS: an anomaly flag, or
/// the ballots it received not adding up with the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsFlag {
    /// `above_dpt`, `unanimous`, `same_votes`, `turnout_outlier` or
    /// `last_digits` (the README's "Anomaly flags"), or
    /// `ballots_unreconciled` (its "Logistics").
    pub code: String,
    /// One English sentence naming the numbers.
    pub message: String,
    /// The contest whose form is flagged.
    pub contest: String,
}

/// An incident flagging a TPS, its public fields only (never the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsIncident {
    /// 32 lowercase hex digits.
    pub id: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    /// The contests held here that it names, in ballot order.
    pub contests: Vec<String>,
}

/// One contest's forms at a TPS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TpsContest {
    pub contest: String,
    pub held: bool,
    /// The latest version, the last of `versions`.
    pub current: Option<FormVersion>,
    pub versions: Vec<FormVersion>,
    /// The objections against this form, in log order, and what became of
    /// each.
    pub objections: Vec<TpsObjection>,
}

/// `GET /api/v1/tps/{code}/diff/{contest}?from=A&to=B`: what changed
/// between two versions of a form, box by box, and the versions that
/// changed it with who signed each and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormDiff {
    pub tps: String,
    pub contest: String,
    pub from: u32,
    pub to: u32,
    /// Every box whose count differs, in the form's order; a box one of
    /// the two versions lacks has `null` there.
    pub changes: Vec<BoxChange>,
    /// The versions after `from` up to `to`, each with its signer (a
    /// correction's objection and reason, an on-behalf reason) and, for a
    /// correction, the objection it answers.
    pub versions: Vec<DiffVersion>,
}

/// One box that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxChange {
    pub field: String,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

/// A version between the two compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffVersion {
    pub version: u32,
    pub log_index: u64,
    pub submitted_at: String,
    pub signer: Option<FormSigner>,
    /// The objection a correction answers, as the TPS page shows it.
    pub objection: Option<TpsObjection>,
}

/// An objection against a TPS's form, as said in the plenary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsObjection {
    /// Where it was logged: what its ruling and a correction name.
    pub log_index: u64,
    /// The version it disputes.
    pub version: u32,
    /// The disputed boxes by field name (`suara_sah`, `options.01`).
    pub fields: Vec<String>,
    pub text: String,
    /// Who objected: `saksi` or `bawaslu`, at which region, and a saksi's
    /// party or PPWP pair (never a name).
    pub by: TpsObjector,
    /// `open`, `upheld` or `rejected`.
    pub status: String,
    /// Where its ruling was logged; `None` while open.
    pub ruling_log_index: Option<u64>,
    /// Where the correction that answered it was logged (upheld only).
    pub corrected_log_index: Option<u64>,
}

/// Who objected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsObjector {
    pub role: String,
    pub region: String,
    pub party: Option<u8>,
    pub paslon: Option<u8>,
}

/// One logged version of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormVersion {
    pub version: u32,
    pub log_index: u64,
    /// Standard base64 of the leaf hash, for an inclusion proof.
    pub leaf_hash: Option<String>,
    pub submitted_at: String,
    /// Who signed the version; `None` for one entered through a session
    /// (a `form` v1 entry of an old log), signed by nobody.
    pub signer: Option<FormSigner>,
    /// The C.Hasil as stored (the OpenAPI schema `CHasil`).
    pub form: Value,
    pub warnings: Vec<Issue>,
    /// The photos the version's statement names, in its order, and
    /// whether each has been uploaded yet (the numbers go first, the
    /// photos follow when the connection allows).
    pub photos: Vec<FormPhoto>,
    /// Lowercase hex of the version's digest: what the next version's
    /// `prev` must name (docs/log-entries.md, "Digests and `prev`").
    pub digest: Option<String>,
}

/// A photo a form version's statement names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormPhoto {
    /// Lowercase hex SHA-256 of the photo's bytes: `GET
    /// /api/v1/photos/{sha256}` serves them once stored.
    pub sha256: String,
    /// The bytes have been uploaded.
    pub stored: bool,
}

/// The key that signed a form version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSigner {
    /// `kpps` (the TPS's own device), or `pps` or `ppk` (on its behalf).
    pub role: String,
    /// The key's 8 hex digit key id, as in its verifier key.
    pub key_id: String,
    /// The signer's verifier key.
    pub key: String,
    /// Why a PPS or PPK signed for the TPS; `None` otherwise.
    pub on_behalf: Option<OnBehalfReason>,
    /// The upheld objection a PPK's correction answers, and why; `None`
    /// for any other version.
    pub correction: Option<CorrectionReason>,
}

/// A version a PPK signed as a correction: the statement's `correction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionReason {
    /// The log index of the objection it answers.
    pub objection: u64,
    pub reason: String,
}

/// A version signed on behalf of a TPS: the statement's `on_behalf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnBehalfReason {
    pub reason: String,
}
