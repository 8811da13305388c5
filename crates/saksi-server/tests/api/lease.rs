//! The writer lease (README: Reliability): a server whose lease another took over
//! commits nothing and signs nothing (503 `lease.lost`, `/healthz`,
//! `/metrics`), whether it learns it from a commit, a signature or a
//! renewal; a stopped server releases its lease; a second server waits out
//! a lease nobody renews and refuses one that is renewed. Takeovers are
//! made with an injected `now_ms`; the waiting logic runs on a clock that
//! moves when it sleeps, and the renewals on a clock the test moves: no
//! test here sleeps or measures time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use saksi_core::{Contest, RegionCode};
use saksi_server::lease::{self, LeaseClock, LeaseError, WriterLease};
use saksi_server::log::PublishError;
use saksi_server::{App, Config};
use saksi_store::{LeaseOutcome, SqliteStore, StoreError};

use crate::helpers::*;

/// A lease clock that stands still until the code under test sleeps, then
/// moves by exactly that much and runs `on_sleep` (a live holder renewing).
struct SteppedClock {
    now: AtomicI64,
    on_sleep: Box<dyn Fn(i64) + Send + Sync>,
}

impl SteppedClock {
    fn new(now: i64, on_sleep: impl Fn(i64) + Send + Sync + 'static) -> Arc<SteppedClock> {
        Arc::new(SteppedClock {
            now: AtomicI64::new(now),
            on_sleep: Box::new(on_sleep),
        })
    }
}

impl LeaseClock for SteppedClock {
    fn now_ms(&self) -> Result<i64, StoreError> {
        Ok(self.now.load(Ordering::SeqCst))
    }

    fn sleep(&self, duration: Duration) {
        let now = self
            .now
            .fetch_add(duration.as_millis() as i64, Ordering::SeqCst)
            + duration.as_millis() as i64;
        (self.on_sleep)(now);
    }
}

/// A lease clock the test moves: the renewal thread's wait ends once the
/// test's time has passed it (or the thread is stopped). The test moves
/// time only while the thread waits ([`TestTime::waits`]), so each renewal
/// happens at a time the test chose.
struct TestTime {
    now: AtomicI64,
    waits: std::sync::atomic::AtomicUsize,
}

impl TestTime {
    fn at(now: i64) -> Arc<TestTime> {
        Arc::new(TestTime {
            now: AtomicI64::new(now),
            waits: Default::default(),
        })
    }

    /// How many waits between renewals the renewal thread has begun.
    fn waits(&self) -> usize {
        self.waits.load(Ordering::SeqCst)
    }

    fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
}

impl LeaseClock for TestTime {
    fn now_ms(&self) -> Result<i64, StoreError> {
        Ok(self.now.load(Ordering::SeqCst))
    }

    fn sleep(&self, duration: Duration) {
        self.advance(duration.as_millis() as i64);
    }

    fn wait_unless_stopped(&self, duration: Duration, stop: &mpsc::Receiver<()>) -> bool {
        let until = self.now.load(Ordering::SeqCst) + duration.as_millis() as i64;
        self.waits.fetch_add(1, Ordering::SeqCst);
        // Polls both: the stop, and the test's time.
        while self.now.load(Ordering::SeqCst) < until {
            match stop.recv_timeout(Duration::from_millis(1)) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return false,
            }
        }
        true
    }
}

/// Where a test's lease time starts (before any real clock's now, so a
/// takeover on the database's clock finds the lease expired).
const T0: i64 = 1_707_800_000_000;

/// Waits (polling, bounded) until `ready` holds.
async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The database's clock.
fn db_now(store: &SqliteStore) -> i64 {
    store.database_now_ms().unwrap()
}

/// Takes the lease as `holder` for `ttl` on `clock`; panics if anything
/// is in the way.
pub(crate) fn take(
    store: &Arc<SqliteStore>,
    holder: &str,
    ttl: Duration,
    clock: Arc<dyn LeaseClock>,
) -> Arc<WriterLease> {
    let acquired = lease::acquire(store.clone(), holder, ttl, clock, &mut |w| {
        panic!("nothing should hold the lease: {w}")
    })
    .unwrap();
    assert!(acquired.waited.is_none());
    acquired.lease
}

/// [`spawn_app`], restarted as a server holding the writer lease (`ttl`),
/// signing only when told (so that a test sees every signature), its lease
/// renewed on the database's clock.
pub(crate) fn spawn_leased_app(ttl: Duration) -> (TestApp, Arc<WriterLease>) {
    spawn_leased_app_on(ttl, |store| Arc::new(lease::DatabaseClock(store)))
}

/// [`spawn_leased_app`] with the lease's time from `clock`.
fn spawn_leased_app_on(
    ttl: Duration,
    lease_clock: impl FnOnce(Arc<SqliteStore>) -> Arc<dyn LeaseClock>,
) -> (TestApp, Arc<WriterLease>) {
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
    let store = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    let writer = take(&store, "test-a:1", ttl, lease_clock(store.clone()));
    let config = Config {
        lease: Some(writer.clone()),
        checkpoint_interval: Duration::from_secs(3600),
        ..Config::default()
    };
    let app = App::load_with_clock(
        store.clone(),
        config,
        log_setup(&dir, &signer),
        clock.clone(),
    )
    .unwrap();
    let election = app.state().election.clone();
    let app = TestApp {
        app,
        store,
        election,
        clock,
        signer,
        dir,
    };
    (app, writer)
}

/// Another server takes the lease over `ahead_ms` after now (the first
/// one's lease has expired by then): returns its token.
pub(crate) fn take_over(store: &SqliteStore, holder: &str, ahead_ms: i64) -> u64 {
    match store
        .acquire_lease(holder, db_now(store) + ahead_ms, 10_000)
        .unwrap()
    {
        LeaseOutcome::Granted(lease) => lease.token,
        held => panic!("the lease should have expired: {held:?}"),
    }
}

async fn assert_lost(app: &TestApp) {
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    let health = health.json();
    assert_eq!(health["status"], "error", "{health}");
    assert_eq!(health["reason"], "lease.lost", "{health}");
    let metrics = app.metrics().await;
    assert!(metrics.contains("saksi_writer_lease_lost 1"), "{metrics}");
}

#[tokio::test]
async fn a_server_whose_lease_was_taken_over_commits_nothing_and_signs_nothing() {
    // A long TTL: the renewal thread does not run during the test, so the
    // commit and the signature are what find the takeover.
    let (app, writer) = spawn_leased_app(Duration::from_secs(60));
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    let form = |seed| app.form_json(tps, Contest::Ppwp, seed);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(&format!("saksi_writer_lease_token {}", writer.token())),
        "{metrics}"
    );
    assert!(metrics.contains("saksi_writer_lease_lost 0"), "{metrics}");

    let first = app.submit(&kpps, tps, Contest::Ppwp, form(1)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    assert!(app.app.publish_checkpoint().unwrap());
    let second = app.submit(&kpps, tps, Contest::Ppwp, form(2)).await;
    assert_eq!(second.status, StatusCode::CREATED);

    // Paused past its lease: another server takes it over.
    let new_token = take_over(&app.store, "test-b:2", 60_001);
    assert!(new_token > writer.token());

    // It signs nothing over the entry it committed before the takeover.
    assert!(matches!(
        app.app.publish_checkpoint(),
        Err(PublishError::LeaseLost)
    ));
    let checkpoint = app.get("/api/v1/log/checkpoint").await;
    assert_eq!(checkpoint.status, StatusCode::OK, "reads go on");
    let text = String::from_utf8(checkpoint.body).unwrap();
    let signed_size = (keys + 1).to_string();
    assert_eq!(
        text.lines().nth(1),
        Some(signed_size.as_str()),
        "still the checkpoint before the second form"
    );
    assert!(writer.is_lost());
    assert_lost(&app).await;

    // And it commits nothing: refused before the store, and nothing stored.
    let refused = app.submit(&kpps, tps, Contest::Ppwp, form(3)).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "lease.lost");
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(app.store.log_size().unwrap(), keys + 2);

    // Its stop does not release the lease it no longer holds.
    let store = app.store.clone();
    app.app.shutdown();
    assert!(matches!(
        store.acquire_lease("test-c:3", db_now(&store), 10_000).unwrap(),
        LeaseOutcome::Held(held) if held.holder == "test-b:2" && held.token == new_token
    ));
}

#[tokio::test]
async fn a_batch_committed_after_a_takeover_is_refused_by_the_store() {
    let (app, writer) = spawn_leased_app(Duration::from_secs(60));
    let tps = app.first_tps(RegionCode::NASIONAL);
    let kpps = app.kpps_device(tps).await;
    let keys = app.store.log_size().unwrap();
    take_over(&app.store, "test-b:2", 60_001);
    assert!(!writer.is_lost(), "nothing has noticed yet");
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let refused = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "lease.lost", "{}", refused.json());
    assert_eq!(app.store.log_size().unwrap(), keys, "nothing was written");
    assert!(app.store.form_versions(tps).unwrap().is_empty());
    assert!(writer.is_lost());
    assert_lost(&app).await;
}

#[tokio::test]
async fn a_renewal_that_finds_the_lease_taken_over_stops_the_server_writing() {
    // Renewed every 100 ms of the test's time, which stands still until
    // the lease was taken over.
    let time = TestTime::at(T0);
    let (app, writer) = spawn_leased_app_on(Duration::from_millis(300), |_| time.clone());
    take_over(&app.store, "test-b:2", 1_000);
    assert!(!writer.is_lost(), "no renewal yet");
    until("the renewal thread waits", || time.waits() == 1).await;
    time.advance(100);
    until("the renewal notices", || writer.is_lost()).await;
    assert_lost(&app).await;
    let tps = app.first_tps(RegionCode::NASIONAL);
    // A device key the chain never saw: the lease is refused first.
    let kpps = named_key(&format!("kpps-{tps}"));
    let form = app.form_json(tps, Contest::Ppwp, 1);
    let refused = app.submit(&kpps, tps, Contest::Ppwp, form).await;
    assert_eq!(refused.code(), "lease.lost");
    assert_eq!(app.store.log_size().unwrap(), 0);
}

#[tokio::test]
async fn a_running_server_keeps_renewing_its_lease() {
    // A 1.5 s lease renewed every 0.5 s of the test's time: 2.5 s on, it
    // is still held, and would have been free without renewals.
    let time = TestTime::at(T0);
    let (app, writer) = spawn_leased_app_on(Duration::from_millis(1_500), |_| time.clone());
    let expires = |now: i64| match app.store.acquire_lease("test-b:2", now, 10_000).unwrap() {
        LeaseOutcome::Held(held) => {
            assert_eq!(held.token, writer.token());
            held.expires_at_ms
        }
        granted => panic!("the lease was not renewed: {granted:?}"),
    };
    let started = time.now_ms().unwrap();
    for step in 1..=5 {
        until("the renewal thread waits", || time.waits() == step as usize).await;
        time.advance(500);
        let now = time.now_ms().unwrap();
        assert_eq!(now, started + step * 500);
        until("a renewal", || expires(now) == now + 1_500).await;
    }
    assert!(
        started + 1_500 < time.now_ms().unwrap(),
        "past the first expiry"
    );
    assert!(!writer.is_lost());
    let health = app.get("/healthz").await.json();
    assert_eq!(health["status"], "ok", "{health}");
}

#[tokio::test]
async fn a_stopped_server_releases_its_lease_so_the_next_starts_at_once() {
    let (app, writer) = spawn_leased_app(Duration::from_secs(10));
    let store = app.store.clone();
    app.app.shutdown();
    match store
        .acquire_lease("test-b:2", db_now(&store), 10_000)
        .unwrap()
    {
        LeaseOutcome::Granted(lease) => assert!(lease.token > writer.token()),
        held => panic!("the lease was not released: {held:?}"),
    }
}

/// A fresh store whose lease `dead:1` took at `t0` for 10 s.
fn store_with_lease_of(holder: &str, t0: i64) -> (tempfile::TempDir, Arc<SqliteStore>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("saksi.db")).unwrap());
    let LeaseOutcome::Granted(lease) = store.acquire_lease(holder, t0, 10_000).unwrap() else {
        panic!("a fresh store's lease is free");
    };
    (dir, store, lease.token)
}

#[test]
fn a_second_server_waits_out_a_lease_nobody_renews_and_says_so() {
    let t0 = 1_707_800_000_000;
    let (_dir, store, dead) = store_with_lease_of("dead:1", t0);
    let clock = SteppedClock::new(t0 + 1_500, |_| {});
    let said = Mutex::new(Vec::new());
    let acquired = lease::acquire(
        store.clone(),
        "next:2",
        Duration::from_secs(10),
        clock.clone(),
        &mut |w| said.lock().unwrap().push(w.clone()),
    )
    .unwrap();
    let said = said.into_inner().unwrap();
    assert_eq!(said.len(), 1, "said once: {said:?}");
    assert_eq!(said[0].holder, "dead:1");
    assert_eq!(said[0].left, Duration::from_millis(8_500));
    assert_eq!(
        said[0].to_string(),
        "another server (dead:1) holds the write lease until 2024-02-13T04:53:30Z; waiting up \
         to 9 s for it to expire (a server killed without stopping releases it after at most \
         10 s)"
    );
    let (waiting, waited) = acquired.waited.expect("it waited");
    assert_eq!(waiting, said[0]);
    assert_eq!(
        waited,
        Duration::from_millis(8_500),
        "until the expiry, no longer"
    );
    assert_eq!(clock.now_ms().unwrap(), t0 + 10_000);
    assert!(acquired.lease.token() > dead);
    assert_eq!(acquired.lease.holder(), "next:2");
    store.check_fence(acquired.lease.token()).unwrap();
    acquired.lease.release();
}

#[test]
fn a_second_server_refuses_a_lease_its_holder_renews() {
    let t0 = 1_707_800_000_000;
    let (_dir, store, alive) = store_with_lease_of("alive:1", t0);
    // The holder renews every 3.3 s, as a running server does.
    let renewing = store.clone();
    let last = AtomicI64::new(t0);
    let clock = SteppedClock::new(t0 + 500, move |now| {
        if now - last.load(Ordering::SeqCst) >= 3_300 {
            last.store(now, Ordering::SeqCst);
            assert!(renewing.renew_lease(alive, now, 10_000).unwrap());
        }
    });
    let mut said = 0;
    let refused = lease::acquire(
        store.clone(),
        "second:2",
        Duration::from_secs(10),
        clock.clone(),
        &mut |_| said += 1,
    )
    .unwrap_err();
    assert_eq!(said, 1);
    assert!(
        matches!(&refused, LeaseError::Alive { holder } if holder == "alive:1"),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        "another server (alive:1) is writing this election; refusing to become a second writer"
    );
    // It gave up at the first renewal it saw, long before the lease's end.
    assert!(clock.now_ms().unwrap() < t0 + 4_000);
    store.check_fence(alive).unwrap();
}
