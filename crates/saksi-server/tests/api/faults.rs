//! A database that fails writes (a full disk, through the store's
//! failpoint): submissions get 503 with `Retry-After` and a stable code,
//! nothing is half-written, reads keep being served, `/healthz` says
//! degraded, and the server recovers by itself once writes succeed.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use saksi_core::{Contest, RegionCode};

use crate::helpers::*;

#[tokio::test]
async fn a_full_disk_refuses_submissions_with_503_and_the_server_recovers_by_itself() {
    let (app, disk_full) = spawn_failing_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = |seed| app.form_json(tps, Contest::Ppwp, seed);
    let first = app.submit(&kpps, tps, Contest::Ppwp, form(1)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let results_before = app.get("/api/v1/results/ppwp").await.json();

    disk_full.store(true, Ordering::Relaxed);
    let second = app.sign_next(&kpps, tps, Contest::Ppwp, &form(2), None);
    let refused = app.post_signed(tps, Contest::Ppwp, &second).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "store.unavailable");
    assert_eq!(refused.headers["retry-after"], "5");
    assert_eq!(
        app.store.log_size().unwrap(),
        keys + 1,
        "nothing of it was written"
    );
    // Reads are served from memory, unchanged.
    let results = app.get("/api/v1/results/ppwp").await;
    assert_eq!(results.status, StatusCode::OK);
    assert_eq!(results.json()["totals"], results_before["totals"]);
    let health = app.get("/healthz").await.json();
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["reason"], "store.unavailable");
    let metrics = app.metrics().await;
    assert!(metrics.contains("saksi_store_degraded 1"), "{metrics}");

    disk_full.store(false, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.get("/healthz").await.json()["status"] != "ok" {
        assert!(
            Instant::now() < deadline,
            "health did not recover by itself"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The refused submission, retried, is taken: it was never stored.
    let retried = app.post_signed(tps, Contest::Ppwp, &second).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.json());
    assert_eq!(retried.json()["version"], 2);
    assert_eq!(app.store.log_size().unwrap(), keys + 2);
}
