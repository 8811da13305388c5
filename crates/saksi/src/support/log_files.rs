//! The log's files in a SQLite data directory (`log.key`, `log.highest`,
//! `root-keys.txt`) as `saksi backup`, `saksi restore` and `saksi log
//! new-origin` handle them (README: Backup and restore): comparing a
//! database with the highest signed checkpoint, and starting a new log
//! when the old one cannot continue.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use saksi_log::{Checkpoint, MemoryTree, Note, Signer, Verifier, root_at};
use saksi_store::sqlite::backup::{self as store_backup, BackupError, ExclusiveLock};
use serde_json::{Value, json};

use super::data_dir::DataDir;
use super::now;

/// Name of the highest-signed record among the backup's files.
pub const LOG_HIGHEST: &str = "log.highest";
/// Name of the root keys among the backup's files.
pub const ROOT_KEYS: &str = "root-keys.txt";

/// An existing data directory whose store is SQLite (`saksi.db`): the
/// commands that work on the database file cover no other store.
pub fn sqlite_data_dir(root: &Path, command: &str) -> Result<DataDir> {
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

/// The Merkle tree of the log entries in the database at `path`, from
/// their stored leaf hashes (as the server rebuilds it).
pub fn tree_of(path: &Path) -> Result<MemoryTree> {
    let mut tree = MemoryTree::new();
    for hash in store_backup::log_leaf_hashes(path)? {
        tree.append(hash);
    }
    Ok(tree)
}

/// How a database's log stands to a signed checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// The log holds the checkpoint's entries, with its root.
    Matches,
    /// The log holds fewer entries than the checkpoint.
    Behind { stored: u64, signed: u64 },
    /// The log's first `size` entries have another root.
    Diverged { size: u64 },
}

impl RecordState {
    /// "holds 10 log entries, fewer than ..." for messages.
    pub fn describe(&self) -> String {
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
pub fn record_state(tree: &MemoryTree, checkpoint: &Checkpoint) -> RecordState {
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
pub fn unverified_checkpoint(note: &[u8]) -> Result<Checkpoint> {
    let note = Note::parse(note)?;
    Ok(Checkpoint::parse(&note.text)?)
}

/// Fsyncs the directory holding `path`, so that a new name survives a crash.
pub fn fsync_parent(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot fsync the directory {}", dir.display()))
}

/// `12.3 MiB`.
pub fn human_bytes(bytes: u64) -> String {
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

/// A private log key from a file, or `None` if there is no file.
pub fn read_signer(path: &Path) -> Result<Option<Signer>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Signer::parse(text.trim_end())
            .map(Some)
            .with_context(|| format!("{} is not a log key (PRIVATE+KEY+...)", path.display())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// What is known of a log being replaced: its key (if the directory still
/// has it) and its highest signed checkpoint (the directory's or the
/// backup's, whichever is higher).
pub struct OldLog {
    origin: Option<String>,
    key: Option<Verifier>,
    checkpoint: Option<(Checkpoint, String)>,
}

impl OldLog {
    pub fn read(dir: &DataDir, backup_note: Option<&[u8]>) -> Result<OldLog> {
        let key = read_signer(&dir.log_key())?.map(|s| s.verifier());
        let in_dir = match std::fs::read(dir.log_highest()) {
            Ok(note) => Some(note),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read {}", dir.log_highest().display()));
            }
        };
        // Recorded for what it says; a damaged note is kept as a file only.
        let checkpoint = [in_dir.as_deref(), backup_note]
            .into_iter()
            .flatten()
            .filter_map(|note| {
                let checkpoint = unverified_checkpoint(note).ok()?;
                Some((checkpoint, String::from_utf8(note.to_vec()).ok()?))
            })
            .max_by_key(|(c, _)| c.size);
        let origin = key
            .as_ref()
            .map(|k| k.name().to_owned())
            .or_else(|| checkpoint.as_ref().map(|(c, _)| c.origin.clone()));
        Ok(OldLog {
            origin,
            key,
            checkpoint,
        })
    }
}

/// A new origin must be a key name and not the old log's.
pub fn check_new_origin(origin: &str, old: &OldLog) -> Result<()> {
    if !saksi_log::keys::is_valid_name(origin) {
        bail!(
            "{origin:?} is not an origin (such as `pemilu2024.example.go.id/log2`: no spaces or '+')"
        );
    }
    if old.origin.as_deref() == Some(origin) {
        bail!(
            "{origin:?} is the old log's origin: a new log needs a new origin (checkpoints name \
             their log by its origin, and auditors have pinned the old one)"
        );
    }
    Ok(())
}

/// Keeps the old `log.key` and `log.highest` under retired names (the key
/// stays mode 0600); the new log starts with no record.
pub fn retire_old_log(dir: &DataDir) -> Result<()> {
    let stamp = now().0;
    for path in [dir.log_key(), dir.log_highest()] {
        if path.symlink_metadata().is_err() {
            continue;
        }
        let mut n = 0;
        let retired = loop {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".retired-{stamp}"));
            if n > 0 {
                name.push(format!("-{n}"));
            }
            let candidate = PathBuf::from(name);
            if candidate.symlink_metadata().is_err() {
                break candidate;
            }
            n += 1;
        };
        std::fs::rename(&path, &retired).with_context(|| {
            format!("cannot rename {} to {}", path.display(), retired.display())
        })?;
        eprintln!("kept the old {} as {}", path.display(), retired.display());
    }
    fsync_parent(&dir.log_key())
}

/// The database's `log.predecessors` (a JSON array, oldest first) with the
/// old log added: which log the first `entries` entries were published in,
/// and the highest checkpoint it signed, for auditors and operators.
pub fn predecessors(existing: Option<&str>, old: &OldLog, origin: &str, entries: u64) -> String {
    let mut list = match existing.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Array(list))) => list,
        _ => Vec::new(),
    };
    list.push(json!({
        "origin": old.origin,
        "key": old.key.as_ref().map(ToString::to_string),
        "highest_checkpoint": old.checkpoint.as_ref().map(|(_, note)| note),
        "entries_carried_over": entries,
        "new_origin": origin,
        "started_at": now().to_string(),
    }));
    Value::Array(list).to_string()
}

/// Takes the database's exclusive lock, which a running server (or any
/// other open connection) prevents: the log key must not change under a
/// server that signs with the old one.
pub fn lock_exclusively(path: &Path) -> Result<ExclusiveLock> {
    match ExclusiveLock::acquire(path) {
        Err(BackupError::InUse(_)) => bail!(
            "{} is in use by another process (a running `saksi serve` or `saksi demo`?): stop \
             the server first",
            path.display()
        ),
        locked => Ok(locked?),
    }
}

/// What a new log means for those who relied on the old one.
pub fn explain_new_log(dir: &DataDir, origin: &str, old: &OldLog, entries: u64) {
    let old_name = old.origin.as_deref().unwrap_or("(unknown)");
    eprintln!(
        "started a new log {origin:?} in {}: its first {entries} entries are those the database \
         holds, published before in the log {old_name:?}",
        dir.root().display()
    );
    if let Some((checkpoint, _)) = &old.checkpoint
        && checkpoint.size > entries
    {
        eprintln!(
            "the old log published {} entries: the {} entries from index {entries} to {} are not \
             in the new log and must be submitted again (their receipts from the old log prove \
             they were acknowledged)",
            checkpoint.size,
            checkpoint.size - entries,
            checkpoint.size - 1
        );
    }
    eprintln!(
        "auditors must pin the new log key (below); the old log's checkpoints and receipts stay \
         verifiable with the old key"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn sizes_are_readable() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
