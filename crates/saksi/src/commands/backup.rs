//! `saksi backup`: a consistent online backup of a SQLite data directory
//! while its server keeps writing, in one self-contained file.
//!
//! The backup file is the SQLite database copy itself with the backup's
//! own tables, made by the store (`saksi_store::sqlite::backup`, which
//! documents the format and how the copy stays consistent), holding the
//! directory's public files: `root-keys.txt` and `log.highest`. Secrets are
//! never copied: only the files named in [`DataDir::PUBLIC_FILES`] are.
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
use saksi_log::{Checkpoint, MemoryTree, Note, root_at};
use saksi_store::sqlite::backup::{self as store_backup, BackupInfo};

use crate::cli::BackupArgs;
use crate::support::data_dir::{DataDir, create_new_file};
use crate::support::now;
use crate::support::progress;

/// Name of the highest-signed record among the backup's files.
pub(super) const LOG_HIGHEST: &str = "log.highest";
/// Name of the root keys among the backup's files.
pub(super) const ROOT_KEYS: &str = "root-keys.txt";

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
    let copied = copy(&partial, &dir, &files, recorded.as_ref())
        .and_then(|log_size| finish(&partial, out).map(|()| log_size));
    let log_size = match copied {
        Ok(size) => size,
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

/// An existing data directory whose store is SQLite (`saksi.db`): the
/// commands that work on the database file cover no other store.
pub(super) fn sqlite_data_dir(root: &Path, command: &str) -> Result<DataDir> {
    let dir = DataDir::existing(root)?;
    if !dir.database().is_file() {
        bail!(
            "{} holds no SQLite database ({}): `saksi {command}` covers SQLite deployments only; \
             {} (README: Backup and restore)",
            root.display(),
            dir.database().display(),
            saksi_store::url::OTHER_BACKUP
        );
    }
    Ok(dir)
}

/// `FILE.partial`.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The Merkle tree of the log entries in the database at `path`, from
/// their stored leaf hashes (as the server rebuilds it).
pub(super) fn tree_of(path: &Path) -> Result<MemoryTree> {
    let mut tree = MemoryTree::new();
    for hash in store_backup::log_leaf_hashes(path)? {
        tree.append(hash);
    }
    Ok(tree)
}

/// How a database's log stands to a signed checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordState {
    /// The log holds the checkpoint's entries, with its root.
    Matches,
    /// The log holds fewer entries than the checkpoint.
    Behind { stored: u64, signed: u64 },
    /// The log's first `size` entries have another root.
    Diverged { size: u64 },
}

impl RecordState {
    /// "holds 10 log entries, fewer than ..." for messages.
    pub(super) fn describe(&self) -> String {
        match self {
            RecordState::Matches => "matches the highest signed checkpoint".to_owned(),
            RecordState::Behind { stored, signed } => format!(
                "holds {stored} log entries, fewer than the checkpoint of size {signed} already \
                 signed (log.highest)"
            ),
            RecordState::Diverged { size } => format!(
                "holds other log entries than the checkpoint of size {size} already signed \
                 (log.highest)"
            ),
        }
    }
}

/// Compares `tree` with `checkpoint` as the server's publisher does.
pub(super) fn record_state(tree: &MemoryTree, checkpoint: &Checkpoint) -> RecordState {
    if tree.len() < checkpoint.size {
        return RecordState::Behind {
            stored: tree.len(),
            signed: checkpoint.size,
        };
    }
    match root_at(tree, checkpoint.size) {
        Ok(root) if root == checkpoint.root => RecordState::Matches,
        _ => RecordState::Diverged {
            size: checkpoint.size,
        },
    }
}

/// A signed checkpoint's content, its signature not checked (a backup
/// holds no key to check it with; `saksi restore` checks it).
pub(super) fn unverified_checkpoint(note: &[u8]) -> Result<Checkpoint> {
    let note = Note::parse(note)?;
    Ok(Checkpoint::parse(&note.text)?)
}

/// Fsyncs the directory holding `path`, so that a new name survives a crash.
pub(super) fn fsync_parent(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot fsync the directory {}", dir.display()))
}

/// `12.3 MiB`.
pub(super) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_readable() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn the_partial_file_is_beside_the_backup() {
        assert_eq!(
            partial_path(Path::new("/b/x.saksi")),
            Path::new("/b/x.saksi.partial")
        );
    }

    #[test]
    fn a_record_is_compared_with_the_tree_as_the_server_does() {
        let mut tree = MemoryTree::new();
        for i in 0..5u8 {
            tree.append([i; 32]);
        }
        let at3 = Checkpoint::new("o", 3, root_at(&tree, 3).unwrap());
        assert_eq!(record_state(&tree, &at3), RecordState::Matches);
        let ahead = Checkpoint::new("o", 9, [0; 32]);
        assert_eq!(
            record_state(&tree, &ahead),
            RecordState::Behind {
                stored: 5,
                signed: 9
            }
        );
        let other = Checkpoint::new("o", 3, [7; 32]);
        assert_eq!(
            record_state(&tree, &other),
            RecordState::Diverged { size: 3 }
        );
    }
}
