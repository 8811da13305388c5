//! The password policy: the one rule every place that sets a password
//! (`saksi user add`, `saksi user reset-password`, the demo's accounts)
//! asks, so that no path can store a password another would refuse.
//!
//! Online guessing is bounded by the login throttle; what remains is the
//! password an attacker tries first. So a password must be long
//! ([`MIN_CHARS`]), not blank, not the username, and not a common password
//! from a compiled-in list (compared ignoring case, also with digits,
//! punctuation or spaces added before or after it, as in `Password2024!`).

use std::collections::HashSet;
use std::sync::OnceLock;

/// The fewest characters (not bytes) a password may have.
pub const MIN_CHARS: usize = 12;

/// The longest password, in bytes: the login endpoint checks nothing
/// longer, so a longer one could be set but never used.
pub const MAX_BYTES: usize = 1024;

/// The common passwords, one a line, lower case (see the file's header for
/// where they come from).
const COMMON: &str = include_str!("common-passwords.txt");

/// Why a password was refused. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the password must have at least {MIN_CHARS} characters (it has {0})")]
    TooShort(usize),
    #[error("the password must have at most {MAX_BYTES} bytes")]
    TooLong,
    #[error("the password must not be only spaces")]
    Blank,
    #[error("the password must not be the username")]
    Username,
    #[error(
        "the password is a common password (or one with digits or symbols added); choose another"
    )]
    Common,
}

/// The common-password list as a set, built on first use.
fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Accepts a password for the account `username`, or says why not.
pub fn check(password: &str, username: &str) -> Result<(), PolicyError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PolicyError::TooShort(chars));
    }
    if password.len() > MAX_BYTES {
        return Err(PolicyError::TooLong);
    }
    if password.trim().is_empty() {
        return Err(PolicyError::Blank);
    }
    let lower = password.to_lowercase();
    if lower == username.to_lowercase() {
        return Err(PolicyError::Username);
    }
    let core = lower.trim_matches(|c: char| {
        c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace()
    });
    let common = common();
    if common.contains(lower.as_str()) || (!core.is_empty() && common.contains(core)) {
        return Err(PolicyError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_uncommon_passwords_pass() {
        for ok in [
            "rahasia-panjang-sekali",
            "a long enough password",
            "kuda baterai staples benar",
            "Tps-042-Kebon-Jeruk",
        ] {
            assert_eq!(check(ok, "ketua"), Ok(()), "{ok}");
        }
    }

    #[test]
    fn short_blank_and_oversized_passwords_are_refused() {
        assert_eq!(check("pendek", "ketua"), Err(PolicyError::TooShort(6)));
        // Characters, not bytes: eleven two-byte letters are still short.
        assert_eq!(
            check(&"é".repeat(11), "ketua"),
            Err(PolicyError::TooShort(11))
        );
        assert_eq!(check(&"é".repeat(12), "ketua"), Ok(()));
        assert_eq!(check(&" ".repeat(12), "ketua"), Err(PolicyError::Blank));
        assert_eq!(
            check(" \t \n ".repeat(4).as_str(), "ketua"),
            Err(PolicyError::Blank)
        );
        assert_eq!(
            check(&"x".repeat(MAX_BYTES + 1), "ketua"),
            Err(PolicyError::TooLong)
        );
    }

    #[test]
    fn the_username_is_refused_in_any_case() {
        assert_eq!(
            check("Ketua.KPPS-0042", "ketua.kpps-0042"),
            Err(PolicyError::Username)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case_and_with_digits_added() {
        for common in [
            "123456789012",
            "QwertyUiop123",
            "Password2024!",
            "passwordpassword",
            "bismillah123",
            "Indonesia1945",
            "12 sayangkamu 34",
            "iloveyou1234",
        ] {
            assert_eq!(check(common, "ketua"), Err(PolicyError::Common), "{common}");
        }
        // A listed word inside a longer phrase is not the word.
        assert_eq!(check("password-untuk-tps-42", "ketua"), Ok(()));
    }

    #[test]
    fn the_list_is_lower_case_and_holds_thousands() {
        let list = common();
        assert!(list.len() > 3000, "{}", list.len());
        assert!(list.iter().all(|p| *p == p.to_lowercase()));
    }
}
