//! The generic suite on SQLite files in a temporary directory, and the
//! settings only SQLite has: WAL mode, `synchronous=FULL`, migrations.

use saksi_core::Contest;
use saksi_store::{Batch, SqliteStore, Store, StoreError};
use tempfile::TempDir;

use crate::suite::{Harness, small_election, store_suite, version};

/// A database file in its own temporary directory, removed on drop.
pub struct SqliteHarness {
    dir: TempDir,
}

impl SqliteHarness {
    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("saksi.db")
    }
}

impl Harness for SqliteHarness {
    type Store = SqliteStore;

    fn new() -> Self {
        SqliteHarness {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn open(&self) -> SqliteStore {
        SqliteStore::open(self.path()).unwrap()
    }
}

store_suite!(SqliteHarness);

#[test]
fn the_writer_runs_in_wal_mode_with_full_sync() {
    let h = SqliteHarness::new();
    let store = h.open();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert_eq!(store.pragma_synchronous().unwrap(), 2, "synchronous=FULL");
}

#[test]
fn reopening_keeps_the_data_and_applies_no_migration_twice() {
    let h = SqliteHarness::new();
    let first = h.open();
    first.save_election(&small_election(), &|_, _| {}).unwrap();
    first
        .commit_batch(&Batch {
            versions: vec![version("31.71.01.1001.001", Contest::Ppwp, 1, 0)],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    drop(first);
    let again = h.open();
    assert!(again.load_election().unwrap().is_some());
    assert_eq!(again.log_size().unwrap(), 1);
}

#[test]
fn a_database_from_a_newer_program_is_refused() {
    let h = SqliteHarness::new();
    drop(h.open());
    let conn = rusqlite::Connection::open(h.path()).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')",
        [],
    )
    .unwrap();
    drop(conn);
    let refused = SqliteStore::open(h.path());
    assert!(
        matches!(refused, Err(StoreError::SchemaTooNew { found: 9999, .. })),
        "{refused:?}"
    );
}
