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
        "/api/v1/forms/rules".to_owned(),
        format!("/api/v1/photos/{}", "ab".repeat(32)),
        "/api/v1/logistics/allocation/11".to_owned(),
        "/api/v1/logistics/stock/11".to_owned(),
        "/api/v1/logistics/readiness/11".to_owned(),
        "/api/v1/logistics/shipments/0".to_owned(),
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
    let photo = format!("/api/v1/photos/{}", "ab".repeat(32));
    let private = [
        (Method::GET, "/", ""),
        (Method::GET, "/healthz", ""),
        (Method::GET, "/nowhere", ""),
        (Method::POST, "/api/v1/auth/login", login.as_str()),
        (Method::POST, "/api/v1/auth/logout", ""),
        (Method::POST, "/api/v1/keys", "{}"),
        (Method::POST, form.as_str(), "{}"),
        (Method::PUT, photo.as_str(), "{}"),
        (Method::POST, "/api/v1/logistics/shipments", "{}"),
        (Method::POST, "/api/v1/logistics/shipments/0/delivery", "{}"),
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

/// Serves `app` on a local port; the returned sender stops it.
pub async fn serve(
    app: crate::helpers::TestApp,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(saksi_server::serve(listener, app.app, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

/// Reads until the server closes the connection (end of stream or reset),
/// or fails the test after `bound`.
async fn closed_within(socket: &mut tokio::net::TcpStream, bound: std::time::Duration) {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(bound, async {
        loop {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                // Whatever the server says before closing (a 408, say).
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
}

#[tokio::test]
async fn a_connection_that_sends_half_its_headers_is_closed() {
    use tokio::io::AsyncWriteExt;
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        header_read_timeout: std::time::Duration::from_secs(1),
        ..saksi_server::Config::default()
    });
    let (addr, stop, server) = serve(app).await;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET /api/v1/regions HTTP/1.1\r\nHost: saksi\r\nAccept: ")
        .await
        .unwrap();
    // Generous: the timeout is 1 s; only "it was closed" is asserted.
    closed_within(&mut socket, std::time::Duration::from_secs(20)).await;
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Sends a keep-alive `GET /healthz` on `socket` and reads its answer's
/// status line, or `None` if none came within `wait`.
async fn health(socket: &mut tokio::net::TcpStream, wait: std::time::Duration) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: saksi\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = vec![0u8; 4096];
    let n = tokio::time::timeout(wait, socket.read(&mut buffer))
        .await
        .ok()?
        .unwrap();
    let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
    text.lines().next().map(str::to_owned)
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        max_connections: 2,
        ..saksi_server::Config::default()
    });
    let (addr, stop, server) = serve(app).await;
    let long = std::time::Duration::from_secs(20);
    let mut first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut second = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert_eq!(health(&mut first, long).await.unwrap(), "HTTP/1.1 200 OK");
    assert_eq!(health(&mut second, long).await.unwrap(), "HTTP/1.1 200 OK");
    // The system accepts the third connection, the server does not yet.
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    let waiting = health(&mut third, std::time::Duration::from_secs(1)).await;
    assert_eq!(waiting, None, "a third connection was served");
    drop(first);
    let served = tokio::time::timeout(long, async {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 4096];
        let n = third.read(&mut buffer).await.unwrap();
        String::from_utf8_lossy(&buffer[..n]).into_owned()
    })
    .await
    .expect("the third connection is served once one closes");
    assert!(served.starts_with("HTTP/1.1 200 OK"), "{served}");
    assert_eq!(health(&mut second, long).await.unwrap(), "HTTP/1.1 200 OK");
    drop((second, third));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn metrics_are_not_served_without_a_token_or_an_address_of_their_own() {
    let app = spawn_app();
    let answer = app.get("/metrics").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.code(), "route.not_found");
}

#[tokio::test]
async fn metrics_with_a_token_need_it() {
    let token = "metrics-token-0123456789";
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        metrics: saksi_server::MetricsAccess::Token(token.into()),
        ..saksi_server::Config::default()
    });
    let missing = app.get("/metrics").await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "auth.required");
    for wrong in [
        "Bearer metrics-token-012345678",
        "Bearer ",
        "Basic abc",
        token,
    ] {
        let answer = app
            .request(Method::GET, "/metrics", &[("authorization", wrong)], "")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(answer.code(), "auth.invalid_token");
    }
    let bearer = format!("Bearer {token}");
    let answer = app
        .request(Method::GET, "/metrics", &[("authorization", &bearer)], "")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&answer.body).contains("saksi_queue_depth"));
}

/// A GET of `path` over a new connection: the status line and the body.
async fn get_over_tcp(
    addr: std::net::SocketAddr,
    path: &str,
    auth: Option<&str>,
) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: saksi\r\n{auth}Connection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[tokio::test]
async fn metrics_on_their_own_address_are_not_on_the_main_one() {
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        metrics: saksi_server::MetricsAccess::Separate { token: None },
        ..saksi_server::Config::default()
    });
    let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (main_addr, metrics_addr) = (main.local_addr().unwrap(), metrics.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(saksi_server::serve_with_metrics(
        main,
        Some(metrics),
        app.app,
        async {
            let _ = stopped.await;
        },
    ));
    let (status, body) = get_over_tcp(metrics_addr, "/metrics", None).await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert!(body.contains("saksi_queue_depth"), "{body}");
    let (status, body) = get_over_tcp(main_addr, "/metrics", None).await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert!(body.contains("route.not_found"), "{body}");
    // The metrics address serves nothing else.
    let (status, _) = get_over_tcp(metrics_addr, "/api/v1/regions", None).await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let (status, _) = get_over_tcp(main_addr, "/api/v1/regions", None).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn metrics_on_their_own_address_with_a_token_need_it() {
    let app = crate::helpers::spawn_app_with(saksi_server::Config {
        metrics: saksi_server::MetricsAccess::Separate {
            token: Some("metrics-token-0123456789".into()),
        },
        ..saksi_server::Config::default()
    });
    let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(saksi_server::serve_with_metrics(
        main,
        Some(metrics),
        app.app,
        async {
            let _ = stopped.await;
        },
    ));
    let (status, _) = get_over_tcp(metrics_addr, "/metrics", None).await;
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    let (status, _) = get_over_tcp(
        metrics_addr,
        "/metrics",
        Some("Bearer metrics-token-0123456789"),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
