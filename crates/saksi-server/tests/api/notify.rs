//! Incident notices: webhooks receive each event once, signed, after
//! their endpoint comes back (also across a restart), and the live stream
//! carries the notices in the session's jurisdiction only.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::BodyExt;
use saksi_core::incident::notice::NoticeEvent;
use saksi_core::{Level, RegionCode};
use saksi_server::Clock;
use saksi_server::notify::Notice;
use saksi_store::{NewWebhook, Store, UnixTime};
use serde_json::{Value, json};
use sha2::Sha256;
use tower::ServiceExt;

use crate::enrolment::staff;
use crate::helpers::{TOTP_KEY, spawn_app};

/// `secret` as `saksi webhook add` stores it for `url`: sealed under the
/// test apps' data directory key.
fn sealed(url: &str, secret: &str) -> String {
    let key = saksi_server::auth::totp_key::TotpKey::from_bytes(TOTP_KEY);
    hex::encode(key.seal_webhook(url, secret.as_bytes()).unwrap())
}

/// A notice of an incident filed at `tps`, owned by its kab/kota.
fn notice(event: NoticeEvent, tps: RegionCode, id: &str, at: UnixTime) -> Notice {
    let owner = tps.ancestor_at(Level::Kabkota).unwrap();
    Notice {
        event,
        incident: json!({"id": id, "region": tps.to_string(), "severity": "high",
                         "owner": {"level": "kabkota", "region": owner.to_string()}}),
        owner,
        region: tps,
        critical: false,
        at,
        stored: false,
    }
}

/// Waits (a few seconds at most) until `done` holds.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

/// What the test endpoint received: each request's headers and body.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook endpoint on `addr` that answers 200 and keeps every request.
async fn receiver(addr: std::net::SocketAddr, received: Received) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            received.lock().unwrap().push((headers, body));
            StatusCode::OK
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    })
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_webhook_receives_each_event_once_signed_after_its_endpoint_comes_back() {
    let app = spawn_app();
    // A port nothing listens on yet: the endpoint is down.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let secret = "a3".repeat(32);
    let hook = app
        .store
        .add_webhook(&NewWebhook {
            url: format!("http://{addr}/hook"),
            events: vec!["new".into(), "escalated".into()],
            secret: sealed(&format!("http://{addr}/hook"), &secret),
            created_at: app.clock.now(),
        })
        .unwrap();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let at = app.clock.now();
    let notifier = &app.app.state().notifier;
    notifier.publish(notice(NoticeEvent::New, tps, "inc-1", at));
    notifier.publish(notice(NoticeEvent::Commented, tps, "inc-1", at));
    notifier.publish(notice(NoticeEvent::Escalated, tps, "inc-1", at));

    let store = Arc::clone(&app.store);
    eventually("both deliveries tried once", || {
        let d = store.deliveries(Some(hook)).unwrap();
        d.len() == 2 && d.iter().all(|d| d.attempts == 1)
    })
    .await;
    for d in store.deliveries(Some(hook)).unwrap() {
        assert_eq!(d.delivered_at, None);
        assert_eq!(d.last_status, None);
        assert!(
            d.last_error.as_deref().unwrap().contains("cannot send"),
            "{d:?}"
        );
        assert_eq!(d.next_attempt_at, Some(at.plus(10)));
    }

    // A restart in between: the pending deliveries are in the database.
    let app = app.restart();
    let received = Received::default();
    let endpoint = receiver(addr, Arc::clone(&received)).await;
    app.clock.advance(10);
    let store = Arc::clone(&app.store);
    eventually("both deliveries made", || {
        store
            .deliveries(Some(hook))
            .unwrap()
            .iter()
            .all(|d| d.delivered_at.is_some())
    })
    .await;
    // Hours later, nothing is sent again.
    app.clock.advance(6 * 3600);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let deliveries = store.deliveries(Some(hook)).unwrap();
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 2, "each event once");
    let mut events = Vec::new();
    for (headers, body) in received.iter() {
        let signature = headers["x-saksi-signature"].to_str().unwrap();
        assert_eq!(signature, format!("sha256={}", hmac_hex(&secret, body)));
        let id: i64 = headers["x-saksi-delivery"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let delivery = deliveries.iter().find(|d| d.id == id).unwrap();
        assert_eq!(delivery.attempts, 2);
        assert_eq!(delivery.last_status, Some(200));
        assert_eq!(delivery.last_error, None);
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["event"], delivery.event.as_str());
        assert_eq!(payload["incident"]["id"], "inc-1");
        assert_eq!(payload["sent_at"], at.plus(10).to_string());
        events.push(delivery.event.clone());
    }
    events.sort();
    assert_eq!(events, ["escalated", "new"]);
    let listed = &store.webhooks().unwrap()[0];
    assert_eq!((listed.delivered, listed.pending), (2, 0));
    endpoint.abort();
}

/// The next event of an SSE body (skipping keep-alive comments).
async fn next_event(body: &mut Body) -> String {
    let mut text = String::new();
    while !text.contains("\n\n") || text.trim_start().starts_with(':') {
        if text.trim_start().starts_with(':') && text.contains("\n\n") {
            text.clear();
            continue;
        }
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("an event within 10 s")
            .expect("the stream is open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
    text
}

#[tokio::test]
async fn the_stream_carries_notices_in_the_sessions_jurisdiction_only() {
    let app = spawn_app();
    let tree = &app.election.tree;
    let provinces: Vec<RegionCode> = tree
        .children(tree.find(RegionCode::NASIONAL).unwrap())
        .map(|id| tree.get(id).code)
        .collect();
    let mine = app.first_tps(provinces[0]);
    let elsewhere = app.first_tps(provinces[1]);
    let kabkota = mine.ancestor_at(Level::Kabkota).unwrap();
    let token = staff(&app, "kabkota.officer", "kpu-kabkota", kabkota);

    let unauthenticated = app.get("/api/v1/incidents/stream").await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthenticated.code(), "auth.required");

    let response = app
        .app
        .router()
        .oneshot(
            Request::get("/api/v1/incidents/stream")
                .header("Authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let at = app.clock.now();
    let notifier = &app.app.state().notifier;
    notifier.publish(notice(NoticeEvent::New, elsewhere, "outside", at));
    notifier.publish(notice(NoticeEvent::Escalated, mine, "inside", at));

    let event = next_event(&mut body).await;
    let mut lines = event.trim().lines();
    assert_eq!(lines.next(), Some("event: escalated"));
    let data: Value =
        serde_json::from_str(lines.next().unwrap().strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(data["event"], "escalated");
    assert_eq!(data["incident"]["id"], "inside");
    assert_eq!(data["at"], at.to_string());
}

#[tokio::test]
async fn a_server_with_an_open_stream_still_stops() {
    let app = spawn_app();
    let token = staff(&app, "ri.officer", "kpu-ri", RegionCode::NASIONAL);
    let (addr, stop, server) = crate::hygiene::serve(app).await;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    socket
        .write_all(
            format!(
                "GET /api/v1/incidents/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut head = [0u8; 64];
    let n = socket.read(&mut head).await.unwrap();
    assert!(
        std::str::from_utf8(&head[..n])
            .unwrap()
            .starts_with("HTTP/1.1 200")
    );
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stopped with a stream open")
        .unwrap()
        .unwrap();
}

/// A webhook for `events` whose endpoint nobody listens on (its deliveries
/// stay stored and pending), then a KPPS session's filing of `severity`
/// at the first TPS, accepted.
async fn hooked_filing(
    app: &crate::helpers::TestApp,
    events: &[&str],
    severity: &str,
) -> (i64, crate::helpers::Answer) {
    let url = "http://127.0.0.1:9/hook";
    let hook = app
        .store
        .add_webhook(&NewWebhook {
            url: url.into(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            secret: sealed(url, &"b4".repeat(32)),
            created_at: app.clock.now(),
        })
        .unwrap();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = staff(app, "kpps-a", "kpps", tps);
    let filed = crate::incidents::post(
        app,
        "/api/v1/incidents",
        Some(&kpps),
        "f",
        &crate::incidents::filing(tps, severity),
    )
    .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.json());
    (hook, filed)
}

#[tokio::test]
async fn a_deadline_falling_due_within_15_minutes_is_told_once() {
    let app = spawn_app();
    // Low: 24 h to acknowledge, so nothing is due soon at filing.
    let (hook, _) = hooked_filing(&app, &["due_soon", "escalated"], "low").await;
    let count = |event: &str| {
        app.store
            .deliveries(Some(hook))
            .unwrap()
            .iter()
            .filter(|d| d.event == event)
            .count()
    };
    // Several sweep rounds: still nothing to tell.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(count("due_soon"), 0);
    // Ten minutes before the deadline: told once, however many rounds.
    app.clock.advance(24 * 3600 - 600);
    eventually("due_soon told", || count("due_soon") == 1).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(count("due_soon"), 1);
    // Missed: it escalates with a fresh day, not due soon again.
    app.clock.advance(600);
    eventually("escalated told", || count("escalated") == 1).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(count("due_soon"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stream_ends_once_its_session_is_logged_out() {
    let app = spawn_app();
    let token = staff(&app, "ri.officer", "kpu-ri", RegionCode::NASIONAL);
    let response = app
        .app
        .router()
        .oneshot(
            Request::get("/api/v1/incidents/stream")
                .header("Authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let auth = format!("Bearer {token}");
    let out = app
        .request(
            axum::http::Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    // Keep-alive comments at most until the session is looked up again
    // (the paused clock runs ahead by itself), then the end.
    let mut frames = 0;
    while let Some(frame) = tokio::time::timeout(Duration::from_secs(60), body.frame())
        .await
        .expect("the stream ends within a minute of the logout")
    {
        let data = frame.unwrap().into_data().unwrap_or_default();
        assert!(data.starts_with(b":"), "only keep-alives: {data:?}");
        frames += 1;
        assert!(frames < 5, "the stream outlived its session");
    }
}

#[tokio::test]
async fn a_logged_events_delivery_is_stored_in_its_own_transaction() {
    let app = spawn_app();
    let (hook, filed) = hooked_filing(&app, &["new"], "high").await;
    // Acknowledged means stored: the delivery is there as the answer is,
    // so a crash right after the commit loses none.
    let deliveries = app.store.deliveries(Some(hook)).unwrap();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0].event, "new");
    // Pending: due now, or at its first retry if the dispatcher has
    // already tried the dead endpoint.
    let due = app
        .store
        .due_deliveries(app.clock.now().plus(3600), 10)
        .unwrap();
    let body: Value = serde_json::from_str(&due[0].body).unwrap();
    assert_eq!(body["id"], filed.json()["id"]);
    assert_eq!(body["severity"], "high");
}
