//! What every handler shares: the election, the store, the live tallies,
//! the sequencer's queue, the login throttle, the clock and the settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use axum::body::Bytes;
use saksi_core::{Contest, Election, RegionId};
use saksi_store::Store;

use crate::clock::Clock;
use crate::config::Config;
use crate::credentials::throttle::Throttle;
pub use crate::live::Live;
use crate::log::LogPublisher;
use crate::metrics::Metrics;
use crate::sequencer::SequencerHandle;

/// What a cached response renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheKey {
    Region(Contest, RegionId),
    /// An index into `Election::dapil`.
    Dapil(usize),
}

/// Rendered results bodies, each valid for the `log_size` it was rendered
/// at: a response is serialised at most once per batch, however many
/// clients poll it.
#[derive(Debug, Default)]
pub struct ResultsCache {
    entries: Mutex<HashMap<CacheKey, (u64, Bytes)>>,
}

/// Above this many entries, those of older log sizes are dropped.
const CACHE_SWEEP_ABOVE: usize = 50_000;

impl ResultsCache {
    /// The body rendered for `key` at `log_size`, if any.
    pub fn get(&self, key: CacheKey, log_size: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&key)
            .filter(|(size, _)| *size == log_size)
            .map(|(_, body)| body.clone())
    }

    /// Keeps a body rendered at `log_size`, unless a newer one is there.
    pub fn put(&self, key: CacheKey, log_size: u64, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > CACHE_SWEEP_ABOVE {
            entries.retain(|_, (size, _)| *size >= log_size);
        }
        match entries.get(&key) {
            Some((size, _)) if *size > log_size => {}
            _ => {
                entries.insert(key, (log_size, body));
            }
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub election: Arc<Election>,
    pub store: Arc<dyn Store>,
    pub live: Arc<RwLock<Live>>,
    pub sequencer: SequencerHandle,
    pub throttle: Arc<Throttle>,
    /// Permits to run Argon2, `config.max_password_checks` of them.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Sessions already confirmed by the store.
    pub sessions: Arc<crate::credentials::sessions::SessionCache>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub cache: Arc<ResultsCache>,
    /// The log's checkpoints and key.
    pub log: Arc<LogPublisher>,
    /// The KPU RI root verifier keys, one per line, as served.
    pub roots: Arc<str>,
    /// The store was made by a demo: every page and answer says so (see
    /// the simulation module).
    pub simulation: bool,
    /// A hash verified when the user is unknown, so that answering takes as
    /// long as for a wrong password and does not reveal who exists.
    pub dummy_hash: Arc<str>,
    /// Wrong enrolment codes counted per TPS and per address.
    pub enrolment_throttle: Arc<crate::credentials::enrolment_throttle::EnrolmentThrottle>,
    /// Incident notices: the live stream and the webhooks.
    pub notifier: crate::notify::Notifier,
    /// Every polling unit's kit and every region's sum, computed at start.
    pub allocation: Arc<saksi_core::logistics::Allocation>,
}

impl AppState {
    /// Reads the live state. A poisoned lock is taken over: the sequencer
    /// applies a batch without panicking paths, so the data stays whole.
    pub fn live(&self) -> RwLockReadGuard<'_, Live> {
        self.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a (synchronous) store call on the blocking pool.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, saksi_store::StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        Ok(tokio::task::spawn_blocking(move || f(&*store)).await??)
    }
}
