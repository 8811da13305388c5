//! The staff session in the browser: the API's session token in a cookie
//! (`HttpOnly`, `SameSite=Strict`, `Secure` behind TLS), and the CSRF token
//! every form carries.
//!
//! The cookie holds the same token `POST /api/v1/auth/login` returns, so a
//! page and the API see one session (logout, `saksi user disable` and
//! expiry end both). The CSRF token is derived from the session token
//! (`saksi_server::auth::csrf`), so it needs no storage and a page's script
//! sends it to the API as `X-CSRF-Token`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use saksi_server::auth::csrf;
use saksi_server::auth::{Authenticated, session_of};
use saksi_server::state::AppState;

use crate::i18n::Choice;
use crate::view::{self, Frame};

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// True if the visitor reached us over HTTPS: the TLS proxy in front says
/// so with `X-Forwarded-Proto: https` (README: serving behind a TLS proxy).
/// Only the cookie's `Secure` flag rests on it, so a forged header can at
/// worst make the visitor's own cookie unusable over plain HTTP.
pub fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value with the attributes every cookie of ours has;
/// `max_age` 0 deletes it.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: u64,
    http_only: bool,
    tls: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Strict");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if tls {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// A signed-in staff member, from the session cookie.
#[derive(Debug, Clone)]
pub struct Staff {
    pub auth: Authenticated,
    /// The account must set up its authenticator app before anything else
    /// (a password login of a role that needs TOTP, not yet enrolled).
    pub totp_pending: bool,
    /// The session token (for the CSRF token; never rendered).
    token: String,
}

impl Staff {
    /// The CSRF token of this session, for forms and the page's script.
    pub fn csrf(&self) -> String {
        csrf::token_for(&self.token)
    }

    /// Checks a posted form's CSRF field against this session.
    pub fn check_csrf(&self, posted: Option<&str>) -> bool {
        posted.is_some_and(|p| constant_time_eq(p.as_bytes(), self.csrf().as_bytes()))
    }
}

/// Compares without stopping at the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A visitor: language, and the staff session if the cookie opens one.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub choice: Choice,
    pub staff: Option<Staff>,
    pub tls: bool,
    /// The path and query asked for (the language link comes back here).
    pub path: String,
}

impl Visitor {
    /// The frame every page is drawn in.
    pub fn frame(&self, state: &AppState) -> Frame {
        Frame::new(self, state)
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let choice = Choice::of(&parts.headers);
        let staff = match cookie(&parts.headers, csrf::COOKIE) {
            Some(token) if !token.is_empty() && token.len() <= 256 => {
                match session_of(state, token).await {
                    Ok((auth, totp_pending)) => Some(Staff {
                        auth,
                        totp_pending,
                        token: token.to_owned(),
                    }),
                    Err(e) if e.status().is_server_error() => {
                        return Err(e.into_response());
                    }
                    // An ended or expired session: as if signed out.
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Ok(Visitor {
            choice,
            staff,
            tls: over_tls(&parts.headers),
            path,
        })
    }
}

/// A visitor who must be signed in: a page asked for without a session
/// sends the browser to the login page (and back afterwards); a form
/// posted without one is refused with 401 `auth.required`, since what it
/// asked cannot be done later on its own. A session that must set up its
/// authenticator app first reaches only that page (and logout), as the
/// API refuses it everything else.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub visitor: Visitor,
    pub staff: Staff,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let get = parts.method == Method::GET || parts.method == Method::HEAD;
        match visitor.staff.clone() {
            Some(staff) if staff.totp_pending && !ENROLLING_PATHS.contains(&parts.uri.path()) => {
                if get {
                    Err(Redirect::to(TOTP_PAGE).into_response())
                } else {
                    Err(view::error_page(
                        &visitor,
                        state,
                        StatusCode::FORBIDDEN,
                        "auth.totp_enrolment_required",
                    ))
                }
            }
            Some(staff) => Ok(SignedIn { visitor, staff }),
            None if get => {
                let next = percent_encode(&visitor.path);
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            None => Err(view::error_page(
                &visitor,
                state,
                StatusCode::UNAUTHORIZED,
                "auth.required",
            )),
        }
    }
}

/// Where a session that must enrol TOTP is sent.
pub const TOTP_PAGE: &str = "/workspace/totp";

/// The only pages such a session reaches.
const ENROLLING_PATHS: [&str; 2] = [TOTP_PAGE, "/logout"];

/// `next` for the login page: a path on this site only (never `//host` or
/// a scheme), so the login page cannot be made to send anyone elsewhere.
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.starts_with("/\\")
            && n.len() <= 512
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
}

/// Percent-encodes a path for a query parameter.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_path(Some("/workspace/")), Some("/workspace/"));
        assert_eq!(local_path(Some("/kpps/?x=1")), Some("/kpps/?x=1"));
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "workspace",
            "/a b",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
        assert_eq!(local_path(None), None);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("xsaksi_session=a; saksi_session=b"),
        );
        assert_eq!(cookie(&h, "saksi_session"), Some("b"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure_behind_tls() {
        let plain = set_cookie("saksi_session", "t", 60, true, false);
        assert_eq!(
            plain,
            "saksi_session=t; Path=/; Max-Age=60; SameSite=Strict; HttpOnly"
        );
        let tls = set_cookie("saksi_session", "t", 60, true, true);
        assert!(tls.to_str().unwrap().ends_with("; HttpOnly; Secure"));
    }
}
