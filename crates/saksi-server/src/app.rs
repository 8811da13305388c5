//! Loading the state from the store (tallies and the log's Merkle tree),
//! starting the sequencer and the checkpoint publisher, and serving.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use saksi_core::form;
use saksi_core::incident::book::Book;
use saksi_core::logistics::Allocation;
use saksi_core::logistics::reconcile::Reconciliation;
use saksi_core::tally::{Tallies, TallyError};
use saksi_core::time::UnixTime;
use saksi_log::MemoryTree;
use saksi_store::highest::{self, HighestError};
use saksi_store::{Store, StoreError};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::add_extension::AddExtension;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::credentials::password;
use crate::credentials::throttle::Throttle;
use crate::live::Live;
use crate::log::{LogPublisher, LogSetup, PublishError};
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::readiness::Readiness;
use crate::sequencer::{
    Known, Pace, ReloadError, Sequencer, Sweep, logistics_from_store, received_from,
    review_from_store,
};
use crate::state::{AppState, ResultsCache};

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
    #[error("cannot start the sequencer or checkpoint thread")]
    Spawn(#[source] std::io::Error),
    /// Log indexes must be dense from 0: a gap means entries were removed
    /// behind the server's back.
    #[error("the log has no entry at index {expected} (found {found} next)")]
    LogGap { expected: u64, found: u64 },
    /// Form versions without log entries: a database written before the
    /// log existed (schema 1). It cannot be served as a verifiable log.
    #[error(
        "the database holds {size} log positions but only {entries} log entries \
         (written by a version of Saksi without the transparency log?); start from a new data directory"
    )]
    LogIncomplete { entries: u64, size: u64 },
    #[error("cannot read the highest signed checkpoint")]
    Highest(#[from] HighestError),
    #[error("cannot publish the first checkpoint")]
    Publish(#[source] PublishError),
    #[error("cannot load the registered keys")]
    Keys(#[from] crate::keys::KeyLoadError),
    #[error("cannot load the recap's or the logistics chain's facts")]
    Reload(#[from] ReloadError),
}

/// A loaded server: state rebuilt from the store, a running sequencer and
/// a running checkpoint publisher.
pub struct App {
    state: AppState,
    sequencer: Option<std::thread::JoinHandle<()>>,
    /// The escalation sweep, which holds a queue handle: stopped before
    /// the sequencer is joined.
    sweep: Option<Sweep>,
    /// Dropping the sender stops the publisher thread.
    publisher: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
    /// The webhook dispatcher, which ends once every notifier is dropped.
    notifier: Option<std::thread::JoinHandle<()>>,
    /// Served beside the API (none unless [`App::with_pages`]).
    pages: Router<AppState>,
}

impl App {
    /// Loads the election, rebuilds the live tallies from every current
    /// form and the Merkle tree from every log entry in the store, and
    /// publishes a checkpoint (size 0 for an empty log), with the system
    /// clock. A store behind the highest signed checkpoint still loads, so
    /// that `/healthz` can say why the server refuses to sign.
    pub fn load(store: Arc<dyn Store>, config: Config, log: LogSetup) -> Result<App, LoadError> {
        App::load_with_clock(store, config, log, Arc::new(SystemClock))
    }

    /// [`App::load`] with another clock (tests).
    pub fn load_with_clock(
        store: Arc<dyn Store>,
        config: Config,
        log: LogSetup,
        clock: Arc<dyn Clock>,
    ) -> Result<App, LoadError> {
        let election = Arc::new(store.require_election()?);
        let mut tallies = Tallies::new(&election)?;
        let mut reconciliation = Reconciliation::new(&election.tree);
        let mut failure: Option<LoadError> = None;
        let mut last_updated: Option<UnixTime> = None;
        let mut known = Known::new(&election);
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
            known.set_version(tps, v.contest, v.version);
            match form::parse(v.contest, v.form_json.as_bytes()) {
                Ok(f) => {
                    tallies.restore(&election, tps, v.contest, &f);
                    reconciliation.set_form(&election.tree, tps, v.contest, &f);
                }
                Err(e) => failure = Some(corrupt(e.to_string())),
            }
            last_updated = last_updated.max(Some(v.submitted_at));
        })?;
        if let Some(err) = failure {
            return Err(err);
        }
        tallies.settle(&election);
        store.for_each_idempotency_key(&mut |principal, key| {
            known.remember_request(principal, key)
        })?;
        let tree = load_tree(store.as_ref())?;
        let mut incidents = Book::new();
        store.for_each_incident(&mut |i| {
            // Ids are the table's primary key: each comes once.
            let _ = incidents.restore(i.id, i.record);
        })?;
        let simulation = crate::simulation::is_marked(store.as_ref())?;
        let registry = crate::keys::registry_from_store(&log.roots, store.as_ref())?;
        let (review, signoffs) =
            review_from_store(store.as_ref(), &election, config.signoff_quorum)?;
        let logistics = logistics_from_store(store.as_ref())?;
        received_from(&election, &logistics, &mut reconciliation);
        let started = std::time::Instant::now();
        let allocation = Arc::new(Allocation::compute(&election, &config.allocation));
        tracing::info!(
            tps = election.tree.len() - election.tree.upper_len(),
            items = allocation.items().len(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            "allocation computed"
        );
        let started = std::time::Instant::now();
        let readiness = Readiness::new(Arc::clone(&election), Arc::clone(&allocation), &logistics);
        tracing::info!(
            ms = started.elapsed().as_secs_f64() * 1e3,
            "readiness counted"
        );
        let log_size = tree.len();
        let live = Arc::new(RwLock::new(Live {
            tallies,
            tree,
            last_updated,
            incidents,
            review: review.clone(),
            signoffs: signoffs.clone(),
            commissioners: registry
                .commissioner_regions()
                .map(|r| (r, registry.commissioners(r, log_size, clock.now())))
                .collect(),
            logistics: logistics.clone(),
            reconciliation,
            readiness,
        }));
        let metrics = Arc::new(Metrics::default());
        if let Some(lease) = &config.lease {
            metrics.watch_lease(Arc::clone(lease));
        }
        let recorded = highest::read(&log.highest_path, &log.signer.verifier())?;
        let roots: Arc<str> = log
            .roots
            .iter()
            .map(|r| format!("{r}\n"))
            .collect::<String>()
            .into();
        let publisher = Arc::new(LogPublisher::new(
            log.signer,
            log.highest_path,
            recorded,
            Arc::clone(&live),
            Arc::clone(&metrics),
            config.lease.clone(),
        ));
        match publisher.publish() {
            // Logged by the publisher; the server comes up to say why.
            Ok(_) | Err(PublishError::Refused(_) | PublishError::LeaseLost) => {}
            Err(err) => return Err(LoadError::Publish(err)),
        }
        let publisher_thread = publisher
            .spawn(config.checkpoint_interval)
            .map_err(LoadError::Spawn)?;
        // Before the sequencer, which is to publish the incidents' notices.
        let (notifier, notifier_thread) = Notifier::start(
            Arc::clone(&store),
            Arc::clone(&clock),
            config.totp_key.clone(),
        )
        .map_err(LoadError::Spawn)?;
        let (handle, thread) = Sequencer {
            election: Arc::clone(&election),
            store: Arc::clone(&store),
            live: Arc::clone(&live),
            clock: Arc::clone(&clock),
            metrics: Arc::clone(&metrics),
            log: Arc::clone(&publisher),
            max_batch: config.max_batch.max(1),
            next_index: log_size,
            known,
            registry,
            review,
            signoffs,
            logistics,
            roots: log.roots.clone(),
            uncertain: None,
            lease: config.lease.clone(),
            pace: Pace::default(),
            deadlines: config.incident_deadlines,
            notifier: notifier.clone(),
        }
        .spawn(config.queue_capacity)
        .map_err(LoadError::Spawn)?;
        let sweep = Sweep::spawn(
            handle.clone(),
            Arc::clone(&live),
            Arc::clone(&clock),
            notifier.clone(),
            Arc::clone(&metrics),
        )
        .map_err(LoadError::Spawn)?;
        let dummy_hash = password::hash("saksi: no such user")?.into();
        tracing::info!(
            log_size,
            regions = election.tree.len(),
            origin = publisher.origin(),
            log_key = %publisher.verifier(),
            lease_token = config.lease.as_ref().map(|l| l.token()),
            simulation,
            "state loaded"
        );
        Ok(App {
            state: AppState {
                election,
                store,
                live,
                sequencer: handle,
                throttle: Arc::new(Throttle::default()),
                password_checks: Arc::new(tokio::sync::Semaphore::new(
                    config.max_password_checks.max(1),
                )),
                sessions: Arc::default(),
                clock,
                config: Arc::new(config),
                metrics,
                cache: Arc::new(ResultsCache::default()),
                log: publisher,
                roots,
                simulation,
                dummy_hash,
                enrolment_throttle: Arc::default(),
                notifier,
                allocation,
            },
            sequencer: Some(thread),
            sweep: Some(sweep),
            publisher: Some(publisher_thread),
            notifier: Some(notifier_thread),
            pages: Router::new(),
        })
    }

    /// Signs a checkpoint now if the tree grew (the publisher thread does it
    /// every `checkpoint_interval`); for tests and tools that cannot wait.
    pub fn publish_checkpoint(&self) -> Result<bool, PublishError> {
        self.state.log.publish()
    }

    /// Stops the sequencer after its last batch and the publisher, and
    /// waits for both threads: afterwards no thread of this app touches the
    /// store. Then releases the writer lease, if the server holds one, so
    /// that the next server starts at once. Handler state cloned elsewhere
    /// (a router) must be dropped first, or the sequencer keeps waiting for
    /// it.
    pub fn shutdown(self) {
        let App {
            state,
            sequencer,
            sweep,
            publisher,
            notifier,
            pages: _,
        } = self;
        let lease = state.config.lease.clone();
        drop(state);
        if let Some(sweep) = sweep {
            sweep.stop();
        }
        if let Some((stop, thread)) = publisher {
            drop(stop);
            if thread.join().is_err() {
                tracing::error!("the checkpoint thread ended abnormally");
            }
        }
        if let Some(thread) = sequencer
            && thread.join().is_err()
        {
            tracing::error!("the sequencer thread ended abnormally");
        }
        // After the sequencer, which may hold the last notifier.
        if let Some(thread) = notifier
            && thread.join().is_err()
        {
            tracing::error!("the webhook dispatcher ended abnormally");
        }
        if let Some(lease) = lease {
            lease.release();
        }
    }

    /// The HTTP API and the pages added with [`App::with_pages`] (for
    /// serving, or for tests calling it directly).
    pub fn router(&self) -> Router {
        crate::router::router_with(self.state.clone(), self.pages.clone())
    }

    /// Serves `pages` beside the API: the web crate's workspace, which
    /// depends on this crate and so cannot be named here.
    pub fn with_pages(mut self, pages: Router<AppState>) -> App {
        self.pages = pages;
        self
    }

    /// `/metrics` alone, for a listener of its own.
    pub fn metrics_router(&self) -> Router {
        crate::router::metrics_router(self.state.clone())
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
    serve_with_metrics(listener, None, app, shutdown).await
}

/// [`serve`], and `/metrics` alone on `metrics` if given, stopped with the
/// main listener (before the sequencer, which waits for every handle on
/// the state).
pub async fn serve_with_metrics(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app.router();
    let limits = ConnectionLimits::of(&app.state.config);
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics = metrics.map(|listener| {
        tokio::spawn(serve_router(
            listener,
            app.metrics_router(),
            limits,
            async move {
                let _ = metrics_stopped.await;
            },
        ))
    });
    let notifier = app.state.notifier.clone();
    let shutdown = async move {
        shutdown.await;
        // Live streams never end by themselves: end them, or the
        // graceful shutdown would wait for them forever.
        notifier.close_streams();
    };
    serve_router(listener, router, limits, shutdown).await;
    drop(stop_metrics);
    if let Some(task) = metrics
        && task.await.is_err()
    {
        tracing::error!("the metrics listener ended abnormally");
    }
    // The sequencer ends once every queue handle is gone.
    if tokio::task::spawn_blocking(move || app.shutdown())
        .await
        .is_err()
    {
        tracing::error!("stopping the server's threads failed");
    }
    Ok(())
}

/// How connections are admitted and how long their headers may take.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// The limits `config` sets.
    pub fn of(config: &Config) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: config.header_read_timeout,
            max_connections: config.max_connections.max(1),
        }
    }
}

/// Serves `router` over HTTP/1.1 on `listener` until `shutdown` completes,
/// then waits for the connections in flight to finish their requests.
///
/// Not `axum::serve`: it has neither a header-read timeout nor a cap on
/// connections, so half-sent requests could hold connections (and their
/// memory) without bound. A connection is accepted only once a permit is
/// free; beyond the cap, clients wait in the system's accept queue (or are
/// refused by it when it is full) rather than piling up in the server.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let shutdown = std::pin::pin!(shutdown);
    let mut shutdown = shutdown;
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // Never closed while this loop holds it.
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors or a connection reset before it
                    // was accepted: wait a little rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            TowerToHyperService::new(AddExtension::new(router.clone(), ConnectInfo(remote)));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %remote, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    // A connection still busy this long after the stop (a client holding
    // a request open) is closed rather than waited for: whatever it was
    // not yet answered was never acknowledged, and what was acknowledged
    // is already committed.
    if tokio::time::timeout(STOP_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = STOP_GRACE.as_secs(),
            "connections still open after the stop's grace period: closed"
        );
    }
}

/// How long a stopping server waits for the requests in flight.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The Merkle tree of every stored log entry, checked to be dense from 0
/// and to cover every log position the store holds.
fn load_tree(store: &dyn Store) -> Result<MemoryTree, LoadError> {
    let size = store.log_size()?;
    let mut tree = MemoryTree::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut gap: Option<LoadError> = None;
    store.for_each_leaf_hash(&mut |index, leaf| {
        if gap.is_none() && index != tree.len() {
            gap = Some(LoadError::LogGap {
                expected: tree.len(),
                found: index,
            });
        }
        if gap.is_none() {
            tree.append(leaf);
        }
    })?;
    if let Some(err) = gap {
        return Err(err);
    }
    if tree.len() != size {
        return Err(LoadError::LogIncomplete {
            entries: tree.len(),
            size,
        });
    }
    Ok(tree)
}
