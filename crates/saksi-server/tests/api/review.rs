//! The review at the kecamatan through the API: objections by witnesses
//! and Bawaslu, PPK members' signed rulings, the corrections an upheld
//! objection calls for, the TPS page and the diff that show them, every
//! refusal with its code (nothing logged), and all of it after a restart.

use axum::http::{Method, StatusCode};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::recap::{Decision, RulingStatement};
use saksi_statement::{Envelope, KeyRole};
use saksi_store::Store;
use serde_json::{Value, json};

use crate::helpers::{Answer, ORIGIN, TestApp, now, spawn_app};
use crate::incidents::post;

pub(crate) fn ruling(key: &Signer, objection: u64, decision: Decision) -> Value {
    let statement = RulingStatement {
        origin: ORIGIN.into(),
        objection,
        decision,
        reason: "dicocokkan dengan C.Hasil plano di pleno".into(),
        signed_at: UnixTime(now()),
    };
    Envelope::sign(statement.to_object(), key)
        .unwrap()
        .to_value()
}

async fn rule(app: &TestApp, objection: u64, body: &Value) -> Answer {
    app.request(
        Method::POST,
        &format!("/api/v1/objections/{objection}/ruling"),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

pub(crate) fn objection(tps: RegionCode, contest: &str, version: u32, fields: &[&str]) -> Value {
    json!({
        "tps": tps.to_string(),
        "contest": contest,
        "version": version,
        "fields": fields,
        "text": "Suara paslon 01 di plano 90, bukan 100.",
    })
}

fn refused(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.json());
    assert_eq!(answer.code(), code, "{}", answer.json());
}

#[tokio::test]
async fn an_objection_is_ruled_on_and_answered_by_a_correction_and_all_of_it_shows() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kecamatan = tps.ancestor_at(Level::Kecamatan).unwrap();
    let kabkota = tps.ancestor_at(Level::Kabkota).unwrap();
    let kpps = app.kpps_device(tps).await;
    let ppk = app.officer_key(KeyRole::Ppk, kecamatan).await;
    let submitted = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [100, 50, 20]))
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::CREATED,
        "{}",
        submitted.json()
    );
    let witness = app.account_token("saksi.01", "saksi", kabkota, None, Some(1));
    let bawaslu = app.account_token("bawaslu.kab", "bawaslu", kabkota, None, None);
    let size = |app: &TestApp| app.store.log_size().unwrap();

    // Refused, nothing logged.
    let before = size(&app);
    let kpps_session = app.kpps_token(tps);
    let cases = [
        (
            Some(kpps_session.as_str()),
            objection(tps, "ppwp", 1, &["suara_sah"]),
            StatusCode::FORBIDDEN,
            "objection.not_an_objector",
        ),
        (
            Some(witness.as_str()),
            objection(tps, "ppwp", 2, &["suara_sah"]),
            StatusCode::CONFLICT,
            "objection.not_current",
        ),
        (
            Some(witness.as_str()),
            objection(tps, "ppwp", 1, &["options.9.party"]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.invalid",
        ),
        (
            Some(witness.as_str()),
            objection(tps, "ppwp", 1, &[]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.invalid",
        ),
        (
            Some(bawaslu.as_str()),
            objection(tps, "dpr", 1, &["suara_sah"]),
            StatusCode::CONFLICT,
            "objection.no_form",
        ),
        (
            Some(witness.as_str()),
            json!({"tps": tps.to_string()}),
            StatusCode::BAD_REQUEST,
            "objection.malformed",
        ),
        (
            None,
            objection(tps, "ppwp", 1, &["suara_sah"]),
            StatusCode::UNAUTHORIZED,
            "auth.required",
        ),
    ];
    for (i, (token, body, status, code)) in cases.into_iter().enumerate() {
        let answer = post(
            &app,
            "/api/v1/objections",
            token,
            &format!("bad-{i}"),
            &body,
        )
        .await;
        refused(&answer, status, code);
    }
    // A PPWP pair's witness objects to the PPWP form only (the DPR form
    // is there now), and nobody outside the TPS's region objects.
    let dpr = app
        .submit(
            &kpps,
            tps,
            Contest::Dpr,
            app.form_json(tps, Contest::Dpr, 3),
        )
        .await;
    assert_eq!(dpr.status, StatusCode::CREATED, "{}", dpr.json());
    let answer = post(
        &app,
        "/api/v1/objections",
        Some(&witness),
        "dpr",
        &objection(tps, "dpr", 1, &["suara_sah"]),
    )
    .await;
    refused(
        &answer,
        StatusCode::FORBIDDEN,
        "objection.paslon_outside_ppwp",
    );
    let elsewhere = app.first_tps(RegionCode::parse("12").unwrap());
    let far = app.account_token(
        "saksi.far",
        "saksi",
        elsewhere.ancestor_at(Level::Kabkota).unwrap(),
        Some(4),
        None,
    );
    let answer = post(
        &app,
        "/api/v1/objections",
        Some(&far),
        "far",
        &objection(tps, "ppwp", 1, &["suara_sah"]),
    )
    .await;
    refused(&answer, StatusCode::FORBIDDEN, "objection.outside_region");
    let before = before + 1; // the DPR form
    assert_eq!(size(&app), before, "a refused objection logs nothing");

    // Read as JSON only when sent as JSON: no cross-site form posts one.
    let auth = format!("Bearer {witness}");
    let plain = app
        .request(
            Method::POST,
            "/api/v1/objections",
            &[
                ("content-type", "text/plain"),
                ("authorization", &auth),
                ("idempotency-key", "plain"),
            ],
            objection(tps, "ppwp", 1, &["suara_sah"]).to_string(),
        )
        .await;
    refused(
        &plain,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request.unsupported_media_type",
    );
    // Two objections; a retry is answered with the first answer.
    let body = objection(tps, "ppwp", 1, &["options.01", "suara_sah"]);
    let first = post(&app, "/api/v1/objections", Some(&witness), "k1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    let upheld = first.json()["log_index"].as_u64().unwrap();
    let again = post(&app, "/api/v1/objections", Some(&witness), "k1", &body).await;
    assert_eq!(again.json()["log_index"], first.json()["log_index"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let second = post(
        &app,
        "/api/v1/objections",
        Some(&bawaslu),
        "k2",
        &objection(tps, "ppwp", 1, &["options.02"]),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.json());
    let rejected = second.json()["log_index"].as_u64().unwrap();
    assert_eq!(size(&app), before + 2);

    // Rulings: by a PPK key of the kecamatan only, once each.
    let answer = rule(&app, upheld, &ruling(&kpps, upheld, Decision::Upheld)).await;
    refused(&answer, StatusCode::FORBIDDEN, "key.not_authorised");
    let answer = rule(&app, rejected, &ruling(&ppk, upheld, Decision::Upheld)).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "statement.path_mismatch",
    );
    let answer = rule(&app, 999_999, &ruling(&ppk, 999_999, Decision::Upheld)).await;
    refused(&answer, StatusCode::NOT_FOUND, "objection.not_found");
    let answer = rule(&app, upheld, &ruling(&ppk, upheld, Decision::Upheld)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let ruled = answer.json()["log_index"].as_u64().unwrap();
    let answer = rule(&app, rejected, &ruling(&ppk, rejected, Decision::Rejected)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let answer = rule(&app, upheld, &ruling(&ppk, upheld, Decision::Rejected)).await;
    refused(&answer, StatusCode::CONFLICT, "objection.already_ruled");

    // Corrections: a PPK's version answering an upheld objection, once.
    let corrected_form = app.ppwp_form(tps, [90, 50, 20]);
    let body = app.sign_correction(&ppk, tps, Contest::Ppwp, &corrected_form, rejected);
    refused(
        &app.post_signed(tps, Contest::Ppwp, &body).await,
        StatusCode::CONFLICT,
        "recap.correction_refused",
    );
    let body = app.sign_correction(&kpps, tps, Contest::Ppwp, &corrected_form, upheld);
    refused(
        &app.post_signed(tps, Contest::Ppwp, &body).await,
        StatusCode::FORBIDDEN,
        "key.not_authorised",
    );
    let body = app.sign_correction(&ppk, tps, Contest::Ppwp, &corrected_form, upheld);
    let answer = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(answer.json()["version"], 2);
    let correction_index = answer.json()["receipt"]["log_index"].as_u64().unwrap();
    let body = app.sign_correction(
        &ppk,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [91, 50, 20]),
        upheld,
    );
    refused(
        &app.post_signed(tps, Contest::Ppwp, &body).await,
        StatusCode::CONFLICT,
        "recap.correction_refused",
    );
    // The KPPS may still re-submit over it.
    let answer = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [92, 50, 20]))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());

    let check = |app: &TestApp, page: Value| {
        let ppwp = &page["contests"][0];
        assert_eq!(ppwp["contest"], "ppwp");
        assert_eq!(
            ppwp["objections"],
            json!([
                {"log_index": upheld, "version": 1, "fields": ["options.01", "suara_sah"],
                 "text": "Suara paslon 01 di plano 90, bukan 100.",
                 "by": {"role": "saksi", "region": kabkota.to_string(), "party": null, "paslon": 1},
                 "status": "upheld", "ruling_log_index": ruled,
                 "corrected_log_index": correction_index},
                {"log_index": rejected, "version": 1, "fields": ["options.02"],
                 "text": "Suara paslon 01 di plano 90, bukan 100.",
                 "by": {"role": "bawaslu", "region": kabkota.to_string(), "party": null, "paslon": null},
                 "status": "rejected", "ruling_log_index": rejected + 2,
                 "corrected_log_index": null},
            ]),
            "{}",
            app.store.log_size().unwrap()
        );
        let v2 = &ppwp["versions"][1]["signer"];
        assert_eq!(v2["role"], "ppk");
        assert_eq!(
            v2["correction"],
            json!({"objection": upheld, "reason": "keberatan diterima"})
        );
        assert_eq!(ppwp["versions"][2]["signer"]["role"], "kpps");
    };
    check(&app, app.get(&format!("/api/v1/tps/{tps}")).await.json());

    // The diff: what the correction changed, and why.
    let diff = app
        .get(&format!("/api/v1/tps/{tps}/diff/ppwp?from=1&to=2"))
        .await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.json());
    let diff = diff.json();
    let changed: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"options.01"), "{diff}");
    let change = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "options.01")
        .unwrap();
    assert_eq!(
        (change["from"].as_u64(), change["to"].as_u64()),
        (Some(100), Some(90))
    );
    assert_eq!(diff["versions"][0]["objection"]["log_index"], upheld);
    assert_eq!(diff["versions"][0]["objection"]["status"], "upheld");
    let latest = app
        .get(&format!("/api/v1/tps/{tps}/diff/ppwp"))
        .await
        .json();
    assert_eq!(
        (latest["from"].as_u64(), latest["to"].as_u64()),
        (Some(2), Some(3))
    );
    refused(
        &app.get(&format!("/api/v1/tps/{tps}/diff/ppwp?from=2&to=1"))
            .await,
        StatusCode::BAD_REQUEST,
        "form.diff_range",
    );
    refused(
        &app.get(&format!("/api/v1/tps/{tps}/diff/ppwp?to=9")).await,
        StatusCode::NOT_FOUND,
        "form.version_not_found",
    );
    refused(
        &app.get(&format!("/api/v1/tps/{tps}/diff/ppwp?since=1"))
            .await,
        StatusCode::BAD_REQUEST,
        "form.diff_range",
    );

    // After a restart the review is read back: the same page, the same
    // refusals.
    let app = app.restart();
    check(&app, app.get(&format!("/api/v1/tps/{tps}")).await.json());
    let answer = rule(&app, upheld, &ruling(&ppk, upheld, Decision::Rejected)).await;
    refused(&answer, StatusCode::CONFLICT, "objection.already_ruled");
    let body = app.sign_correction(
        &ppk,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [93, 50, 20]),
        upheld,
    );
    refused(
        &app.post_signed(tps, Contest::Ppwp, &body).await,
        StatusCode::CONFLICT,
        "recap.correction_refused",
    );
}
