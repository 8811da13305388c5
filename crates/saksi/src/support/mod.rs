//! What several commands share: the async runtime, opening a data
//! directory's store, the shutdown signal, the clock, exit codes, the
//! progress bar, the data directory's layout and storing a new election.

pub mod args;
pub mod data_dir;
pub mod database;
pub mod log_files;
pub mod photos;
pub mod progress;
pub mod setup;
pub mod signing;

use std::sync::Arc;

use anyhow::{Context, Result};
use saksi_core::time::UnixTime;
use saksi_store::Store;

use args::DatabaseArg;
use data_dir::DataDir;

/// A failure the command has already reported on standard error: `main`
/// exits with this code and prints nothing more.
#[derive(Debug)]
pub struct Reported(pub u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Reported {}

/// Prints `text` on standard output; a reader that stops early (`|
/// head`) ends the listing, not an error.
pub fn print_all(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The store of a data directory.
pub fn open_store(dir: &DataDir, database: &DatabaseArg) -> Result<Arc<dyn Store>> {
    database::open(dir, database.url.as_deref())
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
///
/// The handlers are installed when this is called, not when the future is
/// first polled: a server calls it before printing its address, so a
/// script that signals as soon as it reads the address stops it cleanly
/// rather than killing it. Call it inside the runtime.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt()).ok();
    let terminate = signal(SignalKind::terminate()).ok();
    async move {
        let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
            match stream {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = wait(interrupt) => {}
            _ = wait(terminate) => {}
        }
        eprintln!("stopping: finishing requests in flight");
    }
}

/// The current time, to the second.
pub fn now() -> UnixTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    UnixTime(secs as i64)
}
