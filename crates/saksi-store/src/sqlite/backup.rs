//! Whole-file operations on a SQLite database that the operator's commands
//! run while no [`SqliteStore`](super::SqliteStore) of theirs is open: the
//! online backup (`saksi backup`), reading and preparing a backup for
//! `saksi restore`, and the exclusive lock under which `saksi log
//! new-origin` replaces the log key. They live here, beside the schema they
//! read, so that a migration cannot break them while the store's suite stays
//! green. The data directory's files around the database are the caller's.
//!
//! A backup file is the database copy itself with two tables of its own:
//! `saksi_backup_meta` (one row: format, when, from where, which `saksi`,
//! the log size copied) and `saksi_backup_files` (public files stored by
//! name).
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
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use super::forms;
use crate::StoreError;

/// Pages copied per step (64 MiB at SQLite's default 4 KiB pages).
const PAGES_PER_STEP: i32 = 16 * 1024;

/// The pause between steps.
const PAUSE: Duration = Duration::from_millis(5);

/// How long a source or destination lock may keep a step from running.
const BUSY_FOR_AT_MOST: Duration = Duration::from_secs(60);

/// How long the exclusive lock waits for another connection to let go.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// The version of the backup file's own tables.
pub const FORMAT: i64 = 1;

/// The backup's own tables, dropped from a restored database.
const BACKUP_TABLES: [&str; 2] = ["saksi_backup_meta", "saksi_backup_files"];

/// The store's metadata key listing the logs a database's entries were
/// carried over from (a JSON array, oldest first, written by the caller).
const PREDECESSORS: &str = "log.predecessors";

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

/// Rewrites the list of logs a database's entries were carried over from:
/// given the stored value, if any, returns the new one.
pub type UpdatePredecessors<'a> = dyn Fn(Option<&str>) -> String + 'a;

/// Why a backup, a restore or the exclusive lock failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    #[error("cannot open the database {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot open {} to write the backup", path.display())]
    OpenDestination {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot start reading the database")]
    BeginRead(#[source] rusqlite::Error),
    #[error("cannot read the log's size")]
    LogSize(#[source] StoreError),
    #[error("cannot start the online backup")]
    StartCopy(#[source] rusqlite::Error),
    #[error("the online backup failed")]
    Copy(#[source] rusqlite::Error),
    #[error("the database stayed locked for {} s", .0.as_secs())]
    Locked(Duration),
    #[error("cannot add the backup's tables")]
    Tables(#[source] rusqlite::Error),
    #[error("cannot leave WAL mode in the backup")]
    LeaveWal(#[source] rusqlite::Error),
    #[error("the backup stayed in journal mode {0}")]
    StayedInWal(String),
    #[error("cannot close the database")]
    Close(#[source] rusqlite::Error),
    #[error("{} is not a file", .0.display())]
    NotAFile(PathBuf),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a SQLite database in rollback-journal mode holding a
    /// backup's tables.
    #[error("{} is not a Saksi backup (made by `saksi backup`)", path.display())]
    NotABackup {
        path: PathBuf,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error(
        "{} is a backup of format {format} (by saksi {saksi_version}); this saksi reads format {FORMAT}",
        path.display()
    )]
    NewerFormat {
        path: PathBuf,
        format: i64,
        saksi_version: String,
    },
    #[error("cannot check the backup's database")]
    Check(#[source] rusqlite::Error),
    #[error("the backup's database is damaged: {0}")]
    Damaged(String),
    #[error("cannot read the backup's log")]
    BackupLog(#[source] StoreError),
    #[error(
        "the backup's database holds {found} log entries but the backup says {recorded}: damaged"
    )]
    SizeMismatch { found: u64, recorded: u64 },
    #[error("cannot drop the backup's tables")]
    DropTables(#[source] rusqlite::Error),
    #[error("cannot open the restored database {}", path.display())]
    OpenRestored {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("cannot fsync {}", path.display())]
    Fsync {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another connection (a running server) holds the database: the
    /// exclusive lock was not granted.
    #[error("{} is in use by another process", .0.display())]
    InUse(PathBuf),
    #[error("cannot lock {}", path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot record the old log in the database")]
    RecordPredecessor(#[source] rusqlite::Error),
    #[error("log entry {0} is missing")]
    MissingEntry(u64),
    #[error("log entry {0} has no 32-byte leaf hash")]
    BadLeafHash(i64),
    #[error("SQLite error")]
    Sqlite(#[from] rusqlite::Error),
}

/// Who made a backup, recorded in its `saksi_backup_meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The data directory backed up.
    pub source: String,
    pub saksi_version: String,
    /// The size of the signed checkpoint stored among the files, if any.
    pub highest_size: Option<u64>,
}

/// Copies the database at `source` into `dest` (an empty file) in one
/// snapshot while other connections keep writing, adds the backup's tables
/// with `info` and `files`, and leaves a single closed file in
/// rollback-journal mode. `progress(copied, total)` is called with page
/// counts after each step. Returns the number of log entries copied.
pub fn backup(
    source: &Path,
    dest: &Path,
    info: &BackupInfo,
    files: &BTreeMap<&str, Vec<u8>>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, BackupError> {
    let from = open_source(source)?;
    let mut to = Connection::open(dest).map_err(|source| BackupError::OpenDestination {
        path: dest.to_owned(),
        source,
    })?;
    from.execute_batch("BEGIN DEFERRED")
        .map_err(BackupError::BeginRead)?;
    let copied = (|| {
        // The snapshot begins with this first read and ends at COMMIT.
        let log_size = forms::log_size(&from).map_err(BackupError::LogSize)?;
        step_to_completion(&from, &mut to, progress)?;
        Ok::<_, BackupError>(log_size)
    })();
    // Ends the read transaction whatever happened.
    let _ = from.execute_batch("COMMIT");
    let log_size = copied?;
    drop(from);

    let tx = to.transaction()?;
    tx.execute_batch(SCHEMA).map_err(BackupError::Tables)?;
    tx.execute(
        "INSERT INTO saksi_backup_meta
             (format, created_at, source, saksi_version, log_size, highest_size)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            FORMAT,
            info.created_at,
            info.source,
            info.saksi_version,
            log_size as i64,
            info.highest_size.map(|s| s as i64),
        ],
    )?;
    for (name, content) in files {
        tx.execute(
            "INSERT INTO saksi_backup_files (name, content) VALUES (?1, ?2)",
            (name, content),
        )?;
    }
    tx.commit().map_err(BackupError::Tables)?;

    // One self-contained file: no WAL beside it.
    let mode: String = to
        .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))
        .map_err(BackupError::LeaveWal)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError::StayedInWal(mode));
    }
    to.close().map_err(|(_, e)| BackupError::Close(e))?;
    Ok(log_size)
}

/// Runs the online backup in steps with a pause between them.
fn step_to_completion(
    source: &Connection,
    to: &mut Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), BackupError> {
    let backup = Backup::new(source, to).map_err(BackupError::StartCopy)?;
    let mut busy_since: Option<Instant> = None;
    loop {
        let step = backup.step(PAGES_PER_STEP).map_err(BackupError::Copy)?;
        let p = backup.progress();
        progress(
            (p.pagecount - p.remaining).max(0) as u64,
            p.pagecount.max(0) as u64,
        );
        match step {
            StepResult::Done => break,
            StepResult::More => busy_since = None,
            // Busy, Locked: transient; retried after the pause.
            _ => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() > BUSY_FOR_AT_MOST {
                    return Err(BackupError::Locked(BUSY_FOR_AT_MOST));
                }
            }
        }
        std::thread::sleep(PAUSE);
    }
    Ok(())
}

/// The database of a data directory, for reading alone; never created.
fn open_source(path: &Path) -> Result<Connection, BackupError> {
    let open = || {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    };
    open().map_err(|source| BackupError::Open {
        path: path.to_owned(),
        source,
    })
}

/// The number of log entries in the database at `path`, as the store
/// counts them. Opens the file without creating it.
pub fn log_size(path: &Path) -> Result<u64, BackupError> {
    let conn = open_existing(path)?;
    forms::log_size(&conn).map_err(BackupError::LogSize)
}

/// The stored leaf hashes of the log entries in the database at `path`, in
/// log order (as the server rebuilds its Merkle tree from them). Refuses a
/// gap in the indexes.
pub fn log_leaf_hashes(path: &Path) -> Result<Vec<[u8; 32]>, BackupError> {
    let conn = open_existing(path)?;
    let mut leaves = Vec::new();
    let mut stmt =
        conn.prepare("SELECT log_index, leaf_hash FROM log_entries ORDER BY log_index")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let index: i64 = row.get(0)?;
        let hash: Vec<u8> = row.get(1)?;
        if index as u64 != leaves.len() as u64 {
            return Err(BackupError::MissingEntry(leaves.len() as u64));
        }
        let hash = hash
            .try_into()
            .map_err(|_| BackupError::BadLeafHash(index))?;
        leaves.push(hash);
    }
    Ok(leaves)
}

fn open_existing(path: &Path) -> Result<Connection, BackupError> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| BackupError::Open {
        path: path.to_owned(),
        source,
    })
}

/// What a backup file holds, read by `saksi restore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    pub created_at: String,
    pub source: String,
    pub saksi_version: String,
    pub log_size: u64,
    /// The stored files by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl BackupFile {
    /// Reads the backup's own tables, refusing a file that is not a Saksi
    /// backup or is of a newer format.
    pub fn open(path: &Path) -> Result<BackupFile, BackupError> {
        if !path.is_file() {
            return Err(BackupError::NotAFile(path.to_owned()));
        }
        let not_backup =
            |source: Option<Box<dyn std::error::Error + Send + Sync>>| BackupError::NotABackup {
                path: path.to_owned(),
                source,
            };
        // The header first: a backup is a SQLite file in rollback-journal
        // mode. Opening a WAL database, even read-only, would leave -wal
        // and -shm files beside it.
        let mut header = [0u8; 20];
        std::io::Read::read_exact(
            &mut std::fs::File::open(path).map_err(|source| BackupError::Read {
                path: path.to_owned(),
                source,
            })?,
            &mut header,
        )
        .map_err(|e| not_backup(Some(e.into())))?;
        if &header[..16] != b"SQLite format 3\0" || header[18] != 1 {
            return Err(not_backup(None));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_backup(Some(e.into())))?;
        let has_meta: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'saksi_backup_meta'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| not_backup(Some(e.into())))?;
        if has_meta.is_none() {
            return Err(not_backup(None));
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
            .map_err(|e| not_backup(Some(e.into())))?;
        if format != FORMAT {
            return Err(BackupError::NewerFormat {
                path: path.to_owned(),
                format,
                saksi_version,
            });
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

/// Turns a copy of a backup file at `path` into a database the server
/// opens: checks it, drops the backup's tables, expires the copied writer
/// lease and, if `predecessors` is given, rewrites the list of logs the
/// entries were carried over from (see [`ExclusiveLock::record_predecessor`]).
/// Then opens it as the server does (WAL mode, pending migrations), so a
/// backup this program cannot serve fails here, and fsyncs it. Returns the
/// number of log entries.
pub fn restore(
    path: &Path,
    backup_log_size: u64,
    predecessors: Option<&UpdatePredecessors>,
) -> Result<u64, BackupError> {
    let conn = open_existing(path)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(BackupError::Check)?;
    if check != "ok" {
        return Err(BackupError::Damaged(check));
    }
    let entries = forms::log_size(&conn).map_err(BackupError::BackupLog)?;
    if entries != backup_log_size {
        return Err(BackupError::SizeMismatch {
            found: entries,
            recorded: backup_log_size,
        });
    }
    let mut sql = String::new();
    for table in BACKUP_TABLES {
        sql.push_str(&format!("DROP TABLE {table};\n"));
    }
    // The copied lease belongs to the server that was running when the
    // backup was taken: expire it (keeping its fencing token, which only
    // grows) so the restored server need not wait it out.
    let has_lease: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'writer_lease')",
        [],
        |row| row.get(0),
    )?;
    if has_lease {
        sql.push_str("UPDATE writer_lease SET expires_at_ms = 0;\n");
    }
    conn.execute_batch(&format!("BEGIN IMMEDIATE;\n{sql}"))?;
    if let Some(update) = predecessors {
        record_predecessor(&conn, update)?;
    }
    conn.execute_batch("COMMIT")
        .map_err(BackupError::DropTables)?;
    conn.close().map_err(|(_, e)| BackupError::Close(e))?;
    let store = super::SqliteStore::open(path).map_err(|source| BackupError::OpenRestored {
        path: path.to_owned(),
        source,
    })?;
    drop(store);
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| BackupError::Fsync {
            path: path.to_owned(),
            source,
        })?;
    Ok(entries)
}

/// Rewrites the predecessor list: `update` gets the stored value (if any)
/// and returns the new one.
fn record_predecessor(conn: &Connection, update: &UpdatePredecessors) -> Result<(), BackupError> {
    let existing: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [PREDECESSORS],
            |row| row.get(0),
        )
        .optional()
        .map_err(BackupError::RecordPredecessor)?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (PREDECESSORS, update(existing.as_deref())),
    )
    .map_err(BackupError::RecordPredecessor)?;
    Ok(())
}

/// The list of logs the database's entries were carried over from, as
/// recorded by [`restore`] or [`ExclusiveLock::record_predecessor`].
pub fn predecessors(path: &Path) -> Result<Option<String>, BackupError> {
    let conn = open_existing(path)?;
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [PREDECESSORS],
            |row| row.get(0),
        )
        .optional()?)
}

/// The database held with SQLite's exclusive lock, which a running server
/// (or any other open connection) prevents, inside an open write
/// transaction: nothing else reads or writes until [`commit`](Self::commit)
/// or drop (which rolls back).
#[derive(Debug)]
pub struct ExclusiveLock {
    conn: Connection,
}

impl ExclusiveLock {
    /// Takes the lock, waiting briefly for other connections to let go;
    /// [`BackupError::InUse`] if they do not.
    pub fn acquire(path: &Path) -> Result<ExclusiveLock, BackupError> {
        let conn = open_existing(path)?;
        let lock_error = |source| BackupError::Lock {
            path: path.to_owned(),
            source,
        };
        conn.busy_timeout(LOCK_WAIT).map_err(lock_error)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(lock_error)?;
        match conn.execute_batch("BEGIN EXCLUSIVE") {
            Ok(()) => Ok(ExclusiveLock { conn }),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy => {
                Err(BackupError::InUse(path.to_owned()))
            }
            Err(e) => Err(lock_error(e)),
        }
    }

    /// The number of log entries, as the store counts them.
    pub fn log_size(&self) -> Result<u64, BackupError> {
        forms::log_size(&self.conn).map_err(BackupError::LogSize)
    }

    /// Rewrites the list of logs the database's entries were carried over
    /// from (the store's `log.predecessors` metadata, read by operators and
    /// auditors): `update` gets the stored value, if any, and returns the
    /// new one. Written at [`commit`](Self::commit).
    pub fn record_predecessor(&self, update: &UpdatePredecessors) -> Result<(), BackupError> {
        record_predecessor(&self.conn, update)
    }

    /// Commits what was written and lets go of the lock.
    pub fn commit(self) -> Result<(), BackupError> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(BackupError::RecordPredecessor)?;
        self.conn.close().map_err(|(_, e)| BackupError::Close(e))
    }
}
