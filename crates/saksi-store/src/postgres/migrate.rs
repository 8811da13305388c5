//! Schema migrations for PostgreSQL: the files of `migrations/postgres`,
//! applied in order, each recorded in `schema_migrations`. Append-only: an
//! applied migration is never edited; a change is a new file.

use postgres::Client;
use postgres::error::SqlState;

use super::is_code;
use crate::shared::{
    CASE_CLASHES_SQL, CASELESS_USERNAMES, Migration, pending_migrations, refuse_case_clashes,
};
use crate::{Result, StoreError};

/// Every migration, in order: (version, name, SQL).
const MIGRATIONS: &[Migration] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "log",
        include_str!("../../migrations/postgres/0002_log.sql"),
    ),
    (
        3,
        "keys",
        include_str!("../../migrations/postgres/0003_keys.sql"),
    ),
    (
        4,
        "lease",
        include_str!("../../migrations/postgres/0004_lease.sql"),
    ),
    (
        CASELESS_USERNAMES,
        "accounts",
        include_str!("../../migrations/postgres/0005_accounts.sql"),
    ),
    (
        6,
        "workspace",
        include_str!("../../migrations/postgres/0006_workspace.sql"),
    ),
    (
        7,
        "totp",
        include_str!("../../migrations/postgres/0007_totp.sql"),
    ),
    (
        8,
        "photos",
        include_str!("../../migrations/postgres/0008_photos.sql"),
    ),
    (
        9,
        "incidents",
        include_str!("../../migrations/postgres/0009_incidents.sql"),
    ),
    (
        10,
        "webhooks",
        include_str!("../../migrations/postgres/0010_webhooks.sql"),
    ),
    (
        11,
        "recap",
        include_str!("../../migrations/postgres/0011_recap.sql"),
    ),
    (
        12,
        "logistics",
        include_str!("../../migrations/postgres/0012_logistics.sql"),
    ),
];

/// The table that records applied migrations, and that their lock is on.
const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name    TEXT NOT NULL
)";

/// Applies the migrations not yet recorded, in one transaction that first
/// locks `schema_migrations` against other writers, so two processes
/// connecting to a fresh database at once cannot both apply them: the
/// second waits, then finds them recorded. Refuses a database migrated by a
/// newer program, and one whose usernames differ only by case (naming
/// them), writing nothing.
pub(super) fn run(client: &mut Client) -> Result<()> {
    // Outside the transaction, so there is a table to lock. Two sessions
    // creating it at the same moment can both pass the IF NOT EXISTS check;
    // the later one then fails on one of the catalog's unique indexes (which
    // one decides the code), and the table exists all the same, as running
    // the statement again finds.
    match client.batch_execute(CREATE_SCHEMA_MIGRATIONS) {
        Err(e)
            if [
                SqlState::UNIQUE_VIOLATION,
                SqlState::DUPLICATE_TABLE,
                SqlState::DUPLICATE_OBJECT,
            ]
            .iter()
            .any(|code| is_code(&e, code)) =>
        {
            client.batch_execute(CREATE_SCHEMA_MIGRATIONS)?;
        }
        created => created?,
    }
    let mut tx = client.transaction()?;
    tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let current = u32::try_from(current).map_err(|_| StoreError::Corrupt {
        what: "schema version",
        value: current.to_string(),
    })?;
    for (version, name, sql) in pending_migrations(MIGRATIONS, current)? {
        if *version == CASELESS_USERNAMES {
            let names = tx
                .query(CASE_CLASHES_SQL, &[])?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<Vec<String>, _>>()?;
            refuse_case_clashes(names)?;
        }
        tx.batch_execute(sql)
            .and_then(|()| {
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    &[&i64::from(*version), name],
                )
            })
            .map_err(|e| StoreError::Migration {
                version: *version,
                source: Box::new(e.into()),
            })?;
    }
    tx.commit()?;
    Ok(())
}
