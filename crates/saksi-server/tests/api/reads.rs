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
    assert!(text.contains("saksi_incident_sweep_seconds_count"));
    assert!(text.contains("saksi_incident_deadline_events_total 0"));
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

/// The rules a phone checks each number with are the server's own, served
/// to anyone (no session), and the answer fits the OpenAPI schema exactly:
/// every key is one the schema names, every required key is there, and
/// every code, rule, field and term is in the schema's enums.
#[tokio::test]
async fn the_form_rules_are_public_data_in_the_openapi_shape() {
    let app = spawn_app();
    let answer = app.get("/api/v1/forms/rules").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["access-control-allow-origin"], "*");
    let body = answer.json();
    assert_eq!(
        body,
        serde_json::to_value(saksi_core::form::rules::DOCUMENT).unwrap()
    );
    assert_eq!(body["version"], 1);
    assert_eq!(body["max_count"], 9999);
    let rules = body["rules"].as_array().unwrap();
    let codes: std::collections::BTreeSet<&str> =
        rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 9, "every arithmetic code: {codes:?}");

    let doc = app.get("/api/v1/openapi.json").await.json();
    let op = &doc["paths"]["/api/v1/forms/rules"]["get"];
    assert!(op.get("security").is_none(), "public: no session");
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/FormRules"
    );
    let schemas = &doc["components"]["schemas"];
    fits(&body, &schemas["FormRules"]);
    let rule = &schemas["FormRule"];
    let term = &schemas["FormRuleTerm"]["enum"];
    for r in rules {
        fits(r, rule);
        for key in ["code", "rule", "severity", "field", "op", "when"] {
            if let Some(v) = r.get(key) {
                let allowed = rule["properties"][key]["enum"].as_array().unwrap();
                assert!(allowed.contains(v), "{key} {v} is not in the schema");
            }
        }
        for side in ["left", "right"] {
            for t in r[side].as_array().unwrap() {
                assert!(term.as_array().unwrap().contains(t), "term {t}");
            }
        }
    }
}

/// `value`'s keys are exactly allowed by the object schema `schema`.
fn fits(value: &serde_json::Value, schema: &serde_json::Value) {
    let object = value.as_object().unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for key in object.keys() {
        assert!(properties.contains_key(key), "{key} is not in the schema");
    }
    for key in schema["required"].as_array().unwrap() {
        assert!(object.contains_key(key.as_str().unwrap()), "{key} missing");
    }
}
