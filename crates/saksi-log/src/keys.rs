//! Ed25519 keys in the C2SP signed-note encodings (the same text forms as
//! Go's golang.org/x/mod/sumdb/note): the key ID, the verifier key
//! `name+<8 hex key id>+base64(0x01 || public key)` and the private key file
//! `PRIVATE+KEY+name+<8 hex key id>+base64(0x01 || seed)`.
//!
//! Signature rule, the same everywhere Saksi verifies: strict Ed25519
//! (`verify_strict` of ed25519-dalek 2). The public key must be a canonical
//! encoding of a point that is not of small order (refused when the key is
//! parsed, so it can never be registered); a signature's R must be
//! canonical and not of small order and its s reduced (below the group
//! order); the check is the cofactorless equation [s]B = R + [k]A. This is
//! RFC 8032 §5.1.7 with every malleability and weak-key case refused.
//! [`crate::batch::verify_batch`] gives the same answer for every item,
//! faster (its module docs say why it never accepts more).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in C2SP signed-note keys.
pub const ALG_ED25519: u8 = 0x01;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is not `name+hexid+base64` (or `PRIVATE+KEY+...`).
    #[error("malformed key")]
    Malformed,
    /// The key name is empty, or holds a space or a `+`.
    #[error("invalid key name")]
    InvalidName,
    /// The key bytes are not 0x01 followed by 32 bytes.
    #[error("unsupported key algorithm or length")]
    Unsupported,
    /// The key ID in the text is not the one the name and key give.
    #[error("key ID does not match the key")]
    KeyIdMismatch,
    /// The public key is a non-canonical encoding, not a point, or a point
    /// of small order (it would verify forged signatures).
    #[error("weak or invalid Ed25519 public key")]
    WeakKey,
}

/// A valid C2SP key name: non-empty, no Unicode whitespace, no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('+')
}

/// The key ID: the first 4 bytes (big-endian) of
/// SHA-256(name || 0x0A || 0x01 || public key), per C2SP signed-note.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Parses `name+hhhhhhhh+base64`: the name, the 8 lowercase hex digits and
/// the decoded key bytes.
fn split_key(text: &str) -> Result<(&str, u32, Vec<u8>), KeyError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Malformed);
    };
    if !is_valid_name(name) {
        return Err(KeyError::InvalidName);
    }
    if id.len() != 8
        || !id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(KeyError::Malformed);
    }
    let id = u32::from_str_radix(id, 16).map_err(|_| KeyError::Malformed)?;
    let bytes = STANDARD.decode(b64).map_err(|_| KeyError::Malformed)?;
    Ok((name, id, bytes))
}

fn ed25519_bytes(bytes: &[u8]) -> Result<[u8; 32], KeyError> {
    match bytes.split_first() {
        Some((&ALG_ED25519, rest)) => rest.try_into().map_err(|_| KeyError::Unsupported),
        _ => Err(KeyError::Unsupported),
    }
}

fn encode_key(name: &str, id: u32, key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(33);
    bytes.push(ALG_ED25519);
    bytes.extend_from_slice(key);
    format!("{name}+{id:08x}+{}", STANDARD.encode(bytes))
}

/// Decodes a public key strictly: canonical encoding, on the curve, not of
/// small order.
pub fn strict_public_key(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::WeakKey)?;
    if key.is_weak() || key.to_edwards().compress().to_bytes() != *bytes {
        return Err(KeyError::WeakKey);
    }
    Ok(key)
}

/// A public key that checks signatures: its name, key ID and Ed25519 key.
/// It exists only for keys that passed the strict checks.
#[derive(Clone, Debug)]
pub struct Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
    /// Whether the key lies in the prime-order subgroup, computed on first
    /// use by [`crate::batch`] (a key with a torsion component is valid
    /// under the strict rule, but its signatures are never batched).
    torsion_free: std::sync::OnceLock<bool>,
}

impl PartialEq for Verifier {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.key_id == other.key_id && self.key == other.key
    }
}

impl Eq for Verifier {}

impl Verifier {
    /// Builds a verifier from a name and raw public key, applying the same
    /// checks as [`Verifier::parse`].
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_name(name) {
            return Err(KeyError::InvalidName);
        }
        let key = strict_public_key(public_key)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, public_key),
            key,
            torsion_free: std::sync::OnceLock::new(),
        })
    }

    /// Parses a verifier key `name+<8 hex>+base64(0x01 || key)`; the key ID
    /// must match the name and key.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, id, bytes) = split_key(text)?;
        let key = ed25519_bytes(&bytes)?;
        let verifier = Self::new(name, &key)?;
        if verifier.key_id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(verifier)
    }

    /// The key name (for a log key, the log's origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID that signature lines carry.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The Ed25519 key, for callers that batch or re-check.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether the key is in the prime-order subgroup (no torsion
    /// component): true for every key made by [`Signer`]; computed once
    /// ([l]A = identity) and cached.
    pub fn is_torsion_free(&self) -> bool {
        *self
            .torsion_free
            .get_or_init(|| self.key.to_edwards().is_torsion_free())
    }

    /// Checks a signature of `msg` under the strict rule (module docs).
    /// Any signature that is not exactly 64 bytes is refused.
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        self.key.verify_strict(msg, &sig).is_ok()
    }
}

impl std::fmt::Display for Verifier {
    /// The verifier key text, as published.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&encode_key(&self.name, self.key_id, &self.key.to_bytes()))
    }
}

/// A private key that signs notes: a name and an Ed25519 seed. Its `Debug`
/// shows the name and key ID only, never the seed.
#[derive(Clone)]
pub struct Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl Signer {
    /// A signer from a name and a 32-byte Ed25519 seed (RFC 8032 §5.1.5).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_name(name) {
            return Err(KeyError::InvalidName);
        }
        let key = SigningKey::from_bytes(seed);
        let public = key.verifying_key().to_bytes();
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, &public),
            key,
        })
    }

    /// A new key from the operating system's random generator.
    pub fn generate(name: &str) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        // A machine without a working random source cannot make keys at all.
        getrandom::fill(&mut seed).map_err(|_| KeyError::Unsupported)?;
        Self::from_seed(name, &seed)
    }

    /// Parses the private key text `PRIVATE+KEY+name+<8 hex>+base64(0x01 ||
    /// seed)` that Go's sumdb/note writes; the key ID must match.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Malformed)?;
        let (name, id, bytes) = split_key(text)?;
        let seed = ed25519_bytes(&bytes)?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The private key text, for the key file (to be stored with mode 0600).
    pub fn to_private_key_string(&self) -> String {
        format!(
            "PRIVATE+KEY+{}",
            encode_key(&self.name, self.key_id, &self.key.to_bytes())
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
            // A multiple of the base point: in the prime-order subgroup.
            torsion_free: std::sync::OnceLock::from(true),
        }
    }

    /// An Ed25519 signature of `msg` (deterministic, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(msg).to_bytes()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.key_id)
    }
}
