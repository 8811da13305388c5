//! The login form: a session cookie a script cannot read or another site
//! send, a CSRF token on every form, errors in the visitor's language.

use axum::http::StatusCode;
use saksi_core::permission::Role;
use saksi_store::Store;

use crate::helpers::{PASSWORD, site, username};

#[tokio::test]
async fn logging_in_sets_an_http_only_strict_session_cookie_and_opens_the_home() {
    let site = site();
    let mut browser = site.browser();
    let page = browser.log_in(Role::KpuKabkota).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/workspace/");
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("saksi_session="))
        .expect("a session cookie");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on localhost: {cookie}"
    );
    let home = browser.get("/workspace/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains(&username(Role::KpuKabkota)));
    // The page gives its script the CSRF token, and the logout form has it.
    assert!(home.body.contains("<meta name=\"csrf-token\" content=\""));
    assert_eq!(home.hidden("csrf").len(), 64);
    // The cookie's token is a session of the API too.
    let token = browser.cookies["saksi_session"].clone();
    assert!(
        site.store
            .session_user(&sha(&token), saksi_store::UnixTime(0))
            .unwrap()
            .is_some()
    );
}

fn sha(token: &str) -> [u8; 32] {
    saksi_server::auth::token::hash(token)
}

#[tokio::test]
async fn behind_a_tls_proxy_the_cookie_is_secure() {
    let site = site();
    let mut browser = site.browser();
    browser.headers.push(("x-forwarded-proto", "https".into()));
    let page = browser.log_in(Role::Ppk).await;
    let cookies = page.set_cookies().join("\n");
    assert!(
        cookies.contains("saksi_session=") && cookies.contains("; HttpOnly; Secure"),
        "{cookies}"
    );
}

#[tokio::test]
async fn a_login_without_its_csrf_token_is_refused_and_opens_no_session() {
    let site = site();
    let mut browser = site.browser();
    browser.get("/login").await;
    let user = username(Role::Pps);
    for csrf in ["", "0123456789abcdef0123456789abcdef"] {
        let page = browser
            .post(
                "/login",
                &[("username", &user), ("password", PASSWORD), ("csrf", csrf)],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("auth.csrf_invalid"), "{}", page.body);
        assert!(
            page.body.contains("Muat ulang halaman"),
            "in Bahasa Indonesia"
        );
        assert!(!browser.cookies.contains_key("saksi_session"));
    }
    // A browser that never loaded the form has no login cookie at all.
    let mut stranger = site.browser();
    let page = stranger
        .post(
            "/login",
            &[("username", &user), ("password", PASSWORD), ("csrf", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_wrong_password_is_told_in_the_visitors_language_and_the_username_kept_escaped() {
    let site = site();
    let mut browser = site.browser();
    let form = browser.get("/login").await;
    let csrf = form.hidden("csrf");
    let page = browser
        .post(
            "/login",
            &[
                ("username", "staf-ppk"),
                ("password", "salah-sekali-123"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("Nama pengguna atau kata sandi salah."),
        "{}",
        page.body
    );
    assert!(page.body.contains("auth.invalid_credentials"));
    assert!(page.body.contains("value=\"staf-ppk\""));

    browser.cookies.insert("saksi_lang".into(), "en".into());
    let hostile = "\"><script>alert(1)</script>";
    let page = browser
        .post(
            "/login",
            &[("username", hostile), ("password", "x"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("A username holds only"), "{}", page.body);
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(
        page.body
            .contains("&quot;&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn after_login_the_browser_returns_to_the_page_it_asked_for_but_never_off_site() {
    let site = site();
    let mut browser = site.browser();
    let asked = browser.get("/workspace/").await;
    assert_eq!(asked.status, 303);
    assert_eq!(asked.location(), "/login?next=/workspace/");
    // A KPPS account (no authenticator) keeps the test to the point.
    let form = browser.get("/login?next=/kpps/?step=2").await;
    let csrf = form.hidden("csrf");
    assert_eq!(form.hidden("next"), "/kpps/?step=2");
    let user = username(Role::Kpps);
    let page = browser
        .post(
            "/login",
            &[
                ("username", &user),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "/kpps/?step=2"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/kpps/?step=2");
    let mut other = site.browser();
    let form = other.get("/login").await;
    let csrf = form.hidden("csrf");
    let page = other
        .post(
            "/login",
            &[
                ("username", &user),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/kpps/");
}

#[tokio::test]
async fn logout_needs_the_csrf_token_and_ends_the_session_for_the_api_too() {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::KpuProv).await;
    let token = browser.cookies["saksi_session"].clone();
    let home = browser.get("/workspace/").await;
    let refused = browser.post("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("auth.csrf_invalid"));
    assert_eq!(
        browser.get("/workspace/").await.status,
        200,
        "still signed in"
    );
    let csrf = home.hidden("csrf");
    let done = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/login");
    assert!(!browser.cookies.contains_key("saksi_session"));
    assert!(
        site.store
            .session_user(&sha(&token), saksi_store::UnixTime(0))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_form_posted_without_a_session_is_refused_with_a_clear_message() {
    let site = site();
    let mut browser = site.browser();
    let page = browser.post("/logout", &[("csrf", "whatever")]).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("auth.required"));
    assert!(page.body.contains("Anda belum masuk"), "{}", page.body);
}

#[tokio::test]
async fn every_page_carries_a_csp_without_inline_script_or_eval() {
    let site = site();
    let mut browser = site.browser();
    for path in [
        "/login",
        "/kpps/",
        "/static/workspace.css",
        "/static/js/kpps.js",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(page.headers["x-frame-options"], "DENY");
    }
    // No inline script in any page: scripts only by src.
    for path in ["/login", "/kpps/"] {
        let body = browser.get(path).await.body;
        for (i, _) in body.match_indices("<script") {
            let tag = &body[i..i + body[i..].find('>').unwrap()];
            assert!(
                tag.contains("src=") || tag.contains("type=\"application/json\""),
                "{path}: {tag}"
            );
        }
    }
}

#[tokio::test]
async fn a_login_post_missing_its_fields_is_refused_and_opens_no_session() {
    let site = site();
    let mut browser = site.browser();
    browser.get("/login").await;
    let page = browser.post("/login", &[("username", "staf-ppk")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("request.malformed_form"),
        "{}",
        page.body
    );
    assert!(page.body.contains("tidak lengkap"), "{}", page.body);
    assert!(!browser.cookies.contains_key("saksi_session"));
}
