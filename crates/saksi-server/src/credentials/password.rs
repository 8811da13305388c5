//! Password hashing with Argon2id (RFC 9106).
//!
//! Only staff accounts have passwords: generated KPPS officers have none, so
//! no election or simulation ever hashes passwords at national scale.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// A password could not be hashed (the platform's random source failed).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

/// Hashes a password to a PHC string (`$argon2id$v=19$...`) with a fresh
/// random salt and the crate's default (OWASP-recommended) parameters.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True if `password` matches the stored PHC string. A malformed stored
/// hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let stored = hash("rahasia-sekali").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("rahasia-sekali", &stored));
        assert!(!verify("rahasia-sekalI", &stored));
        assert!(!verify("rahasia-sekali", "not a hash"));
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_salt() {
        assert_ne!(hash("sama").unwrap(), hash("sama").unwrap());
    }
}
