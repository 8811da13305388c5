//! Loading the state from the store and serving it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use saksi_core::form;
use saksi_core::tally::{Tallies, TallyError};
use saksi_core::time::UnixTime;
use saksi_store::{Store, StoreError};
use tokio::net::TcpListener;

use crate::auth::password;
use crate::auth::throttle::Throttle;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::sequencer::Sequencer;
use crate::state::{AppState, Live, ResultsCache};

/// Why the server could not load its state.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the store")]
    Store(#[from] StoreError),
    #[error("cannot lay out the tallies")]
    Tally(#[from] TallyError),
    #[error("stored form {tps}/{contest} v{version} is invalid: {reason}")]
    CorruptForm {
        tps: String,
        contest: String,
        version: u32,
        reason: String,
    },
    #[error("cannot prepare password checking: {0}")]
    Hash(#[from] password::HashError),
    #[error("cannot start the sequencer thread")]
    Spawn(#[source] std::io::Error),
}

/// A loaded server: state rebuilt from the store and a running sequencer.
pub struct App {
    state: AppState,
    sequencer: Option<std::thread::JoinHandle<()>>,
}

impl App {
    /// Loads the election and rebuilds the live tallies from every current
    /// form in the store, with the system clock.
    pub fn load(store: Arc<dyn Store>, config: Config) -> Result<App, LoadError> {
        App::load_with_clock(store, config, Arc::new(SystemClock))
    }

    /// [`App::load`] with another clock (tests).
    pub fn load_with_clock(
        store: Arc<dyn Store>,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<App, LoadError> {
        let election = Arc::new(store.require_election()?);
        let mut tallies = Tallies::new(&election)?;
        let mut failure: Option<LoadError> = None;
        let mut last_updated: Option<UnixTime> = None;
        store.for_each_current_form(&mut |v| {
            if failure.is_some() {
                return;
            }
            let corrupt = |reason: String| LoadError::CorruptForm {
                tps: v.tps.to_string(),
                contest: v.contest.to_string(),
                version: v.version,
                reason,
            };
            let Some(tps) = election.tree.find(v.tps) else {
                failure = Some(corrupt("no such TPS".into()));
                return;
            };
            match form::parse(v.contest, v.form_json.as_bytes()) {
                Ok(f) => tallies.apply(&election, tps, v.contest, None, &f),
                Err(e) => failure = Some(corrupt(e.to_string())),
            }
            last_updated = last_updated.max(Some(v.submitted_at));
        })?;
        if let Some(err) = failure {
            return Err(err);
        }
        let log_size = store.log_size()?;
        let live = Arc::new(RwLock::new(Live {
            tallies,
            log_size,
            last_updated,
        }));
        let metrics = Arc::new(Metrics::default());
        let (handle, thread) = Sequencer {
            election: Arc::clone(&election),
            store: Arc::clone(&store),
            live: Arc::clone(&live),
            clock: Arc::clone(&clock),
            metrics: Arc::clone(&metrics),
            max_batch: config.max_batch.max(1),
            next_index: log_size,
        }
        .spawn(config.queue_capacity)
        .map_err(LoadError::Spawn)?;
        let dummy_hash = password::hash("saksi: no such user")?.into();
        tracing::info!(log_size, regions = election.tree.len(), "state loaded");
        Ok(App {
            state: AppState {
                election,
                store,
                live,
                sequencer: handle,
                throttle: Arc::new(Throttle::default()),
                clock,
                config: Arc::new(config),
                metrics,
                cache: Arc::new(ResultsCache::default()),
                dummy_hash,
            },
            sequencer: Some(thread),
        })
    }

    /// The HTTP API (for serving, or for tests calling it directly).
    pub fn router(&self) -> Router {
        crate::router::router(self.state.clone())
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the
/// requests in flight and stops the sequencer after its last batch.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app.router();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    let App { state, sequencer } = app;
    drop(state);
    if let Some(thread) = sequencer {
        // The thread ends once every queue handle is gone.
        let joined = tokio::task::spawn_blocking(move || thread.join()).await;
        if !matches!(joined, Ok(Ok(()))) {
            tracing::error!("the sequencer thread ended abnormally");
        }
    }
    Ok(())
}
