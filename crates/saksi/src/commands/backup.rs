//! `saksi backup` (issue 4 §4): a consistent online backup of a SQLite data
//! directory while its server keeps writing, in one self-contained file.
//!
//! The backup file is the SQLite database copy itself, with two tables of
//! its own: `saksi_backup_meta` (one row: format, when, from where, which
//! `saksi`, the log size copied) and `saksi_backup_files` (the directory's
//! public files: `root-keys.txt` and `log.highest`). Secrets are never
//! copied: only the files named in [`DataDir::PUBLIC_FILES`] are.
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
//!
//! **Consistency.** The copy runs in one read transaction on the source
//! connection, opened before the first page and held until the last, so
//! every step copies pages of the same snapshot and the server's commits in
//! between never restart it (SQLite restarts a backup whose source changed
//! between steps unless one read transaction spans them). In WAL mode a
//! reader never blocks the writer: the server keeps committing, and its WAL
//! grows until the copy ends. Between steps of [`PAGES_PER_STEP`] pages the
//! copy pauses for [`PAUSE`], so it does not starve the server's I/O.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use saksi_log::{Checkpoint, MemoryTree, Note, root_at};

use crate::cli::BackupArgs;
use crate::data_dir::{DataDir, create_new_file};
use crate::progress;

/// Pages copied per step (64 MiB at SQLite's default 4 KiB pages).
const PAGES_PER_STEP: i32 = 16 * 1024;

/// The pause between steps.
const PAUSE: Duration = Duration::from_millis(5);

/// How long a source or destination lock may keep a step from running.
const BUSY_FOR_AT_MOST: Duration = Duration::from_secs(60);

/// The version of the backup file's own tables.
pub(super) const FORMAT: i64 = 1;

/// The backup's own tables, dropped from a restored database.
pub(super) const BACKUP_TABLES: [&str; 2] = ["saksi_backup_meta", "saksi_backup_files"];

/// Name of the highest-signed record among the backup's files.
pub(super) const LOG_HIGHEST: &str = "log.highest";
/// Name of the root keys among the backup's files.
pub(super) const ROOT_KEYS: &str = "root-keys.txt";

const SCHEMA: &str = "
CREATE TABLE saksi_backup_meta (
    format        INTEGER NOT NULL, -- 1
    created_at    TEXT    NOT NULL, -- RFC 3339 UTC
    source        TEXT    NOT NULL, -- the data directory backed up
    saksi_version TEXT    NOT NULL,
    log_size      INTEGER NOT NULL, -- log entries in the database copy
    highest_size  INTEGER           -- size of the log.highest copied; NULL if none
);
CREATE TABLE saksi_backup_files (
    name    TEXT PRIMARY KEY,       -- root-keys.txt, log.highest
    content BLOB NOT NULL
);
";

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

    let source = open_source(&dir.database())?;
    create_new_file(&partial, "", 0o600)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let copied = copy(&source, &partial, &dir, &files, recorded.as_ref())
        .and_then(|log_size| finish(&partial, out).map(|()| log_size));
    let log_size = match copied {
        Ok(size) => size,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    drop(source);

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

/// Copies the database into `dest` (an empty file) in one snapshot, adds
/// the backup's tables and leaves a single closed file in rollback-journal
/// mode. Returns the number of log entries copied.
fn copy(
    source: &Connection,
    dest: &Path,
    dir: &DataDir,
    files: &BTreeMap<&str, Vec<u8>>,
    recorded: Option<&Checkpoint>,
) -> Result<u64> {
    let mut to = Connection::open(dest)
        .with_context(|| format!("cannot open {} to write the backup", dest.display()))?;
    source
        .execute_batch("BEGIN DEFERRED")
        .context("cannot start reading the database")?;
    let copied = (|| {
        // The snapshot begins with this first read and ends at COMMIT.
        let log_size = log_size(source).context("cannot read the log's size")?;
        step_to_completion(source, &mut to)?;
        Ok::<_, anyhow::Error>(log_size)
    })();
    // Ends the read transaction whatever happened.
    let _ = source.execute_batch("COMMIT");
    let log_size = copied?;

    let source_dir = std::fs::canonicalize(dir.root()).unwrap_or_else(|_| dir.root().to_owned());
    let tx = to.transaction()?;
    tx.execute_batch(SCHEMA)
        .context("cannot add the backup's tables")?;
    tx.execute(
        "INSERT INTO saksi_backup_meta
             (format, created_at, source, saksi_version, log_size, highest_size)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            FORMAT,
            super::user::now().to_string(),
            source_dir.display().to_string(),
            env!("CARGO_PKG_VERSION"),
            log_size as i64,
            recorded.map(|c| c.size as i64),
        ],
    )?;
    for (name, content) in files {
        tx.execute(
            "INSERT INTO saksi_backup_files (name, content) VALUES (?1, ?2)",
            (name, content),
        )?;
    }
    tx.commit().context("cannot write the backup's tables")?;

    if let Some(checkpoint) = recorded {
        match tree_of(&to).map(|tree| record_state(&tree, checkpoint)) {
            Ok(RecordState::Matches) => {}
            Ok(state) => eprintln!(
                "warning: the backed-up database {} (the source is in this state too: its \
                 server refuses to sign); the backup records it as it is",
                state.describe()
            ),
            Err(err) => eprintln!("warning: cannot check the copied log: {err:#}"),
        }
    }

    // One self-contained file: no WAL beside it.
    let mode: String = to
        .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))
        .context("cannot leave WAL mode in the backup")?;
    if !mode.eq_ignore_ascii_case("delete") {
        bail!("the backup stayed in journal mode {mode}");
    }
    to.close()
        .map_err(|(_, e)| e)
        .context("cannot close the backup")?;
    Ok(log_size)
}

/// Runs the online backup in steps with a pause between them, showing a
/// progress bar on a terminal.
fn step_to_completion(source: &Connection, to: &mut Connection) -> Result<()> {
    let backup = Backup::new(source, to).context("cannot start the online backup")?;
    let bar = progress::bar("backing up", 1, "pages");
    let mut busy_since: Option<Instant> = None;
    loop {
        let step = backup
            .step(PAGES_PER_STEP)
            .context("the online backup failed")?;
        let p = backup.progress();
        bar.set_length(p.pagecount.max(0) as u64);
        bar.set_position((p.pagecount - p.remaining).max(0) as u64);
        match step {
            StepResult::Done => break,
            StepResult::More => busy_since = None,
            // Busy, Locked: transient; retried after the pause.
            _ => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() > BUSY_FOR_AT_MOST {
                    bail!(
                        "the database stayed locked for {} s",
                        BUSY_FOR_AT_MOST.as_secs()
                    );
                }
            }
        }
        std::thread::sleep(PAUSE);
    }
    bar.finish_and_clear();
    Ok(())
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
             back up a PostgreSQL store with pg_dump or point-in-time recovery (README: Backup \
             and restore)",
            root.display(),
            dir.database().display()
        );
    }
    Ok(dir)
}

/// The database of a data directory, for reading alone; never created.
fn open_source(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the database {}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
}

/// `FILE.partial`.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The number of log entries, as the store counts them: one B-tree descent
/// per table.
pub(super) fn log_size(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT MAX(COALESCE((SELECT MAX(log_index) FROM form_versions), -1),
                    COALESCE((SELECT MAX(log_index) FROM log_entries), -1)) + 1",
        [],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// The Merkle tree of the log entries in `conn`, from their stored leaf
/// hashes (as the server rebuilds it).
pub(super) fn tree_of(conn: &Connection) -> Result<MemoryTree> {
    let mut tree = MemoryTree::new();
    let mut stmt =
        conn.prepare("SELECT log_index, leaf_hash FROM log_entries ORDER BY log_index")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let index: i64 = row.get(0)?;
        let hash: Vec<u8> = row.get(1)?;
        if index as u64 != tree.len() {
            bail!("log entry {} is missing", tree.len());
        }
        let hash = hash
            .try_into()
            .map_err(|_| anyhow::anyhow!("log entry {index} has no 32-byte leaf hash"))?;
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

/// What a backup file holds, read by `saksi restore`.
#[derive(Debug)]
pub(super) struct BackupFile {
    pub created_at: String,
    pub source: String,
    pub saksi_version: String,
    pub log_size: u64,
    /// The public files by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl BackupFile {
    /// Reads the backup's own tables, refusing a file that is not a Saksi
    /// backup or is of a newer format.
    pub(super) fn open(path: &Path) -> Result<BackupFile> {
        if !path.is_file() {
            bail!("{} is not a file", path.display());
        }
        let not_backup = || {
            format!(
                "{} is not a Saksi backup (made by `saksi backup`)",
                path.display()
            )
        };
        // The header first: a backup is a SQLite file in rollback-journal
        // mode. Opening a WAL database, even read-only, would leave -wal
        // and -shm files beside it.
        let mut header = [0u8; 20];
        std::io::Read::read_exact(
            &mut std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            &mut header,
        )
        .with_context(not_backup)?;
        if &header[..16] != b"SQLite format 3\0" || header[18] != 1 {
            bail!(not_backup());
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(not_backup)?;
        let has_meta: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'saksi_backup_meta'",
                [],
                |row| row.get(0),
            )
            .optional()
            .with_context(not_backup)?;
        if has_meta.is_none() {
            bail!(not_backup());
        }
        let (format, created_at, source, saksi_version, log_size): (
            i64,
            String,
            String,
            String,
            i64,
        ) = conn
            .query_row(
                "SELECT format, created_at, source, saksi_version, log_size FROM saksi_backup_meta",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .with_context(not_backup)?;
        if format != FORMAT {
            bail!(
                "{} is a backup of format {format} (by saksi {saksi_version}); this saksi reads format {FORMAT}",
                path.display()
            );
        }
        let mut files = BTreeMap::new();
        let mut stmt = conn.prepare("SELECT name, content FROM saksi_backup_files")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            files.insert(row.get(0)?, row.get(1)?);
        }
        Ok(BackupFile {
            created_at,
            source,
            saksi_version,
            log_size: log_size as u64,
            files,
        })
    }
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
