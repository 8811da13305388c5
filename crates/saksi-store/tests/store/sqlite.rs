//! The generic suite on SQLite files in a temporary directory, and the
//! settings only SQLite has: WAL mode, `synchronous=FULL`, migrations.

use saksi_core::Contest;
use saksi_store::{Batch, LeaseOutcome, SqliteStore, Store, StoreError};
use tempfile::TempDir;

use crate::suite::{Harness, entry, small_election, store_suite, version};

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

/// A takeover committing while a fenced batch is on its way: the batch
/// waits for the write lock, then reads the new token and writes nothing.
#[test]
fn a_fenced_batch_waits_for_a_takeover_in_flight_and_is_then_refused() {
    let h = SqliteHarness::new();
    let store = h.open();
    let LeaseOutcome::Granted(lease) = store.acquire_lease("host-a:1", 0, 10_000).unwrap() else {
        panic!("a fresh lease is free");
    };
    let other = rusqlite::Connection::open(h.path()).unwrap();
    other
        .execute_batch(
            "BEGIN IMMEDIATE;
             UPDATE writer_lease SET holder = 'host-b:2', token = token + 1 WHERE id = 1;",
        )
        .unwrap();
    std::thread::scope(|s| {
        let batch = s.spawn(|| {
            store.commit_batch(&Batch {
                entries: vec![entry(0)],
                fencing: Some(lease.token),
                ..Batch::default()
            })
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!batch.is_finished(), "the batch waits for the write lock");
        other.execute_batch("COMMIT").unwrap();
        let refused = batch.join().unwrap();
        assert!(
            matches!(refused, Err(StoreError::Fenced { current }) if current == lease.token + 1),
            "{refused:?}"
        );
    });
    assert_eq!(store.log_size().unwrap(), 0);
}
