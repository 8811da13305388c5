//! `spawn_app()`: a fresh store, a small election, users, a log key, and
//! typed helpers; `restart()` reopens the same data directory.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use saksi_core::{Contest, Election, Level, RegionCode, RegionId};
use saksi_log::Signer;
use saksi_server::auth::totp_key::TotpKey;
use saksi_server::auth::{password, token};
use saksi_server::log::LogSetup;
use saksi_server::{App, Config, ManualClock};
use saksi_sim::rng::Rng;
use saksi_statement::form::version_digest;
use saksi_statement::{Entry, Envelope, FormEntryV1, KeyAction, KeyRole, KeyStatement};
pub use saksi_store::Store;
use saksi_store::{NewUser, Session, SqliteStore, UnixTime};
use serde_json::Value;
use tower::ServiceExt;

/// A key derived from its name alone, so a test app registers each
/// officer's or device's key once and finds it again by name.
pub fn named_key(name: &str) -> Signer {
    use sha2::{Digest, Sha256};
    Signer::from_seed(name, &Sha256::digest(name.as_bytes()).into()).unwrap()
}

/// The bytes of every test app's TOTP key.
pub const TOTP_KEY: [u8; 32] = [0x70; 32];

pub const STAFF: &str = "ketua.kpu";
pub const STAFF_PASSWORD: &str = "rahasia-sekali-123";

pub struct TestApp {
    pub app: App,
    pub store: Arc<SqliteStore>,
    pub election: Arc<Election>,
    pub clock: Arc<ManualClock>,
    /// The log key (kept so a restart signs with the same key).
    pub signer: Signer,
    pub dir: tempfile::TempDir,
}

/// The origin of the test log.
pub const ORIGIN: &str = "saksi.test/log";

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as one of the API's shapes, checked to hold every field
    /// the server wrote, in the order it wrote them: a client reading the
    /// type misses nothing.
    pub fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(&self) -> T {
        let typed: T = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not a {} ({e}): {}",
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&self.body)
            )
        });
        assert_eq!(
            serde_json::to_vec(&typed).unwrap(),
            self.body,
            "{} does not write the server's bytes",
            std::any::type_name::<T>()
        );
        typed
    }

    /// The error code of an error answer.
    pub fn code(&self) -> String {
        serde_json::from_slice::<saksi_api::ErrorBody>(&self.body)
            .map(|b| b.error.code)
            .unwrap_or_default()
    }

    /// The codes of `details.errors`.
    pub fn issue_codes(&self) -> Vec<String> {
        self.json()["error"]["details"]["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["code"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Config::default())
}

/// [`spawn_app`] with these settings (a restart goes back to the defaults).
pub fn spawn_app_with(config: Config) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    let election = saksi_sim::generate::generate(&saksi_sim::generate::GenerateOptions {
        seed: 7,
        scale: 0.001,
    })
    .unwrap();
    store.save_election(&election, &|_, _| {}).unwrap();
    store
        .add_user(&NewUser {
            username: STAFF.into(),
            role: "kpu-ri".into(),
            region: RegionCode::NASIONAL,
            party: None,
            paslon: None,
            password_hash: Some(password::hash(STAFF_PASSWORD).unwrap()),
            created_at: UnixTime(now()),
        })
        .unwrap();
    // A frozen clock: throttling locks last until the test moves it.
    let clock = Arc::new(ManualClock::new(UnixTime(now())));
    let signer = Signer::generate(ORIGIN).unwrap();
    drop(store);
    load_with(dir, clock, signer, config, |store| store)
}

/// [`spawn_app`] over a store whose writes fail as a full disk's do
/// while the returned flag is set.
pub fn spawn_failing_app() -> (TestApp, Arc<std::sync::atomic::AtomicBool>) {
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let switch = saksi_store::failpoint::FailSwitch::Flag(flag.clone());
    let app = spawn_app_over(Config::default(), |store| {
        saksi_store::failpoint::FailingStore::new(store, switch)
    });
    (app, flag)
}

/// [`spawn_app`] with these settings, the app seeing its store through
/// the failpoint `wrap` makes (a slow disk, a lost commit answer).
pub fn spawn_app_over(
    config: Config,
    wrap: impl FnOnce(Arc<dyn Store>) -> saksi_store::failpoint::FailingStore,
) -> TestApp {
    restarted(|_, _| config, |store| Arc::new(wrap(store)))
}

/// [`spawn_app`] restarted with the settings `config` makes (given the
/// data directory and the database) over the store `wrap` makes.
pub fn restarted(
    config: impl FnOnce(&std::path::Path, &Arc<SqliteStore>) -> Config,
    wrap: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Store>,
) -> TestApp {
    let TestApp {
        app,
        store,
        election: _,
        clock,
        signer,
        dir,
    } = spawn_app();
    app.shutdown();
    drop(store);
    let database = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    let config = config(dir.path(), &database);
    drop(database);
    load_with(dir, clock, signer, config, wrap)
}

/// A failpoint switch and the flag that arms it.
pub fn fail_switch() -> (
    saksi_store::failpoint::FailSwitch,
    Arc<std::sync::atomic::AtomicBool>,
) {
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    (saksi_store::failpoint::FailSwitch::Flag(flag.clone()), flag)
}

/// Loads the app over the data directory's database with this key and clock.
fn load(dir: tempfile::TempDir, clock: Arc<ManualClock>, signer: Signer) -> TestApp {
    load_with(dir, clock, signer, Config::default(), |store| store)
}

/// [`load`], with these settings and the store the app sees made by `wrap`.
pub fn load_with(
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    signer: Signer,
    config: Config,
    wrap: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Store>,
) -> TestApp {
    let store = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    // Every test app seals TOTP secrets with one fixed key, so a restart
    // opens what the app before it sealed.
    // And keeps its photos in the data directory, as `saksi serve` does,
    // so a restart finds them.
    let config = Config {
        totp_key: config
            .totp_key
            .or_else(|| Some(TotpKey::from_bytes(TOTP_KEY))),
        photos: config.photos.or_else(|| {
            let photos = saksi_store::DirBlobStore::new(dir.path().join("photos"));
            Some(Arc::new(photos))
        }),
        ..config
    };
    let app = App::load_with_clock(
        wrap(store.clone()),
        config,
        log_setup(&dir, &signer),
        clock.clone(),
    )
    .unwrap();
    let election = app.state().election.clone();
    TestApp {
        app,
        store,
        election,
        clock,
        signer,
        dir,
    }
}

/// The log files of a test data directory.
pub fn log_setup(dir: &tempfile::TempDir, signer: &Signer) -> LogSetup {
    LogSetup {
        signer: signer.clone(),
        highest_path: dir.path().join("log.highest"),
        roots: vec![root_key().verifier()],
    }
}

/// The KPU RI root key of every test app (fixed, so tests can compare).
pub fn root_key() -> Signer {
    Signer::from_seed("kpu-ri-root", &[9; 32]).unwrap()
}

impl TestApp {
    /// The database file.
    pub fn database(&self) -> std::path::PathBuf {
        self.dir.path().join("saksi.db")
    }

    /// Stops the app (every thread), runs `between` on the data directory
    /// while nothing has the database open, and loads it again with the
    /// same key: a server restart.
    pub fn restart_with(self, between: impl FnOnce(&std::path::Path)) -> TestApp {
        let TestApp {
            app,
            store,
            election: _,
            clock,
            signer,
            dir,
        } = self;
        app.shutdown();
        drop(store);
        between(dir.path());
        load(dir, clock, signer)
    }

    /// A restart that changes nothing.
    pub fn restart(self) -> TestApp {
        self.restart_with(|_| {})
    }

    /// A consistent copy of the database (SQLite `VACUUM INTO`), as a
    /// backup tool would take while the server runs.
    pub fn backup(&self, to: &std::path::Path) {
        let conn = rusqlite::Connection::open(self.database()).unwrap();
        conn.execute("VACUUM INTO ?1", [to.to_str().unwrap()])
            .unwrap();
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(body.into()).unwrap()).await
    }

    /// Sends a request through the router and reads the whole answer.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        answer(self.app.router(), request).await
    }

    /// Sends a request to the API and the web crate's pages together, as
    /// `saksi serve` mounts them, and reads the whole answer.
    pub async fn send_to_pages(&self, request: Request<Body>) -> Answer {
        let router =
            saksi_server::router::router_with(self.app.state().clone(), saksi_web::pages());
        answer(router, request).await
    }

    /// The Prometheus text of `/metrics`, as a listener of its own serves
    /// it (the main router does not, without a token).
    pub async fn metrics(&self) -> String {
        let response = self
            .app
            .metrics_router()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.request(Method::GET, uri, &[], Body::empty()).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            &[("content-type", "application/json")],
            body,
        )
        .await
    }

    /// A login with a TOTP (or recovery) code.
    pub async fn login_totp(&self, username: &str, password: &str, totp: &str) -> Answer {
        let body = serde_json::json!({"username": username, "password": password, "totp": totp})
            .to_string();
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            &[("content-type", "application/json")],
            body,
        )
        .await
    }

    /// The token of a password login that must succeed.
    pub async fn login_token(&self, username: &str, password: &str) -> String {
        let answer = self.login(username, password).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        answer.json()["token"].as_str().unwrap().to_owned()
    }

    /// A POST with a Bearer token and a JSON body.
    pub async fn post_bearer(&self, uri: &str, token: &str, body: &Value) -> Answer {
        let auth = format!("Bearer {token}");
        self.request(
            Method::POST,
            uri,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body.to_string(),
        )
        .await
    }

    /// The TOTP code of a base32 secret on the app's clock, `steps` time
    /// steps from now.
    pub fn totp_code(&self, secret: &str, steps: i64) -> String {
        use saksi_server::Clock;
        let at = self.clock.now().0 + steps * saksi_server::auth::totp::STEP_SECS;
        saksi_server::auth::totp::code_at(secret, at).unwrap()
    }

    /// Enrols TOTP for the session `token` through the API: the secret
    /// (base32) and the recovery codes.
    pub async fn enrol_totp(&self, token: &str) -> (String, Vec<String>) {
        let offer = self
            .post_bearer("/api/v1/auth/totp", token, &Value::Null)
            .await;
        assert_eq!(offer.status, StatusCode::CREATED, "{}", offer.json());
        let secret = offer.json()["secret"].as_str().unwrap().to_owned();
        let code = self.totp_code(&secret, 0);
        let confirmed = self
            .post_bearer(
                "/api/v1/auth/totp/confirm",
                token,
                &serde_json::json!({"code": code}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.json());
        let codes = confirmed.json()["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        (secret, codes)
    }

    /// A login from the client address `ip`, as a connection from there
    /// would carry it.
    pub async fn login_from(&self, ip: &str, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let addr: std::net::SocketAddr = (ip.parse::<std::net::IpAddr>().unwrap(), 40000).into();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        self.send(request).await
    }

    /// A KPPS officer of `tps` without a password, with a session token
    /// written straight into the store (as `saksi user token` does).
    pub fn kpps_token(&self, tps: RegionCode) -> String {
        let username = format!("kpps-{}", tps.compact());
        let id = match self.store.user_by_username(&username).unwrap() {
            Some(u) => u.id,
            None => self
                .store
                .add_user(&NewUser {
                    username,
                    role: "kpps".into(),
                    region: tps,
                    party: None,
                    paslon: None,
                    password_hash: None,
                    created_at: UnixTime(now()),
                })
                .unwrap(),
        };
        self.session_for(id, now() + 3600)
    }

    /// An account of `role` at `region` (a saksi with `party` or `paslon`)
    /// and a session token for it.
    pub fn account_token(
        &self,
        username: &str,
        role: &str,
        region: RegionCode,
        party: Option<u8>,
        paslon: Option<u8>,
    ) -> String {
        let id = self
            .store
            .add_user(&NewUser {
                username: username.into(),
                role: role.into(),
                region,
                party,
                paslon,
                password_hash: None,
                created_at: UnixTime(now()),
            })
            .unwrap();
        self.session_for(id, now() + 3600)
    }

    pub fn session_for(&self, user: saksi_store::UserId, expires: i64) -> String {
        let token = token::generate().unwrap();
        self.store
            .insert_session(&Session {
                token_hash: token::hash(&token).to_vec(),
                user_id: user,
                created_at: UnixTime(now() - 10),
                expires_at: UnixTime(expires),
                minted: true,
            })
            .unwrap();
        token
    }

    /// Registers `key` in `role` for `region`, signed by `by`, unless the
    /// log already holds it.
    pub async fn register_once(
        &self,
        key: &Signer,
        role: KeyRole,
        region: RegionCode,
        by: &Signer,
    ) {
        self.register_as(key, role, region, by, false).await;
    }

    /// [`TestApp::register_once`], as a commissioner's key if
    /// `commissioner`.
    pub async fn register_as(
        &self,
        key: &Signer,
        role: KeyRole,
        region: RegionCode,
        by: &Signer,
        commissioner: bool,
    ) {
        let text = key.verifier().to_string();
        if self.store.keys().unwrap().iter().any(|k| k.key == text) {
            return;
        }
        let statement = KeyStatement {
            origin: ORIGIN.into(),
            key: key.verifier(),
            action: KeyAction::Register {
                role,
                region,
                valid_from: UnixTime(now() - 3600),
                valid_until: UnixTime(now() + 30 * 86_400),
                commissioner,
            },
            signed_at: UnixTime(now()),
        };
        let body = Envelope::sign(statement.to_object(), by)
            .unwrap()
            .to_value();
        let answer = self
            .request(
                Method::POST,
                "/api/v1/keys",
                &[("content-type", "application/json")],
                body.to_string(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }

    /// The KPU Kab/Kota officer's key over `region`, registered (with the
    /// KPU Provinsi key over it) if it is not yet.
    pub async fn kabkota_officer(&self, region: RegionCode) -> Signer {
        let prov_code = region.ancestor_at(Level::Provinsi).unwrap();
        let kab_code = region.ancestor_at(Level::Kabkota).unwrap();
        let prov = named_key(&format!("kpu-prov-{prov_code}"));
        let kab = named_key(&format!("kpu-kabkota-{kab_code}"));
        self.register_once(&prov, KeyRole::KpuProv, prov_code, &root_key())
            .await;
        self.register_once(&kab, KeyRole::KpuKabkota, kab_code, &prov)
            .await;
        kab
    }

    /// The KPPS device key of `tps`, registered by its KPU Kab/Kota.
    pub async fn kpps_device(&self, tps: RegionCode) -> Signer {
        self.officer_key(KeyRole::Kpps, tps).await
    }

    /// The key of `role` for `region` (a KPPS device for a TPS, a PPS for
    /// a desa, a PPK for a kecamatan), registered by its KPU Kab/Kota.
    pub async fn officer_key(&self, role: KeyRole, region: RegionCode) -> Signer {
        let kab = self.kabkota_officer(region).await;
        let key = named_key(&format!("{}-{region}", role.id()));
        self.register_once(&key, role, region, &kab).await;
        key
    }

    /// The version after the current one of (`tps`, `contest`) and its
    /// `prev`, as the store has them.
    pub fn next_version(&self, tps: RegionCode, contest: Contest) -> (u32, Option<[u8; 32]>) {
        let Some(current) = self.store.current_form(tps, contest).unwrap() else {
            return (1, None);
        };
        let i = current.log_index;
        let entry = &self.store.log_entries(i, i + 1).unwrap()[0];
        let decoded = Entry::decode(&entry.data).unwrap();
        (current.version + 1, version_digest(&decoded, &entry.data))
    }

    /// `form` (C.Hasil JSON, not checked here) as the next version of
    /// (`tps`, `contest`), signed by `key`, `on_behalf` if a reason is
    /// given: the POST body.
    pub fn sign_next(
        &self,
        key: &Signer,
        tps: RegionCode,
        contest: Contest,
        form: &str,
        on_behalf: Option<&str>,
    ) -> Value {
        self.sign_next_with_photos(key, tps, contest, form, on_behalf, &[])
    }

    /// [`TestApp::sign_next`] with a statement naming `photos` (SHA-256
    /// digests, in this order).
    pub fn sign_next_with_photos(
        &self,
        key: &Signer,
        tps: RegionCode,
        contest: Contest,
        form: &str,
        on_behalf: Option<&str>,
        photos: &[[u8; 32]],
    ) -> Value {
        let member = on_behalf.map(|reason| ("on_behalf", serde_json::json!({ "reason": reason })));
        self.sign_next_with(key, tps, contest, form, member, photos)
    }

    /// [`TestApp::sign_next`] as a PPK's correction answering the
    /// objection logged at `objection`.
    pub fn sign_correction(
        &self,
        key: &Signer,
        tps: RegionCode,
        contest: Contest,
        form: &str,
        objection: u64,
    ) -> Value {
        let member = serde_json::json!({"objection": objection, "reason": "keberatan diterima"});
        self.sign_next_with(key, tps, contest, form, Some(("correction", member)), &[])
    }

    /// The next version's statement with one more `member`, signed.
    fn sign_next_with(
        &self,
        key: &Signer,
        tps: RegionCode,
        contest: Contest,
        form: &str,
        member: Option<(&str, Value)>,
        photos: &[[u8; 32]],
    ) -> Value {
        let (version, prev) = self.next_version(tps, contest);
        let mut statement = serde_json::json!({
            "v": 1,
            "type": "form",
            "origin": ORIGIN,
            "tps": tps.to_string(),
            "contest": contest.id(),
            "version": version,
            "prev": prev.map(hex::encode),
            "form": serde_json::from_str::<Value>(form).unwrap(),
            "photos": photos.iter().map(hex::encode).collect::<Vec<_>>(),
            "signed_at": UnixTime(now()).to_string(),
        });
        if let Some((name, value)) = member {
            statement[name] = value;
        }
        let Value::Object(statement) = statement else {
            unreachable!()
        };
        Envelope::sign(statement, key).unwrap().to_value()
    }

    /// Posts a signed form statement.
    pub async fn post_signed(&self, tps: RegionCode, contest: Contest, body: &Value) -> Answer {
        let uri = format!("/api/v1/tps/{tps}/forms/{contest}");
        self.request(
            Method::POST,
            &uri,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    /// Signs `form` as the next version with `key` and posts it: what a
    /// KPPS device does.
    pub async fn submit(
        &self,
        key: &Signer,
        tps: RegionCode,
        contest: Contest,
        form: impl AsRef<str>,
    ) -> Answer {
        let body = self.sign_next(key, tps, contest, form.as_ref(), None);
        self.post_signed(tps, contest, &body).await
    }

    /// `PUT /api/v1/photos/{sha256}` of `bytes`, as the KPPS app uploads
    /// a photo after its statement.
    pub async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Answer {
        self.request(
            Method::PUT,
            &format!("/api/v1/photos/{sha256}"),
            &[("content-type", "image/jpeg")],
            bytes,
        )
        .await
    }

    /// The photo files in the data directory's photo store.
    pub fn photo_files(&self) -> Vec<std::path::PathBuf> {
        files_under(&self.dir.path().join("photos"))
    }

    /// Posts `body` to the form endpoint as an officer's session would
    /// (`Authorization`, `Idempotency-Key`, the bare form): the path that
    /// no longer enters a form.
    pub async fn post_with_session(
        &self,
        token: &str,
        tps: RegionCode,
        contest: Contest,
        body: impl Into<Body>,
    ) -> Answer {
        let auth = format!("Bearer {token}");
        let uri = format!("/api/v1/tps/{tps}/forms/{contest}");
        self.request(
            Method::POST,
            &uri,
            &[
                ("authorization", &auth),
                ("idempotency-key", "k"),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// Writes a version entered through a session (a `form` v1 entry, as
    /// old logs hold) straight into the store, as the next version at the
    /// end of the log: the server must be stopped (see
    /// [`TestApp::restart_with`]).
    pub fn write_session_version(store: &dyn Store, tps: RegionCode, contest: Contest, form: &str) {
        let form = saksi_core::form::parse(contest, form.as_bytes()).unwrap();
        let index = store.log_size().unwrap();
        let (version, prev) = match store.current_form(tps, contest).unwrap() {
            None => (1, None),
            Some(current) => {
                let i = current.log_index;
                let entry = &store.log_entries(i, i + 1).unwrap()[0];
                let decoded = Entry::decode(&entry.data).unwrap();
                (current.version + 1, version_digest(&decoded, &entry.data))
            }
        };
        let submitted_at = UnixTime(now());
        let data = FormEntryV1 {
            tps,
            contest,
            version,
            prev,
            form_bytes: saksi_statement::form::form_bytes(&form).unwrap(),
            form: form.clone(),
            role: saksi_core::permission::Role::Kpps,
            region: tps,
            submitted_at,
        }
        .encode();
        store
            .commit_batch(&saksi_store::Batch {
                versions: vec![saksi_store::StoredVersion {
                    tps,
                    contest,
                    version,
                    log_index: index,
                    form_json: serde_json::to_string(&form).unwrap(),
                    warnings_json: "[]".into(),
                    submitted_by: "user:1".into(),
                    submitted_at,
                    request: None,
                }],
                entries: vec![saksi_store::LogEntry {
                    index,
                    leaf_hash: saksi_log::leaf_hash(&data),
                    data,
                }],
                ..Default::default()
            })
            .unwrap();
    }

    /// A valid form (no error, no warning) for `contest` at `tps`, as JSON.
    pub fn form_json(&self, tps: RegionCode, contest: Contest, seed: u64) -> String {
        let id = self.election.tree.find(tps).unwrap();
        let form = saksi_sim::forms::draw_form(&self.election, id, contest, &mut Rng::new(seed))
            .expect("contest held");
        serde_json::to_string(&form).unwrap()
    }

    /// A valid PPWP form for `tps` whose three candidates got `votes`
    /// (all valid, every voter on the DPT).
    pub fn ppwp_form(&self, tps: RegionCode, votes: [u32; 3]) -> String {
        use saksi_core::form::{OptionVotes, Options, Triple};
        let id = self.election.tree.find(tps).unwrap();
        let mut form =
            saksi_sim::forms::draw_form(&self.election, id, Contest::Ppwp, &mut Rng::new(1))
                .expect("PPWP is held everywhere");
        let sah: u32 = votes.iter().sum();
        form.options = Options::Paslon(
            (1..)
                .zip(votes)
                .map(|(number, votes)| OptionVotes { number, votes })
                .collect(),
        );
        form.suara_sah = sah;
        form.suara_tidak_sah = 0;
        form.suara_total = sah;
        form.pengguna_dpt = Triple::of(sah / 2, sah - sah / 2);
        form.pengguna_dptb = Triple::of(0, 0);
        form.pengguna_non_dpt = Triple::of(0, 0);
        form.pengguna_total = form.pengguna_dpt;
        form.disabilitas = None;
        form.surat_suara = None;
        serde_json::to_string(&form).unwrap()
    }

    /// The first TPS under `region`.
    pub fn first_tps(&self, region: RegionCode) -> RegionCode {
        let tree = &self.election.tree;
        let mut id: RegionId = tree.find(region).unwrap();
        while tree.get(id).level() != Level::Tps {
            id = tree.children(id).next().expect("a region with TPS below");
        }
        tree.get(id).code
    }

    pub fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }
}

/// Every file under `dir` (none if it does not exist).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A small JPEG-looking photo (the JPEG signature, then bytes that differ
/// by `seed`): the server reads only the signature.
pub fn jpeg(seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(std::iter::repeat_n(seed, 1000));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// Sends `request` through `router` and reads the whole answer.
pub async fn answer(router: axum::Router, request: Request<Body>) -> Answer {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}
