//! KPPS device enrolment: a KPU Kab/Kota issues one-time codes for TPS of
//! its kab/kota, a phone enrols with one and its key, the officer approves
//! it by registering the key (or rejects it), and the phone sees each step.
//! Every refusal with its code, and that it stores nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use saksi_api::{Enrolment, EnrolmentCreated, Enrolments, IssuedCodes};
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Clock;
use saksi_server::workspace::throttle;
use saksi_statement::KeyRole;
use saksi_store::{NewUser, UnixTime};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::keys::revoke;

/// A session for a new account of `role` at `region`, written into the
/// store as `saksi user token` does (valid for a year of the test's
/// clock, which some tests move by days).
pub(crate) fn staff(app: &TestApp, username: &str, role: &str, region: RegionCode) -> String {
    let id = app
        .store
        .add_user(&NewUser {
            username: username.into(),
            role: role.into(),
            region,
            party: None,
            paslon: None,
            password_hash: None,
            created_at: UnixTime(now()),
        })
        .unwrap();
    app.session_for(id, now() + 365 * 86_400)
}

impl TestApp {
    /// A request with a bearer token and, if any, a JSON body.
    pub(crate) async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            headers.push(("authorization", b.as_str()));
        }
        let body = body.map_or_else(String::new, |b| b.to_string());
        self.request(method, uri, &headers, body).await
    }

    /// The `n`-th TPS (0-based) of `kabkota`.
    pub(crate) fn tps_of(&self, kabkota: RegionCode, n: usize) -> RegionCode {
        let tree = &self.election.tree;
        tree.tps_ids()
            .map(|id| tree.get(id).code)
            .filter(|c| kabkota.contains(*c))
            .nth(n)
            .expect("enough TPS in the kab/kota")
    }

    async fn issue(&self, token: &str, tps: &[RegionCode]) -> Answer {
        let tps: Vec<String> = tps.iter().map(ToString::to_string).collect();
        self.call(
            Method::POST,
            "/api/v1/enrolment-codes",
            Some(token),
            Some(json!({ "tps": tps })),
        )
        .await
    }

    /// One fresh code for `tps`, issued with `token`.
    async fn code_for(&self, token: &str, tps: RegionCode) -> String {
        let answer = self.issue(token, &[tps]).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        answer.typed::<IssuedCodes>().codes.remove(0).code
    }

    async fn enrol(&self, tps: RegionCode, code: &str, key: &str) -> Answer {
        let body = json!({"tps": tps.to_string(), "code": code, "key": key});
        self.call(Method::POST, "/api/v1/enrolments", None, Some(body))
            .await
    }

    async fn enrolment(&self, id: &str) -> Answer {
        self.get(&format!("/api/v1/enrolments/{id}")).await
    }

    async fn reject(&self, token: &str, id: &str, reason: &str) -> Answer {
        self.call(
            Method::POST,
            &format!("/api/v1/enrolments/{id}/reject"),
            Some(token),
            Some(json!({ "reason": reason })),
        )
        .await
    }
}

/// The kab/kota of the first TPS, and a KPU Kab/Kota session there.
fn kabkota(app: &TestApp) -> (RegionCode, String) {
    let kab = app
        .first_tps(RegionCode::NASIONAL)
        .ancestor_at(Level::Kabkota)
        .unwrap();
    (kab, staff(app, "kpu.kab", "kpu-kabkota", kab))
}

fn device(name: &str) -> Signer {
    Signer::generate(name).unwrap()
}

/// How many enrolment codes and enrolments the store holds.
fn stored(app: &TestApp) -> (i64, i64) {
    let conn = rusqlite::Connection::open(app.database()).unwrap();
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    (count("enrolment_codes"), count("enrolments"))
}

#[tokio::test]
async fn a_phone_enrols_with_its_code_and_is_approved_then_revoked_through_the_key_registry() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 1);
    let answer = app.issue(&officer, &[tps]).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let issued = answer.typed::<IssuedCodes>().codes.remove(0);
    assert_eq!(issued.tps, tps.to_string());
    assert_eq!(
        issued.expires_at,
        app.clock.now().plus(7 * 86_400).to_string(),
        "a code lasts 7 days on the server's clock"
    );
    let (codes, _) = stored(&app);
    let conn = rusqlite::Connection::open(app.database()).unwrap();
    let hash: Vec<u8> = conn
        .query_row("SELECT code_hash FROM enrolment_codes", [], |r| r.get(0))
        .unwrap();
    assert_eq!((codes, hash.len()), (1, 32), "only a hash is stored");

    // Typed as a phone's keyboard gives it: digits only.
    let phone = device("hp-kpps");
    let digits = issued.code.replace('-', "");
    let answer = app.enrol(tps, &digits, &phone.verifier().to_string()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let created = answer.typed::<EnrolmentCreated>();
    assert_eq!(created.status, saksi_api::EnrolmentStatus::Pending);
    assert_eq!(created.id.len(), 32);
    let status = |answer: Answer| answer.typed::<Enrolment>().status;
    assert_eq!(
        status(app.enrolment(&created.id).await),
        saksi_api::EnrolmentStatus::Pending
    );

    // The officer sees it pending, with the key to register.
    let answer = app
        .call(
            Method::GET,
            "/api/v1/enrolments?status=pending",
            Some(&officer),
            None,
        )
        .await;
    let listed = answer.typed::<Enrolments>().enrolments;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    assert_eq!(listed[0].key, phone.verifier().to_string());

    // Approval is the key's registration, signed by the officer's key.
    let officer_key = app.kabkota_officer(tps).await;
    app.register_once(&phone, KeyRole::Kpps, tps, &officer_key)
        .await;
    assert_eq!(
        status(app.enrolment(&created.id).await),
        saksi_api::EnrolmentStatus::Approved
    );
    let pending = app
        .call(
            Method::GET,
            "/api/v1/enrolments?status=pending",
            Some(&officer),
            None,
        )
        .await;
    assert!(pending.typed::<Enrolments>().enrolments.is_empty());

    // A lost phone: the officer revokes its key.
    let answer = app.post_key(&revoke(&phone), &officer_key).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    assert_eq!(
        status(app.enrolment(&created.id).await),
        saksi_api::EnrolmentStatus::Revoked
    );
    let all = app
        .call(Method::GET, "/api/v1/enrolments", Some(&officer), None)
        .await;
    assert_eq!(
        all.typed::<Enrolments>().enrolments[0].status,
        saksi_api::EnrolmentStatus::Revoked
    );
}

#[tokio::test]
async fn a_used_code_is_409_an_expired_one_410_and_a_wrong_one_422_each_enrolling_nothing() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 0);
    let code = app.code_for(&officer, tps).await;
    let key = device("hp-1").verifier().to_string();
    assert_eq!(
        app.enrol(tps, &code, &key).await.status,
        StatusCode::CREATED
    );
    let before = stored(&app);

    let again = app
        .enrol(tps, &code, &device("hp-2").verifier().to_string())
        .await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (StatusCode::CONFLICT, "enrolment.code_used")
    );
    let wrong = if code.starts_with('0') { "1" } else { "0" };
    let wrong = format!("{wrong}{}", &code[1..]);
    let answer = app.enrol(tps, &wrong, &key).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "enrolment.code_invalid")
    );
    // A right code for another TPS is wrong for this one.
    let other = app.tps_of(kab, 1);
    let other_code = app.code_for(&officer, other).await;
    let answer = app.enrol(tps, &other_code, &key).await;
    assert_eq!(answer.code(), "enrolment.code_invalid");
    for malformed in ["", "1234", "1234-5678-901x", "12345678901234567890"] {
        let answer = app.enrol(tps, malformed, &key).await;
        assert_eq!(answer.code(), "enrolment.code_invalid", "{malformed:?}");
    }
    assert_eq!(stored(&app).1, before.1, "nothing enrolled");

    // Seven days on the server's clock, and the other code is expired.
    app.clock.advance(7 * 86_400);
    let answer = app.enrol(other, &other_code, &key).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::GONE, "enrolment.code_expired")
    );
    assert_eq!(stored(&app).1, before.1, "nothing enrolled");
}

#[tokio::test]
async fn issuing_a_new_code_for_a_tps_voids_its_unused_one() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 0);
    let first = app.code_for(&officer, tps).await;
    let second = app.code_for(&officer, tps).await;
    assert_ne!(first, second);
    let key = device("hp").verifier().to_string();
    let answer = app.enrol(tps, &first, &key).await;
    assert_eq!(
        answer.code(),
        "enrolment.code_invalid",
        "the old code is void"
    );
    let answer = app.enrol(tps, &second, &key).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    // One request naming a TPS twice gets one code.
    let twice = app.issue(&officer, &[tps, tps]).await;
    assert_eq!(twice.typed::<IssuedCodes>().codes.len(), 1);
}

#[tokio::test]
async fn codes_are_issued_only_by_a_kabkota_session_for_tps_of_its_kabkota() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let inside = app.tps_of(kab, 0);
    let outside = app.first_tps(TestApp::code("12"));
    assert!(!kab.contains(outside));
    let before = stored(&app);

    let answer = app.issue(&officer, &[inside, outside]).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::FORBIDDEN, "enrolment.outside_jurisdiction")
    );
    assert_eq!(
        answer.json()["error"]["details"]["tps"],
        outside.to_string()
    );
    let pps = staff(&app, "pps.desa", "pps", inside.parent().unwrap());
    let answer = app.issue(&pps, &[inside]).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::FORBIDDEN, "workspace.role_forbidden")
    );
    let answer = app
        .call(
            Method::POST,
            "/api/v1/enrolment-codes",
            None,
            Some(json!({"tps": [inside.to_string()]})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // A desa is no TPS; a code that does not parse is no region.
    let answer = app.issue(&officer, &[inside.parent().unwrap()]).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::NOT_FOUND, "region.not_found")
    );
    let answer = app
        .call(
            Method::POST,
            "/api/v1/enrolment-codes",
            Some(&officer),
            Some(json!({"tps": ["11.x"]})),
        )
        .await;
    assert_eq!(answer.code(), "region.invalid_code");
    for count in [0, 1001] {
        let tps = vec![inside.to_string(); count];
        let answer = app
            .call(
                Method::POST,
                "/api/v1/enrolment-codes",
                Some(&officer),
                Some(json!({ "tps": tps })),
            )
            .await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (StatusCode::BAD_REQUEST, "enrolment.tps_count")
        );
    }
    let answer = app
        .call(
            Method::POST,
            "/api/v1/enrolment-codes",
            Some(&officer),
            Some(json!({"tps": [inside.to_string()], "count": 2})),
        )
        .await;
    assert_eq!(answer.code(), "request.malformed_json");
    assert_eq!(stored(&app), before, "nothing issued");
}

#[tokio::test]
async fn an_enrolment_with_a_bad_key_or_an_unknown_tps_is_refused_and_keeps_the_code() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 0);
    let code = app.code_for(&officer, tps).await;
    for key in ["", "not-a-key", "kpps+00000000+AQ=="] {
        let answer = app.enrol(tps, &code, key).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (StatusCode::BAD_REQUEST, "key.invalid_verifier"),
            "{key:?}"
        );
    }
    let answer = app
        .enrol(
            tps.parent().unwrap(),
            &code,
            &device("hp").verifier().to_string(),
        )
        .await;
    assert_eq!(answer.code(), "region.not_found");
    let answer = app
        .call(
            Method::POST,
            "/api/v1/enrolments",
            None,
            Some(json!({"tps": tps.to_string(), "code": code})),
        )
        .await;
    assert_eq!(answer.code(), "request.malformed_json");
    assert_eq!(stored(&app).1, 0);
    let answer = app
        .enrol(tps, &code, &device("hp").verifier().to_string())
        .await;
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "the code was not used up"
    );
}

/// An enrolment request from the client address `ip`.
fn enrol_from(ip: &str, tps: RegionCode, code: &str, key: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = (ip.parse::<std::net::IpAddr>().unwrap(), 40000).into();
    let body = json!({"tps": tps.to_string(), "code": code, "key": key});
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/enrolments")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    request
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_tps_from_any_address_until_the_window_passes() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 0);
    let code = app.code_for(&officer, tps).await;
    let key = device("hp").verifier().to_string();
    for i in 0..throttle::TPS_LIMIT {
        let ip = format!("10.0.0.{i}");
        let answer = app.send(enrol_from(&ip, tps, "0000-0000-0000", &key)).await;
        assert_eq!(answer.code(), "enrolment.code_invalid");
    }
    // Even the right code waits: it is not checked.
    let answer = app.send(enrol_from("10.0.1.1", tps, &code, &key)).await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "enrolment.throttled")
    );
    assert_eq!(
        answer.headers["retry-after"],
        throttle::WINDOW_SECS.to_string()
    );
    // Another TPS is untouched.
    let other = app.tps_of(kab, 1);
    let answer = app
        .send(enrol_from("10.0.1.1", other, "0000-0000-0000", &key))
        .await;
    assert_eq!(answer.code(), "enrolment.code_invalid");
    app.clock.advance(throttle::WINDOW_SECS as i64);
    let answer = app.send(enrol_from("10.0.1.1", tps, &code, &key)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_address_over_all_tps() {
    let app = spawn_app();
    let key = device("hp").verifier().to_string();
    let tree = &app.election.tree;
    let tps: Vec<RegionCode> = tree.tps_ids().map(|id| tree.get(id).code).collect();
    for t in &tps[..throttle::ADDRESS_LIMIT as usize] {
        let answer = app
            .send(enrol_from("10.9.9.9", *t, "0000-0000-0000", &key))
            .await;
        assert_eq!(answer.code(), "enrolment.code_invalid");
    }
    let next = tps[throttle::ADDRESS_LIMIT as usize];
    let answer = app
        .send(enrol_from("10.9.9.9", next, "0000-0000-0000", &key))
        .await;
    assert_eq!(answer.code(), "enrolment.throttled");
    assert!(answer.headers.contains_key("retry-after"));
    let answer = app
        .send(enrol_from("10.9.9.10", next, "0000-0000-0000", &key))
        .await;
    assert_eq!(answer.code(), "enrolment.code_invalid", "another address");
}

#[tokio::test]
async fn the_officer_rejects_a_pending_enrolment_of_its_kabkota_with_a_reason_the_phone_sees() {
    let app = spawn_app();
    let (kab, officer) = kabkota(&app);
    let tps = app.tps_of(kab, 0);
    let code = app.code_for(&officer, tps).await;
    let phone = device("hp");
    let id = app
        .enrol(tps, &code, &phone.verifier().to_string())
        .await
        .typed::<EnrolmentCreated>()
        .id;

    // Another kab/kota's officer, another role, a bad reason: refused.
    let far = app
        .first_tps(TestApp::code("12"))
        .ancestor_at(Level::Kabkota)
        .unwrap();
    let stranger = staff(&app, "kpu.lain", "kpu-kabkota", far);
    let answer = app.reject(&stranger, &id, "bukan TPS Anda").await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::FORBIDDEN, "enrolment.outside_jurisdiction")
    );
    let listed = app
        .call(Method::GET, "/api/v1/enrolments", Some(&stranger), None)
        .await;
    assert!(listed.typed::<Enrolments>().enrolments.is_empty());
    let ppk = staff(
        &app,
        "ppk.kec",
        "ppk",
        tps.ancestor_at(Level::Kecamatan).unwrap(),
    );
    let answer = app.reject(&ppk, &id, "tidak dikenal").await;
    assert_eq!(answer.code(), "workspace.role_forbidden");
    let answer = app
        .call(Method::GET, "/api/v1/enrolments", Some(&ppk), None)
        .await;
    assert_eq!(answer.code(), "workspace.role_forbidden");
    for reason in ["", "   ", &"x".repeat(501)] {
        let answer = app.reject(&officer, &id, reason).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "enrolment.reason_invalid")
        );
    }
    for unknown in ["0".repeat(32), "not-an-id".to_owned(), id.to_uppercase()] {
        let answer = app.reject(&officer, &unknown, "x").await;
        assert_eq!(answer.code(), "enrolment.not_found", "{unknown}");
        assert_eq!(app.enrolment(&unknown).await.code(), "enrolment.not_found");
    }
    let answer = app
        .call(
            Method::GET,
            "/api/v1/enrolments?status=lost",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::BAD_REQUEST, "workspace.invalid_status")
    );
    let seen = app.enrolment(&id).await.typed::<Enrolment>();
    assert_eq!(seen.status, saksi_api::EnrolmentStatus::Pending);

    let answer = app.reject(&officer, &id, "HP bukan milik KPPS").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let rejected = answer.typed::<Enrolment>();
    assert_eq!(rejected.status, saksi_api::EnrolmentStatus::Rejected);
    let seen = app.enrolment(&id).await.typed::<Enrolment>();
    assert_eq!(seen, rejected);
    assert_eq!(seen.reason.as_deref(), Some("HP bukan milik KPPS"));
    let answer = app.reject(&officer, &id, "lagi").await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (StatusCode::CONFLICT, "enrolment.not_pending")
    );
    assert_eq!(answer.json()["error"]["details"]["status"], "rejected");
    let listed = app
        .call(
            Method::GET,
            "/api/v1/enrolments?status=rejected",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(listed.typed::<Enrolments>().enrolments.len(), 1);

    // An approved enrolment is not rejected.
    let other = app.tps_of(kab, 1);
    let code = app.code_for(&officer, other).await;
    let phone = device("hp-2");
    let id = app
        .enrol(other, &code, &phone.verifier().to_string())
        .await
        .typed::<EnrolmentCreated>()
        .id;
    let officer_key = app.kabkota_officer(other).await;
    app.register_once(&phone, KeyRole::Kpps, other, &officer_key)
        .await;
    let answer = app.reject(&officer, &id, "terlambat").await;
    assert_eq!(answer.code(), "enrolment.not_pending");
    assert_eq!(answer.json()["error"]["details"]["status"], "approved");
}
