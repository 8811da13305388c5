//! `saksi backup`: a consistent online backup of a SQLite data directory
//! while its server keeps writing, in one self-contained file.
//!
//! The backup file is the SQLite database copy itself with the backup's
//! own tables, made by the store (`saksi_store::sqlite::backup`, which
//! documents the format and how the copy stays consistent), holding the
//! directory's public files: `root-keys.txt` and `log.highest`. Secrets are
//! never copied: only the files named in [`DataDir::PUBLIC_FILES`] are.
//! The photos (terabytes for a nation) never go into the file: they are
//! copied by hash into the directory `FILE.photos/` beside it, after the
//! database (so it holds every photo the copied log names that the server
//! had), incrementally: a photo already there is not copied again.
//!
//! **Order.** `log.highest` is read once, *before* the copy starts. The
//! server records a checkpoint only over entries already committed, so when
//! the record says size N the database held at least those N entries, and
//! the copy (a snapshot taken after the record was read) holds them too,
//! with the same root, as the log only grows. Reading the record after the
//! copy could catch a checkpoint signed over entries committed after the
//! snapshot: the backup's database would then be behind its own record, and
//! a server restored from it would refuse to sign (`log.behind_signed`)
//! although nothing had been lost. A record older than the copy is
//! harmless: the restored server signs the copy's size at start-up. The
//! backup checks this (the record's root is recomputed from the copy) and
//! warns if the source itself was behind its record.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use saksi_log::Checkpoint;
use saksi_store::sqlite::backup::{self as store_backup, BackupInfo};

use crate::support::args::SqliteDataDirArg;
use crate::support::data_dir::{DataDir, create_new_file};
use crate::support::log_files::{
    LOG_HIGHEST, RecordState, fsync_parent, human_bytes, record_state, sqlite_data_dir, tree_of,
    unverified_checkpoint,
};
use crate::support::progress;
use crate::support::{now, photos};

/// `saksi backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The backup file to create (one SQLite file, mode 0600); an existing
    /// file is never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `saksi backup --help`: what a backup holds, and what to use for a store
/// that is not SQLite.
pub fn long_about() -> String {
    format!(
        "Back up a SQLite data directory while its server runs: one file with the database and \
         the public files, never a secret.\n\n\
         The backup is one SQLite file: a consistent copy of `DIR/saksi.db` made with SQLite's \
         online backup API (the server keeps writing meanwhile), plus `root-keys.txt` and \
         `log.highest` (the highest checkpoint signed, read before the copy so that it never \
         claims more than the copy holds). Secrets are never in a backup: `log.key`, \
         `root.key`, `demo-accounts.json` and `demo-keys/` stay out; keep the log key apart, \
         offline. The file is written as FILE.partial, fsynced and renamed, with mode 0600 (it \
         holds password hashes). The photos are copied by hash into the directory FILE.photos \
         beside it, incrementally (a photo already there is not copied again). SQLite only: {}.",
        saksi_store::url::OTHER_BACKUP
    )
}

/// `saksi backup --data-dir DIR --out FILE`.
pub fn run(args: &BackupArgs) -> Result<()> {
    let started = Instant::now();
    let dir = sqlite_data_dir(&args.data_dir.data_dir, "backup")?;
    let out = args.out.as_path();
    let partial = partial_path(out);
    if out.symlink_metadata().is_ok() {
        bail!(
            "{} already exists: a backup never replaces a file; choose another --out",
            out.display()
        );
    }
    if partial.symlink_metadata().is_ok() {
        bail!(
            "{} exists: another backup to {} is running, or one was interrupted (then remove it)",
            partial.display(),
            out.display()
        );
    }

    // The record first, then the snapshot (see the module's documentation).
    let mut files = BTreeMap::new();
    for name in DataDir::PUBLIC_FILES {
        let path = dir.root().join(name);
        match std::fs::read(&path) {
            Ok(content) => {
                files.insert(name, content);
            }
            Err(e) if e.kind() == ErrorKind::NotFound && name == LOG_HIGHEST => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    let recorded = files
        .get(LOG_HIGHEST)
        .map(|note| {
            unverified_checkpoint(note).with_context(|| {
                format!("{} is not a signed checkpoint", dir.log_highest().display())
            })
        })
        .transpose()?;

    create_new_file(&partial, "", 0o600)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let copied = copy(&partial, &dir, &files, recorded.as_ref()).and_then(|log_size| {
        let photos = photos::copy(&dir.photos_dir(), &photos::beside(out))?;
        finish(&partial, out).map(|()| (log_size, photos))
    });
    let (log_size, photos) = match copied {
        Ok(done) => done,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };

    eprintln!(
        "not in the backup, by design: {} (keep the log key apart, offline)",
        DataDir::SECRETS
    );
    let bytes = std::fs::metadata(out).map_or(0, |m| m.len());
    println!(
        "backed up {} to {}: {}, {} log entries, highest signed checkpoint {}, {:.1} s",
        dir.root().display(),
        out.display(),
        human_bytes(bytes),
        log_size,
        recorded
            .as_ref()
            .map_or_else(|| "none".to_owned(), |c| format!("size {}", c.size)),
        started.elapsed().as_secs_f64()
    );
    println!("{photos}");
    Ok(())
}

/// Copies the database into `dest` (an empty file) in one snapshot with
/// the backup's tables, then checks the copy against the record. Returns
/// the number of log entries copied.
fn copy(
    dest: &Path,
    dir: &DataDir,
    files: &BTreeMap<&str, Vec<u8>>,
    recorded: Option<&Checkpoint>,
) -> Result<u64> {
    let source_dir = std::fs::canonicalize(dir.root()).unwrap_or_else(|_| dir.root().to_owned());
    let info = BackupInfo {
        created_at: now().to_string(),
        source: source_dir.display().to_string(),
        saksi_version: env!("CARGO_PKG_VERSION").to_owned(),
        highest_size: recorded.map(|c| c.size),
    };
    let bar = progress::bar("backing up", 1, "pages");
    let log_size =
        store_backup::backup(&dir.database(), dest, &info, files, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })?;
    bar.finish_and_clear();

    if let Some(checkpoint) = recorded {
        match tree_of(dest).map(|tree| record_state(&tree, checkpoint)) {
            Ok(RecordState::Matches) => {}
            Ok(state) => eprintln!(
                "warning: the backed-up database {} (the source is in this state too: its \
                 server refuses to sign); the backup records it as it is",
                state.describe()
            ),
            Err(err) => eprintln!("warning: cannot check the copied log: {err:#}"),
        }
    }
    Ok(log_size)
}

/// Fsyncs `partial` and gives it its final name, never replacing a file.
fn finish(partial: &Path, out: &Path) -> Result<()> {
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot fsync {}", partial.display()))?;
    // A hard link fails if `out` exists, where a rename would replace it.
    match std::fs::hard_link(partial, out) {
        Ok(()) => std::fs::remove_file(partial)
            .with_context(|| format!("cannot remove {}", partial.display()))?,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            bail!(
                "{} appeared while the backup ran; it was not replaced",
                out.display()
            )
        }
        // A file system without hard links.
        Err(_) => {
            if out.symlink_metadata().is_ok() {
                bail!(
                    "{} appeared while the backup ran; it was not replaced",
                    out.display()
                );
            }
            std::fs::rename(partial, out).with_context(|| {
                format!("cannot rename {} to {}", partial.display(), out.display())
            })?;
        }
    }
    fsync_parent(out)
}

/// `FILE.partial`.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partial_file_is_beside_the_backup() {
        assert_eq!(
            partial_path(Path::new("/b/x.saksi")),
            Path::new("/b/x.saksi.partial")
        );
    }
}
