use axum::http::{Method, StatusCode};
use saksi_core::Contest;
use saksi_store::UnixTime;

use crate::helpers::*;

#[tokio::test]
async fn a_staff_member_logs_in_and_out() {
    let app = spawn_app();
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    let expires = body["expires_at"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");

    let auth = format!("Bearer {token}");
    let out = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let again = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "auth.invalid_token");
}

#[tokio::test]
async fn wrong_password_unknown_user_and_passwordless_user_get_the_same_answer() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    app.kpps_token(tps);
    let kpps = format!("kpps-{}", tps.compact());
    for (user, pass) in [(STAFF, "salah"), ("nobody", "x"), (kpps.as_str(), "")] {
        let answer = app.login(user, pass).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(answer.code(), "auth.invalid_credentials");
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_even_for_the_right_one() {
    let app = spawn_app();
    for _ in 0..saksi_server::auth::throttle::PAIR_LIMIT {
        assert_eq!(
            app.login(STAFF, "salah").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.code(), "auth.throttled");
    assert!(answer.headers.contains_key("retry-after"));
    app.clock
        .advance(saksi_server::auth::throttle::WINDOW_SECS as i64);
    assert_eq!(
        app.login(STAFF, STAFF_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_malformed_username_is_refused_with_a_code() {
    let app = spawn_app();
    let answer = app.login("a b", "x").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.code(), "auth.invalid_username");
    let answer = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            &[("content-type", "application/json")],
            "{\"username\":",
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.code(), "request.malformed_json");
}

#[tokio::test]
async fn an_unauthenticated_session_write_is_401_whatever_its_body() {
    let app = spawn_app();
    let uri = "/api/v1/auth/logout";
    let missing = app
        .request(Method::POST, uri, &[("idempotency-key", "k")], "{not json")
        .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "auth.required");
    let huge = vec![b'x'; 100 * 1024];
    let forged = app
        .request(
            Method::POST,
            uri,
            &[
                ("authorization", "Bearer 0123456789abcdef"),
                ("idempotency-key", "k"),
            ],
            huge,
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.code(), "auth.invalid_token");
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    app.kpps_token(tps);
    let user = app
        .store
        .user_by_username(&format!("kpps-{}", tps.compact()))
        .unwrap()
        .unwrap();
    let token = app.session_for(user.id, now() - 1);
    let auth = format!("Bearer {token}");
    let answer = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "auth.invalid_token");
}

#[tokio::test]
async fn a_kpps_device_cannot_sign_for_another_tps() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let other = app.first_tps(TestApp::code("12"));
    let kpps = app.kpps_device(tps).await;
    let size = app.store.log_size().unwrap();
    let answer = app
        .submit(
            &kpps,
            other,
            Contest::Ppwp,
            app.form_json(other, Contest::Ppwp, 1),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.code(), "key.wrong_tps");
    assert_eq!(
        answer.json()["error"]["details"]["key_tps"],
        tps.to_string()
    );
    assert_eq!(app.store.log_size().unwrap(), size);
}

/// Posts a logout with `token`: the probe of whether a session is honoured.
async fn logout(app: &TestApp, token: &str) -> Answer {
    let auth = format!("Bearer {token}");
    app.request(
        Method::POST,
        "/api/v1/auth/logout",
        &[("authorization", &auth)],
        "",
    )
    .await
}

fn staff_id(app: &TestApp) -> saksi_store::UserId {
    app.store.user_by_username(STAFF).unwrap().unwrap().id
}

#[tokio::test]
async fn a_username_logs_in_in_any_case() {
    let app = spawn_app();
    let answer = app.login(&STAFF.to_uppercase(), STAFF_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_disabled_account_answers_a_wrong_password_as_any_and_the_right_one_with_its_code() {
    let app = spawn_app();
    let id = staff_id(&app);
    let session = app.session_for(id, now() + 3600);
    app.store.set_disabled(id, Some(UnixTime(now()))).unwrap();

    let wrong = app.login(STAFF, "salah-sekali-ini").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "auth.invalid_credentials");
    let right = app.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(right.status, StatusCode::FORBIDDEN);
    assert_eq!(right.code(), "auth.account_disabled");
    let accounts = app.store.accounts(UnixTime(now())).unwrap();
    let staff = accounts.iter().find(|a| a.user.id == id).unwrap();
    assert_eq!(staff.live_sessions, 0, "no session was opened");
    let refused = logout(&app, &session).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "auth.invalid_token");

    app.store.set_disabled(id, None).unwrap();
    assert_eq!(
        app.login(STAFF, STAFF_PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        logout(&app, &session).await.status,
        StatusCode::UNAUTHORIZED,
        "a session revoked by disabling stays revoked"
    );
}

#[tokio::test]
async fn a_session_revoked_in_the_store_is_refused() {
    let app = spawn_app();
    let id = staff_id(&app);
    let revoked = app.session_for(id, now() + 3600);
    app.store.revoke_sessions(id, UnixTime(now())).unwrap();
    let answer = logout(&app, &revoked).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "auth.invalid_token");
    // A new password revokes too, and the old password no longer logs in.
    let before_reset = app.session_for(id, now() + 3600);
    let hash = saksi_server::auth::password::hash("kata-sandi-yang-baru").unwrap();
    app.store.set_password(id, &hash, UnixTime(now())).unwrap();
    assert_eq!(
        logout(&app, &before_reset).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(STAFF, STAFF_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(STAFF, "kata-sandi-yang-baru").await.status,
        StatusCode::OK
    );
}

/// `GET /api/v1/auth/session` with `token`.
async fn session(app: &TestApp, token: &str) -> Answer {
    let auth = format!("Bearer {token}");
    app.request(
        Method::GET,
        "/api/v1/auth/session",
        &[("authorization", &auth)],
        "",
    )
    .await
}

#[tokio::test]
async fn the_session_endpoint_says_whose_the_token_is_until_it_ends() {
    let app = spawn_app();
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    let body = answer.json();
    let token = body["token"].as_str().unwrap();
    let info = session(&app, token).await;
    assert_eq!(info.status, StatusCode::OK);
    let info: saksi_api::SessionInfo = info.typed();
    assert_eq!(info.username, STAFF);
    assert_eq!(info.expires_at, body["expires_at"].as_str().unwrap());
    assert_eq!(logout(&app, token).await.status, StatusCode::NO_CONTENT);
    let after = session(&app, token).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.code(), "auth.invalid_token");
}

#[tokio::test]
async fn a_cached_session_revoked_behind_the_servers_back_is_refused_a_second_later() {
    let app = spawn_app();
    let answer = app.login(STAFF, STAFF_PASSWORD).await;
    let token = answer.json()["token"].as_str().unwrap().to_owned();
    // The second request is answered from the session cache.
    for _ in 0..2 {
        assert_eq!(session(&app, &token).await.status, StatusCode::OK);
    }
    // As `saksi user revoke-sessions` does, from another process.
    app.store
        .revoke_sessions(staff_id(&app), UnixTime(now()))
        .unwrap();
    app.clock
        .advance(saksi_server::auth::sessions::RECHECK_SECS);
    let refused = session(&app, &token).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "auth.invalid_token");
}
