//! The writer lease (README: Reliability): only one server writes an election at a
//! time.
//!
//! The lease is one row in the store ([`Store::acquire_lease`]) naming its
//! holder (`<hostname>:<pid>`), a fencing token and an expiry on the
//! database's clock. A server takes it before it loads ([`acquire`]): a
//! lease that is held and being renewed means another server is writing,
//! and this one refuses to start ([`LeaseError::Alive`]); a lease held but
//! not renewed (its server was killed) is waited out, at most its TTL, and
//! taken over with a greater token. While serving, a thread renews it every
//! third of the TTL ([`WriterLease`]).
//!
//! The lease alone cannot stop a server that was paused or cut off while
//! another took over; the fencing token does. Every batch the sequencer
//! commits carries the token ([`saksi_store::Batch::fencing`]) and the
//! store checks it in the batch's transaction; the publisher checks it
//! before signing a checkpoint. Once a renewal, a commit or a check finds
//! the token superseded, the server has lost the lease for good: it writes
//! and signs nothing more (submissions get 503 `lease.lost`, `/healthz`
//! says so, `saksi_writer_lease_lost` is 1), keeps serving reads from
//! memory, and does not try to win the lease back: an operator restarts
//! it. A graceful stop releases the lease, so the next server need not
//! wait.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use saksi_core::time::UnixTime;
use saksi_store::{Lease, LeaseOutcome, Store, StoreError};

use crate::codes;
use crate::error::{ApiError, DisplayChain};

/// The longest TTL a server may take the lease for: a server killed without
/// stopping keeps the next one waiting at most this long.
pub const MAX_TTL: Duration = Duration::from_secs(10);

/// How often a server waiting for a lease to expire looks again (to see it
/// renewed, or free).
const POLL: Duration = Duration::from_millis(200);

/// How soon a renewal that failed (the database did not answer) is tried
/// again, at most.
const RETRY: Duration = Duration::from_millis(500);

/// Where the lease's time comes from: the database's clock, so that servers
/// on several hosts measure expiry with one clock. Tests inject their own.
pub trait LeaseClock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> Result<i64, StoreError>;

    /// Waits `duration` (a test's clock moves itself instead).
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    /// The renewal thread's wait between renewals: `duration`, unless
    /// `stop` says to stop first (false then). A test's clock waits for
    /// its own time to pass `duration` instead, so renewals follow the
    /// test's time.
    fn wait_unless_stopped(&self, duration: Duration, stop: &mpsc::Receiver<()>) -> bool {
        matches!(stop.recv_timeout(duration), Err(RecvTimeoutError::Timeout))
    }
}

/// The database's clock ([`Store::database_now_ms`]).
pub struct DatabaseClock(pub Arc<dyn Store>);

impl LeaseClock for DatabaseClock {
    fn now_ms(&self) -> Result<i64, StoreError> {
        self.0.database_now_ms()
    }
}

/// `<hostname>:<pid>`: who holds the lease, as an operator reads it.
pub fn holder_name() -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| {
            std::fs::read_to_string(path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown-host".to_owned());
    format!("{host}:{}", std::process::id())
}

/// A lease held by another server, as a server about to wait for it sees
/// it. Its `Display` is the line the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub holder: String,
    pub expires_at_ms: i64,
    /// How long it has left (the longest this server will wait).
    pub left: Duration,
}

impl fmt::Display for Waiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "another server ({}) holds the write lease until {}; waiting up to {} s for it to \
             expire (a server killed without stopping releases it after at most {} s)",
            self.holder,
            UnixTime(self.expires_at_ms.saturating_add(999).div_euclid(1000)),
            self.left.as_millis().div_ceil(1000),
            MAX_TTL.as_secs()
        )
    }
}

/// Why this server could not become the writer.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// The lease was renewed while this server waited: its holder is alive.
    #[error(
        "another server ({holder}) is writing this election; refusing to become a second writer"
    )]
    Alive { holder: String },
    #[error("cannot take the write lease")]
    Store(#[from] StoreError),
    #[error("cannot start the thread that renews the write lease")]
    Spawn(#[source] std::io::Error),
}

/// The lease taken by [`acquire`].
#[derive(Debug)]
pub struct Acquired {
    pub lease: Arc<WriterLease>,
    /// The lease this server waited for to expire, and how long it waited
    /// (`None`: it was free).
    pub waited: Option<(Waiting, Duration)>,
}

/// Takes the writer lease for `holder` for `ttl`, and starts renewing it.
///
/// A free lease is taken at once. A held one is waited for, until its
/// expiry, with `on_wait` called once to say so; if its holder renews it
/// meanwhile, that server is alive and this one gives up with
/// [`LeaseError::Alive`]. Time is `clock`'s (the database's in a server).
pub fn acquire(
    store: Arc<dyn Store>,
    holder: &str,
    ttl: Duration,
    clock: Arc<dyn LeaseClock>,
    on_wait: &mut dyn FnMut(&Waiting),
) -> Result<Acquired, LeaseError> {
    let ttl_ms = millis(ttl);
    let mut first: Option<(Lease, Waiting, i64)> = None;
    loop {
        let now = clock.now_ms()?;
        match store.acquire_lease(holder, now, ttl_ms)? {
            LeaseOutcome::Granted(lease) => {
                let waited = first.map(|(_, waiting, since)| {
                    let ms = u64::try_from(now.saturating_sub(since)).unwrap_or(0);
                    (waiting, Duration::from_millis(ms))
                });
                let lease = WriterLease::start(store, lease, ttl, clock)?;
                return Ok(Acquired { lease, waited });
            }
            LeaseOutcome::Held(held) => {
                match &first {
                    None => {
                        let waiting = Waiting {
                            holder: held.holder.clone(),
                            expires_at_ms: held.expires_at_ms,
                            left: Duration::from_millis(
                                u64::try_from(held.expires_at_ms.saturating_sub(now)).unwrap_or(0),
                            ),
                        };
                        on_wait(&waiting);
                        first = Some((held.clone(), waiting, now));
                    }
                    Some((seen, _, _))
                        if held.token != seen.token || held.expires_at_ms > seen.expires_at_ms =>
                    {
                        return Err(LeaseError::Alive {
                            holder: held.holder,
                        });
                    }
                    Some(_) => {}
                }
                let left = u64::try_from(held.expires_at_ms.saturating_sub(now)).unwrap_or(0);
                clock.sleep(Duration::from_millis(left.max(1)).min(POLL));
            }
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The answer to a submission once the lease is lost.
pub fn lost_error() -> ApiError {
    ApiError::new(
        codes::LEASE_LOST,
        "another server took over writing this election; this one no longer writes",
    )
    .retry_after(5)
}

/// What the renewal thread shares with the server.
struct Shared {
    store: Arc<dyn Store>,
    clock: Arc<dyn LeaseClock>,
    holder: String,
    token: u64,
    ttl: Duration,
    lost: AtomicBool,
    /// The token that superseded this server's, once known (0 if not).
    superseded_by: AtomicU64,
}

impl Shared {
    fn mark_lost(&self, current: Option<u64>) {
        if let Some(current) = current {
            self.superseded_by.store(current, Ordering::SeqCst);
        }
        if !self.lost.swap(true, Ordering::SeqCst) {
            tracing::error!(
                token = self.token,
                current = current.map(|c| c.to_string()).unwrap_or_default(),
                "another server took the write lease over: this server no longer writes \
                 nor signs checkpoints (it keeps serving reads); stop it"
            );
        }
    }

    /// One renewal; false once the lease is lost.
    fn renew(&self) -> Result<bool, StoreError> {
        let now = self.clock.now_ms()?;
        if self.store.renew_lease(self.token, now, millis(self.ttl))? {
            Ok(true)
        } else {
            self.mark_lost(None);
            Ok(false)
        }
    }
}

/// The writer lease this server holds: its fencing token, whether it is
/// lost, and the thread that renews it every third of its TTL. Dropping
/// every handle stops the thread (the lease then expires by itself);
/// [`WriterLease::release`] stops it and gives the lease up at once.
pub struct WriterLease {
    shared: Arc<Shared>,
    keeper: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

impl fmt::Debug for WriterLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriterLease")
            .field("holder", &self.shared.holder)
            .field("token", &self.shared.token)
            .field("ttl", &self.shared.ttl)
            .field("lost", &self.is_lost())
            .finish_non_exhaustive()
    }
}

impl WriterLease {
    /// Starts renewing `lease`, just granted by the store, every third of
    /// `ttl`, with `clock`'s time.
    pub fn start(
        store: Arc<dyn Store>,
        lease: Lease,
        ttl: Duration,
        clock: Arc<dyn LeaseClock>,
    ) -> Result<Arc<WriterLease>, LeaseError> {
        let shared = Arc::new(Shared {
            store,
            clock,
            holder: lease.holder,
            token: lease.token,
            ttl,
            lost: AtomicBool::new(false),
            superseded_by: AtomicU64::new(0),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let renewing = Arc::clone(&shared);
        let every = (ttl / 3).max(Duration::from_millis(10));
        let thread = std::thread::Builder::new()
            .name("saksi-lease".into())
            .spawn(move || keep(&renewing, every, &stopped))
            .map_err(LeaseError::Spawn)?;
        Ok(Arc::new(WriterLease {
            shared,
            keeper: Mutex::new(Some((stop, thread))),
        }))
    }

    /// The fencing token every batch and checkpoint is checked against.
    pub fn token(&self) -> u64 {
        self.shared.token
    }

    pub fn holder(&self) -> &str {
        &self.shared.holder
    }

    pub fn ttl(&self) -> Duration {
        self.shared.ttl
    }

    /// True once another server took the lease over: for good.
    pub fn is_lost(&self) -> bool {
        self.shared.lost.load(Ordering::SeqCst)
    }

    /// The 503 that refuses a submission, once the lease is lost.
    pub fn refusal(&self) -> Option<ApiError> {
        self.is_lost().then(lost_error)
    }

    /// Records that the store refused this server's token (a fenced batch
    /// or check): `current` superseded it.
    pub fn mark_lost(&self, current: u64) {
        self.shared.mark_lost(Some(current));
    }

    /// Checks with the store that the token is still the lease's, before
    /// signing: [`StoreError::Fenced`] (and the lease is lost) if not.
    pub fn check_fence(&self) -> Result<(), StoreError> {
        if self.is_lost() {
            return Err(StoreError::Fenced {
                current: self.shared.superseded_by.load(Ordering::SeqCst),
            });
        }
        match self.shared.store.check_fence(self.shared.token) {
            Err(StoreError::Fenced { current }) => {
                self.mark_lost(current);
                Err(StoreError::Fenced { current })
            }
            other => other,
        }
    }

    /// Stops renewing and, unless the lease was lost, gives it up in the
    /// store so that the next server starts at once. Called once nothing
    /// of this server writes any more (after the sequencer stopped).
    pub fn release(&self) {
        let keeper = self
            .keeper
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some((stop, thread)) = keeper else {
            return;
        };
        drop(stop);
        if thread.join().is_err() {
            tracing::error!("the lease renewal thread ended abnormally");
        }
        if self.is_lost() {
            return;
        }
        let released = self
            .shared
            .clock
            .now_ms()
            .and_then(|now| self.shared.store.release_lease(self.shared.token, now));
        match released {
            Ok(true) => tracing::info!(token = self.shared.token, "write lease released"),
            Ok(false) => self.shared.mark_lost(None),
            Err(err) => tracing::warn!(
                error = %DisplayChain(&err),
                "cannot release the write lease; it expires by itself"
            ),
        }
    }
}

/// The renewal thread: renews every `every` until stopped or the lease is
/// lost; a renewal the database did not answer is retried sooner.
fn keep(shared: &Shared, every: Duration, stopped: &mpsc::Receiver<()>) {
    let mut wait = every;
    let mut failing = false;
    loop {
        if !shared.clock.wait_unless_stopped(wait, stopped) {
            return;
        }
        match shared.renew() {
            Ok(true) => {
                if failing {
                    tracing::info!("the write lease is renewed again");
                }
                failing = false;
                wait = every;
            }
            Ok(false) => return,
            Err(err) => {
                if !failing {
                    tracing::warn!(
                        error = %DisplayChain(&err),
                        "cannot renew the write lease; retrying (batches stay fenced by its token)"
                    );
                }
                failing = true;
                wait = every.min(RETRY);
            }
        }
    }
}
