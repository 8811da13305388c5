//! A server over a fresh SQLite store with one account per role at the
//! first region of its level, and a browser-like client that keeps cookies.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::auth::password;
use saksi_server::auth::totp;
use saksi_server::auth::totp_key::TotpKey;
use saksi_server::log::LogSetup;
use saksi_server::{App, Clock, Config, ManualClock};
use saksi_store::{NewUser, SqliteStore, Store, UnixTime};
use tower::ServiceExt;

pub const PASSWORD: &str = "kata-sandi-uji-123";

pub struct Site {
    pub app: App,
    pub store: Arc<SqliteStore>,
    /// The server's clock: a login with an authenticator code moves it on
    /// a step, since each step's code is accepted once.
    pub clock: Arc<ManualClock>,
    /// The TOTP secret of each account that has enrolled, by username.
    pub secrets: Mutex<HashMap<String, String>>,
    _dir: tempfile::TempDir,
}

/// A response as a browser sees it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's bytes as sent (gzipped when the answer says so).
    pub raw: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The body with the template engine's entities decoded, to look for
    /// links and text as a browser shows them.
    pub fn text(&self) -> String {
        unescape(&self.body)
    }

    /// The value of a hidden input `name` in the page's first form holding it.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no hidden {name}: {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        unescape(&self.body[start..end])
    }
}

/// The username of the account of `role` (`staf-kpu-kabkota`).
pub fn username(role: Role) -> String {
    format!("staf-{}", role.id())
}

pub fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    let election = saksi_sim::generate::generate(&saksi_sim::generate::GenerateOptions {
        seed: 7,
        scale: 0.001,
    })
    .unwrap();
    store.save_election(&election, &|_, _| {}).unwrap();
    let first = |level: Level| {
        election
            .tree
            .iter()
            .find(|(_, r)| r.level() == level)
            .map_or(RegionCode::NASIONAL, |(_, r)| r.code)
    };
    let hash = password::hash(PASSWORD).unwrap();
    let users: Vec<NewUser> = Role::ALL
        .into_iter()
        .map(|role| NewUser {
            username: username(role),
            role: role.id().into(),
            region: role.level().map_or(RegionCode::NASIONAL, first),
            party: (role == Role::Saksi).then_some(1),
            paslon: None,
            password_hash: Some(hash.clone()),
            created_at: UnixTime(1_700_000_000),
        })
        .collect();
    store.add_users(&users).unwrap();
    let signer = Signer::generate("saksi.test/log").unwrap();
    let log = LogSetup {
        signer,
        highest_path: dir.path().join("log.highest"),
        roots: vec![
            Signer::from_seed("kpu-ri-root", &[9; 32])
                .unwrap()
                .verifier(),
        ],
    };
    let config = Config {
        totp_key: Some(TotpKey::from_bytes([0x70; 32])),
        ..Config::default()
    };
    let clock = Arc::new(ManualClock::new(UnixTime(1_800_000_000)));
    let app = App::load_with_clock(store.clone(), config, log, clock.clone())
        .unwrap()
        .with_pages(saksi_web::pages());
    Site {
        app,
        store,
        clock,
        secrets: Mutex::default(),
        _dir: dir,
    }
}

/// A browser: keeps the cookies the site sets and sends them back.
pub struct Browser<'a> {
    site: &'a Site,
    pub cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request (`Accept-Language`).
    pub headers: Vec<(&'static str, String)>,
}

impl Site {
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            site: self,
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }
}

impl Browser<'_> {
    pub async fn request(
        &mut self,
        method: Method,
        uri: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let mut builder = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            builder = builder.header(header::COOKIE, cookie);
        }
        for (k, v) in &self.headers {
            builder = builder.header(*k, v);
        }
        let body = match form {
            Some(fields) => {
                builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(encode(fields))
            }
            None => Body::empty(),
        };
        let response = self
            .site
            .app
            .router()
            .oneshot(builder.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            raw: body.to_vec(),
        };
        for c in page.set_cookies() {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        page
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.request(Method::GET, uri, None).await
    }

    pub async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, uri, Some(form)).await
    }

    /// Logs in through the login form as the account of `role`, with the
    /// authenticator's code once the account has one. An account that
    /// must enrol first does so on the TOTP page, as an officer would, and
    /// then logs in again with a code: the answer is the full login's.
    pub async fn log_in(&mut self, role: Role) -> Page {
        let user = username(role);
        let page = self.log_in_once(&user).await;
        if page.location() != "/workspace/totp" {
            return page;
        }
        let secret = self.enrol_totp().await;
        self.site
            .secrets
            .lock()
            .unwrap()
            .insert(user.clone(), secret);
        // Enrolled: the same session is a full one now. Log in afresh, as
        // the officer will next time, with a code.
        self.cookies.remove("saksi_session");
        self.log_in_once(&user).await
    }

    /// One pass through the login form.
    pub async fn log_in_once(&mut self, user: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.hidden("csrf");
        let code = self.site.next_code(user).unwrap_or_default();
        self.post(
            "/login",
            &[
                ("username", user),
                ("password", PASSWORD),
                ("totp", &code),
                ("csrf", &csrf),
            ],
        )
        .await
    }

    /// Sets up the authenticator on `/workspace/totp` with the secret the
    /// page shows (as text beside its QR code); returns it.
    pub async fn enrol_totp(&mut self) -> String {
        let page = self.get("/workspace/totp").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let text = page.text();
        let start = text
            .find("id=\"totp-secret\">")
            .expect("the secret is shown")
            + 17;
        let end = start + text[start..].find('<').unwrap();
        let secret: String = text[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let code = totp::code_at(&secret, self.site.clock.now().0).unwrap();
        let csrf = page.hidden("csrf");
        let done = self
            .post("/workspace/totp", &[("csrf", &csrf), ("code", &code)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("id=\"recovery-codes\""), "{}", done.body);
        secret
    }
}

impl Site {
    /// The code of `user`'s authenticator for a step not used yet: the
    /// clock moves on a step first.
    pub fn next_code(&self, user: &str) -> Option<String> {
        let secret = self.secrets.lock().unwrap().get(user).cloned()?;
        self.clock.advance(30);
        totp::code_at(&secret, self.clock.now().0)
    }
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes the entities minijinja's HTML escaping writes.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
