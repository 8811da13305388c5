//! `saksi log new-origin`: start a new log under a new origin and a new
//! log key when the old log cannot continue (README: Backup and restore).
//! The entries the database holds become the new log's first entries.

use anyhow::Result;

use crate::cli::LogNewOriginArgs;
use crate::support::log_files::{
    OldLog, check_new_origin, explain_new_log, lock_exclusively, predecessors, retire_old_log,
    sqlite_data_dir,
};

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
