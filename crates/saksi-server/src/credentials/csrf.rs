//! CSRF tokens for browser sessions.
//!
//! A browser sends the session cookie with every request to the server,
//! including one a hostile page makes it send; a token the hostile page
//! cannot read must come with every state-changing request. The token is
//! derived from the session token (which only the server and the cookie
//! hold; the cookie is `HttpOnly`), so the server keeps no state for it:
//! lowercase hex SHA-256 of `b"saksi-csrf\n"` followed by the session
//! token. Pages put it in a form field ([`FIELD`]); scripts send it in
//! the [`HEADER`]. A Bearer token needs none: no browser adds one by
//! itself.

use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "saksi_session";
/// The header a script sends the CSRF token in (matched ignoring case).
pub const HEADER: &str = "x-csrf-token";
/// The form field a page sends the CSRF token in.
pub const FIELD: &str = "csrf";

/// The CSRF token of a session token.
pub fn token_for(token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"saksi-csrf\n");
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

/// True if `given` is the CSRF token of `token`, compared in time that
/// does not depend on where they first differ.
pub fn verify(token: &str, given: &str) -> bool {
    let expected = token_for(token);
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The value of the session cookie among `Cookie` header values, if any.
pub fn session_cookie<'a>(cookie_headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    cookie_headers
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_hex_sha256_of_the_prefixed_session_token() {
        let expected = hex::encode(Sha256::digest(b"saksi-csrf\nabc"));
        assert_eq!(token_for("abc"), expected);
        assert!(verify("abc", &expected));
        assert!(!verify("abd", &expected));
        assert!(!verify("abc", ""));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let headers = ["lang=en; saksi_session=tok123 ", "other=1"];
        assert_eq!(session_cookie(headers.into_iter()), Some("tok123"));
        assert_eq!(session_cookie(["lang=en"].into_iter()), None);
    }
}
