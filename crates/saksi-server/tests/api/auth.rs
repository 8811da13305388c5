use axum::http::{Method, StatusCode};
use saksi_core::Contest;

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
