//! The generic suite on fresh PostgreSQL databases, and what only
//! PostgreSQL has: `synchronous_commit`, migrations under a table lock.
//!
//! The server is `SAKSI_TEST_DATABASE_URL` (default [`DEFAULT_URL`]); each
//! test gets a database of its own, created on it and dropped after. If the
//! server cannot be reached the tests are skipped, except under CI
//! (`CI=true`), where a missing server must not pass for a green run.

use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::sync::OnceLock;

use ::postgres::{Client, NoTls};
use saksi_core::Contest;
use saksi_store::{Batch, LeaseOutcome, PgStore, Store, StoreError};

use crate::suite::{
    CASE_CLASHES, Harness, assert_case_clashes_refused, entry, old_form_entry, small_election,
    store_suite, version,
};

const DEFAULT_URL: &str = "postgres://postgres@localhost:5432/postgres";

/// The server's URL, for the maintenance database that tests create and
/// drop theirs from.
fn server_url() -> String {
    std::env::var("SAKSI_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `url` with its database name replaced by `name`, in either of the forms
/// libpq accepts (a URL, or `key=value` pairs where the last one wins).
fn with_dbname(url: &str, name: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url} dbname={name}");
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = base.split_once('/').map_or(base, |(a, _)| a);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{scheme}://{authority}/{name}{query}")
}

/// A database of its own on the test server, dropped on drop.
pub struct PgHarness {
    name: String,
}

impl PgHarness {
    fn url(&self) -> String {
        with_dbname(&server_url(), &self.name)
    }

    /// A plain session on the test's database, to look behind the store.
    fn client(&self) -> Client {
        Client::connect(&self.url(), NoTls).unwrap()
    }
}

impl Harness for PgHarness {
    type Store = PgStore;

    fn available() -> bool {
        static REACHED: OnceLock<Result<(), String>> = OnceLock::new();
        let url = server_url();
        let ci = std::env::var("CI").as_deref() == Ok("true");
        let reached = REACHED.get_or_init(|| {
            let reached = Client::connect(&url, NoTls).map(drop).map_err(|e| {
                // The error and its causes ("error connecting to server:
                // Connection refused ...").
                let mut reason = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    reason = format!("{reason}: {cause}");
                    source = cause.source();
                }
                reason
            });
            if let (Err(reason), false) = (&reached, ci) {
                // Once per run, and past the test harness's capture of
                // `eprintln!`, so that a skipped backend is seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: PostgreSQL not reachable at {url}: {reason}"
                );
            }
            reached
        });
        match reached {
            Ok(()) => true,
            Err(reason) if ci => panic!("PostgreSQL not reachable at {url}: {reason}"),
            Err(_) => false,
        }
    }

    fn new() -> Self {
        let name = format!(
            "saksi_test_{:016x}",
            RandomState::new().hash_one(std::process::id())
        );
        Client::connect(&server_url(), NoTls)
            .unwrap()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        PgHarness { name }
    }

    fn open(&self) -> PgStore {
        PgStore::connect(&self.url()).unwrap()
    }
}

impl Drop for PgHarness {
    fn drop(&mut self) {
        // FORCE ends any session a failed test left behind.
        if let Ok(mut admin) = Client::connect(&server_url(), NoTls) {
            let dropped = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
            if let Err(e) = dropped {
                eprintln!("could not drop test database {}: {e}", self.name);
            }
        }
    }
}

store_suite!(PgHarness);

#[test]
fn the_writer_session_commits_synchronously() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let store = h.open();
    assert_eq!(store.synchronous_commit().unwrap(), "on");
}

#[test]
fn reopening_keeps_the_data_and_applies_no_migration_twice() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let first = h.open();
    first.save_election(&small_election(), &|_, _| {}).unwrap();
    first
        .commit_batch(&Batch {
            versions: vec![version("31.71.01.1001.001", Contest::Ppwp, 1, 0)],
            ..Default::default()
        })
        .unwrap();
    drop(first);
    let again = h.open();
    assert!(again.load_election().unwrap().is_some());
    assert_eq!(again.log_size().unwrap(), 1);
    let applied: Vec<i64> = h
        .client()
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(applied, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

#[test]
fn stores_connecting_to_a_fresh_database_at_once_migrate_it_once() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    std::thread::scope(|s| {
        let opening: Vec<_> = (0..4).map(|_| s.spawn(|| h.open())).collect();
        for store in opening {
            assert_eq!(store.join().unwrap().log_size().unwrap(), 0);
        }
    });
    let applied: i64 = h
        .client()
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied, 12);
}

#[test]
fn photos_of_statements_logged_before_schema_8_are_named_by_its_migration() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
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
    h.client()
        .batch_execute(
            "DROP TABLE photo_names, incidents, incident_events, incident_private, \
             webhook_deliveries, webhooks, commissioner_keys, recap_entries, logistics_entries; \
             ALTER TABLE users DROP COLUMN paslon; \
             DELETE FROM schema_migrations WHERE version >= 8",
        )
        .unwrap();
    let migrated = h.open();
    assert!(migrated.photo_named(&[0xab; 32]).unwrap());
    assert!(migrated.photo_named(&[0xcd; 32]).unwrap());
    assert!(!migrated.photo_named(&[0xef; 32]).unwrap());
}

/// The migrations before usernames were compared ignoring case.
const SCHEMA_4: [&str; 4] = [
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_log.sql"),
    include_str!("../../migrations/postgres/0003_keys.sql"),
    include_str!("../../migrations/postgres/0004_lease.sql"),
];

#[test]
fn usernames_differing_only_by_case_stop_the_migration_which_names_them() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let mut client = h.client();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        )
        .unwrap();
    for (i, sql) in SCHEMA_4.iter().enumerate() {
        client.batch_execute(sql).unwrap();
        client
            .execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, 'old')",
                &[&(i as i64 + 1)],
            )
            .unwrap();
    }
    for name in CASE_CLASHES {
        client
            .execute(
                "INSERT INTO users (username, role, region, created_at) VALUES ($1, 'auditor', '0', 0)",
                &[&name],
            )
            .unwrap();
    }
    assert_case_clashes_refused(PgStore::connect(&h.url()).map(drop));
    let version: i64 = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 4, "nothing migrated");

    for (old, new) in [
        ("KETUA", "ketua-2"),
        ("Ketua", "ketua-3"),
        ("Admin", "admin-2"),
    ] {
        client
            .execute(
                "UPDATE users SET username = $2 WHERE username = $1",
                &[&old, &new],
            )
            .unwrap();
    }
    let store = PgStore::connect(&h.url()).unwrap();
    assert_eq!(
        store.user_by_username("KETUA").unwrap().unwrap().username,
        "ketua"
    );
}

#[test]
fn a_database_from_a_newer_program_is_refused() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    drop(h.open());
    h.client()
        .execute(
            "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')",
            &[],
        )
        .unwrap();
    let refused = PgStore::connect(&h.url());
    assert!(
        matches!(refused, Err(StoreError::SchemaTooNew { found: 9999, .. })),
        "{refused:?}"
    );
}

/// Longer than one fetch of the portal (10,000 rows), so the scan has to
/// come back for more, and exactly a multiple of it, so the last fetch is
/// empty.
#[test]
fn scans_longer_than_one_fetch_stream_every_row_in_order() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let store = h.open();
    for n in [20_000, 5] {
        let start = store.log_size().unwrap();
        store
            .commit_batch(&Batch {
                entries: (start..start + n).map(entry).collect(),
                ..Batch::default()
            })
            .unwrap();
        let mut seen = Vec::new();
        store.for_each_leaf_hash(&mut |i, _| seen.push(i)).unwrap();
        assert_eq!(seen, (0..start + n).collect::<Vec<_>>());
    }
}

/// A takeover committing while a fenced batch is on its way: the batch
/// waits for the lease row, then reads the new token and writes nothing.
#[test]
fn a_fenced_batch_waits_for_a_takeover_in_flight_and_is_then_refused() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let store = h.open();
    let LeaseOutcome::Granted(lease) = store.acquire_lease("host-a:1", 0, 10_000).unwrap() else {
        panic!("a fresh lease is free");
    };
    let mut other = h.client();
    let mut takeover = other.transaction().unwrap();
    takeover
        .execute(
            "UPDATE writer_lease SET holder = 'host-b:2', token = token + 1 WHERE id = 1",
            &[],
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
        assert!(!batch.is_finished(), "the batch waits for the lease row");
        takeover.commit().unwrap();
        let refused = batch.join().unwrap();
        assert!(
            matches!(refused, Err(StoreError::Fenced { current }) if current == lease.token + 1),
            "{refused:?}"
        );
    });
    assert_eq!(store.log_size().unwrap(), 0);
}

/// The other way round: a grant waits for a fenced batch in flight, so the
/// new writer loads a database that holds the batch.
#[test]
fn a_takeover_waits_for_a_fenced_batch_in_flight() {
    if !PgHarness::available() {
        return;
    }
    let h = PgHarness::new();
    let store = h.open();
    let LeaseOutcome::Granted(lease) = store.acquire_lease("host-a:1", 0, 10_000).unwrap() else {
        panic!("a fresh lease is free");
    };
    let mut other = h.client();
    let mut batch = other.transaction().unwrap();
    // What a fenced batch does first: lock the row and read the token.
    let token: i64 = batch
        .query_one(
            "SELECT token FROM writer_lease WHERE id = 1 FOR UPDATE",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(token as u64, lease.token);
    let next = h.open();
    std::thread::scope(|s| {
        let grant = s.spawn(|| next.acquire_lease("host-b:2", 20_000, 10_000));
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!grant.is_finished(), "the grant waits for the batch");
        batch
            .execute(
                "INSERT INTO log_entries (log_index, data, leaf_hash) VALUES (0, $1, $2)",
                &[&b"{}".as_slice(), &[0u8; 32].as_slice()],
            )
            .unwrap();
        batch.commit().unwrap();
        let granted = grant.join().unwrap().unwrap();
        assert!(
            matches!(&granted, LeaseOutcome::Granted(l) if l.token == lease.token + 1),
            "{granted:?}"
        );
    });
    assert_eq!(next.log_size().unwrap(), 1);
}

#[test]
fn the_database_name_is_replaced_in_either_form_of_address() {
    assert_eq!(
        with_dbname("postgres://u:p@h:5432/postgres?sslmode=disable", "t"),
        "postgres://u:p@h:5432/t?sslmode=disable"
    );
    assert_eq!(with_dbname("postgresql://h", "t"), "postgresql://h/t");
    assert_eq!(
        with_dbname("host=h user=u dbname=postgres", "t"),
        "host=h user=u dbname=postgres dbname=t"
    );
}
