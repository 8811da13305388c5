//! What the sequencer decides, driven by signed statements: the hourly
//! limit on new versions of a form and `form.unchanged`. Time is the
//! injected clock's.

use axum::http::StatusCode;
use saksi_core::RegionCode;
use saksi_server::Clock;
use serde_json::Value;

use super::{Chain, statement_digest};
use crate::helpers::*;

/// Posts versions `versions` of the TPS's PPWP form a minute apart, each
/// with its own numbers and chained to the one before; returns the last.
async fn post_versions(
    app: &TestApp,
    chain: &Chain,
    tps: RegionCode,
    versions: std::ops::RangeInclusive<u32>,
    mut prev: Option<[u8; 32]>,
) -> Value {
    let mut last = Value::Null;
    for version in versions {
        let body = app.signed_form(&chain.kpps, tps, version, prev, u64::from(version));
        let answer = app.post_form(tps, &body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        assert_eq!(answer.json()["version"], version);
        prev = Some(statement_digest(&body));
        last = body;
        app.clock.advance(60);
    }
    last
}

#[tokio::test]
async fn a_form_takes_ten_new_versions_an_hour_and_the_eleventh_waits_for_a_slot() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let started = app.clock.now().0;
    // Ten versions a minute apart: none is delayed.
    let v10 = post_versions(&app, &chain, tps, 1..=10, None).await;
    let size = app.log_size().await;

    // The eleventh, ten minutes after the first: refused until the first is
    // an hour old, and nothing is stored.
    let v11 = app.signed_form(&chain.kpps, tps, 11, Some(statement_digest(&v10)), 11);
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "form.too_many_versions");
    let wait = started + 3600 - app.clock.now().0;
    assert_eq!(wait, 3000);
    assert_eq!(refused.headers["retry-after"], wait.to_string().as_str());
    assert_eq!(refused.json()["error"]["details"]["retry_after"], wait);
    assert_eq!(app.log_size().await, size, "nothing stored");

    // The limit is decided from the stored versions' times, so a restart
    // keeps it.
    let app = app.restart();
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], wait.to_string().as_str());

    // One second early it is still refused; once the first version is an
    // hour old, it is accepted.
    app.clock.advance(wait - 1);
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], "1");
    app.clock.advance(1);
    let accepted = app.post_form(tps, &v11).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.json());
    assert_eq!(accepted.json()["version"], 11);
    assert_eq!(app.log_size().await, size + 1);

    // The next slot frees when the second version is an hour old.
    let v12 = app.signed_form(&chain.kpps, tps, 12, Some(statement_digest(&v11)), 12);
    let refused = app.post_form(tps, &v12).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], "60");
}

#[tokio::test]
async fn an_unchanged_form_is_refused_before_the_limit_and_uses_none_of_it() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let v9 = post_versions(&app, &chain, tps, 1..=9, None).await;

    // Five posts of the ninth version's form as version 10: each refused as
    // unchanged, none counted.
    let prev = Some(statement_digest(&v9));
    for _ in 0..5 {
        let same = app.signed_form(&chain.kpps, tps, 10, prev, 9);
        let answer = app.post_form(tps, &same).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.code(), "form.unchanged");
    }
    let v10 = post_versions(&app, &chain, tps, 10..=10, prev).await;

    // At the limit, the same form again is still `form.unchanged`: decided
    // first.
    let prev = Some(statement_digest(&v10));
    let same = app.signed_form(&chain.kpps, tps, 11, prev, 10);
    assert_eq!(app.post_form(tps, &same).await.code(), "form.unchanged");
    let new = app.signed_form(&chain.kpps, tps, 11, prev, 11);
    assert_eq!(
        app.post_form(tps, &new).await.code(),
        "form.too_many_versions"
    );
}
