//! `saksi serve`: the HTTP API and the web page over a data directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use saksi_server::lease::{self, WriterLease};
use saksi_server::log::LogSetup;
use saksi_server::{App, Config};
use saksi_store::Store;
use tokio::net::TcpListener;

use crate::support::args::DataDirArg;
use crate::support::data_dir::DataDir;
use crate::support::{open_store, runtime, shutdown_signal};

/// Where the server listens and how it batches.
#[derive(Debug, Args)]
pub struct ListenArg {
    /// Address and port to listen on.
    #[arg(long, env = "SAKSI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Most submissions written in one durable transaction (group commit).
    #[arg(long, env = "SAKSI_MAX_BATCH", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_batch: u32,
    /// Submissions that may wait for the sequencer; beyond it the server
    /// answers 503 with Retry-After instead of queueing without bound.
    #[arg(long, env = "SAKSI_QUEUE_CAPACITY", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub queue_capacity: u32,
    /// The most connections served at once; beyond it new connections wait
    /// for one to close (in the system's accept queue) instead of piling up.
    #[arg(long, env = "SAKSI_MAX_CONNECTIONS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// How long a login session lasts, in hours.
    #[arg(long, env = "SAKSI_SESSION_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_hours: u32,
    /// The writer lease's lifetime, in seconds: the server renews it every
    /// third of it, and a server killed without stopping keeps the next one
    /// waiting at most this long (only one server writes an election).
    #[arg(long, env = "SAKSI_LEASE_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(2..=10))]
    pub lease_seconds: u32,
}

impl ListenArg {
    /// The server's settings from these flags.
    pub fn config(&self) -> saksi_server::Config {
        saksi_server::Config {
            max_batch: self.max_batch as usize,
            queue_capacity: self.queue_capacity as usize,
            max_connections: self.max_connections as usize,
            session_ttl: std::time::Duration::from_secs(u64::from(self.session_hours) * 3600),
            ..saksi_server::Config::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[command(flatten)]
    pub listen: ListenArg,
}

pub fn run(args: &ServeArgs) -> Result<()> {
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let log = dir.log_setup()?;
    let store = open_store(&dir, &args.data_dir.database)?;
    let lease = acquire_lease(&store, args.listen.lease_seconds)?;
    let app = load(store, args.listen.config(), log, lease)?;
    runtime()?.block_on(async {
        let listener = bind(args.listen.listen).await?;
        // The bound address: with port 0 the system picks one.
        let addr = listener.local_addr().unwrap_or(args.listen.listen);
        println!(
            "Saksi is serving {} on http://{addr}/",
            dir.root().display()
        );
        saksi_server::serve(listener, app, shutdown_signal())
            .await
            .context("the server stopped with an error")
    })
}

/// Takes the writer lease (only one server writes an election): at once
/// if it is free, after saying so and waiting for it to expire if its
/// holder stopped renewing it, or not at all if its holder is alive.
pub fn acquire_lease(store: &Arc<dyn Store>, seconds: u32) -> Result<Arc<WriterLease>> {
    let clock = Arc::new(lease::DatabaseClock(Arc::clone(store)));
    let ttl = Duration::from_secs(u64::from(seconds));
    let acquired = lease::acquire(
        Arc::clone(store),
        &lease::holder_name(),
        ttl,
        clock,
        &mut |waiting| eprintln!("{waiting}"),
    )?;
    let token = acquired.lease.token();
    match acquired.waited {
        Some((waiting, waited)) => eprintln!(
            "acquired the write lease (fencing token {token}) after waiting {:.1} s for the \
             lease of {} to expire",
            waited.as_secs_f64(),
            waiting.holder
        ),
        None => eprintln!(
            "acquired the write lease (fencing token {token}, renewed every {:.1} s)",
            ttl.as_secs_f64() / 3.0
        ),
    }
    Ok(acquired.lease)
}

/// Loads the election, its tallies and its log under the writer lease,
/// saying how long it took and which log key signs (the public half
/// only). If it cannot, the lease is released.
pub fn load(
    store: Arc<dyn Store>,
    mut config: Config,
    log: LogSetup,
    lease: Arc<WriterLease>,
) -> Result<App> {
    let started = Instant::now();
    config.lease = Some(Arc::clone(&lease));
    let app = App::load(store, config, log)
        .inspect_err(|_| lease.release())
        .context("cannot load the election")?;
    eprintln!("log key: {}", app.state().log.verifier());
    if let Some(refusal) = app.state().log.refusal() {
        eprintln!("warning: the log refuses to sign: {}", refusal.message());
    }
    eprintln!(
        "loaded the election in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(app)
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another server running there? choose another with --listen)")
    })
}
