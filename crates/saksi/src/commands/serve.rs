//! `saksi serve`: the HTTP API and the web page over a data directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use saksi_server::log::LogSetup;
use saksi_server::{App, Config};
use saksi_store::{SqliteStore, Store};
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::data_dir::DataDir;

pub fn run(args: &ServeArgs) -> Result<()> {
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let log = dir.log_setup()?;
    let store = open_store(&dir)?;
    let app = load(store, args.listen.config(), log)?;
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

/// The store of a data directory.
pub fn open_store(dir: &DataDir) -> Result<Arc<dyn Store>> {
    let store = SqliteStore::open(dir.database())
        .with_context(|| format!("cannot open the database {}", dir.database().display()))?;
    Ok(Arc::new(store))
}

/// Loads the election, its tallies and its log, saying how long it took
/// and which log key signs (the public half only).
pub fn load(store: Arc<dyn Store>, config: Config, log: LogSetup) -> Result<App> {
    let started = Instant::now();
    let app = App::load(store, config, log).context("cannot load the election")?;
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

/// The async runtime every serving command uses.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM: the server then stops taking
/// requests, finishes those in flight and the last batch, and exits.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    eprintln!("stopping: finishing requests in flight");
}
