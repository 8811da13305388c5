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
    /// Why a PPS or PPK signed for the TPS; `None` for a KPPS key.
    pub on_behalf: Option<OnBehalfReason>,
}

/// A version signed on behalf of a TPS: the statement's `on_behalf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnBehalfReason {
    pub reason: String,
}
