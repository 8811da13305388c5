//! `saksi log new-origin`: start a new log under a new origin and a new
//! log key when the old log cannot continue (README: Backup and restore).
//! The entries the database holds become the new log's first entries.

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::support::args::SqliteDataDirArg;
use crate::support::log_files::{
    OldLog, check_new_origin, explain_new_log, lock_exclusively, predecessors, retire_old_log,
    sqlite_data_dir,
};

/// `saksi log ...`.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Start a new log under a new origin and a new log key, when the old
    /// log cannot continue (the database is older than checkpoints already
    /// published, or the log key is lost). Stop the server first.
    ///
    /// The entries the database holds become the new log's first entries;
    /// submissions the old log acknowledged beyond them are not in the new
    /// log and must be submitted again (their receipts from the old log
    /// prove they were acknowledged). The old `log.key` and `log.highest`
    /// are kept as `log.key.retired-<time>` and `log.highest.retired-<time>`.
    /// Prints the new log's verifier key, which auditors must pin.
    NewOrigin(LogNewOriginArgs),
}

#[derive(Debug, Args)]
pub struct LogNewOriginArgs {
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The new log's origin; it must differ from the old one (e.g.
    /// `pemilu2024.example.go.id/log2`).
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,
}

/// `saksi log new-origin`.
pub fn run(command: &LogCommand) -> Result<()> {
    match command {
        LogCommand::NewOrigin(args) => new_origin(args),
    }
}

/// `saksi log new-origin --data-dir DIR --origin ORIGIN`.
pub fn new_origin(args: &LogNewOriginArgs) -> Result<()> {
    let dir = sqlite_data_dir(&args.data_dir.data_dir, "log new-origin")?;
    let old = OldLog::read(&dir, None)?;
    check_new_origin(&args.origin, &old)?;
    let lock = lock_exclusively(&dir.database())?;
    let entries = lock.log_size()?;
    retire_old_log(&dir)?;
    let key = dir.create_log_key(&args.origin)?;
    lock.record_predecessor(&|existing| predecessors(existing, &old, &args.origin, entries))?;
    lock.commit()?;
    explain_new_log(&dir, &args.origin, &old, entries);
    println!("{key}");
    Ok(())
}
