//! The key that seals TOTP secrets (and webhooks' signing secrets) at
//! rest.
//!
//! A TOTP secret must be read back to check a code, so it cannot be
//! hashed like a password: it is encrypted with ChaCha20-Poly1305 (RFC
//! 8439) under a 256-bit key kept in the data directory (`totp.key`, mode
//! 0600), outside the database. A copy of the database (a backup, a
//! replica, a leaked dump) then holds no usable second factor, while the
//! server, which reads the key at start like the log key, can check codes.
//! Each sealed secret carries its own random nonce and is bound to its
//! user (the user id is the associated data), so a secret copied onto
//! another account's row does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// Bytes of the nonce stored before each ciphertext.
const NONCE_BYTES: usize = 12;

/// A TOTP secret could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum TotpKeyError {
    #[error("the TOTP key must be 64 hex digits")]
    Malformed,
    #[error("cannot make random bytes: {0}")]
    Random(getrandom::Error),
    #[error("a stored TOTP secret does not open with this key (another data directory's key?)")]
    Sealed,
}

/// The 256-bit key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct TotpKey([u8; 32]);

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(..)")
    }
}

impl TotpKey {
    /// A key from its bytes (tests).
    pub fn from_bytes(bytes: [u8; 32]) -> TotpKey {
        TotpKey(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Result<TotpKey, TotpKeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(TotpKeyError::Random)?;
        Ok(TotpKey(bytes))
    }

    /// Parses the key file's text: 64 hex digits, surrounding space ignored.
    pub fn parse(text: &str) -> Result<TotpKey, TotpKeyError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| TotpKeyError::Malformed)?;
        Ok(TotpKey(bytes))
    }

    /// The key file's text (64 lowercase hex digits).
    pub fn to_text(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// Seals `secret` for `user_id`: a random nonce, then the ciphertext
    /// and tag.
    pub fn seal(&self, user_id: i64, secret: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        self.seal_bound(&associated_data(user_id), secret)
    }

    /// Opens what [`TotpKey::seal`] sealed for `user_id`.
    pub fn open(&self, user_id: i64, sealed: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        self.open_bound(&associated_data(user_id), sealed)
    }

    /// Seals a webhook's signing secret (`saksi webhook add`), bound to its
    /// URL: a copy of the database then holds no secret that signs a
    /// delivery, and a sealed secret moved to another webhook's row does
    /// not open.
    pub fn seal_webhook(&self, url: &str, secret: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        self.seal_bound(&webhook_data(url), secret)
    }

    /// Opens what [`TotpKey::seal_webhook`] sealed for `url`.
    pub fn open_webhook(&self, url: &str, sealed: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        self.open_bound(&webhook_data(url), sealed)
    }

    fn seal_bound(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(TotpKeyError::Random)?;
        let sealed = self
            .cipher()
            .encrypt(&Nonce::from(nonce), Payload { msg: secret, aad })
            .map_err(|_| TotpKeyError::Sealed)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn open_bound(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, TotpKeyError> {
        if sealed.len() < NONCE_BYTES {
            return Err(TotpKeyError::Sealed);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let mut nonce_bytes = [0u8; NONCE_BYTES];
        nonce_bytes.copy_from_slice(nonce);
        self.cipher()
            .decrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| TotpKeyError::Sealed)
    }
}

/// What a webhook's sealed secret is bound to: its purpose and its URL.
fn webhook_data(url: &str) -> Vec<u8> {
    let mut aad = b"saksi-webhook\n".to_vec();
    aad.extend_from_slice(url.as_bytes());
    aad
}

/// What a sealed TOTP secret is bound to: its purpose and its user.
fn associated_data(user_id: i64) -> Vec<u8> {
    let mut aad = b"saksi-totp\n".to_vec();
    aad.extend_from_slice(&user_id.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_user_only_and_with_its_key_only() {
        let key = TotpKey::generate().unwrap();
        let sealed = key.seal(7, b"rahasia").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"rahasia"));
        assert_eq!(key.open(7, &sealed).unwrap(), b"rahasia");
        assert!(key.open(8, &sealed).is_err(), "another user's row");
        let other = TotpKey::generate().unwrap();
        assert!(other.open(7, &sealed).is_err(), "another key");
        assert!(key.open(7, &sealed[..5]).is_err(), "truncated");
        assert_ne!(key.seal(7, b"rahasia").unwrap(), sealed, "fresh nonce");
    }

    #[test]
    fn a_webhooks_sealed_secret_opens_for_its_url_only() {
        let key = TotpKey::generate().unwrap();
        let sealed = key.seal_webhook("https://a.example/hook", b"ab12").unwrap();
        assert_eq!(
            key.open_webhook("https://a.example/hook", &sealed).unwrap(),
            b"ab12"
        );
        assert!(key.open_webhook("https://b.example/hook", &sealed).is_err());
        assert!(key.open(7, &sealed).is_err(), "not a TOTP secret");
    }

    #[test]
    fn the_key_file_text_round_trips_and_is_never_printed() {
        let key = TotpKey::generate().unwrap();
        let again = TotpKey::parse(&format!("{}\n", key.to_text())).unwrap();
        assert_eq!(again.0, key.0);
        assert!(TotpKey::parse("abc").is_err());
        assert_eq!(format!("{key:?}"), "TotpKey(..)");
    }
}
