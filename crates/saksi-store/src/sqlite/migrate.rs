//! Schema migrations for SQLite: the files of `migrations/sqlite`, applied
//! in order, each recorded in `schema_migrations`. Append-only: an applied
//! migration is never edited; a change is a new file.

use rusqlite::{Connection, TransactionBehavior};

use crate::shared::{
    CASE_CLASHES_SQL, CASELESS_USERNAMES, Migration, pending_migrations, refuse_case_clashes,
};
use crate::{Result, StoreError};

/// Every migration, in order: (version, name, SQL).
const MIGRATIONS: &[Migration] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "log",
        include_str!("../../migrations/sqlite/0002_log.sql"),
    ),
    (
        3,
        "keys",
        include_str!("../../migrations/sqlite/0003_keys.sql"),
    ),
    (
        4,
        "lease",
        include_str!("../../migrations/sqlite/0004_lease.sql"),
    ),
    (
        CASELESS_USERNAMES,
        "accounts",
        include_str!("../../migrations/sqlite/0005_accounts.sql"),
    ),
    (
        6,
        "workspace",
        include_str!("../../migrations/sqlite/0006_workspace.sql"),
    ),
    (
        7,
        "totp",
        include_str!("../../migrations/sqlite/0007_totp.sql"),
    ),
    (
        8,
        "photos",
        include_str!("../../migrations/sqlite/0008_photos.sql"),
    ),
    (
        9,
        "incidents",
        include_str!("../../migrations/sqlite/0009_incidents.sql"),
    ),
    (
        10,
        "webhooks",
        include_str!("../../migrations/sqlite/0010_webhooks.sql"),
    ),
    (
        11,
        "recap",
        include_str!("../../migrations/sqlite/0011_recap.sql"),
    ),
    (
        12,
        "logistics",
        include_str!("../../migrations/sqlite/0012_logistics.sql"),
    ),
];

/// Applies the migrations not yet recorded, in one transaction (so two
/// processes opening a fresh file at once cannot both apply them). Refuses a
/// database migrated by a newer program, and one whose usernames differ
/// only by case (naming them), writing nothing.
pub(super) fn run(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name    TEXT NOT NULL
         )",
    )?;
    let current: u32 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    for (version, name, sql) in pending_migrations(MIGRATIONS, current)? {
        if *version == CASELESS_USERNAMES {
            let names = tx
                .prepare(CASE_CLASHES_SQL)?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            refuse_case_clashes(names)?;
        }
        tx.execute_batch(sql)
            .and_then(|()| {
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                    (version, name),
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
