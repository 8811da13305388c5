//! C2SP tlog-checkpoint: the note body `<origin>\n<size>\n<base64 root>\n`
//! followed by optional extension lines, signed as a C2SP signed note.
//!
//! We sign bodies without extension lines. When parsing others'
//! checkpoints we accept extension lines as the spec allows, each of them
//! non-empty (a blank line cannot appear inside a note's text). The size is
//! decimal ASCII without leading zeros; the root is standard base64 of
//! exactly 32 bytes (an RFC 9162 SHA-256 log).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::hash::Hash;
use crate::keys::{Signer, Verifier};
use crate::note::{Note, NoteError, open};

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The body is not origin, size, root and extension lines.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The root hash is not 32 bytes.
    #[error("checkpoint root is {0} bytes, not 32")]
    RootLength(usize),
    /// The origin line is not the one expected.
    #[error("checkpoint origin {found:?} is not {expected:?}")]
    WrongOrigin {
        /// The origin expected.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// The signed note around it was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A log's signed statement of its size and root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin, e.g. `pemilu2024.example.go.id/log`.
    pub origin: String,
    /// The number of entries.
    pub size: u64,
    /// The Merkle Tree Hash of those entries.
    pub root: Hash,
    /// Extension lines (without newlines); empty in checkpoints we sign.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The checkpoint body (the note text).
    pub fn body(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for line in &self.extensions {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Parses a checkpoint body (a note's text).
    pub fn parse(body: &str) -> Result<Self, CheckpointError> {
        let lines = body
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed("no final newline"))?;
        let mut lines = lines.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(CheckpointError::Malformed("empty origin"));
        }
        let size = lines.next().ok_or(CheckpointError::Malformed("no size"))?;
        let size = parse_size(size).ok_or(CheckpointError::Malformed("bad size"))?;
        let root = lines.next().ok_or(CheckpointError::Malformed("no root"))?;
        let root = STANDARD
            .decode(root)
            .map_err(|_| CheckpointError::Malformed("bad root"))?;
        let root =
            Hash::try_from(root.as_slice()).map_err(|_| CheckpointError::RootLength(root.len()))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::Malformed("empty extension line"));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Signs the checkpoint into a signed note. The key's name must be the
    /// origin, and there must be no extension lines (we never sign any).
    pub fn sign(&self, signer: &Signer) -> Result<String, CheckpointError> {
        if signer.name() != self.origin {
            return Err(CheckpointError::WrongOrigin {
                expected: self.origin.clone(),
                found: signer.name().to_owned(),
            });
        }
        if !self.extensions.is_empty() {
            return Err(CheckpointError::Malformed("we sign no extension lines"));
        }
        Ok(Note::sign(&self.body(), &[signer])?.format())
    }

    /// Opens a signed checkpoint: the note must carry a valid signature by
    /// `log_key` (others' signatures are ignored), and its origin must be
    /// `origin` (for our logs, the key name).
    pub fn open(msg: &[u8], log_key: &Verifier, origin: &str) -> Result<Self, CheckpointError> {
        let opened = open(msg, std::slice::from_ref(log_key))?;
        let checkpoint = Self::parse(&opened.text)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}

/// Decimal ASCII digits without leading zeros (except "0"), fitting u64.
fn parse_size(text: &str) -> Option<u64> {
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_has_no_sign_and_no_leading_zero() {
        assert_eq!(parse_size("0"), Some(0));
        assert_eq!(parse_size("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "01", "+1", "-1", " 1", "18446744073709551616", "1e3"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }
}
