//! The signed envelope: `{"statement": {...}, "signature": "<base64>",
//! "key": "<verifier key>"}`, as a KPPS app or `saksi kpps sign` posts it.
//!
//! The signature is Ed25519 over [`STATEMENT_PREFIX`] followed by the
//! statement's RFC 8785 bytes. The prefix separates these signatures from
//! every other use of the same key (signed notes, receipts), and
//! canonicalising means the sender may format its JSON freely: the server
//! and the auditor sign and check the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_log::{Signer, Verifier};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::{Signed, Statement, StatementError, decode_statement};

/// The line that starts every signed statement's bytes.
pub const STATEMENT_PREFIX: &[u8] = b"saksi/statement/v1\n";

/// Why an envelope was refused before its statement was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the body is not a JSON object with `statement`, `signature` and `key`: {0}")]
    Malformed(String),
    /// The statement holds a value RFC 8785 cannot encode exactly (a
    /// fraction, or an integer beyond ±(2^53 − 1)).
    #[error("the statement has no canonical form: {0}")]
    NotCanonical(String),
    #[error("`signature` is not base64 of 64 bytes")]
    SignatureMalformed,
    #[error("`key` is not a verifier key (name+hexid+base64): {0}")]
    KeyMalformed(saksi_log::KeyError),
}

/// A parsed envelope: the statement, its canonical bytes, the signature
/// and the key that claims to have made it. Not yet verified.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub statement: Map<String, Value>,
    /// The statement's RFC 8785 bytes (without the prefix).
    pub canonical: Vec<u8>,
    pub signature: [u8; 64],
    pub key: Verifier,
}

/// The bytes a statement's signature covers.
pub fn signed_bytes(canonical: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(STATEMENT_PREFIX.len() + canonical.len());
    out.extend_from_slice(STATEMENT_PREFIX);
    out.extend_from_slice(canonical);
    out
}

impl Envelope {
    /// Parses an envelope from a JSON value: exactly the three members.
    pub fn from_value(value: Value) -> Result<Envelope, EnvelopeError> {
        let Value::Object(mut object) = value else {
            return Err(EnvelopeError::Malformed("not an object".into()));
        };
        if let Some(unknown) = object
            .keys()
            .find(|k| !matches!(k.as_str(), "statement" | "signature" | "key"))
        {
            return Err(EnvelopeError::Malformed(format!(
                "`{unknown}` is not an envelope member"
            )));
        }
        let Some(Value::Object(statement)) = object.remove("statement") else {
            return Err(EnvelopeError::Malformed(
                "`statement` must be an object".into(),
            ));
        };
        let Some(Value::String(signature)) = object.remove("signature") else {
            return Err(EnvelopeError::Malformed(
                "`signature` must be a string".into(),
            ));
        };
        let Some(Value::String(key)) = object.remove("key") else {
            return Err(EnvelopeError::Malformed("`key` must be a string".into()));
        };
        let signature = STANDARD
            .decode(signature)
            .ok()
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .ok_or(EnvelopeError::SignatureMalformed)?;
        let key = Verifier::parse(&key).map_err(EnvelopeError::KeyMalformed)?;
        let canonical = saksi_log::canonical_json(&Value::Object(statement.clone()))
            .map_err(|e| EnvelopeError::NotCanonical(e.to_string()))?;
        Ok(Envelope {
            statement,
            canonical,
            signature,
            key,
        })
    }

    /// Parses an envelope from request bytes (a member named twice is
    /// refused, [`crate::strict_json`]).
    pub fn parse(body: &[u8]) -> Result<Envelope, EnvelopeError> {
        let value = crate::strict_json::parse(body)
            .map_err(|e| EnvelopeError::Malformed(format!("not JSON: {e}")))?;
        Envelope::from_value(value)
    }

    /// Signs a statement: what a KPPS app, `saksi kpps sign` and the load
    /// generator do.
    pub fn sign(statement: Map<String, Value>, signer: &Signer) -> Result<Envelope, EnvelopeError> {
        let canonical = saksi_log::canonical_json(&Value::Object(statement.clone()))
            .map_err(|e| EnvelopeError::NotCanonical(e.to_string()))?;
        let signature = signer.sign(&signed_bytes(&canonical));
        Ok(Envelope {
            statement,
            canonical,
            signature,
            key: signer.verifier(),
        })
    }

    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        signed_bytes(&self.canonical)
    }

    /// Checks the signature under the strict rule (`saksi_log::keys`).
    pub fn verify(&self) -> bool {
        self.key.verify(&self.signed_bytes(), &self.signature)
    }

    /// SHA-256 of the statement's RFC 8785 bytes: what the next version's
    /// `prev` names, and what identifies a retry.
    pub fn statement_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.canonical).into()
    }

    /// The signature in standard base64.
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(self.signature)
    }

    /// The statement read as an `S` (its schema's rules), with its bytes,
    /// signature and signer as the log keeps them.
    pub fn open<S: Statement>(&self) -> Result<Signed<S>, StatementError> {
        Ok(Signed {
            statement: decode_statement(&self.canonical)?,
            bytes: self.canonical.clone(),
            signature: self.signature,
            signer: self.key.to_string(),
        })
    }

    /// The envelope as the POST body.
    pub fn to_value(&self) -> Value {
        json!({
            "statement": Value::Object(self.statement.clone()),
            "signature": self.signature_base64(),
            "key": self.key.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::from_seed("kpps-11.01.01.2001.001", &[7; 32]).unwrap()
    }

    fn statement() -> Map<String, Value> {
        let Value::Object(m) = json!({"v": 1, "type": "test", "b": [1, 2], "a": "x"}) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn a_signed_envelope_round_trips_and_verifies_however_it_is_formatted() {
        let envelope = Envelope::sign(statement(), &signer()).unwrap();
        assert_eq!(
            envelope.canonical,
            br#"{"a":"x","b":[1,2],"type":"test","v":1}"#
        );
        let pretty = serde_json::to_vec_pretty(&envelope.to_value()).unwrap();
        let parsed = Envelope::parse(&pretty).unwrap();
        assert!(parsed.verify());
        assert_eq!(parsed.canonical, envelope.canonical);
        assert!(parsed.signed_bytes().starts_with(b"saksi/statement/v1\n"));
    }

    #[test]
    fn a_changed_statement_or_another_key_does_not_verify() {
        let envelope = Envelope::sign(statement(), &signer()).unwrap();
        let mut value = envelope.to_value();
        value["statement"]["a"] = json!("y");
        assert!(!Envelope::from_value(value).unwrap().verify());
        let other = Signer::from_seed("kpps-11.01.01.2001.001", &[8; 32]).unwrap();
        let mut value = envelope.to_value();
        value["key"] = json!(other.verifier().to_string());
        assert!(!Envelope::from_value(value).unwrap().verify());
    }

    #[test]
    fn malformed_envelopes_are_refused_with_their_reason() {
        let good = Envelope::sign(statement(), &signer()).unwrap().to_value();
        let with = |name: &str, v: Value| {
            let mut e = good.clone();
            e[name] = v;
            Envelope::from_value(e).unwrap_err()
        };
        assert!(matches!(
            with("signature", json!("AAAA")),
            EnvelopeError::SignatureMalformed
        ));
        assert!(matches!(
            with("key", json!("nonsense")),
            EnvelopeError::KeyMalformed(_)
        ));
        assert!(matches!(
            with("statement", json!([1])),
            EnvelopeError::Malformed(_)
        ));
        assert!(matches!(
            with("extra", json!(1)),
            EnvelopeError::Malformed(_)
        ));
        let mut fraction = good.clone();
        fraction["statement"]["a"] = json!(1.5);
        assert!(matches!(
            Envelope::from_value(fraction),
            Err(EnvelopeError::NotCanonical(_))
        ));
        assert!(matches!(
            Envelope::parse(b"{"),
            Err(EnvelopeError::Malformed(_))
        ));
    }
}
