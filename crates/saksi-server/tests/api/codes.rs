//! Every error code of `codes.rs`, one row each: a request over a real
//! socket that gets it, with its status, and the store unchanged by the
//! refusal (log size, keys, current form versions, idempotency keys, the
//! published tallies and the stored photos). The codes are also exactly those of README's "Error
//! codes" table, so none goes undocumented.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Config;
use saksi_server::codes::{self, ErrorCode};
use saksi_statement::{KeyAction, KeyRole, KeyStatement};
use saksi_store::failpoint::{FailSwitch, FailingStore};
use saksi_store::{NewUser, SqliteStore};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::keys::{envelope, key_statement, register, revoke, statement_digest};
use crate::logistics_shipments;

/// What a refusal must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    log_size: u64,
    keys: usize,
    forms: Vec<(RegionCode, Contest, u32)>,
    idempotency_keys: usize,
    totals: Value,
    photos: usize,
}

/// A refused request's answer and the store around it.
struct Trial {
    answer: Answer,
    before: Snapshot,
    after: Snapshot,
}

/// An app served on a local port: every request of a trial goes through a
/// real socket, as a client's would.
struct Served {
    addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    store: Arc<SqliteStore>,
    dir: tempfile::TempDir,
}

impl Served {
    async fn start(app: TestApp) -> Served {
        let TestApp {
            app, store, dir, ..
        } = app;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(saksi_server::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Served {
            addr,
            stop,
            server,
            store,
            dir,
        }
    }

    /// Sends `request` as HTTP/1.1 on a connection of its own and reads
    /// the whole answer.
    async fn send(&self, request: Request<Body>) -> Answer {
        use http_body_util::BodyExt;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (parts, body) = request.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: saksi.test\r\nConnection: close\r\nContent-Length: {}\r\n",
            parts.method,
            parts.uri,
            body.len()
        );
        for (name, value) in &parts.headers {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
        head.push_str("\r\n");
        let mut socket = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        socket.write_all(head.as_bytes()).await.unwrap();
        // A server refusing a body it will not read may answer and close
        // before all of it is sent.
        let _ = socket.write_all(&body).await;
        let mut raw = Vec::new();
        let _ = socket.read_to_end(&mut raw).await;
        parse_answer(&raw)
    }

    /// The store, and the tallies as published.
    async fn snapshot(&self) -> Snapshot {
        let mut forms = Vec::new();
        self.store
            .for_each_current_form(&mut |v| forms.push((v.tps, v.contest, v.version)))
            .unwrap();
        forms.sort();
        let mut idempotency_keys = 0;
        self.store
            .for_each_idempotency_key(&mut |_, _| idempotency_keys += 1)
            .unwrap();
        let results = self.send(get("/api/v1/results/ppwp")).await;
        assert_eq!(results.status, StatusCode::OK, "reads go on");
        Snapshot {
            log_size: self.store.log_size().unwrap(),
            keys: self.store.keys().unwrap().len(),
            forms,
            idempotency_keys,
            totals: results.json()["totals"].clone(),
            photos: files_under(&self.dir.path().join("photos")).len(),
        }
    }

    /// Sends `request` with a snapshot on either side, then stops.
    async fn refuse(self, request: Request<Body>) -> Trial {
        let before = self.snapshot().await;
        let answer = self.send(request).await;
        let after = self.snapshot().await;
        self.stop().await;
        Trial {
            answer,
            before,
            after,
        }
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.server.await.unwrap().unwrap();
    }
}

/// An HTTP/1.1 answer as read from the socket (`Content-Length` or
/// chunked body).
fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = axum::http::HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            axum::http::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            value.trim().parse().unwrap(),
        );
    }
    let mut rest = &raw[split + 4..];
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v == "chunked")
    {
        let mut body = Vec::new();
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break body;
            }
            body.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
    } else {
        rest.to_vec()
    };
    Answer {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body,
    }
}

/// Serves `app` and sends it `request`: [`Served::refuse`].
async fn refused(app: TestApp, request: Request<Body>) -> Trial {
    Served::start(app).await.refuse(request).await
}

type Run = fn() -> Pin<Box<dyn Future<Output = Trial>>>;

/// One row: a code and the trial that gets it.
struct Row {
    code: ErrorCode,
    run: Run,
}

macro_rules! row {
    ($code:ident, $trial:ident) => {
        Row {
            code: codes::$code,
            run: || Box::pin($trial()),
        }
    };
}

/// Codes no request can get today, with the test that reaches their
/// refusal instead: `recap.already_confirmed` (a key's second POST of the
/// same confirmation is a retry, answered as the first; the sign-offs'
/// rule is tested in `saksi_statement::recap::signoffs` and by the audit's
/// `tests/recap.rs`).
const UNREACHABLE: &[&str] = &["recap.already_confirmed"];

/// One row per code; a new code is one more line here and one trial.
fn table() -> Vec<Row> {
    vec![
        row!(MALFORMED_JSON, malformed_json),
        row!(TOO_LARGE, too_large),
        row!(UNSUPPORTED_MEDIA_TYPE, unsupported_media_type),
        row!(INVALID_PATH, invalid_path),
        row!(ROUTE_NOT_FOUND, route_not_found),
        row!(METHOD_NOT_ALLOWED, method_not_allowed),
        row!(AUTH_REQUIRED, auth_required),
        row!(AUTH_INVALID_TOKEN, auth_invalid_token),
        row!(AUTH_INVALID_CREDENTIALS, auth_invalid_credentials),
        row!(AUTH_INVALID_USERNAME, auth_invalid_username),
        row!(AUTH_THROTTLED, auth_throttled),
        row!(AUTH_BUSY, auth_busy),
        row!(AUTH_ACCOUNT_DISABLED, auth_account_disabled),
        row!(AUTH_TOTP_REQUIRED, auth_totp_required),
        row!(AUTH_TOTP_INVALID, auth_totp_invalid),
        row!(AUTH_TOTP_ENROLMENT_REQUIRED, auth_totp_enrolment_required),
        row!(AUTH_TOTP_ALREADY_ENROLLED, auth_totp_already_enrolled),
        row!(AUTH_TOTP_NOT_BEGUN, auth_totp_not_begun),
        row!(AUTH_CSRF_INVALID, auth_csrf_invalid),
        row!(REGION_INVALID_CODE, region_invalid_code),
        row!(REGION_NOT_FOUND, region_not_found),
        row!(CONTEST_NOT_FOUND, contest_not_found),
        row!(DAPIL_NOT_FOUND, dapil_not_found),
        row!(FORM_INVALID, form_invalid),
        row!(FORM_SIGNATURE_REQUIRED, form_signature_required),
        row!(FORM_ON_BEHALF_OVER_KPPS, form_on_behalf_over_kpps),
        row!(STATEMENT_ON_BEHALF_REQUIRED, statement_on_behalf_required),
        row!(
            STATEMENT_ON_BEHALF_NOT_ALLOWED,
            statement_on_behalf_not_allowed
        ),
        row!(STATEMENT_MALFORMED, statement_malformed),
        row!(STATEMENT_WRONG_ORIGIN, statement_wrong_origin),
        row!(STATEMENT_PATH_MISMATCH, statement_path_mismatch),
        row!(STATEMENT_VERSION_NOT_NEXT, statement_version_not_next),
        row!(STATEMENT_PREV_MISMATCH, statement_prev_mismatch),
        row!(FORM_UNCHANGED, form_unchanged),
        row!(FORM_TOO_MANY_VERSIONS, form_too_many_versions),
        row!(SIGNATURE_INVALID, signature_invalid),
        row!(KEY_UNKNOWN, key_unknown),
        row!(KEY_REVOKED, key_revoked),
        row!(KEY_OUTSIDE_VALIDITY, key_outside_validity),
        row!(KEY_WRONG_TPS, key_wrong_tps),
        row!(KEY_NOT_AUTHORISED, key_not_authorised),
        row!(KEY_ALREADY_REGISTERED, key_already_registered),
        row!(KEY_ROOT, key_root),
        row!(KEYS_TOO_MANY, keys_too_many),
        row!(WORKSPACE_ROLE_FORBIDDEN, workspace_role_forbidden),
        row!(WORKSPACE_INVALID_STATUS, workspace_invalid_status),
        row!(KEY_INVALID_VERIFIER, key_invalid_verifier),
        row!(ENROLMENT_TPS_COUNT, enrolment_tps_count),
        row!(
            ENROLMENT_OUTSIDE_JURISDICTION,
            enrolment_outside_jurisdiction
        ),
        row!(ENROLMENT_CODE_INVALID, enrolment_code_invalid),
        row!(ENROLMENT_CODE_USED, enrolment_code_used),
        row!(ENROLMENT_CODE_EXPIRED, enrolment_code_expired),
        row!(ENROLMENT_THROTTLED, enrolment_throttled),
        row!(ENROLMENT_NOT_FOUND, enrolment_not_found),
        row!(ENROLMENT_NOT_PENDING, enrolment_not_pending),
        row!(ENROLMENT_REASON_INVALID, enrolment_reason_invalid),
        row!(OFFICER_KEY_ALREADY_SUBMITTED, officer_key_already_submitted),
        row!(PHOTO_MALFORMED_HASH, photo_malformed_hash),
        row!(PHOTO_HASH_MISMATCH, photo_hash_mismatch),
        row!(PHOTO_TOO_LARGE, photo_too_large),
        row!(PHOTO_NOT_AN_IMAGE, photo_not_an_image),
        row!(PHOTO_NOT_NAMED, photo_not_named),
        row!(PHOTO_NOT_FOUND, photo_not_found),
        row!(AUTH_FORBIDDEN, auth_forbidden),
        row!(INCIDENT_MALFORMED, incident_malformed),
        row!(INCIDENT_UNKNOWN_CATEGORY, incident_unknown_category),
        row!(INCIDENT_UNKNOWN_SEVERITY, incident_unknown_severity),
        row!(INCIDENT_UNKNOWN_ACTION, incident_unknown_action),
        row!(INCIDENT_TITLE_TOO_LONG, incident_title_too_long),
        row!(INCIDENT_TEXT_TOO_LONG, incident_text_too_long),
        row!(INCIDENT_TEXT_REQUIRED, incident_text_required),
        row!(INCIDENT_TOO_MANY_PHOTOS, incident_too_many_photos),
        row!(INCIDENT_PHOTO_MALFORMED_HASH, incident_photo_malformed_hash),
        row!(INCIDENT_COMMITMENT_MISMATCH, incident_commitment_mismatch),
        row!(INCIDENT_NOT_FOUND, incident_not_found),
        row!(INCIDENT_NOT_OWNER, incident_not_owner),
        row!(OBJECTION_MALFORMED, objection_malformed),
        row!(OBJECTION_INVALID, objection_invalid),
        row!(OBJECTION_NOT_AN_OBJECTOR, objection_not_an_objector),
        row!(OBJECTION_OUTSIDE_REGION, objection_outside_region),
        row!(OBJECTION_PASLON_OUTSIDE_PPWP, objection_paslon_outside_ppwp),
        row!(OBJECTION_NO_FORM, objection_no_form),
        row!(OBJECTION_NOT_CURRENT, objection_not_current),
        row!(OBJECTION_NOT_FOUND, objection_not_found),
        row!(OBJECTION_ALREADY_RULED, objection_already_ruled),
        row!(RECAP_CORRECTION_REFUSED, recap_correction_refused),
        row!(RECAP_NOT_A_LEVEL, recap_not_a_level),
        row!(RECAP_NOT_A_KECAMATAN, recap_not_a_kecamatan),
        row!(RECAP_LOCKED, recap_locked),
        row!(RECAP_SIGNOFF_DIFFERS, recap_signoff_differs),
        row!(RECAP_CHILDREN, recap_children),
        row!(RECAP_CHILD_NOT_IN, recap_child_not_in),
        row!(RECAP_CHILD_CHANGED, recap_child_changed),
        row!(RECAP_OBJECTION_OPEN, recap_objection_open),
        row!(RECAP_TOTALS_NOT_SUM, recap_totals_not_sum),
        row!(RECAP_QUORUM_MISMATCH, recap_quorum_mismatch),
        row!(RECAP_NOT_FINAL, recap_not_final),
        row!(RECAP_NO_FORM_REFUSED, recap_no_form_refused),
        row!(LOGISTICS_UNKNOWN_ITEM, logistics_unknown_item),
        row!(LOGISTICS_NOT_NEXT_LEVEL, logistics_not_next_level),
        row!(LOGISTICS_NOT_SENDER, logistics_not_sender),
        row!(LOGISTICS_INSUFFICIENT_STOCK, logistics_insufficient_stock),
        row!(LOGISTICS_SHIPMENT_NOT_FOUND, logistics_shipment_not_found),
        row!(LOGISTICS_ALREADY_DELIVERED, logistics_already_delivered),
        row!(LOGISTICS_NOT_RECEIVER, logistics_not_receiver),
        row!(LOGISTICS_ITEMS_MISMATCH, logistics_items_mismatch),
        row!(LOGISTICS_SEAL_NOT_SHIPPED, logistics_seal_not_shipped),
        row!(FORM_DIFF_RANGE, form_diff_range),
        row!(FORM_VERSION_NOT_FOUND, form_version_not_found),
        row!(INCIDENT_TRANSITION_FORBIDDEN, incident_transition_forbidden),
        row!(INCIDENT_NO_LEVEL_ABOVE, incident_no_level_above),
        row!(
            INCIDENT_ASSIGNEE_NOT_IN_OFFICE,
            incident_assignee_not_in_office
        ),
        row!(IDEMPOTENCY_KEY_REUSED, idempotency_key_reused),
        row!(LOG_INVALID_PARAMETER, log_invalid_parameter),
        row!(LOG_INVALID_RANGE, log_invalid_range),
        row!(LOG_BEYOND_CHECKPOINT, log_beyond_checkpoint),
        row!(LOG_ENTRY_NOT_FOUND, log_entry_not_found),
        row!(LOG_BEHIND_SIGNED, log_behind_signed),
        row!(LOG_DIVERGED, log_diverged),
        row!(OVERLOADED, overloaded),
        row!(UNAVAILABLE, unavailable),
        row!(STORE_UNAVAILABLE, store_unavailable),
        row!(LEASE_LOST, lease_lost),
        row!(INTERNAL, internal),
    ]
}

#[tokio::test]
async fn every_error_code_is_answered_with_its_status_and_stores_nothing() {
    let table = table();
    let mut missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| !table.iter().any(|r| r.code.code == *c))
        .filter(|c| !UNREACHABLE.contains(c))
        .collect();
    missing.sort_unstable();
    assert!(missing.is_empty(), "codes without a row: {missing:?}");
    let mut wrong = Vec::new();
    for row in table {
        let Trial {
            answer,
            before,
            after,
        } = (row.run)().await;
        let code = row.code.code;
        let got = (answer.status.as_u16(), answer.code());
        if got != (row.code.status, code.to_owned()) {
            wrong.push(format!(
                "{code}: expected {}, got {got:?} {}",
                row.code.status,
                String::from_utf8_lossy(&answer.body)
            ));
        } else if before != after {
            wrong.push(format!("{code} changed the store: {before:?} -> {after:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The codes of README's table, in its order.
fn readme_codes() -> Vec<String> {
    let readme = include_str!("../../../../README.md");
    let table = readme
        .split("### Error codes")
        .nth(1)
        .expect("README has an Error codes section");
    table
        .lines()
        .skip_while(|l| !l.starts_with("| code |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .trim()
                .trim_matches('`')
                .to_owned()
        })
        .collect()
}

#[test]
fn the_readme_table_lists_exactly_the_codes() {
    let documented = readme_codes();
    let defined: Vec<String> = codes::ALL.iter().map(|c| c.code.to_owned()).collect();
    assert_eq!(
        documented, defined,
        "README's Error codes table and codes::ALL"
    );
}

// Requests.

fn request(
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.into()).unwrap()
}

fn get(uri: &str) -> Request<Body> {
    request(Method::GET, uri, &[], Body::empty())
}

/// A GET with `auth` as its `Authorization`.
fn get_as(uri: &str, auth: &str) -> Request<Body> {
    request(Method::GET, uri, &[("authorization", auth)], Body::empty())
}

fn post_json(uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    request(Method::POST, uri, &all, body)
}

fn login(username: &str, password: &str) -> Request<Body> {
    post_json(
        "/api/v1/auth/login",
        &[],
        json!({"username": username, "password": password}).to_string(),
    )
}

fn logout(token: &str) -> Request<Body> {
    let auth = format!("Bearer {token}");
    request(
        Method::POST,
        "/api/v1/auth/logout",
        &[("authorization", &auth)],
        Body::empty(),
    )
}

/// A form entered through a session.
/// A bare form posted with a session, as the closed session path took it.
fn session_form(token: &str, tps: RegionCode, body: String) -> Request<Body> {
    let auth = format!("Bearer {token}");
    post_json(
        &format!("/api/v1/tps/{tps}/forms/ppwp"),
        &[("authorization", auth.as_str())],
        body,
    )
}

fn signed_form_at(tps: RegionCode, body: &Value) -> Request<Body> {
    post_json(
        &format!("/api/v1/tps/{tps}/forms/ppwp"),
        &[],
        body.to_string(),
    )
}

fn key_request(statement: &KeyStatement, by: &Signer) -> Request<Body> {
    post_json("/api/v1/keys", &[], envelope(statement, by).to_string())
}

fn keys_body(body: &Value) -> Request<Body> {
    post_json("/api/v1/keys", &[], body.to_string())
}

/// A kpu-prov key of `province`.
fn prov_key(province: &str) -> (Signer, RegionCode) {
    (
        Signer::generate(&format!("kpu-prov-{province}")).unwrap(),
        TestApp::code(province),
    )
}

/// Registers `statement` signed by `by`; it must be accepted.
async fn accepted(app: &TestApp, statement: &KeyStatement, by: &Signer) {
    let answer = app.post_key(statement, by).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
}

/// Two TPS of one kab/kota.
fn two_tps(app: &TestApp) -> (RegionCode, RegionCode) {
    let first = app.first_tps(RegionCode::NASIONAL);
    let kab = first.ancestor_at(Level::Kabkota).unwrap();
    let second = app
        .election
        .tree
        .iter()
        .map(|(_, r)| r.code)
        .find(|c| {
            c.level() == Level::Tps && *c != first && c.ancestor_at(Level::Kabkota) == Some(kab)
        })
        .expect("a second TPS in the kab/kota");
    (first, second)
}

// The trials, in the order of codes.rs.

async fn malformed_json() -> Trial {
    let app = spawn_app();
    refused(app, post_json("/api/v1/auth/login", &[], "{\"username\":")).await
}

async fn too_large() -> Trial {
    let app = spawn_app();
    refused(
        app,
        post_json("/api/v1/auth/login", &[], vec![b' '; 70 * 1024]),
    )
    .await
}

async fn unsupported_media_type() -> Trial {
    let app = spawn_app();
    let body = json!({"username": STAFF, "password": STAFF_PASSWORD}).to_string();
    let request = request(
        Method::POST,
        "/api/v1/auth/login",
        &[("content-type", "text/plain")],
        body,
    );
    refused(app, request).await
}

async fn invalid_path() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/tps/%FF%FE")).await
}

async fn route_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/ballots")).await
}

async fn method_not_allowed() -> Trial {
    let app = spawn_app();
    let request = request(Method::DELETE, "/api/v1/regions", &[], Body::empty());
    refused(app, request).await
}

async fn auth_required() -> Trial {
    let app = spawn_app();
    let request = request(Method::POST, "/api/v1/auth/logout", &[], Body::empty());
    refused(app, request).await
}

async fn auth_invalid_token() -> Trial {
    let app = spawn_app();
    refused(app, logout("not-a-session")).await
}

async fn auth_invalid_credentials() -> Trial {
    let app = spawn_app();
    refused(app, login(STAFF, "not-the-password")).await
}

async fn auth_account_disabled() -> Trial {
    let app = spawn_app();
    let id = app.store.user_by_username(STAFF).unwrap().unwrap().id;
    app.store.set_disabled(id, Some(UnixTime(now()))).unwrap();
    refused(app, login(STAFF, STAFF_PASSWORD)).await
}

async fn auth_invalid_username() -> Trial {
    let app = spawn_app();
    refused(app, login("a b", STAFF_PASSWORD)).await
}

async fn auth_throttled() -> Trial {
    // From the address the refused login comes from.
    let served = Served::start(spawn_app()).await;
    for _ in 0..5 {
        let answer = served.send(login(STAFF, "not-the-password")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    served.refuse(login(STAFF, STAFF_PASSWORD)).await
}

async fn auth_busy() -> Trial {
    let app = spawn_app_with(Config {
        max_password_checks: 1,
        ..Config::default()
    });
    // The one password check there is, in progress.
    let _checking = Arc::clone(&app.app.state().password_checks)
        .try_acquire_owned()
        .unwrap();
    refused(app, login(STAFF, STAFF_PASSWORD)).await
}

/// A test app whose STAFF account has TOTP enrolled: its secret.
async fn enrolled() -> (TestApp, String) {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let (secret, _) = app.enrol_totp(&token).await;
    (app, secret)
}

fn login_totp(username: &str, password: &str, totp: &str) -> Request<Body> {
    post_json(
        "/api/v1/auth/login",
        &[],
        json!({"username": username, "password": password, "totp": totp}).to_string(),
    )
}

/// A POST with a Bearer token and a JSON body.
fn post_bearer(uri: &str, token: &str, body: &Value) -> Request<Body> {
    let auth = format!("Bearer {token}");
    post_json(uri, &[("authorization", &auth)], body.to_string())
}

async fn auth_totp_required() -> Trial {
    let (app, _) = enrolled().await;
    refused(app, login(STAFF, STAFF_PASSWORD)).await
}

async fn auth_totp_invalid() -> Trial {
    let (app, secret) = enrolled().await;
    // The code that confirmed the enrolment, used up.
    let used = app.totp_code(&secret, 0);
    refused(app, login_totp(STAFF, STAFF_PASSWORD, &used)).await
}

async fn auth_totp_already_enrolled() -> Trial {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    app.enrol_totp(&token).await;
    refused(app, post_bearer("/api/v1/auth/totp", &token, &Value::Null)).await
}

async fn auth_totp_not_begun() -> Trial {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let body = json!({"code": "123456"});
    refused(app, post_bearer("/api/v1/auth/totp/confirm", &token, &body)).await
}

/// A password login of a staff account without TOTP: the session may only
/// enrol, and an officer's key submission is refused.
async fn auth_totp_enrolment_required() -> Trial {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let auth = format!("Bearer {token}");
    let request = request(
        Method::POST,
        "/api/v1/officer-keys",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Body::from(format!(
            "{{\"key\": \"{}\"}}",
            named_key("kpu-ri-browser").verifier()
        )),
    );
    refused(app, request).await
}

async fn auth_csrf_invalid() -> Trial {
    let app = spawn_app();
    let token = app.login_token(STAFF, STAFF_PASSWORD).await;
    let cookie = format!("saksi_session={token}");
    let request = request(
        Method::POST,
        "/api/v1/auth/logout",
        &[("cookie", &cookie)],
        Body::empty(),
    );
    refused(app, request).await
}

async fn region_invalid_code() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/regions/11.x")).await
}

async fn region_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/regions/11.98")).await
}

async fn contest_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/results/pilkada")).await
}

async fn dapil_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/results/dpr/dapil/99-99")).await
}

async fn form_invalid() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let mut form: Value = serde_json::from_str(&app.form_json(tps, Contest::Ppwp, 1)).unwrap();
    form["suara_total"] = json!(form["suara_total"].as_u64().unwrap() + 1);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &form.to_string(), None);
    refused(app, signed_form_at(tps, &body)).await
}

async fn form_signature_required() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let token = app.kpps_token(tps);
    let form = app.form_json(tps, Contest::Ppwp, 1);
    refused(app, session_form(&token, tps, form)).await
}

async fn statement_on_behalf_required() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let pps = app
        .officer_key(KeyRole::Pps, tps.ancestor_at(Level::Desa).unwrap())
        .await;
    let body = app.sign_next(
        &pps,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [1, 2, 3]),
        None,
    );
    refused(app, signed_form_at(tps, &body)).await
}

async fn statement_on_behalf_not_allowed() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let form = app.ppwp_form(tps, [1, 2, 3]);
    let body = app.sign_next(&kpps, tps, Contest::Ppwp, &form, Some("tidak perlu"));
    refused(app, signed_form_at(tps, &body)).await
}

async fn form_on_behalf_over_kpps() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let ppk = app
        .officer_key(KeyRole::Ppk, tps.ancestor_at(Level::Kecamatan).unwrap())
        .await;
    let first = app.sign_next(
        &kpps,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [50, 60, 40]),
        None,
    );
    assert_eq!(app.post_form(tps, &first).await.status, StatusCode::CREATED);
    let over = app.sign_next(
        &ppk,
        tps,
        Contest::Ppwp,
        &app.ppwp_form(tps, [10, 130, 10]),
        Some("HP hilang"),
    );
    refused(app, signed_form_at(tps, &over)).await
}

async fn statement_malformed() -> Trial {
    let app = spawn_app();
    let body = json!({"statement": {}, "signature": "not base64", "key": "no key"});
    refused(app, keys_body(&body)).await
}

async fn statement_wrong_origin() -> Trial {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    let mut statement = register(&prov, KeyRole::KpuProv, province);
    statement.origin = "another.example/log".into();
    refused(app, key_request(&statement, &root_key())).await
}

async fn statement_path_mismatch() -> Trial {
    let app = spawn_app();
    let (tps, other) = two_tps(&app);
    let device = Signer::generate(&format!("kpps-{tps}")).unwrap();
    let body = app.signed_form(&device, tps, 1, None, 1);
    refused(app, signed_form_at(other, &body)).await
}

async fn statement_version_not_next() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let body = app.signed_form(&chain.kpps, tps, 2, Some([7; 32]), 1);
    refused(app, signed_form_at(tps, &body)).await
}

async fn statement_prev_mismatch() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let first = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(app.post_form(tps, &first).await.status, StatusCode::CREATED);
    let wrong = statement_digest(&first).map(|b| b ^ 1);
    let body = app.signed_form(&chain.kpps, tps, 2, Some(wrong), 2);
    refused(app, signed_form_at(tps, &body)).await
}

async fn form_unchanged() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let first = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(app.post_form(tps, &first).await.status, StatusCode::CREATED);
    let same = app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&first)), 1);
    refused(app, signed_form_at(tps, &same)).await
}

async fn form_too_many_versions() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let mut prev = None;
    for version in 1..=10 {
        let body = app.signed_form(&chain.kpps, tps, version, prev, u64::from(version));
        assert_eq!(app.post_form(tps, &body).await.status, StatusCode::CREATED);
        prev = Some(statement_digest(&body));
    }
    let eleventh = app.signed_form(&chain.kpps, tps, 11, prev, 11);
    refused(app, signed_form_at(tps, &eleventh)).await
}

async fn signature_invalid() -> Trial {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    let mut body = envelope(&register(&prov, KeyRole::KpuProv, province), &prov);
    body["key"] = json!(root_key().verifier().to_string());
    refused(app, keys_body(&body)).await
}

async fn key_unknown() -> Trial {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    let stranger = Signer::generate("stranger").unwrap();
    refused(
        app,
        key_request(&register(&prov, KeyRole::KpuProv, province), &stranger),
    )
    .await
}

async fn key_revoked() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    accepted(&app, &revoke(&chain.prov), &root_key()).await;
    let kab = Signer::generate("kpu-kabkota-new").unwrap();
    let statement = register(
        &kab,
        KeyRole::KpuKabkota,
        tps.ancestor_at(Level::Kabkota).unwrap(),
    );
    refused(app, key_request(&statement, &chain.prov)).await
}

async fn key_outside_validity() -> Trial {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    let later = key_statement(
        &prov,
        KeyAction::Register {
            role: KeyRole::KpuProv,
            region: province,
            valid_from: UnixTime(now() + 86_400),
            valid_until: UnixTime(now() + 2 * 86_400),
            commissioner: false,
        },
        now(),
    );
    accepted(&app, &later, &root_key()).await;
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let statement = register(&kab, KeyRole::KpuKabkota, TestApp::code("11.01"));
    refused(app, key_request(&statement, &prov)).await
}

async fn key_wrong_tps() -> Trial {
    let app = spawn_app();
    let (tps, other) = two_tps(&app);
    let chain = app.chain_for(tps).await;
    let body = app.signed_form(&chain.kpps, other, 1, None, 1);
    refused(app, signed_form_at(other, &body)).await
}

async fn key_not_authorised() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let device = Signer::generate(&format!("kpps-{tps}")).unwrap();
    // The root registers provinces' keys, not KPPS devices.
    refused(
        app,
        key_request(&register(&device, KeyRole::Kpps, tps), &root_key()),
    )
    .await
}

async fn key_already_registered() -> Trial {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    let statement = register(&prov, KeyRole::KpuProv, province);
    accepted(&app, &statement, &root_key()).await;
    // Not a retry: another statement registering the same key.
    let again = key_statement(
        &prov,
        KeyAction::Register {
            role: KeyRole::KpuProv,
            region: province,
            valid_from: UnixTime(now() - 60),
            valid_until: UnixTime(now() + 86_400),
            commissioner: false,
        },
        now(),
    );
    refused(app, key_request(&again, &root_key())).await
}

async fn key_root() -> Trial {
    let app = spawn_app();
    refused(app, key_request(&revoke(&root_key()), &root_key())).await
}

async fn keys_too_many() -> Trial {
    let app = spawn_app();
    let body = json!({"statements": vec![json!({}); 1001]});
    refused(app, keys_body(&body)).await
}

/// A session of a new account of `role` at `region`, and its
/// `Authorization` header value.
fn bearer(app: &TestApp, role: &str, region: RegionCode) -> String {
    format!(
        "Bearer {}",
        crate::enrolment::staff(app, &format!("{role}.trial"), role, region)
    )
}

/// The first TPS's kab/kota and a KPU Kab/Kota's `Authorization` there.
fn kabkota_bearer(app: &TestApp) -> (RegionCode, String) {
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    (tps, bearer(app, "kpu-kabkota", kab))
}

/// A fresh enrolment code for `tps`, issued by `auth`.
async fn code_for(app: &TestApp, auth: &str, tps: RegionCode) -> String {
    let body = json!({"tps": [tps.to_string()]}).to_string();
    let answer = app
        .send(post_json(
            "/api/v1/enrolment-codes",
            &[("authorization", auth)],
            body,
        ))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    answer.json()["codes"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn enrol(tps: RegionCode, code: &str, key: &str) -> Request<Body> {
    let body = json!({"tps": tps.to_string(), "code": code, "key": key}).to_string();
    post_json("/api/v1/enrolments", &[], body)
}

fn device_key() -> String {
    Signer::generate("hp").unwrap().verifier().to_string()
}

async fn workspace_role_forbidden() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let auth = bearer(&app, "pps", tps.parent().unwrap());
    let body = json!({"tps": [tps.to_string()]}).to_string();
    refused(
        app,
        post_json("/api/v1/enrolment-codes", &[("authorization", &auth)], body),
    )
    .await
}

async fn workspace_invalid_status() -> Trial {
    let app = spawn_app();
    let (_, auth) = kabkota_bearer(&app);
    refused(app, get_as("/api/v1/enrolments?status=lost", &auth)).await
}

async fn key_invalid_verifier() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let auth = bearer(&app, "ppk", tps.ancestor_at(Level::Kecamatan).unwrap());
    let body = json!({"key": "not-a-key"}).to_string();
    refused(
        app,
        post_json("/api/v1/officer-keys", &[("authorization", &auth)], body),
    )
    .await
}

async fn enrolment_tps_count() -> Trial {
    let app = spawn_app();
    let (_, auth) = kabkota_bearer(&app);
    let body = json!({"tps": []}).to_string();
    refused(
        app,
        post_json("/api/v1/enrolment-codes", &[("authorization", &auth)], body),
    )
    .await
}

async fn enrolment_outside_jurisdiction() -> Trial {
    let app = spawn_app();
    let (_, auth) = kabkota_bearer(&app);
    let outside = app.first_tps(TestApp::code("12"));
    let body = json!({"tps": [outside.to_string()]}).to_string();
    refused(
        app,
        post_json("/api/v1/enrolment-codes", &[("authorization", &auth)], body),
    )
    .await
}

async fn enrolment_code_invalid() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    refused(app, enrol(tps, "0000-0000-0000", &device_key())).await
}

async fn enrolment_code_used() -> Trial {
    let app = spawn_app();
    let (tps, auth) = kabkota_bearer(&app);
    let code = code_for(&app, &auth, tps).await;
    let first = app.send(enrol(tps, &code, &device_key())).await;
    assert_eq!(first.status, StatusCode::CREATED);
    refused(app, enrol(tps, &code, &device_key())).await
}

async fn enrolment_code_expired() -> Trial {
    let app = spawn_app();
    let (tps, auth) = kabkota_bearer(&app);
    let code = code_for(&app, &auth, tps).await;
    app.clock.advance(7 * 86_400);
    refused(app, enrol(tps, &code, &device_key())).await
}

async fn enrolment_throttled() -> Trial {
    let served_app = spawn_app();
    let tps = served_app.first_tps(RegionCode::NASIONAL);
    let served = Served::start(served_app).await;
    for _ in 0..saksi_server::workspace::throttle::TPS_LIMIT {
        let answer = served
            .send(enrol(tps, "0000-0000-0000", &device_key()))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    served
        .refuse(enrol(tps, "0000-0000-0000", &device_key()))
        .await
}

async fn enrolment_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get(&format!("/api/v1/enrolments/{}", "0".repeat(32)))).await
}

/// An enrolment of the first TPS, pending, and its kab/kota's
/// `Authorization`.
async fn pending_enrolment(app: &TestApp) -> (String, String) {
    let (tps, auth) = kabkota_bearer(app);
    let code = code_for(app, &auth, tps).await;
    let answer = app.send(enrol(tps, &code, &device_key())).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    (answer.json()["id"].as_str().unwrap().to_owned(), auth)
}

fn reject(id: &str, auth: &str, reason: &str) -> Request<Body> {
    post_json(
        &format!("/api/v1/enrolments/{id}/reject"),
        &[("authorization", auth)],
        json!({ "reason": reason }).to_string(),
    )
}

async fn enrolment_not_pending() -> Trial {
    let app = spawn_app();
    let (id, auth) = pending_enrolment(&app).await;
    let first = app.send(reject(&id, &auth, "bukan HP KPPS")).await;
    assert_eq!(first.status, StatusCode::OK);
    refused(app, reject(&id, &auth, "lagi")).await
}

async fn enrolment_reason_invalid() -> Trial {
    let app = spawn_app();
    let (id, auth) = pending_enrolment(&app).await;
    refused(app, reject(&id, &auth, " ")).await
}

async fn officer_key_already_submitted() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let auth = bearer(&app, "pps", tps.parent().unwrap());
    let body = json!({ "key": device_key() }).to_string();
    let first = app
        .send(post_json(
            "/api/v1/officer-keys",
            &[("authorization", &auth)],
            body.clone(),
        ))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    refused(
        app,
        post_json("/api/v1/officer-keys", &[("authorization", &auth)], body),
    )
    .await
}

fn put_photo(sha256: &str, bytes: Vec<u8>) -> Request<Body> {
    request(
        Method::PUT,
        &format!("/api/v1/photos/{sha256}"),
        &[("content-type", "image/jpeg")],
        bytes,
    )
}

async fn photo_malformed_hash() -> Trial {
    refused(spawn_app(), put_photo(&"AB".repeat(32), jpeg(1))).await
}

async fn photo_hash_mismatch() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let device = app.kpps_device(tps).await;
    let form = app.ppwp_form(tps, [10, 20, 30]);
    let named = sha256(&jpeg(1));
    let body = app.sign_next_with_photos(&device, tps, Contest::Ppwp, &form, None, &[named]);
    assert_eq!(
        app.post_signed(tps, Contest::Ppwp, &body).await.status,
        StatusCode::CREATED
    );
    refused(app, put_photo(&hex::encode(named), jpeg(2))).await
}

async fn photo_too_large() -> Trial {
    let mut photo = jpeg(1);
    photo.resize(10 * 1024 * 1024 + 1, 0);
    refused(spawn_app(), put_photo(&hex::encode(sha256(&photo)), photo)).await
}

async fn photo_not_an_image() -> Trial {
    let text = b"a text file".to_vec();
    refused(spawn_app(), put_photo(&hex::encode(sha256(&text)), text)).await
}

async fn photo_not_named() -> Trial {
    let photo = jpeg(1);
    refused(spawn_app(), put_photo(&hex::encode(sha256(&photo)), photo)).await
}

async fn photo_not_found() -> Trial {
    let path = format!("/api/v1/photos/{}", hex::encode(sha256(&jpeg(1))));
    refused(spawn_app(), get(&path)).await
}

async fn log_invalid_parameter() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/log/entries?start=one&end=2")).await
}

async fn log_invalid_range() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/log/entries?start=2&end=1")).await
}

async fn log_beyond_checkpoint() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/log/entries?start=5&end=9")).await
}

async fn log_entry_not_found() -> Trial {
    let app = spawn_app();
    refused(app, get("/api/v1/log/receipt/5")).await
}

/// The app with one registered key and a signed checkpoint over it.
async fn app_with_a_signed_entry() -> TestApp {
    let app = spawn_app();
    let (prov, province) = prov_key("11");
    accepted(
        &app,
        &register(&prov, KeyRole::KpuProv, province),
        &root_key(),
    )
    .await;
    assert!(app.app.publish_checkpoint().unwrap());
    app
}

async fn log_behind_signed() -> Trial {
    let app = spawn_app();
    let backup = app.dir.path().join("backup.db");
    app.backup(&backup);
    let (prov, province) = prov_key("11");
    accepted(
        &app,
        &register(&prov, KeyRole::KpuProv, province),
        &root_key(),
    )
    .await;
    assert!(app.app.publish_checkpoint().unwrap());
    let app = app.restart_with(|dir| {
        for stale in ["saksi.db-wal", "saksi.db-shm"] {
            let _ = std::fs::remove_file(dir.join(stale));
        }
        std::fs::copy(dir.join("backup.db"), dir.join("saksi.db")).unwrap();
    });
    let (prov, province) = prov_key("12");
    refused(
        app,
        key_request(&register(&prov, KeyRole::KpuProv, province), &root_key()),
    )
    .await
}

async fn log_diverged() -> Trial {
    let app = app_with_a_signed_entry().await;
    // The entry below the signed size replaced behind the server's back.
    let app = app.restart_with(|dir| {
        let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
        db.execute(
            "UPDATE log_entries SET leaf_hash = ?1 WHERE log_index = 0",
            [vec![7u8; 32]],
        )
        .unwrap();
    });
    let (prov, province) = prov_key("12");
    refused(
        app,
        key_request(&register(&prov, KeyRole::KpuProv, province), &root_key()),
    )
    .await
}

async fn overloaded() -> Trial {
    // A queue of one in front of slow commits: of six registrations sent
    // at once, at most three fit (one committing, one batched with it, one
    // waiting).
    let config = Config {
        queue_capacity: 1,
        ..Config::default()
    };
    let app = restarted(
        |_, _| config,
        |store| {
            let off = FailSwitch::Flag(Arc::new(AtomicBool::new(false)));
            Arc::new(FailingStore::new(store, off).with_commit_delay(Duration::from_millis(500)))
        },
    );
    let provinces: Vec<RegionCode> = app
        .election
        .tree
        .children(app.election.tree.root())
        .map(|id| app.election.tree.get(id).code)
        .take(6)
        .collect();
    let requests: Vec<Request<Body>> = provinces
        .iter()
        .map(|province| {
            let prov = Signer::generate(&format!("kpu-prov-{province}")).unwrap();
            key_request(&register(&prov, KeyRole::KpuProv, *province), &root_key())
        })
        .collect();
    let served = Served::start(app).await;
    let before = served.snapshot().await;
    let requests = requests.into_iter().map(|r| served.send(r));
    let answers = futures_util::future::join_all(requests).await;
    let stored = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count() as u64;
    let mut shed = answers
        .into_iter()
        .filter(|a| a.status != StatusCode::CREATED)
        .collect::<Vec<_>>();
    assert!(stored >= 1 && shed.len() >= 3, "{stored} stored");
    let after = served.snapshot().await;
    served.stop().await;
    // The store holds exactly the accepted registrations.
    let expected = Snapshot {
        log_size: before.log_size + stored,
        keys: before.keys + stored as usize,
        idempotency_keys: before.idempotency_keys + stored as usize,
        ..before
    };
    Trial {
        answer: shed.remove(0),
        before: expected,
        after,
    }
}

async fn unavailable() -> Trial {
    // A new server (no checkpoint signed yet) whose writer lease was taken
    // over before it signed its first has none to serve.
    let app = restarted(
        |dir, database| {
            std::fs::remove_file(dir.join("log.highest")).unwrap();
            let writer = crate::lease::take(
                database,
                "test-a:1",
                Duration::from_secs(60),
                Arc::new(saksi_server::lease::DatabaseClock(database.clone())),
            );
            crate::lease::take_over(database, "test-b:2", 60_001);
            Config {
                lease: Some(writer),
                ..Config::default()
            }
        },
        |store| store,
    );
    refused(app, get("/api/v1/log/checkpoint")).await
}

async fn store_unavailable() -> Trial {
    let (app, disk_full) = spawn_failing_app();
    disk_full.store(true, std::sync::atomic::Ordering::Relaxed);
    let (prov, province) = prov_key("11");
    refused(
        app,
        key_request(&register(&prov, KeyRole::KpuProv, province), &root_key()),
    )
    .await
}

async fn lease_lost() -> Trial {
    let (app, _writer) = crate::lease::spawn_leased_app(Duration::from_secs(60));
    crate::lease::take_over(&app.store, "test-b:2", 60_001);
    let (prov, province) = prov_key("11");
    refused(
        app,
        key_request(&register(&prov, KeyRole::KpuProv, province), &root_key()),
    )
    .await
}

async fn internal() -> Trial {
    let app = spawn_app();
    // A user the server cannot make a principal of: a bug, not a refusal.
    let id = app
        .store
        .add_user(&NewUser {
            username: "nobody".into(),
            role: "no-such-role".into(),
            region: RegionCode::NASIONAL,
            party: None,
            paslon: None,
            password_hash: None,
            created_at: UnixTime(now()),
        })
        .unwrap();
    let token = app.session_for(id, now() + 3600);
    refused(app, logout(&token)).await
}

/// A session filing at the first TPS by its KPPS (`kpps.trial`), changed
/// by `change`, under the idempotency key `key`.
fn incident_filing(app: &TestApp, key: &str, change: impl Fn(&mut Value)) -> Request<Body> {
    let tps = app.first_tps(RegionCode::NASIONAL);
    let auth = match app.store.user_by_username("kpps.trial").unwrap() {
        Some(user) => format!("Bearer {}", app.session_for(user.id, now() + 3600)),
        None => bearer(app, "kpps", tps),
    };
    let mut body = json!({"region": tps.to_string(), "category": "it", "severity": "high",
        "title": "Listrik padam", "description": "Tidak ada listrik sejak pagi."});
    change(&mut body);
    post_json(
        "/api/v1/incidents",
        &[("authorization", &auth), ("idempotency-key", key)],
        body.to_string(),
    )
}

async fn incident_filing_refused(change: impl Fn(&mut Value)) -> Trial {
    let app = spawn_app();
    let request = incident_filing(&app, "k", change);
    refused(app, request).await
}

async fn auth_forbidden() -> Trial {
    let app = spawn_app();
    let other = app.first_tps(TestApp::code("12"));
    let request = incident_filing(&app, "k", |b| b["region"] = json!(other.to_string()));
    refused(app, request).await
}

async fn incident_malformed() -> Trial {
    incident_filing_refused(|b| b["reporter"] = json!("someone")).await
}

async fn incident_unknown_category() -> Trial {
    incident_filing_refused(|b| b["category"] = json!("weather")).await
}

async fn incident_unknown_severity() -> Trial {
    incident_filing_refused(|b| b["severity"] = json!("urgent")).await
}

async fn incident_title_too_long() -> Trial {
    incident_filing_refused(|b| b["title"] = json!("x".repeat(121))).await
}

async fn incident_text_too_long() -> Trial {
    incident_filing_refused(|b| b["description"] = json!("x".repeat(4001))).await
}

async fn incident_too_many_photos() -> Trial {
    incident_filing_refused(|b| b["photos"] = json!(vec!["ab".repeat(32); 4])).await
}

async fn incident_photo_malformed_hash() -> Trial {
    incident_filing_refused(|b| b["photos"] = json!(["AB".repeat(32)])).await
}

async fn idempotency_key_reused() -> Trial {
    let app = spawn_app();
    let first = app.send(incident_filing(&app, "once", |_| {})).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let request = incident_filing(&app, "once", |b| b["severity"] = json!("low"));
    refused(app, request).await
}

async fn incident_commitment_mismatch() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let device = app.kpps_device(tps).await;
    let mut body = crate::incidents::signed_filing(&device, tps, "low");
    body["private"]["content"]["title"] = json!("other");
    refused(app, post_json("/api/v1/incidents", &[], body.to_string())).await
}

async fn incident_not_found() -> Trial {
    let app = spawn_app();
    let (_, auth) = kabkota_bearer(&app);
    let uri = format!("/api/v1/incidents/{}", "0".repeat(32));
    refused(app, get_as(&uri, &auth)).await
}

/// An event on a fresh incident of the first TPS, as its KPU Kab/Kota
/// (or, `as_kpps`, as its reporting KPPS).
/// A TPS whose device signed PPWP version 1, its PPK member's key, and a
/// PPWP pair's witness over its kab/kota.
struct Review {
    app: TestApp,
    tps: RegionCode,
    ppk: Signer,
    witness: String,
}

async fn review() -> Review {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let ppk = app
        .officer_key(KeyRole::Ppk, tps.ancestor_at(Level::Kecamatan).unwrap())
        .await;
    let answer = app
        .submit(&kpps, tps, Contest::Ppwp, app.ppwp_form(tps, [10, 20, 30]))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let witness = format!(
        "Bearer {}",
        app.account_token("saksi.trial", "saksi", kab, None, Some(1))
    );
    Review {
        app,
        tps,
        ppk,
        witness,
    }
}

/// An objection by `auth` refused.
async fn objection_refused(r: Review, auth: &str, body: Value) -> Trial {
    let request = post_json(
        "/api/v1/objections",
        &[("authorization", auth), ("idempotency-key", "o")],
        body.to_string(),
    );
    refused(r.app, request).await
}

/// Logs the witness's objection to version 1; its log index.
async fn objected(r: &Review) -> u64 {
    let body = crate::review::objection(r.tps, "ppwp", 1, &["options.01"]);
    let answer = r
        .app
        .send(post_json(
            "/api/v1/objections",
            &[("authorization", &r.witness), ("idempotency-key", "first")],
            body.to_string(),
        ))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    answer.json()["log_index"].as_u64().unwrap()
}

fn ruling_request(index: u64, body: &Value) -> Request<Body> {
    post_json(
        &format!("/api/v1/objections/{index}/ruling"),
        &[],
        body.to_string(),
    )
}

async fn objection_malformed() -> Trial {
    let r = review().await;
    let auth = r.witness.clone();
    objection_refused(r, &auth, json!({"tps": "11.01.01.2001.001"})).await
}

/// The pair's witness objecting to `contest`'s `version` over `fields`.
async fn witness_refused(contest: &str, version: u32, fields: &[&str]) -> Trial {
    let r = review().await;
    let body = crate::review::objection(r.tps, contest, version, fields);
    let auth = r.witness.clone();
    objection_refused(r, &auth, body).await
}

/// An account of `role` (a saksi of party 3) at the kab/kota of `tps`
/// (the review's TPS if `None`) objecting to `contest`'s version 1.
async fn account_refused(role: &str, tps: Option<&str>, contest: &str) -> Trial {
    let r = review().await;
    let at = tps.map_or(r.tps, |p| r.app.first_tps(RegionCode::parse(p).unwrap()));
    let kab = at.ancestor_at(Level::Kabkota).unwrap();
    let party = (role == "saksi").then_some(3);
    let token = r
        .app
        .account_token(&format!("{role}.other"), role, kab, party, None);
    let body = crate::review::objection(r.tps, contest, 1, &["suara_sah"]);
    objection_refused(r, &format!("Bearer {token}"), body).await
}

async fn objection_invalid() -> Trial {
    witness_refused("ppwp", 1, &["options.9.party"]).await
}

async fn objection_not_an_objector() -> Trial {
    account_refused("kpu-kabkota", None, "ppwp").await
}

async fn objection_outside_region() -> Trial {
    account_refused("saksi", Some("12"), "ppwp").await
}

async fn objection_paslon_outside_ppwp() -> Trial {
    witness_refused("dpr", 1, &["suara_sah"]).await
}

async fn objection_no_form() -> Trial {
    account_refused("bawaslu", None, "dpr").await
}

async fn objection_not_current() -> Trial {
    witness_refused("ppwp", 2, &["suara_sah"]).await
}

async fn objection_not_found() -> Trial {
    let r = review().await;
    let body = crate::review::ruling(&r.ppk, 999_999, saksi_statement::Decision::Upheld);
    refused(r.app, ruling_request(999_999, &body)).await
}

async fn objection_already_ruled() -> Trial {
    let r = review().await;
    let index = objected(&r).await;
    let first = crate::review::ruling(&r.ppk, index, saksi_statement::Decision::Rejected);
    let answer = r.app.send(ruling_request(index, &first)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let again = crate::review::ruling(&r.ppk, index, saksi_statement::Decision::Upheld);
    refused(r.app, ruling_request(index, &again)).await
}

async fn recap_correction_refused() -> Trial {
    let r = review().await;
    let index = objected(&r).await;
    // Still open: nothing to correct yet.
    let body = r.app.sign_correction(
        &r.ppk,
        r.tps,
        Contest::Ppwp,
        &r.app.ppwp_form(r.tps, [11, 20, 30]),
        index,
    );
    let request = post_json(
        &format!("/api/v1/tps/{}/forms/ppwp", r.tps),
        &[],
        body.to_string(),
    );
    refused(r.app, request).await
}

/// A kecamatan whose every TPS has its PPWP form in, with two PPK
/// commissioners (two confirm a kecamatan here) and the statement the
/// recap state offers them.
struct Recap {
    app: TestApp,
    tps: RegionCode,
    kecamatan: RegionCode,
    keys: [Signer; 2],
    statement: serde_json::Map<String, Value>,
}

async fn recap() -> Recap {
    let app = spawn_app_with(Config {
        signoff_quorum: saksi_statement::Quorum::parse("kecamatan=2").unwrap(),
        ..Config::default()
    });
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kecamatan = tps.ancestor_at(Level::Kecamatan).unwrap();
    let tree = &app.election.tree;
    let all: Vec<RegionCode> = tree
        .children(tree.find(kecamatan).unwrap())
        .flat_map(|d| tree.children(d))
        .map(|t| tree.get(t).code)
        .collect();
    for t in all {
        let kpps = app.kpps_device(t).await;
        let answer = app
            .submit(&kpps, t, Contest::Ppwp, app.ppwp_form(t, [10, 20, 30]))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let keys = [
        crate::signoff::commissioner(&app, KeyRole::Ppk, kecamatan, 1).await,
        crate::signoff::commissioner(&app, KeyRole::Ppk, kecamatan, 2).await,
    ];
    let state = app.get(&format!("/api/v1/recap/ppwp/{kecamatan}")).await;
    let statement = state.json()["statement"].as_object().unwrap().clone();
    Recap {
        app,
        tps,
        kecamatan,
        keys,
        statement,
    }
}

fn signoff_request(region: RegionCode, body: &Value) -> Request<Body> {
    post_json(
        &format!("/api/v1/recap/ppwp/{region}/signoffs"),
        &[],
        body.to_string(),
    )
}

/// The offered statement with the member at `pointer` changed, confirmed
/// by the first commissioner.
async fn signoff_with(pointer: &str, value: Value) -> Trial {
    let r = recap().await;
    let statement = crate::signoff::with(&r.statement, pointer, value);
    let body = crate::signoff::signed(&statement, &r.keys[0]);
    refused(r.app, signoff_request(r.kecamatan, &body)).await
}

/// Confirms the offered statement with the first `n` commissioners.
async fn confirmed(r: &Recap, n: usize) {
    for key in &r.keys[..n] {
        let body = crate::signoff::signed(&r.statement, key);
        let answer = r.app.send(signoff_request(r.kecamatan, &body)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
}

async fn recap_not_a_level() -> Trial {
    let r = recap().await;
    let desa = r.tps.parent().unwrap();
    let uri = format!("/api/v1/recap/ppwp/{desa}");
    refused(r.app, request(Method::GET, &uri, &[], Body::empty())).await
}

async fn recap_not_a_kecamatan() -> Trial {
    let app = spawn_app();
    let (tps, auth) = kabkota_bearer(&app);
    let kab = tps.ancestor_at(Level::Kabkota).unwrap();
    let uri = format!("/api/v1/recap/ppwp/{kab}/queue");
    refused(app, get_as(&uri, &auth)).await
}

async fn recap_locked() -> Trial {
    let r = recap().await;
    confirmed(&r, 2).await;
    let kpps = r.app.kpps_device(r.tps).await;
    let form = r.app.ppwp_form(r.tps, [11, 20, 30]);
    let body = r.app.sign_next(&kpps, r.tps, Contest::Ppwp, &form, None);
    let uri = format!("/api/v1/tps/{}/forms/ppwp", r.tps);
    refused(r.app, post_json(&uri, &[], body.to_string())).await
}

async fn recap_signoff_differs() -> Trial {
    let r = recap().await;
    confirmed(&r, 1).await;
    let statement = crate::signoff::with(&r.statement, "/totals/suara_sah", json!(1));
    let body = crate::signoff::signed(&statement, &r.keys[1]);
    refused(r.app, signoff_request(r.kecamatan, &body)).await
}

async fn recap_children() -> Trial {
    let r = recap().await;
    let mut children = r.statement["children"].as_array().unwrap().clone();
    let stranger = format!("{}.2999.999", r.kecamatan);
    children.push(json!({"code": stranger, "digest": hex::encode([1u8; 32])}));
    let statement = crate::signoff::with(&r.statement, "/children", Value::Array(children));
    let body = crate::signoff::signed(&statement, &r.keys[0]);
    refused(r.app, signoff_request(r.kecamatan, &body)).await
}

/// The kab/kota signed off before its kecamatan: every child named, none
/// final.
async fn recap_child_not_in() -> Trial {
    let r = recap().await;
    let kabkota = r.kecamatan.ancestor_at(Level::Kabkota).unwrap();
    let key = crate::signoff::commissioner(&r.app, KeyRole::KpuKabkota, kabkota, 1).await;
    let tree = &r.app.election.tree;
    let children: Vec<Value> = tree
        .children(tree.find(kabkota).unwrap())
        .map(|k| json!({"code": tree.get(k).code.to_string(), "digest": hex::encode([2u8; 32])}))
        .collect();
    let mut statement = crate::signoff::with(&r.statement, "/children", Value::Array(children));
    statement.insert("region".into(), json!(kabkota.to_string()));
    statement.insert("k".into(), json!(1));
    let body = crate::signoff::signed(&statement, &key);
    refused(r.app, signoff_request(kabkota, &body)).await
}

async fn recap_child_changed() -> Trial {
    signoff_with("/children/0/digest", json!(hex::encode([7u8; 32]))).await
}

async fn recap_objection_open() -> Trial {
    let r = recap().await;
    let kab = r.tps.ancestor_at(Level::Kabkota).unwrap();
    let witness = format!(
        "Bearer {}",
        r.app
            .account_token("saksi.trial", "saksi", kab, None, Some(1))
    );
    let objection = crate::review::objection(r.tps, "ppwp", 1, &["options.01"]);
    let answer = r
        .app
        .send(post_json(
            "/api/v1/objections",
            &[("authorization", &witness), ("idempotency-key", "first")],
            objection.to_string(),
        ))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let body = crate::signoff::signed(&r.statement, &r.keys[0]);
    refused(r.app, signoff_request(r.kecamatan, &body)).await
}

async fn recap_totals_not_sum() -> Trial {
    signoff_with("/totals/options/01", json!(1)).await
}

async fn recap_quorum_mismatch() -> Trial {
    signoff_with("/k", json!(3)).await
}

/// A reopen of a kecamatan that is not final, by its KPU Kab/Kota's
/// commissioner.
async fn recap_not_final() -> Trial {
    let r = recap().await;
    let kabkota = r.kecamatan.ancestor_at(Level::Kabkota).unwrap();
    let key = crate::signoff::commissioner(&r.app, KeyRole::KpuKabkota, kabkota, 1).await;
    let statement = saksi_statement::ReopenStatement {
        origin: ORIGIN.into(),
        contest: Contest::Ppwp,
        region: r.kecamatan,
        final_digest: [4; 32],
        reason: "hitung ulang".into(),
        k: 1,
    };
    let body = crate::signoff::signed(&statement.to_object(), &key);
    let uri = format!("/api/v1/recap/ppwp/{}/reopen", r.kecamatan);
    refused(r.app, post_json(&uri, &[], body.to_string())).await
}

/// `not_held` for a TPS that has its form.
async fn recap_no_form_refused() -> Trial {
    let r = recap().await;
    let statement = saksi_statement::NoFormStatement {
        origin: ORIGIN.into(),
        tps: r.tps,
        contest: Contest::Ppwp,
        reason: saksi_statement::NoFormReason::NotHeld,
        incident: None,
        note: "tidak ada pemungutan suara".into(),
        signed_at: UnixTime(now()),
    };
    let body = crate::signoff::signed(&statement.to_object(), &r.keys[0]);
    let uri = format!("/api/v1/recap/ppwp/{}/no-form/{}", r.kecamatan, r.tps);
    refused(r.app, post_json(&uri, &[], body.to_string())).await
}

/// Posts a shipment signed by `by` to `c`'s app, refused.
async fn shipment_refused(
    c: logistics_shipments::Chain,
    statement: &saksi_statement::ShipmentStatement,
    by: &Signer,
) -> Trial {
    let body = crate::signoff::signed(&statement.to_object(), by);
    let request = post_json(logistics_shipments::SHIPMENTS, &[], body.to_string());
    refused(c.app, request).await
}

/// Posts a delivery signed by `by` to `c`'s app, refused.
async fn delivery_refused(
    c: logistics_shipments::Chain,
    statement: &saksi_statement::DeliveryStatement,
    by: &Signer,
) -> Trial {
    let body = crate::signoff::signed(&statement.to_object(), by);
    let uri = logistics_shipments::delivery_uri(statement.shipment);
    refused(c.app, post_json(&uri, &[], body.to_string())).await
}

/// The kab/kota's warehouse stocked, and 100 ballots shipped on to the
/// kecamatan: the shipment, its id and the delivery of all of it.
async fn shipped_to_the_kecamatan() -> (
    logistics_shipments::Chain,
    u64,
    saksi_statement::DeliveryStatement,
) {
    let c = logistics_shipments::chain().await;
    c.stocked().await;
    let shipment = c.shipment(c.kab, c.kec, &[("ballot-ppwp", 100)]);
    let id = c.shipped(&shipment, &c.kpu).await;
    let whole = c.delivery(
        id,
        &shipment,
        &[("ballot-ppwp", 100, 0)],
        saksi_statement::logistics::RejectReason::Damaged,
    );
    (c, id, whole)
}

async fn logistics_unknown_item() -> Trial {
    let c = logistics_shipments::chain().await;
    let statement = c.shipment(c.kab, c.kab, &[("ballot-pilkada", 10)]);
    let supplier = c.supplier.clone();
    shipment_refused(c, &statement, &supplier).await
}

async fn logistics_not_next_level() -> Trial {
    let c = logistics_shipments::chain().await;
    c.stocked().await;
    let statement = c.shipment(c.kab, c.desa, &[("box", 1)]);
    let kpu = c.kpu.clone();
    shipment_refused(c, &statement, &kpu).await
}

async fn logistics_not_sender() -> Trial {
    let c = logistics_shipments::chain().await;
    c.stocked().await;
    let statement = c.shipment(c.kab, c.kec, &[("box", 1)]);
    let ppk = c.ppk.clone();
    shipment_refused(c, &statement, &ppk).await
}

async fn logistics_insufficient_stock() -> Trial {
    let c = logistics_shipments::chain().await;
    let statement = c.shipment(c.kab, c.kec, &[("box", 1)]);
    let kpu = c.kpu.clone();
    shipment_refused(c, &statement, &kpu).await
}

async fn logistics_shipment_not_found() -> Trial {
    let (c, _, mut whole) = shipped_to_the_kecamatan().await;
    whole.shipment = 0;
    let ppk = c.ppk.clone();
    delivery_refused(c, &whole, &ppk).await
}

async fn logistics_already_delivered() -> Trial {
    let (c, _, whole) = shipped_to_the_kecamatan().await;
    let answer = c.deliver(&whole, &c.ppk).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let mut again = whole.clone();
    again.signed_at = UnixTime(now() + 1);
    let ppk = c.ppk.clone();
    delivery_refused(c, &again, &ppk).await
}

async fn logistics_not_receiver() -> Trial {
    let (c, _, whole) = shipped_to_the_kecamatan().await;
    let pps = c.pps.clone();
    delivery_refused(c, &whole, &pps).await
}

async fn logistics_items_mismatch() -> Trial {
    let (c, _, mut whole) = shipped_to_the_kecamatan().await;
    if let Some(ballots) = whole.items.get_mut("ballot-ppwp") {
        ballots.accepted = 99;
    }
    let ppk = c.ppk.clone();
    delivery_refused(c, &whole, &ppk).await
}

async fn logistics_seal_not_shipped() -> Trial {
    let (c, _, mut whole) = shipped_to_the_kecamatan().await;
    whole.seals_checked = vec!["KPU-lain".into()];
    let ppk = c.ppk.clone();
    delivery_refused(c, &whole, &ppk).await
}

async fn form_diff_range() -> Trial {
    let r = review().await;
    let uri = format!("/api/v1/tps/{}/diff/ppwp?from=1&to=1", r.tps);
    refused(r.app, request(Method::GET, &uri, &[], Body::empty())).await
}

async fn form_version_not_found() -> Trial {
    let r = review().await;
    let uri = format!("/api/v1/tps/{}/diff/ppwp?to=5", r.tps);
    refused(r.app, request(Method::GET, &uri, &[], Body::empty())).await
}

async fn incident_event_refused(body: Value, as_kpps: bool) -> Trial {
    let app = spawn_app();
    let filed = app.send(incident_filing(&app, "f", |_| {})).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.json());
    let id = filed.json()["id"].as_str().unwrap().to_owned();
    let auth = if as_kpps {
        let user = app.store.user_by_username("kpps.trial").unwrap().unwrap();
        format!("Bearer {}", app.session_for(user.id, now() + 3600))
    } else {
        kabkota_bearer(&app).1
    };
    let request = post_json(
        &format!("/api/v1/incidents/{id}/events"),
        &[("authorization", &auth), ("idempotency-key", "e")],
        body.to_string(),
    );
    refused(app, request).await
}

async fn incident_unknown_action() -> Trial {
    incident_event_refused(json!({"action": "overdue"}), false).await
}

async fn incident_text_required() -> Trial {
    incident_event_refused(json!({"action": "resolve"}), false).await
}

async fn incident_not_owner() -> Trial {
    incident_event_refused(json!({"action": "acknowledge"}), true).await
}

async fn incident_transition_forbidden() -> Trial {
    incident_event_refused(json!({"action": "close"}), false).await
}

async fn incident_assignee_not_in_office() -> Trial {
    incident_event_refused(json!({"action": "assign", "assignee": "kpps.trial"}), false).await
}

async fn incident_no_level_above() -> Trial {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let auth = bearer(&app, "kpu-ri", RegionCode::NASIONAL);
    let body = json!({"region": tps.to_string(), "category": "it", "severity": "low",
        "title": "t", "description": "d"});
    let headers = [("authorization", auth.as_str()), ("idempotency-key", "f")];
    let filed = app
        .send(post_json("/api/v1/incidents", &headers, body.to_string()))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.json());
    let id = filed.json()["id"].as_str().unwrap().to_owned();
    let request = post_json(
        &format!("/api/v1/incidents/{id}/events"),
        &[("authorization", auth.as_str()), ("idempotency-key", "e")],
        json!({"action": "escalate", "text": "naik"}).to_string(),
    );
    refused(app, request).await
}
