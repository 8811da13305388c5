//! Sessions and health.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/login`: a bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    /// The account must enrol TOTP before anything else: the session may
    /// only enrol (`POST /api/v1/auth/totp`), show itself and log out.
    pub totp_enrolment_required: bool,
}

/// `POST /api/v1/auth/totp`: a new TOTP secret (base32, RFC 4648 without
/// padding) and the `otpauth://` URI an authenticator app scans. Shown
/// once: the server never returns it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpOffer {
    pub secret: String,
    pub uri: String,
}

/// `POST /api/v1/auth/totp/confirm`: the one-time recovery codes, shown
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// `GET /api/v1/auth/session`: whose the bearer token is and until when,
/// so a client (or an operator holding a token) can tell whether it still
/// works without trying a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub username: String,
    pub role: String,
    pub region: String,
    /// The party of a `saksi`; `null` for other roles.
    pub party: Option<u8>,
    pub expires_at: String,
    /// The account has TOTP enrolled.
    pub totp_enrolled: bool,
}

/// `GET /healthz`: `ok`, `degraded` (the database is away; reads go on) or
/// `error` (the server refuses to write, `reason` says why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub log_size: u64,
    /// Absent from an `error` answer; `null` before the first checkpoint.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub checkpoint_size: Option<Option<u64>>,
}

/// An optional field that may also be `null`: absent is `None`, `null` is
/// `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Option<u64>>, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
        Option::<u64>::deserialize(d).map(Some)
    }
}
