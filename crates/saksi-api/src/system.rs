//! Sessions and health.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/login`: a bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
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
