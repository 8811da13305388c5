//! Each bad input gets a 4xx with a stable code and stores
//! nothing.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::{Contest, RegionCode};
use saksi_log::Signer;
use serde_json::{Value, json};

use crate::helpers::*;

struct Case {
    app: TestApp,
    tps: RegionCode,
    kpps: Signer,
    /// The log's size once the device's key is registered.
    keys: u64,
}

async fn case() -> Case {
    let app = spawn_app();
    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    Case {
        app,
        tps,
        kpps,
        keys,
    }
}

impl Case {
    /// Posts the form's text, exactly as given, as the `form` of the
    /// device's signed statement (signed over its canonical bytes when it
    /// has any), and checks it is refused with nothing stored.
    async fn refused(&self, form: impl AsRef<str>) -> Answer {
        let statement = format!(
            r#"{{"v":1,"type":"form","origin":"{ORIGIN}","tps":"{}","contest":"ppwp","version":1,"prev":null,"photos":[],"signed_at":"2024-02-14T13:05:09Z","form":{}}}"#,
            self.tps,
            form.as_ref()
        );
        let signature = serde_json::from_str::<Value>(&statement)
            .ok()
            .and_then(|v| saksi_log::canonical_json(&v).ok())
            .map_or([0; 64], |c| {
                self.kpps.sign(&saksi_statement::signed_bytes(&c))
            });
        let body = format!(
            r#"{{"statement":{statement},"signature":"{}","key":"{}"}}"#,
            STANDARD.encode(signature),
            self.kpps.verifier()
        );
        let uri = format!("/api/v1/tps/{}/forms/ppwp", self.tps);
        let answer = self
            .app
            .request(
                Method::POST,
                &uri,
                &[("content-type", "application/json")],
                body,
            )
            .await;
        assert!(answer.status.is_client_error(), "{}", answer.status);
        assert_eq!(self.app.store.log_size().unwrap(), self.keys);
        answer
    }

    fn with(&self, field: &str, value: &str) -> String {
        let form = self.app.form_json(self.tps, Contest::Ppwp, 1);
        let v: Value = serde_json::from_str(&form).unwrap();
        let old = v[field].to_string();
        form.replacen(
            &format!("\"{field}\":{old}"),
            &format!("\"{field}\":{value}"),
            1,
        )
    }
}

#[tokio::test]
async fn malformed_json_is_400() {
    let c = case().await;
    let a = c.refused("{\"suara_sah\": ").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "statement.malformed");
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let c = case().await;
    let mut big = c.app.form_json(c.tps, Contest::Ppwp, 1);
    big.push_str(&" ".repeat(70 * 1024));
    let a = c.refused(big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.code(), "request.too_large");
}

#[tokio::test]
async fn bad_numbers_are_each_reported() {
    let c = case().await;
    for value in ["-1", "\"12\"", "null", "true", "[]"] {
        let a = c.refused(c.with("suara_tidak_sah", value)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
        assert_eq!(a.code(), "form.invalid");
        assert!(
            a.issue_codes().contains(&"form.invalid_number".to_owned()),
            "{value}: {:?}",
            a.issue_codes()
        );
    }
    // A number a statement cannot hold exactly (RFC 8785): not signable.
    for value in ["1.5", "1e2", "99999999999999999999"] {
        let a = c.refused(c.with("suara_tidak_sah", value)).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_REQUEST, "statement.malformed"),
            "{value}"
        );
    }
}

#[tokio::test]
async fn duplicate_keys_are_refused() {
    let c = case().await;
    let form = c.app.form_json(c.tps, Contest::Ppwp, 1);
    let dup = form.replacen('{', "{\"suara_sah\":1,", 1);
    let a = c.refused(dup).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::BAD_REQUEST, "statement.malformed")
    );
    let message = a.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`suara_sah` appears twice"), "{message}");
}

#[tokio::test]
async fn an_arithmetic_error_lists_every_problem() {
    let c = case().await;
    let a = c.refused(c.with("suara_sah", "0")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes = a.issue_codes();
    assert!(
        codes.contains(&"form.options_sum_mismatch".to_owned()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"form.votes_sum_mismatch".to_owned()),
        "{codes:?}"
    );
    let issue = &a.json()["error"]["details"]["errors"][0];
    assert!(issue["field"].is_string() && issue["message"].is_string());
}

#[tokio::test]
async fn unknown_tps_contest_and_malformed_codes_have_their_codes() {
    let c = case().await;
    let headers = [("content-type", "application/json")];
    let form = c
        .app
        .sign_next(
            &c.kpps,
            c.tps,
            Contest::Ppwp,
            &c.app.form_json(c.tps, Contest::Ppwp, 1),
            None,
        )
        .to_string();
    for (uri, status, code) in [
        (
            "/api/v1/tps/11.01.01.2001.999/forms/ppwp",
            404,
            "region.not_found",
        ),
        ("/api/v1/tps/11.01/forms/ppwp", 404, "region.not_found"),
        ("/api/v1/tps/11.x/forms/ppwp", 400, "region.invalid_code"),
    ] {
        let a = c
            .app
            .request(Method::POST, uri, &headers, form.clone())
            .await;
        assert_eq!(
            (a.status.as_u16(), a.code().as_str()),
            (status, code),
            "{uri}"
        );
    }
    let uri = format!("/api/v1/tps/{}/forms/dprd", c.tps);
    let a = c
        .app
        .request(Method::POST, &uri, &headers, form.clone())
        .await;
    assert_eq!(
        (a.status.as_u16(), a.code().as_str()),
        (404, "contest.not_found")
    );
    assert_eq!(
        c.app.get("/api/v1/results/xyz").await.code(),
        "contest.not_found"
    );
    assert_eq!(
        c.app.get("/api/v1/regions/12.3").await.code(),
        "region.invalid_code"
    );
    assert_eq!(
        c.app.get("/api/v1/regions/12.99").await.code(),
        "region.not_found"
    );
    assert_eq!(c.app.store.log_size().unwrap(), c.keys);
}

#[tokio::test]
async fn a_contest_not_held_at_the_tps_is_refused() {
    let app = spawn_app();
    for (province, contest) in [("31", Contest::DprdKabkota), ("99", Contest::Dpd)] {
        let tps = app.first_tps(TestApp::code(province));
        let kpps = app.kpps_device(tps).await;
        let size = app.store.log_size().unwrap();
        // A PPWP-shaped form is enough: "not held" is reported whatever the options.
        let other = app.first_tps(TestApp::code("11"));
        let form = app.form_json(other, contest, 1);
        let a = app.submit(&kpps, tps, contest, form).await;
        assert_eq!(app.store.log_size().unwrap(), size, "{province}");
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{province}");
        assert!(
            a.issue_codes()
                .contains(&"form.contest_not_held".to_owned()),
            "{province}: {:?}",
            a.issue_codes()
        );
    }
}

#[tokio::test]
async fn an_option_of_another_dapil_is_refused() {
    let app = spawn_app();
    let e = &app.election;
    // A DPD candidate number on some province's ballot but not on another's.
    let dpd: Vec<_> = e.dapil_of_contest(Contest::Dpd).collect();
    let max = dpd.iter().map(|d| d.candidates.len()).max().unwrap();
    let short = dpd
        .iter()
        .find(|d| d.candidates.len() < max)
        .expect("DPD ballots differ in length");
    let tps = app.first_tps(short.regions[0]);
    let kpps = app.kpps_device(tps).await;
    let size = app.store.log_size().unwrap();
    let mut form: Value = serde_json::from_str(&app.form_json(tps, Contest::Dpd, 1)).unwrap();
    form["options"][max.to_string()] = json!(0);
    let a = app.submit(&kpps, tps, Contest::Dpd, form.to_string()).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.issue_codes()
            .contains(&"form.option_other_dapil".to_owned()),
        "{:?}",
        a.issue_codes()
    );
    assert_eq!(app.store.log_size().unwrap(), size);
}
