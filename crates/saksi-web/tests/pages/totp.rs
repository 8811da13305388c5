//! Staff other than KPPS need an authenticator app: a password alone opens
//! only the page that sets it up.

use axum::http::StatusCode;
use saksi_core::permission::Role;
use saksi_server::Clock;
use saksi_server::auth::totp;

use crate::helpers::{PASSWORD, site, username};

#[tokio::test]
async fn a_password_alone_reaches_only_the_authenticator_page_which_keeps_its_secret_until_confirmed()
 {
    let site = site();
    let mut browser = site.browser();
    let login = browser.log_in_once(&username(Role::KpuKabkota)).await;
    assert_eq!(login.location(), "/workspace/totp");
    // Every other page leads there.
    let home = browser.get("/workspace/").await;
    assert_eq!(home.location(), "/workspace/totp");
    let page = browser.get("/workspace/totp").await;
    assert!(
        page.body.contains("src=\"data:image&#x2f;svg+xml;base64,"),
        "{}",
        page.body
    );
    let secret_of = |text: &str| {
        let start = text.find("id=\"totp-secret\">").unwrap() + 17;
        text[start..start + text[start..].find('<').unwrap()].replace(' ', "")
    };
    let secret = secret_of(&page.text());
    assert_eq!(secret.len(), 32, "{secret}");
    // A reload shows the same secret (the officer may have scanned it).
    assert_eq!(
        secret_of(&browser.get("/workspace/totp").await.text()),
        secret
    );
    // The API refuses this session everything but enrolment.
    let csrf = page.hidden("csrf");
    let wrong = browser
        .post("/workspace/totp", &[("csrf", &csrf), ("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("auth.totp_invalid"));
    assert!(
        wrong.body.contains("Kode autentikator salah"),
        "{}",
        wrong.body
    );
    assert_eq!(
        secret_of(&browser.get("/workspace/totp").await.text()),
        secret
    );
    let code = totp::code_at(&secret, site.clock.now().0).unwrap();
    let done = browser
        .post("/workspace/totp", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        done.body.matches("<li><code>").count(),
        10,
        "ten recovery codes"
    );
    // The same session is a full one now.
    assert_eq!(browser.get("/workspace/").await.status, 200);
    // And the secret is never shown again.
    let after = browser.get("/workspace/totp").await;
    assert!(!after.text().contains(&secret));
    assert!(!after.body.contains("totp-secret"));
}

#[tokio::test]
async fn an_enrolled_account_needs_its_code_and_a_used_code_is_refused_in_the_visitors_language() {
    let site = site();
    let user = username(Role::Ppk);
    site.browser().log_in(Role::Ppk).await;
    let mut browser = site.browser();
    let form = browser.get("/login").await;
    let csrf = form.hidden("csrf");
    let missing = browser
        .post(
            "/login",
            &[("username", &user), ("password", PASSWORD), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(missing.body.contains("auth.totp_required"));
    assert!(
        missing.body.contains("masukkan kode 6 angka"),
        "{}",
        missing.body
    );
    assert!(!browser.cookies.contains_key("saksi_session"));
    let code = site.next_code(&user).unwrap();
    let ok = browser
        .post(
            "/login",
            &[
                ("username", &user),
                ("password", PASSWORD),
                ("totp", &code),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/workspace/");
    // The same code again, from another browser within its step.
    browser.cookies.insert("saksi_lang".into(), "en".into());
    let mut other = site.browser();
    other.cookies.insert("saksi_lang".into(), "en".into());
    let form = other.get("/login").await;
    let csrf = form.hidden("csrf");
    let reused = other
        .post(
            "/login",
            &[
                ("username", &user),
                ("password", PASSWORD),
                ("totp", &code),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert!(reused.body.contains("auth.totp_invalid"));
    assert!(reused.body.contains("already used"), "{}", reused.body);
}

#[tokio::test]
async fn a_kpps_account_needs_no_authenticator() {
    let site = site();
    let mut browser = site.browser();
    let login = browser.log_in_once(&username(Role::Kpps)).await;
    assert_eq!(login.location(), "/kpps/");
}
