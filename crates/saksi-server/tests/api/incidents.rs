//! Incidents: filing through a session or signed by a KPPS
//! device, reading, events, every refusal (nothing stored), and deadlines
//! that escalate by themselves on the injected clock, across a restart.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use saksi_api::{IncidentAccepted, IncidentPage};
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Clock;
use saksi_statement::{Envelope, IncidentStatement, Private};
use saksi_store::{Store, UnixTime};
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::enrolment::staff;
use crate::helpers::{Answer, ORIGIN, TestApp, jpeg, spawn_app};

pub(crate) async fn post(
    app: &TestApp,
    uri: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> Answer {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![
        ("content-type", "application/json"),
        ("idempotency-key", key),
    ];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth));
    }
    app.request(Method::POST, uri, &headers, body.to_string())
        .await
}

async fn get(app: &TestApp, uri: &str, token: &str) -> Answer {
    let auth = format!("Bearer {token}");
    app.request(Method::GET, uri, &[("authorization", &auth)], "")
        .await
}

pub(crate) fn filing(region: RegionCode, severity: &str) -> Value {
    json!({
        "region": region.to_string(),
        "category": "logistics",
        "severity": severity,
        "title": "Kotak suara rusak",
        "description": "Segel kotak suara DPR terbuka saat tiba.",
        "contests": ["dpr", "ppwp"],
    })
}

/// A KPPS device's signed filing at `tps`, and its private content.
pub(crate) fn signed_filing(key: &Signer, tps: RegionCode, severity: &str) -> Value {
    let content = json!({"title": "Banjir", "description": "TPS tergenang air."});
    let private = Private::seal(&content);
    let statement = IncidentStatement {
        region: tps,
        category: saksi_core::incident::Category::Disaster,
        severity: saksi_core::incident::Severity::parse(severity).unwrap(),
        contests: Vec::new(),
        content_sha256: private.commitment(),
        origin: ORIGIN.into(),
        signed_at: UnixTime(1_707_915_600),
    };
    let object = serde_json::from_slice(&statement.canonical()).unwrap();
    let mut envelope = Envelope::sign(object, key).unwrap().to_value();
    envelope["private"] = json!({"salt": hex::encode(private.salt), "content": content});
    envelope
}

struct World {
    app: TestApp,
    tps: RegionCode,
    kpps: String,
    kabkota: String,
    staff: String,
}

/// The app, a TPS, its KPPS account, its KPU Kab/Kota's staff and the
/// KPU RI's.
async fn world() -> World {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let kpps = staff(&app, "kpps-a", "kpps", tps);
    let kabkota = staff(&app, "staf-kab", "kpu-kabkota", kab);
    let staff = staff(&app, "staf-ri", "kpu-ri", RegionCode::NASIONAL);
    World {
        app,
        tps,
        kpps,
        kabkota,
        staff,
    }
}

async fn page(app: &TestApp, id: &str, token: &str) -> IncidentPage {
    let answer = get(app, &format!("/api/v1/incidents/{id}"), token).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.typed()
}

/// Waits (a few sweep rounds at most) until the incident's page says
/// `done`: the sweep runs on its own thread.
async fn until(
    app: &TestApp,
    id: &str,
    token: &str,
    done: impl Fn(&IncidentPage) -> bool,
) -> IncidentPage {
    for _ in 0..200 {
        let page = page(app, id, token).await;
        if done(&page) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the incident never got there: {:?}",
        page(app, id, token).await
    );
}

/// The KPPS's session filing at its TPS, logged.
async fn filed(w: &World, key: &str, severity: &str) -> IncidentAccepted {
    let answer = post(
        &w.app,
        "/api/v1/incidents",
        Some(&w.kpps),
        key,
        &filing(w.tps, severity),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    answer.typed()
}

async fn event(w: &World, id: &str, token: &str, key: &str, body: Value) -> Answer {
    post(
        &w.app,
        &format!("/api/v1/incidents/{id}/events"),
        Some(token),
        key,
        &body,
    )
    .await
}

#[tokio::test]
async fn a_kpps_files_its_kabkota_owns_it_and_only_those_within_reach_read_it() {
    let w = world().await;
    let answer = post(
        &w.app,
        "/api/v1/incidents",
        Some(&w.kpps),
        "k1",
        &filing(w.tps, "high"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let filed: IncidentAccepted = answer.typed();
    let kab = w.tps.ancestor_at(Level::Kabkota).unwrap();
    assert_eq!(
        (filed.owner.level.as_str(), filed.owner.region.clone()),
        ("kabkota", kab.to_string())
    );
    assert_eq!(
        filed.ack_due,
        Some(UnixTime(w.app.clock.now().0 + 3600).to_string())
    );
    // A retry with the same key answers the first answer.
    let again = post(
        &w.app,
        "/api/v1/incidents",
        Some(&w.kpps),
        "k1",
        &filing(w.tps, "high"),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], filed.id);
    assert_eq!(again.headers["idempotent-replayed"], "true");

    for reader in [&w.kpps, &w.kabkota, &w.staff] {
        let p = page(&w.app, &filed.id, reader).await;
        assert_eq!(p.title, "Kotak suara rusak");
        assert_eq!(p.contests, ["ppwp", "dpr"]);
        assert_eq!(p.reporter.as_deref(), Some("kpps-a"));
        assert_eq!(p.history.len(), 1);
        assert_eq!(p.history[0].by.role, "kpps");
    }
    // Another kab/kota's staff and another TPS's KPPS are not told it exists.
    let other_tps = w.app.first_tps(TestApp::code("12"));
    let outsider = staff(&w.app, "kpps-b", "kpps", other_tps);
    let answer = get(
        &w.app,
        &format!("/api/v1/incidents/{}", filed.id),
        &outsider,
    )
    .await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::NOT_FOUND, "incident.not_found")
    );

    // The owner acknowledges, assigns to one of its staff, resolves; the
    // reporter comments; the KPU RI (above) closes.
    let id = &filed.id;
    let steps = [
        (&w.kabkota, json!({"action": "acknowledge"})),
        (
            &w.kabkota,
            json!({"action": "assign", "assignee": "staf-kab"}),
        ),
        (
            &w.kpps,
            json!({"action": "comment", "text": "Sudah diganti?"}),
        ),
        (
            &w.kabkota,
            json!({"action": "resolve", "text": "Kotak cadangan dikirim."}),
        ),
        (&w.staff, json!({"action": "close"})),
    ];
    for (i, (token, body)) in steps.iter().enumerate() {
        let answer = event(&w, id, token, &format!("e{i}"), body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "{body}: {}",
            answer.json()
        );
        if i == 0 {
            assert_eq!(answer.json()["ack_due"], Value::Null);
        }
    }
    let p = page(&w.app, id, &w.kpps).await;
    assert_eq!(p.status, "closed");
    assert_eq!(p.assignee.as_deref(), Some("staf-kab"));
    let actions: Vec<_> = p.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "file",
            "acknowledge",
            "assign",
            "comment",
            "resolve",
            "close"
        ]
    );
    assert_eq!(p.history[3].text.as_deref(), Some("Sudah diganti?"));
    assert_eq!(p.history[2].assignee.as_deref(), Some("staf-kab"));
    assert_eq!(p.history[5].by.role, "kpu-ri");
}

#[tokio::test]
async fn a_kpps_device_files_by_signed_statement_once() {
    let w = world().await;
    let key = w.app.kpps_device(w.tps).await;
    let envelope = signed_filing(&key, w.tps, "critical");
    let answer = post(&w.app, "/api/v1/incidents", None, "", &envelope).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let filed: IncidentAccepted = answer.typed();
    assert!(filed.receipt.statement_sha256.is_some());
    let replay = post(&w.app, "/api/v1/incidents", None, "", &envelope).await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.json()["id"], filed.id);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    let p = page(&w.app, &filed.id, &w.kpps).await;
    assert_eq!(
        (p.title.as_str(), p.reporter.clone()),
        ("Banjir", Some(key.verifier().to_string()))
    );
    // Another TPS's device may not file here.
    let other = w
        .app
        .kpps_device(w.app.first_tps(TestApp::code("12")))
        .await;
    let answer = post(
        &w.app,
        "/api/v1/incidents",
        None,
        "",
        &signed_filing(&other, w.tps, "low"),
    )
    .await;
    assert_eq!(answer.code(), "key.wrong_tps");
}

#[tokio::test]
async fn every_refusal_has_its_code_and_stores_nothing() {
    let w = world().await;
    let app = &w.app;
    let filed = filed(&w, "f", "medium").await;
    let id = filed.id.clone();
    let key = app.kpps_device(w.tps).await;
    let size = app.store.log_size().unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = filing(w.tps, "low");
        f(&mut body);
        body
    };
    let other_tps = app.first_tps(TestApp::code("12"));
    let photo = "ab".repeat(32);
    let filings: Vec<(Value, &str)> = vec![
        (filing(other_tps, "low"), "auth.forbidden"),
        (
            with(&|b| b["category"] = json!("weather")),
            "incident.unknown_category",
        ),
        (
            with(&|b| b["severity"] = json!("urgent")),
            "incident.unknown_severity",
        ),
        (
            with(&|b| b["title"] = json!("x".repeat(121))),
            "incident.title_too_long",
        ),
        (
            with(&|b| b["description"] = json!("x".repeat(4001))),
            "incident.text_too_long",
        ),
        (
            with(&|b| b["photos"] = json!([photo, photo, photo, photo])),
            "incident.too_many_photos",
        ),
        (
            with(&|b| b["photos"] = json!(["AB".repeat(32)])),
            "incident.photo_malformed_hash",
        ),
        (with(&|b| b["extra"] = json!(1)), "incident.malformed"),
        (
            with(&|b| b["contests"] = json!(["senate"])),
            "incident.malformed",
        ),
    ];
    for (i, (body, code)) in filings.iter().enumerate() {
        let answer = post(
            app,
            "/api/v1/incidents",
            Some(&w.kpps),
            &format!("r{i}"),
            body,
        )
        .await;
        assert_eq!(answer.code(), *code, "{body}: {}", answer.json());
    }
    let mut tampered = signed_filing(&key, w.tps, "low");
    tampered["private"]["content"]["title"] = json!("Bukan banjir");
    let answer = post(app, "/api/v1/incidents", None, "", &tampered).await;
    assert_eq!(answer.code(), "incident.commitment_mismatch");

    let by_owner = [
        (json!({"action": "overdue"}), "incident.unknown_action"),
        (json!({"action": "resolve"}), "incident.text_required"),
        (
            json!({"action": "comment", "text": " "}),
            "incident.text_required",
        ),
        (json!({"action": "escalate"}), "incident.text_required"),
        (
            json!({"action": "comment", "text": "x".repeat(4001)}),
            "incident.text_too_long",
        ),
        (
            json!({"action": "assign", "assignee": "kpps-a"}),
            "incident.assignee_not_in_office",
        ),
        (
            json!({"action": "assign", "assignee": "nobody"}),
            "incident.assignee_not_in_office",
        ),
        (json!({"action": "assign"}), "incident.malformed"),
        (json!({"action": "close"}), "incident.transition_forbidden"),
    ];
    for (i, (body, code)) in by_owner.iter().enumerate() {
        let answer = event(&w, &id, &w.kabkota, &format!("v{i}"), body.clone()).await;
        assert_eq!(answer.code(), *code, "{body}: {}", answer.json());
    }
    let by_reporter = event(&w, &id, &w.kpps, "v", json!({"action": "acknowledge"})).await;
    assert_eq!(by_reporter.code(), "incident.not_owner");
    let missing = event(
        &w,
        &"0".repeat(32),
        &w.kabkota,
        "m",
        json!({"action": "acknowledge"}),
    )
    .await;
    assert_eq!(missing.code(), "incident.not_found");
    let no_key = post(
        app,
        &format!("/api/v1/incidents/{id}/events"),
        Some(&w.kabkota),
        "",
        &json!({"action": "acknowledge"}),
    )
    .await;
    assert_eq!(no_key.code(), "incident.malformed");
    // At the KPU RI there is no level to escalate to by hand.
    let national: IncidentAccepted = post(
        app,
        "/api/v1/incidents",
        Some(&w.staff),
        "n",
        &filing(w.tps, "low"),
    )
    .await
    .typed();
    let size_after = app.store.log_size().unwrap();
    assert_eq!(size_after, size + 1, "only the KPU RI's filing was logged");
    let up = event(
        &w,
        &national.id,
        &w.staff,
        "u",
        json!({"action": "escalate", "text": "?"}),
    )
    .await;
    assert_eq!(up.code(), "incident.no_level_above");
    assert_eq!(app.store.log_size().unwrap(), size_after);
    let p = page(app, &id, &w.kpps).await;
    assert_eq!((p.status.as_str(), p.history.len()), ("open", 1));
}

#[tokio::test]
async fn unacknowledged_it_climbs_to_the_provinsi_then_the_kpu_ri_then_is_overdue() {
    let w = world().await;
    let key = w.app.kpps_device(w.tps).await;
    let filed: IncidentAccepted = post(
        &w.app,
        "/api/v1/incidents",
        None,
        "",
        &signed_filing(&key, w.tps, "critical"),
    )
    .await
    .typed();
    let id = &filed.id;
    let prov = w.tps.ancestor_at(Level::Provinsi).unwrap().to_string();
    w.app.clock.advance(15 * 60);
    let p = until(&w.app, id, &w.staff, |p| p.owner.level == "provinsi").await;
    assert_eq!(p.owner.region, prov);
    w.app.clock.advance(15 * 60);
    until(&w.app, id, &w.staff, |p| p.owner.level == "nasional").await;
    w.app.clock.advance(15 * 60);
    let p = until(&w.app, id, &w.staff, |p| p.overdue).await;
    assert_eq!(p.owner.level, "nasional");
    let steps: Vec<_> = p
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.by.role.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("file", "kpps"),
            ("escalate", "system"),
            ("escalate", "system"),
            ("overdue", "system")
        ]
    );
    // The kab/kota no longer acts on it; the KPU RI does.
    let late = event(&w, id, &w.kabkota, "a", json!({"action": "acknowledge"})).await;
    assert_eq!(late.code(), "incident.not_owner");
    let ack = event(&w, id, &w.staff, "a", json!({"action": "acknowledge"})).await;
    assert_eq!(ack.status, StatusCode::CREATED, "{}", ack.json());
}

#[tokio::test]
async fn acknowledged_and_resolved_in_time_it_never_moves() {
    let w = world().await;
    let filed: IncidentAccepted = filed(&w, "f", "critical").await;
    let id = &filed.id;
    w.app.clock.advance(10 * 60);
    assert_eq!(
        event(&w, id, &w.kabkota, "a", json!({"action": "acknowledge"}))
            .await
            .status,
        StatusCode::CREATED
    );
    w.app.clock.advance(60 * 60);
    let done = event(
        &w,
        id,
        &w.kabkota,
        "r",
        json!({"action": "resolve", "text": "Selesai."}),
    )
    .await;
    assert_eq!(done.status, StatusCode::CREATED);
    w.app.clock.advance(7 * 86_400);
    // A few sweep rounds on the moved clock.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let p = page(&w.app, id, &w.staff).await;
    assert_eq!(
        (p.owner.level.as_str(), p.status.as_str(), p.overdue),
        ("kabkota", "resolved", false)
    );
    assert_eq!(p.history.len(), 3);
}

#[tokio::test]
async fn what_fell_due_while_the_server_was_down_escalates_at_once_in_due_order() {
    let w = world().await;
    let first: IncidentAccepted = filed(&w, "1", "critical").await;
    w.app.clock.advance(15 * 60);
    until(&w.app, &first.id, &w.staff, |p| p.owner.level == "provinsi").await;
    let second: IncidentAccepted = filed(&w, "2", "high").await;
    let World { app, staff, .. } = w;
    let clock = app.clock.clone();
    // Down for two hours: both deadlines fall due meanwhile.
    let app = app.restart_with(|_| clock.advance(2 * 3600));
    let a = until(&app, &first.id, &staff, |p| p.owner.level == "nasional").await;
    let b = until(&app, &second.id, &staff, |p| p.owner.level == "provinsi").await;
    // The first fell due first (15 min after its escalation), the second
    // an hour after its filing: logged in that order.
    assert!(a.history[2].log_index < b.history[1].log_index);
    assert_eq!(a.history[2].by.role, "system");
}

#[tokio::test]
async fn lists_filter_what_the_session_may_read_and_the_statistics_are_public() {
    let w = world().await;
    let high: IncidentAccepted = filed(&w, "1", "high").await;
    post(
        &w.app,
        "/api/v1/incidents",
        Some(&w.kpps),
        "2",
        &filing(w.tps, "low"),
    )
    .await;
    w.app.clock.advance(600);
    event(
        &w,
        &high.id,
        &w.kabkota,
        "a",
        json!({"action": "acknowledge"}),
    )
    .await;
    w.app.clock.advance(1200);
    event(
        &w,
        &high.id,
        &w.kabkota,
        "r",
        json!({"action": "resolve", "text": "ok"}),
    )
    .await;

    let all = get(&w.app, "/api/v1/incidents", &w.kabkota).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.json());
    let all: saksi_api::IncidentList = all.typed();
    assert_eq!(all.total, 2);
    let kec = w.tps.ancestor_at(Level::Kecamatan).unwrap().to_string();
    assert!(all.children.iter().any(|c| c.code == kec && c.total == 2));
    let open = get(
        &w.app,
        "/api/v1/incidents?status=open&per_page=1",
        &w.kabkota,
    )
    .await
    .json();
    assert_eq!(
        (
            open["total"].clone(),
            open["incidents"][0]["severity"].clone()
        ),
        (json!(1), json!("low"))
    );
    let second_page = get(&w.app, "/api/v1/incidents?per_page=1&page=2", &w.staff)
        .await
        .json();
    assert_eq!(second_page["incidents"].as_array().unwrap().len(), 1);
    let bad = get(&w.app, "/api/v1/incidents?status=lost", &w.kabkota).await;
    assert_eq!(bad.code(), "incident.malformed");
    let other = staff(
        &w.app,
        "kpps-c",
        "kpps",
        w.app.first_tps(TestApp::code("12")),
    );
    let theirs = get(
        &w.app,
        &format!("/api/v1/incidents?region={}", w.tps),
        &other,
    )
    .await;
    assert_eq!(theirs.code(), "auth.forbidden");

    // No session: counts, zeros included, and response times.
    let stats = w.app.get("/api/v1/incidents/stats").await;
    assert_eq!(stats.status, StatusCode::OK);
    let stats: saksi_api::IncidentStats = stats.typed();
    assert_eq!((stats.code.as_str(), stats.counts.total), ("0", 2));
    assert_eq!(stats.counts.category["logistics"], 2);
    assert_eq!(stats.counts.category["disaster"], 0);
    assert_eq!(stats.counts.status["resolved"], 1);
    assert_eq!(stats.ack_seconds.p50, Some(600));
    assert_eq!(stats.resolve_seconds.p90, Some(1800));
    let prov = w.tps.ancestor_at(Level::Provinsi).unwrap().to_string();
    assert!(
        stats
            .children
            .iter()
            .any(|c| c.code == prov && c.counts.total == 2)
    );
    let below = w
        .app
        .get(&format!("/api/v1/incidents/stats/{prov}"))
        .await
        .json();
    assert_eq!(below["total"], 2);
    assert_eq!(below["level"], "provinsi");
    assert!(below.get("title").is_none());
    let empty = w.app.get("/api/v1/incidents/stats/12").await.json();
    assert_eq!(
        (empty["total"].clone(), empty["ack_seconds"]["p50"].clone()),
        (json!(0), Value::Null)
    );
    assert_eq!(
        w.app.get("/api/v1/incidents/stats/11.99.99").await.code(),
        "region.not_found"
    );
}

#[tokio::test]
async fn an_incidents_photos_are_stored_if_its_report_names_them_and_shown_only_to_its_readers() {
    let w = world().await;
    let (photo, other) = (jpeg(7), jpeg(8));
    let sha = hex::encode(sha2::Sha256::digest(&photo));
    let mut body = filing(w.tps, "high");
    body["photos"] = json!([sha]);
    let answer = post(&w.app, "/api/v1/incidents", Some(&w.kpps), "p1", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/incidents/{id}/photos/{sha}");
    let put = |uri: String, bytes: Vec<u8>| {
        let app = &w.app;
        async move {
            app.request(Method::PUT, &uri, &[("content-type", "image/jpeg")], bytes)
                .await
        }
    };

    // Named by the report: stored once (a retry is 200), no session needed.
    assert_eq!(
        put(path.clone(), photo.clone()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        put(path.clone(), photo.clone()).await.status,
        StatusCode::OK
    );
    // Not named, not the hashed bytes, not a hash: refused, nothing stored.
    let other_sha = hex::encode(sha2::Sha256::digest(&other));
    let refused = put(format!("/api/v1/incidents/{id}/photos/{other_sha}"), other).await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (StatusCode::NOT_FOUND, "photo.not_named")
    );
    let refused = put(path.clone(), jpeg(9)).await;
    assert_eq!(refused.code(), "photo.hash_mismatch");
    let refused = put(format!("/api/v1/incidents/{id}/photos/ABC"), photo.clone()).await;
    assert_eq!(refused.code(), "incident.photo_malformed_hash");
    let refused = put(
        format!("/api/v1/incidents/{}/photos/{sha}", "0".repeat(32)),
        photo.clone(),
    )
    .await;
    assert_eq!(refused.code(), "incident.not_found");

    // Its readers see it; nobody else, and never at the public address.
    for reader in [&w.kpps, &w.kabkota, &w.staff] {
        let shown = get(&w.app, &path, reader).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(shown.body, photo);
        assert_eq!(shown.headers["content-type"], "image/jpeg");
        assert!(
            shown.headers["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("private")
        );
    }
    let outsider = staff(
        &w.app,
        "kpps-c",
        "kpps",
        w.app.first_tps(TestApp::code("12")),
    );
    assert_eq!(
        get(&w.app, &path, &outsider).await.code(),
        "incident.not_found"
    );
    let anonymous = w.app.request(Method::GET, &path, &[], "").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let public = w
        .app
        .request(Method::GET, &format!("/api/v1/photos/{sha}"), &[], "")
        .await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
}

/// What the public TPS page of `tps` flags.
async fn flags(app: &TestApp, tps: RegionCode) -> Value {
    let answer = app
        .request(Method::GET, &format!("/api/v1/tps/{tps}"), &[], "")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.json()["incidents"].clone()
}

#[tokio::test]
async fn a_tps_page_is_flagged_while_a_high_incident_about_its_contests_is_open() {
    let w = world().await;
    assert_eq!(flags(&w.app, w.tps).await, json!([]));
    // A low one does not flag; a critical one does, public fields only.
    filed(&w, "low", "low").await;
    let critical = filed(&w, "critical", "critical").await;
    let shown = flags(&w.app, w.tps).await;
    assert_eq!(shown.as_array().map(Vec::len), Some(1), "{shown}");
    assert_eq!(shown[0]["id"], json!(critical.id));
    assert_eq!(
        (
            &shown[0]["severity"],
            &shown[0]["status"],
            &shown[0]["category"]
        ),
        (&json!("critical"), &json!("open"), &json!("logistics"))
    );
    assert!(
        shown[0]["contests"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("ppwp"))),
        "{shown}"
    );
    assert!(shown[0].get("title").is_none() && shown[0].get("description").is_none());
    // Still flagged while it is handled; gone once resolved.
    let ack = event(
        &w,
        &critical.id,
        &w.kabkota,
        "a",
        json!({"action": "acknowledge"}),
    )
    .await;
    assert_eq!(ack.status, StatusCode::CREATED);
    assert_eq!(
        flags(&w.app, w.tps).await[0]["status"],
        json!("acknowledged")
    );
    let resolve = json!({"action": "resolve", "text": "Kotak diganti."});
    let done = event(&w, &critical.id, &w.kabkota, "r", resolve).await;
    assert_eq!(done.status, StatusCode::CREATED);
    assert_eq!(flags(&w.app, w.tps).await, json!([]));
}

#[tokio::test]
async fn a_published_incident_is_shown_to_anyone_but_never_who_reported_it() {
    let w = world().await;
    let filed = filed(&w, "f", "high").await;
    let uri = format!("/api/v1/incidents/{}", filed.id);
    let other_tps = w.app.first_tps(TestApp::code("12"));
    let outsider = staff(&w.app, "kpps-b", "kpps", other_tps);
    // Not public yet: a visitor must sign in, an outsider is not told.
    let visitor = w.app.request(Method::GET, &uri, &[], "").await;
    assert_eq!(
        (visitor.status, visitor.code().as_str()),
        (StatusCode::UNAUTHORIZED, "auth.required")
    );
    assert_eq!(
        get(&w.app, &uri, &outsider).await.status,
        StatusCode::NOT_FOUND
    );
    let assigned = json!({"action": "assign", "assignee": "staf-kab"});
    let answer = event(&w, &filed.id, &w.kabkota, "a", assigned).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let published = event(&w, &filed.id, &w.kabkota, "p", json!({"action": "publish"})).await;
    assert_eq!(
        published.status,
        StatusCode::CREATED,
        "{}",
        published.json()
    );

    // Public: what was reported, to anyone; never who reported it or who
    // it is assigned to.
    for answer in [
        w.app.request(Method::GET, &uri, &[], "").await,
        get(&w.app, &uri, &outsider).await,
    ] {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        let page = answer.json();
        assert_eq!(page["title"], "Kotak suara rusak");
        assert_eq!(page["public"], true);
        assert!(page.get("reporter").is_none(), "{page}");
        assert_eq!(page["assignee"], Value::Null);
        assert!(!page.to_string().contains("staf-kab"), "{page}");
        assert!(!page.to_string().contains("kpps-a"), "{page}");
    }
    // Its readers still see everything.
    let p = page(&w.app, &filed.id, &w.kabkota).await;
    assert_eq!(
        (p.reporter.as_deref(), p.assignee.as_deref()),
        (Some("kpps-a"), Some("staf-kab"))
    );
}
