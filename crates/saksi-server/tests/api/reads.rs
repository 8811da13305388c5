use axum::http::{Method, StatusCode};
use saksi_api::Region;
use saksi_core::Contest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

#[tokio::test]
async fn the_national_region_has_39_children() {
    let app = spawn_app();
    for uri in ["/api/v1/regions", "/api/v1/regions/0"] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::OK);
        let r: Region = r.typed();
        assert_eq!(r.code, "0");
        assert_eq!(r.level, saksi_core::Level::Nasional);
        assert_eq!(r.parent, None);
        assert_eq!(r.children.len(), 39);
    }
    let tps = app.first_tps(TestApp::code("11"));
    let compact: Region = app
        .get(&format!("/api/v1/regions/{}", tps.compact()))
        .await
        .typed();
    assert_eq!(compact.code, tps.to_string());
    assert_eq!(compact.children.len(), 0);
    let desa: Region = app
        .get(&format!("/api/v1/regions/{}", tps.parent().unwrap()))
        .await
        .typed();
    let expected = app
        .election
        .tree
        .children(app.election.tree.find(tps.parent().unwrap()).unwrap())
        .len();
    assert_eq!(desa.children.len(), expected);
}

#[tokio::test]
async fn results_carry_an_etag_that_changes_with_the_log() {
    let app = spawn_app();
    let first = app.get("/api/v1/results/ppwp/11").await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let cached = app
        .request(
            Method::GET,
            "/api/v1/results/ppwp/11",
            &[("if-none-match", &etag)],
            "",
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());

    let tps = app.first_tps(TestApp::code("11"));
    let kpps = app.kpps_device(tps).await;
    let form = app.form_json(tps, Contest::Ppwp, 1);
    assert_eq!(
        app.submit(&kpps, tps, Contest::Ppwp, form).await.status,
        StatusCode::CREATED
    );
    let changed = app
        .request(
            Method::GET,
            "/api/v1/results/ppwp/11",
            &[("if-none-match", &etag)],
            "",
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn health_metrics_and_openapi_answer() {
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        metrics: saksi_server::MetricsAccess::Token("metrics-token-0123456789".into()),
        ..saksi_server::Config::default()
    });
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let _ = app.get("/api/v1/nothing-here").await;
    let metrics = app
        .request(
            Method::GET,
            "/metrics",
            &[("authorization", "Bearer metrics-token-0123456789")],
            "",
        )
        .await;
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(text.contains("saksi_queue_depth 0"), "{text}");
    assert!(text.contains("saksi_batch_size_count"));
    assert!(text.contains("saksi_commit_seconds_bucket"));
    assert!(text.contains("saksi_http_responses_total{status=\"404\"}"));
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/tps/{code}/forms/{contest}"].is_object());
}

#[tokio::test]
async fn the_server_answers_over_a_real_socket_and_stops_on_request() {
    let app = spawn_app();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(saksi_server::serve(listener, app.app, async {
        let _ = stopped.await;
    }));
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = format!(r#"{{"username":"{STAFF}","password":"{STAFF_PASSWORD}"}}"#);
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"token\""));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
