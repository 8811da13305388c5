//! Signed statements (issue 3 §4–5): what a KPPS device or an officer signs
//! with their own key, so that the server relays facts it cannot forge.
//!
//! - [`signed`]: the envelope `{"statement", "signature", "key"}` and the
//!   signed bytes, `saksi/statement/v1\n` followed by the statement's
//!   RFC 8785 bytes;
//! - [`form`]: a KPPS's C.Hasil statement;
//! - [`key`]: an officer's registration or revocation of a key;
//! - [`registry`]: the key chain (root → KPU Provinsi → KPU Kab/Kota →
//!   KPPS device) and its rules, one implementation for the server and the
//!   auditor so that both decide every statement the same way.
//!
//! Formats are documented field by field in `docs/statements.md`.

pub mod form;
pub mod key;
pub mod registry;
pub mod signed;

pub use form::FormStatement;
pub use key::{KeyAction, KeyRole, KeyStatement};
pub use registry::{Authority, Refusal, Registry};
pub use signed::{Envelope, EnvelopeError, STATEMENT_PREFIX, signed_bytes};

/// Why a statement's content was refused (its envelope may be fine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// A member is missing, has the wrong type, is out of range or is not
    /// one the schema has; the message names it.
    #[error("{0}")]
    Malformed(String),
    /// `v` is not a schema version this program knows.
    #[error("unsupported statement version {0}")]
    UnsupportedVersion(String),
    /// The form inside a form statement is invalid; every problem listed.
    #[error("the form is invalid")]
    Form(Vec<saksi_core::form::Issue>),
}

/// A member of a statement object, or [`StatementError::Malformed`].
fn member<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<&'a serde_json::Value, StatementError> {
    object
        .get(name)
        .ok_or_else(|| StatementError::Malformed(format!("`{name}` is missing")))
}

/// A string member.
fn string_member<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<&'a str, StatementError> {
    member(object, name)?
        .as_str()
        .ok_or_else(|| StatementError::Malformed(format!("`{name}` must be a string")))
}

/// An RFC 3339 UTC time member.
fn time_member(
    object: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<saksi_core::time::UnixTime, StatementError> {
    let text = string_member(object, name)?;
    saksi_core::time::UnixTime::parse_rfc3339(text).ok_or_else(|| {
        StatementError::Malformed(format!(
            "`{name}` must be an RFC 3339 UTC time like 2024-02-14T13:00:00Z"
        ))
    })
}

/// Checks the members common to every statement (`v` = 1, `type`) and that
/// no member outside `allowed` is present: an unknown member would be
/// signed but ignored, which a statement must never be.
fn check_header(
    object: &serde_json::Map<String, serde_json::Value>,
    kind: &str,
    allowed: &[&str],
) -> Result<(), StatementError> {
    let v = member(object, "v")?;
    if v.as_u64() != Some(1) {
        return Err(StatementError::UnsupportedVersion(v.to_string()));
    }
    if string_member(object, "type")? != kind {
        return Err(StatementError::Malformed(format!(
            "`type` must be \"{kind}\""
        )));
    }
    if let Some(unknown) = object
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && *k != "v" && *k != "type")
    {
        return Err(StatementError::Malformed(format!(
            "`{unknown}` is not a member of a {kind} statement"
        )));
    }
    Ok(())
}
