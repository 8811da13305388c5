//! `saksi serve`: the HTTP API and the web page over a data directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use saksi_core::incident::Deadlines;
use saksi_core::logistics::{self, AllocationTable, PollingDay};
use saksi_server::lease::{self, WriterLease};
use saksi_server::log::LogSetup;
use saksi_server::{App, Config, MetricsAccess};
use saksi_statement::Quorum;
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
    /// How long an incident's owner has to acknowledge and to resolve it,
    /// per severity, before it escalates one level up: e.g.
    /// `critical=15m/2h,high=1h/12h` (units s, m, h, d; a severity not
    /// named keeps its default). Defaults: critical=15m/2h, high=1h/12h,
    /// medium=4h/2d, low=1d/7d (`saksi demo`: minutes).
    #[arg(long, env = "SAKSI_INCIDENT_DEADLINES", value_parser = parse_deadlines)]
    pub incident_deadlines: Option<Deadlines>,
    /// How many commissioners confirm a region's recap sign-off, per level
    /// (a level not named keeps 3). A region with fewer commissioners
    /// registered needs them all.
    #[arg(long, env = "SAKSI_SIGNOFF_QUORUM", value_parser = Quorum::parse,
          default_value = "kecamatan=3,kabkota=3,provinsi=3,nasional=3")]
    pub signoff_quorum: Quorum,
    /// A JSON file of what each kind of polling unit is sent (format and
    /// the built-in default in docs/logistics.md), instead of the built-in
    /// 2024 table.
    #[arg(long, env = "SAKSI_ALLOCATION", value_name = "FILE", value_parser = load_allocation)]
    pub allocation: Option<Arc<AllocationTable>>,
    /// Polling day, YYYY-MM-DD (in WIB): the logistics deadlines are
    /// counted from it. Default 2024-02-14 (`saksi demo`: the day it
    /// starts, as its count starts at once).
    #[arg(long, env = "SAKSI_POLLING_DAY", value_name = "DATE", value_parser = PollingDay::parse)]
    pub polling_day: Option<PollingDay>,
    /// By when each receiving level must have its shipments delivered,
    /// past which one not delivered is overdue: `Nd` is the start of the
    /// day N days before polling day, `HH:MM` that time (WIB) on polling
    /// day. A level not named keeps its default.
    #[arg(long, env = "SAKSI_LOGISTICS_DEADLINES", value_parser = logistics::Deadlines::parse,
          default_value = "kabkota=10d,kecamatan=3d,desa=1d,tps=07:00")]
    pub logistics_deadlines: logistics::Deadlines,
}

/// Reads and checks an allocation table at start, so a wrong file stops
/// the server with the rule it is about instead of serving wrong kits.
fn load_allocation(path: &str) -> Result<Arc<AllocationTable>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    AllocationTable::parse(&text)
        .map(Arc::new)
        .map_err(|e| format!("{path}: {e}"))
}

fn parse_deadlines(text: &str) -> Result<Deadlines, String> {
    Deadlines::parse(text).map_err(|e| e.to_string())
}

impl ListenArg {
    /// The server's settings from these flags.
    pub fn config(&self) -> saksi_server::Config {
        saksi_server::Config {
            max_batch: self.max_batch as usize,
            queue_capacity: self.queue_capacity as usize,
            max_connections: self.max_connections as usize,
            session_ttl: std::time::Duration::from_secs(u64::from(self.session_hours) * 3600),
            incident_deadlines: self.incident_deadlines.unwrap_or_default(),
            signoff_quorum: self.signoff_quorum,
            allocation: self.allocation.clone().unwrap_or_default(),
            polling_day: self.polling_day.unwrap_or_default(),
            logistics_deadlines: self.logistics_deadlines,
            ..saksi_server::Config::default()
        }
    }
}

/// Where and to whom `/metrics` is served; without either flag it is not
/// served at all (its counters help whoever probes or floods the server).
#[derive(Debug, Args)]
pub struct MetricsArg {
    /// Serve `/metrics` (alone) on this address instead of the main one,
    /// e.g. one only Prometheus can reach.
    #[arg(long, env = "SAKSI_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve `/metrics` only to requests with `Authorization: Bearer
    /// TOKEN` (on the main address, or on --metrics-listen if given).
    /// Prefer the environment variable: arguments are visible to every
    /// user of the machine.
    #[arg(long, env = "SAKSI_METRICS_TOKEN", hide_env_values = true,
          value_parser = parse_metrics_token)]
    pub metrics_token: Option<String>,
}

impl MetricsArg {
    /// The listener of `--metrics-listen`, if given.
    pub async fn bind(&self) -> Result<Option<TcpListener>> {
        let Some(at) = self.metrics_listen else {
            return Ok(None);
        };
        let listener = TcpListener::bind(at).await.with_context(|| {
            format!("cannot listen on {at} for /metrics (choose another with --metrics-listen)")
        })?;
        Ok(Some(listener))
    }

    /// Says where `/metrics` is served when it has its own listener.
    pub fn print_where(&self, listener: Option<&TcpListener>) {
        if let Some(listener) = listener {
            let bound = listener.local_addr().ok().map_or_else(
                || "its --metrics-listen address".to_owned(),
                |bound| format!("http://{bound}/metrics"),
            );
            println!("/metrics is served on {bound}");
        }
    }

    pub fn access(&self) -> MetricsAccess {
        match (&self.metrics_listen, &self.metrics_token) {
            (Some(_), token) => MetricsAccess::Separate {
                token: token.clone(),
            },
            (None, Some(token)) => MetricsAccess::Token(token.clone()),
            (None, None) => MetricsAccess::Hidden,
        }
    }
}

/// A token of 16 to 256 visible ASCII characters: guessable or
/// unprintable ones are refused at start rather than misread later.
fn parse_metrics_token(s: &str) -> Result<String, String> {
    if (16..=256).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(s.to_owned())
    } else {
        Err("the metrics token is 16 to 256 visible ASCII characters".into())
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[command(flatten)]
    pub listen: ListenArg,
    #[command(flatten)]
    pub metrics: MetricsArg,
}

pub fn run(args: &ServeArgs) -> Result<()> {
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let log = dir.log_setup()?;
    let store = open_store(&dir, &args.data_dir.database)?;
    let lease = acquire_lease(&store, args.listen.lease_seconds)?;
    let config = Config {
        metrics: args.metrics.access(),
        totp_key: Some(dir.totp_key()?),
        photos: Some(dir.photos()),
        ..args.listen.config()
    };
    let app = load(store, config, log, lease)?;
    runtime()?.block_on(async {
        let listener = bind(args.listen.listen).await?;
        // Before the address is printed, so a signal sent on reading it
        // stops the server cleanly.
        let stop = shutdown_signal();
        // The bound address: with port 0 the system picks one.
        let addr = listener.local_addr().unwrap_or(args.listen.listen);
        let metrics = args.metrics.bind().await?;
        println!(
            "Saksi is serving {} on http://{addr}/",
            dir.root().display()
        );
        args.metrics.print_where(metrics.as_ref());
        saksi_server::serve_with_metrics(listener, metrics, app, stop)
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
        .context("cannot load the election")?
        .with_pages(saksi_web::pages());
    eprintln!("log key: {}", app.state().log.verifier());
    if app.state().simulation {
        eprintln!(
            "this data directory was made by `saksi demo`: every page and answer is marked DATA SIMULASI"
        );
    }
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
