//! Session tokens: random, shown to the user once, stored only as a hash.
//!
//! A stolen database therefore holds no usable token. 32 random bytes are
//! far beyond guessing, so a plain SHA-256 (no salt, no stretching) is the
//! right hash: it keeps the per-request lookup cheap.

use sha2::{Digest, Sha256};

/// A fresh token as given to the client (64 lowercase hex digits).
pub fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// The form a token is stored and looked up under.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }
}
