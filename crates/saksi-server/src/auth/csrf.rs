//! The CSRF token of a browser session, derived from its session token.
//!
//! A page's forms and script send it back (a form field, or the
//! `X-CSRF-Token` header to the API); another site can make the browser
//! send the cookie but cannot read the page, so it cannot know the token.
//! Derived rather than stored: nothing to keep, and it ends with the
//! session.

use sha2::{Digest, Sha256};

/// The cookie holding the session token.
pub const COOKIE: &str = "saksi_session";

/// The header a page's script sends the token in.
pub const HEADER: &str = "x-csrf-token";

/// The form field a page's forms send the token in.
pub const FIELD: &str = "csrf";

/// The CSRF token of the session `token`: lowercase hex SHA-256 of
/// `saksi-csrf\n` and the token.
pub fn token_for(token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"saksi-csrf\n");
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_session_has_its_own_token() {
        assert_eq!(token_for("a").len(), 64);
        assert_eq!(token_for("a"), token_for("a"));
        assert_ne!(token_for("a"), token_for("b"));
    }
}
