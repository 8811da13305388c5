//! Headers every answer carries, CORS on the public reads only, and 415 for
//! non-JSON bodies where JSON is expected.

use axum::http::{Method, StatusCode};

use crate::helpers::{STAFF, STAFF_PASSWORD, TestApp, spawn_app};

#[tokio::test]
async fn every_answer_is_nosniff_and_only_public_reads_allow_any_origin() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let public = [
        "/api/v1/results/ppwp".to_owned(),
        "/api/v1/results/ppwp/11".to_owned(),
        "/api/v1/regions".to_owned(),
        "/api/v1/regions/11".to_owned(),
        format!("/api/v1/tps/{tps}"),
        "/api/v1/log/checkpoint".to_owned(),
        "/api/v1/log/entries?start=0&end=0".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        // An error answer of a public read is readable too.
        "/api/v1/regions/99.99".to_owned(),
    ];
    for uri in &public {
        let answer = app.get(uri).await;
        assert_eq!(answer.headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(answer.headers["access-control-allow-origin"], "*", "{uri}");
    }
    let json = [("content-type", "application/json")];
    let login = format!(r#"{{"username":"{STAFF}","password":"{STAFF_PASSWORD}"}}"#);
    let form = format!("/api/v1/tps/{tps}/forms/ppwp");
    let private = [
        (Method::GET, "/", ""),
        (Method::GET, "/healthz", ""),
        (Method::GET, "/nowhere", ""),
        (Method::POST, "/api/v1/auth/login", login.as_str()),
        (Method::POST, "/api/v1/auth/logout", ""),
        (Method::POST, "/api/v1/keys", "{}"),
        (Method::POST, form.as_str(), "{}"),
    ];
    for (method, uri, body) in private {
        let answer = app
            .request(method.clone(), uri, &json, body.to_owned())
            .await;
        assert_eq!(
            answer.headers["x-content-type-options"], "nosniff",
            "{method} {uri}"
        );
        assert!(
            !answer.headers.contains_key("access-control-allow-origin"),
            "{method} {uri} allows other origins"
        );
    }
}

#[tokio::test]
async fn a_json_endpoint_refuses_other_media_types_with_415() {
    let app = spawn_app();
    let login = format!(r#"{{"username":"{STAFF}","password":"{STAFF_PASSWORD}"}}"#);
    for uri in ["/api/v1/auth/login", "/api/v1/keys"] {
        for headers in [
            &[("content-type", "text/plain")][..],
            &[("content-type", "application/x-www-form-urlencoded")][..],
            &[][..],
        ] {
            let answer = app.request(Method::POST, uri, headers, login.clone()).await;
            assert_eq!(
                answer.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{uri} {headers:?}"
            );
            assert_eq!(answer.code(), "request.unsupported_media_type");
        }
    }
    // With parameters it is still JSON.
    let answer = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            &[("content-type", "application/json; charset=utf-8")],
            login,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_form_post_is_not_refused_for_its_media_type() {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let answer = app
        .request(
            Method::POST,
            &format!("/api/v1/tps/{tps}/forms/ppwp"),
            &[("content-type", "text/plain")],
            "{}",
        )
        .await;
    assert_ne!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
