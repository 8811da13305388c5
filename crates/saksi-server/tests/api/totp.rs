//! The second factor: a staff login without TOTP enrolled gets a session
//! that can only enrol; enrolment gives a secret once and recovery codes;
//! afterwards each login needs a code, each code works once, and wrong
//! codes are throttled like wrong passwords. Also the browser's session
//! cookie and its CSRF token.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::post;
use saksi_server::auth::csrf;
use saksi_server::extract::Authenticated;
use serde_json::{Value, json};

use crate::helpers::*;

/// A route behind [`Authenticated`] over the app's state: every endpoint
/// that acts (rather than enrols) takes it.
async fn acting(app: &TestApp, token: &str) -> Answer {
    let router: Router = Router::new()
        .route("/act", post(|_: Authenticated| async { StatusCode::OK }))
        .with_state(app.app.state().clone());
    let auth = format!("Bearer {token}");
    let request = axum::http::Request::post("/act")
        .header("authorization", auth)
        .body(axum::body::Body::empty())
        .unwrap();
    answer(router, request).await
}

async fn session(app: &TestApp, token: &str) -> Value {
    let auth = format!("Bearer {token}");
    let answer = app
        .request(
            Method::GET,
            "/api/v1/auth/session",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.json()
}

#[tokio::test]
async fn a_staff_login_without_totp_can_only_enrol_until_a_code_confirms_it() {
    let app = spawn_app();
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    let login: saksi_api::Session = answer.typed();
    assert!(login.totp_enrolment_required);
    let token = login.token;
    assert_eq!(session(&app, &token).await["totp_enrolled"], false);
    let refused = acting(&app, &token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "auth.totp_enrolment_required");

    let offer = app
        .post_bearer("/api/v1/auth/totp", &token, &Value::Null)
        .await;
    assert_eq!(offer.status, StatusCode::CREATED);
    let offer: saksi_api::TotpOffer = offer.typed();
    assert_eq!(offer.secret.len(), 32, "160 bits in base32");
    assert_eq!(
        offer.uri,
        format!(
            "otpauth://totp/Saksi:{STAFF}?secret={}&issuer=Saksi&algorithm=SHA1&digits=6&period=30",
            offer.secret
        )
    );
    let code = app.totp_code(&offer.secret, 0);
    let confirmed = app
        .post_bearer("/api/v1/auth/totp/confirm", &token, &json!({"code": code}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);
    let codes: saksi_api::RecoveryCodes = confirmed.typed();
    assert_eq!(codes.recovery_codes.len(), 10);

    // The same session is a full one at once.
    assert_eq!(acting(&app, &token).await.status, StatusCode::OK);
    assert_eq!(session(&app, &token).await["totp_enrolled"], true);
}

#[tokio::test]
async fn an_enrolled_account_needs_a_code_and_each_code_works_once() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let (secret, _) = app.enrol_totp(&token).await;

    let missing = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "auth.totp_required");
    // The code that confirmed the enrolment is used up.
    let used = app
        .login_totp(STAFF, STAFF_PASSWORD, &app.totp_code(&secret, 0))
        .await;
    assert_eq!(used.status, StatusCode::UNAUTHORIZED);
    assert_eq!(used.code(), "auth.totp_invalid");

    app.clock.advance(saksi_server::auth::totp::STEP_SECS);
    let code = app.totp_code(&secret, 0);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let answer = app.login_totp(STAFF, STAFF_PASSWORD, wrong).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "auth.totp_invalid");
    let ok = app.login_totp(STAFF, STAFF_PASSWORD, &code).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json());
    let session_token = ok.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(ok.json()["totp_enrolment_required"], false);
    assert_eq!(acting(&app, &session_token).await.status, StatusCode::OK);
    let again = app.login_totp(STAFF, STAFF_PASSWORD, &code).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "auth.totp_invalid");
    // The previous step's code is older than the one used: refused too.
    let older = app
        .login_totp(STAFF, STAFF_PASSWORD, &app.totp_code(&secret, -1))
        .await;
    assert_eq!(older.code(), "auth.totp_invalid");
    // The next step's code (a phone a little ahead) is accepted.
    let ahead = app
        .login_totp(STAFF, STAFF_PASSWORD, &app.totp_code(&secret, 1))
        .await;
    assert_eq!(ahead.status, StatusCode::OK);
}

#[tokio::test]
async fn a_recovery_code_logs_in_once() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let (_, recovery) = app.enrol_totp(&token).await;
    let first = app.login_totp(STAFF, STAFF_PASSWORD, &recovery[3]).await;
    assert_eq!(first.status, StatusCode::OK);
    let again = app.login_totp(STAFF, STAFF_PASSWORD, &recovery[3]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "auth.totp_invalid");
    let typed = recovery[4].to_uppercase().replace('-', " ");
    let other = app.login_totp(STAFF, STAFF_PASSWORD, &typed).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_totp_codes_are_throttled_like_wrong_passwords() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let (secret, _) = app.enrol_totp(&token).await;
    app.clock.advance(saksi_server::auth::totp::STEP_SECS);
    let code = app.totp_code(&secret, 0);
    let wrong = if code == "999999" { "999998" } else { "999999" };
    for _ in 0..saksi_server::auth::throttle::PAIR_LIMIT {
        let answer = app.login_totp(STAFF, STAFF_PASSWORD, wrong).await;
        assert_eq!(answer.code(), "auth.totp_invalid");
    }
    let right = app.login_totp(STAFF, STAFF_PASSWORD, &code).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(right.code(), "auth.throttled");
}

#[tokio::test]
async fn enrolment_refuses_a_second_secret_and_a_confirmation_without_one() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let early = app
        .post_bearer(
            "/api/v1/auth/totp/confirm",
            &token,
            &json!({"code": "123456"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.code(), "auth.totp_not_begun");

    // A new secret replaces one never confirmed.
    let first = app
        .post_bearer("/api/v1/auth/totp", &token, &Value::Null)
        .await;
    let first = first.json()["secret"].as_str().unwrap().to_owned();
    let second = app
        .post_bearer("/api/v1/auth/totp", &token, &Value::Null)
        .await;
    let second = second.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let stale = app
        .post_bearer(
            "/api/v1/auth/totp/confirm",
            &token,
            &json!({"code": app.totp_code(&first, 0)}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stale.code(), "auth.totp_invalid");
    assert_eq!(
        acting(&app, &token).await.code(),
        "auth.totp_enrolment_required"
    );
    let ok = app
        .post_bearer(
            "/api/v1/auth/totp/confirm",
            &token,
            &json!({"code": app.totp_code(&second, 0)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);

    for uri in ["/api/v1/auth/totp", "/api/v1/auth/totp/confirm"] {
        let body = json!({"code": app.totp_code(&second, 1)});
        let answer = app.post_bearer(uri, &token, &body).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{uri}");
        assert_eq!(answer.code(), "auth.totp_already_enrolled");
    }
    let malformed = app
        .post_bearer("/api/v1/auth/totp/confirm", &token, &json!({"kode": 1}))
        .await;
    assert_eq!(malformed.code(), "request.malformed_json");
}

#[tokio::test]
async fn the_secret_is_stored_sealed_and_never_shown_again() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let (secret, _) = app.enrol_totp(&token).await;
    let raw = saksi_server::auth::totp::base32_decode(&secret).unwrap();
    let conn = rusqlite::Connection::open(app.database()).unwrap();
    let stored: Vec<u8> = conn
        .query_row("SELECT secret FROM user_totp", [], |row| row.get(0))
        .unwrap();
    assert!(!stored.windows(raw.len()).any(|w| w == raw.as_slice()));
    let shown = session(&app, &token).await.to_string();
    assert!(!shown.contains(&secret), "{shown}");
    // A restart (the same key file) still checks codes.
    let app = app.restart();
    app.clock.advance(saksi_server::auth::totp::STEP_SECS);
    let ok = app
        .login_totp(STAFF, STAFF_PASSWORD, &app.totp_code(&secret, 0))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn a_kpps_session_needs_no_totp() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let token = app.kpps_token(tps);
    assert_eq!(acting(&app, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_on_writes_and_a_bearer_none() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let cookie = format!("lang=en; {}={token}", csrf::COOKIE);
    let read = app
        .request(
            Method::GET,
            "/api/v1/auth/session",
            &[("cookie", &cookie)],
            "",
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "GET needs no CSRF token");
    for given in [None, Some("0".repeat(64)), Some(csrf::token_for("another"))] {
        let mut headers = vec![("cookie", cookie.as_str())];
        if let Some(given) = &given {
            headers.push((csrf::HEADER, given.as_str()));
        }
        let answer = app
            .request(Method::POST, "/api/v1/auth/logout", &headers, "")
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{given:?}");
        assert_eq!(answer.code(), "auth.csrf_invalid");
    }
    let right = csrf::token_for(&token);
    let out = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("cookie", &cookie), ("X-CSRF-Token", &right)],
            "",
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    // A Bearer token needs no CSRF token.
    let other = app.login_token(STAFF, STAFF_PASSWORD).await;
    let auth = format!("Bearer {other}");
    let out = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_totp_reset_in_the_store_revokes_the_sessions_and_asks_for_a_new_enrolment() {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    app.enrol_totp(&token).await;
    let id = app.store.user_by_username(STAFF).unwrap().unwrap().id;
    app.store
        .reset_totp(id, saksi_store::UnixTime(now()))
        .unwrap();
    app.clock.advance(2);
    let auth = format!("Bearer {token}");
    let gone = app
        .request(
            Method::GET,
            "/api/v1/auth/session",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(gone.code(), "auth.invalid_token");
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["totp_enrolment_required"], true);
}
