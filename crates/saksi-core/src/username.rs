//! Usernames: `[A-Za-z0-9_.-]{3,64}`, the one rule the CLI, the login
//! endpoint and the store agree on.

use std::fmt;

/// A validated username, kept as given. Accounts compare usernames ignoring
/// case (the store, login, `saksi user`), so `Ketua` and `ketua` are one
/// account; this type's own equality is exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// Why a string is not a username.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a username is 3 to 64 characters of A-Z, a-z, 0-9, '_', '.' and '-'")]
pub struct UsernameError;

impl Username {
    /// Accepts `[A-Za-z0-9_.-]{3,64}` only.
    pub fn parse(s: &str) -> Result<Username, UsernameError> {
        let ok = (3..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if ok {
            Ok(Username(s.to_owned()))
        } else {
            Err(UsernameError)
        }
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_alphabet_and_length_are_accepted() {
        for ok in ["abc", "ketua.kpps-01", "A_B", &"x".repeat(64)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "",
            "spasi ada",
            "é-user",
            "a/b",
            &"x".repeat(65),
            "admin;--",
        ] {
            assert_eq!(Username::parse(bad), Err(UsernameError), "{bad}");
        }
    }
}
