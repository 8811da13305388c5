//! The generic suite on SQLite files in a temporary directory, and the
//! settings only SQLite has: WAL mode, `synchronous=FULL`, migrations.

use saksi_core::Contest;
use saksi_store::{Batch, LeaseOutcome, SqliteStore, Store, StoreError};
use tempfile::TempDir;

use crate::suite::{
    CASE_CLASHES, Harness, assert_case_clashes_refused, entry, old_form_entry, small_election,
    store_suite, version,
};

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
fn photos_of_statements_logged_before_schema_8_are_named_by_its_migration() {
    let h = SqliteHarness::new();
    let store = h.open();
    store
        .commit_batch(&Batch {
            versions: vec![version("31.71.01.1001.001", Contest::Ppwp, 1, 0)],
            entries: vec![old_form_entry(0, &[[0xab; 32], [0xcd; 32]]), entry(1)],
            ..Default::default()
        })
        .unwrap();
    drop(store);
    // Back to schema 7: no table of named photos (nor of incidents).
    let conn = rusqlite::Connection::open(h.path()).unwrap();
    conn.execute_batch(
        "DROP TABLE photo_names; DROP TABLE incidents; DROP TABLE incident_events; \
         DROP TABLE incident_private; DROP TABLE webhook_deliveries; DROP TABLE webhooks; \
         DROP TABLE commissioner_keys; DROP TABLE recap_entries; DROP TABLE logistics_entries; \
         ALTER TABLE users DROP COLUMN paslon; \
         DELETE FROM schema_migrations WHERE version >= 8",
    )
    .unwrap();
    drop(conn);
    let migrated = h.open();
    assert!(migrated.photo_named(&[0xab; 32]).unwrap());
    assert!(migrated.photo_named(&[0xcd; 32]).unwrap());
    assert!(!migrated.photo_named(&[0xef; 32]).unwrap());
}

/// The migrations before usernames were compared ignoring case.
const SCHEMA_4: [&str; 4] = [
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_log.sql"),
    include_str!("../../migrations/sqlite/0003_keys.sql"),
    include_str!("../../migrations/sqlite/0004_lease.sql"),
];

#[test]
fn usernames_differing_only_by_case_stop_the_migration_which_names_them() {
    let h = SqliteHarness::new();
    let conn = rusqlite::Connection::open(h.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    )
    .unwrap();
    for (i, sql) in SCHEMA_4.iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, 'old')",
            [i + 1],
        )
        .unwrap();
    }
    for name in CASE_CLASHES {
        conn.execute(
            "INSERT INTO users (username, role, region, created_at) VALUES (?1, 'auditor', '0', 0)",
            [name],
        )
        .unwrap();
    }
    assert_case_clashes_refused(SqliteStore::open(h.path()).map(drop));
    let version: u32 = conn
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, 4, "nothing migrated");

    for (old, new) in [
        ("KETUA", "ketua-2"),
        ("Ketua", "ketua-3"),
        ("Admin", "admin-2"),
    ] {
        conn.execute(
            "UPDATE users SET username = ?2 WHERE username = ?1",
            [old, new],
        )
        .unwrap();
    }
    let store = h.open();
    assert_eq!(
        store.user_by_username("KETUA").unwrap().unwrap().username,
        "ketua"
    );
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
