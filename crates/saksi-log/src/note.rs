//! C2SP signed-note: a text, a blank line, then signature lines
//! `— <key name> <base64(4-byte key ID || signature)>`. Parsing follows the
//! spec and Go's golang.org/x/mod/sumdb/note: valid UTF-8 with no control
//! characters but newline (so no carriage returns), the text ends with a
//! newline, the note is split at its LAST blank line, at most
//! [`MAX_SIGNATURES`] signature lines.
//!
//! Opening a note against known verifiers: signatures by unknown keys are
//! ignored (kept as unverified); a signature by a known key that does not
//! verify rejects the whole note; at least one known, valid signature is
//! required; a (name, key ID) matched by two configured verifiers is an
//! ambiguity and an error.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::keys::{Signer, Verifier, is_valid_name};

/// The most signature lines a note may carry (Go's limit; C2SP requires
/// verifiers to accept at least 16). Bounds the work an opened note costs.
pub const MAX_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The bytes are not a signed note (see the module rules).
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// The text to sign is not valid note text.
    #[error("invalid note text: {0}")]
    InvalidText(&'static str),
    /// A known key's signature does not verify.
    #[error("invalid signature for key {name}+{key_id:08x}")]
    InvalidSignature {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// Two configured verifiers share the signature's name and key ID.
    #[error("ambiguous key {name}+{key_id:08x}")]
    AmbiguousKey {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// No signature is by a known key.
    #[error("note has no verifiable signatures")]
    NoVerifiedSignature,
}

/// One signature line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The key name.
    pub name: String,
    /// The key ID (first 4 bytes of the base64 payload, big-endian).
    pub key_id: u32,
    /// The signature bytes after the key ID (64 for Ed25519).
    pub signature: Vec<u8>,
}

impl Signature {
    /// The signature line, without its newline.
    pub fn line(&self) -> String {
        let mut payload = Vec::with_capacity(4 + self.signature.len());
        payload.extend_from_slice(&self.key_id.to_be_bytes());
        payload.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}", self.name, STANDARD.encode(payload))
    }
}

/// A signed note: its text (ending in a newline) and signatures, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The signed text, including its final newline.
    pub text: String,
    /// The signatures, in the order of their lines.
    pub signatures: Vec<Signature>,
}

/// A note whose signatures were checked by [`open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The signed text.
    pub text: String,
    /// Signatures by known keys, all valid (identical lines once).
    pub verified: Vec<Signature>,
    /// Signatures by keys not given (identical lines once), not checked.
    pub unverified: Vec<Signature>,
}

/// Valid note text: non-empty UTF-8, ends with a newline, no control
/// characters other than newline.
fn check_text(text: &str) -> Result<(), &'static str> {
    if !text.ends_with('\n') {
        return Err("text does not end with a newline");
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err("control character");
    }
    Ok(())
}

impl Note {
    /// Parses a signed note without checking signatures.
    pub fn parse(msg: &[u8]) -> Result<Self, NoteError> {
        let msg = std::str::from_utf8(msg).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        if msg.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("control character"));
        }
        let split = msg
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line"))?;
        let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "signature block is empty or unterminated",
            ));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures"));
            }
            signatures.push(parse_signature_line(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Signs `text` (which must end with a newline) with each signer.
    pub fn sign(text: &str, signers: &[&Signer]) -> Result<Self, NoteError> {
        let mut note = Self {
            text: text.to_owned(),
            signatures: Vec::new(),
        };
        check_text(text).map_err(NoteError::InvalidText)?;
        for signer in signers {
            note.add_signature(signer)?;
        }
        Ok(note)
    }

    /// Adds a signature over the note's text (a cosignature).
    pub fn add_signature(&mut self, signer: &Signer) -> Result<(), NoteError> {
        check_text(&self.text).map_err(NoteError::InvalidText)?;
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::InvalidText("too many signatures"));
        }
        self.signatures.push(Signature {
            name: signer.name().to_owned(),
            key_id: signer.key_id(),
            signature: signer.sign(self.text.as_bytes()).to_vec(),
        });
        Ok(())
    }

    /// The note as text: the text, a blank line, one line per signature.
    pub fn format(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 1 + self.signatures.len() * 110);
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&sig.line());
            out.push('\n');
        }
        out
    }
}

fn parse_signature_line(line: &str) -> Result<Signature, NoteError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(NoteError::Malformed("not a signature line"))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(NoteError::Malformed("signature line"))?;
    if !is_valid_name(name) || b64.is_empty() {
        return Err(NoteError::Malformed("signature line"));
    }
    let payload = STANDARD
        .decode(b64)
        .map_err(|_| NoteError::Malformed("signature base64"))?;
    if payload.len() < 5 {
        return Err(NoteError::Malformed("signature too short"));
    }
    let (id, signature) = payload.split_at(4);
    Ok(Signature {
        name: name.to_owned(),
        key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
        signature: signature.to_vec(),
    })
}

/// Parses `msg` and checks its signatures against `verifiers` (rules in the
/// module docs).
pub fn open(msg: &[u8], verifiers: &[Verifier]) -> Result<Opened, NoteError> {
    let note = Note::parse(msg)?;
    let mut verified: Vec<Signature> = Vec::new();
    let mut unverified: Vec<Signature> = Vec::new();
    for sig in note.signatures {
        let mut matching = verifiers
            .iter()
            .filter(|v| v.name() == sig.name && v.key_id() == sig.key_id);
        let Some(verifier) = matching.next() else {
            if !unverified.contains(&sig) {
                unverified.push(sig);
            }
            continue;
        };
        if matching.next().is_some() {
            return Err(NoteError::AmbiguousKey {
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        if verified.contains(&sig) {
            continue;
        }
        if !verifier.verify(note.text.as_bytes(), &sig.signature) {
            return Err(NoteError::InvalidSignature {
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        verified.push(sig);
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature);
    }
    Ok(Opened {
        text: note.text,
        verified,
        unverified,
    })
}
