//! Registered keys and their revocations, written in the group commit of
//! the log entries that state them.

use rusqlite::{Connection, ErrorCode, Transaction};

use super::{conflict_or_sqlite, region_column};
use crate::{KeyRevocation, Result, StoreError, StoredKey, UnixTime};

/// Inserts the keys and revocations of a batch inside its transaction. A
/// key registered twice, or a revocation of an unregistered or already
/// revoked key, is [`StoreError::Conflict`].
pub(super) fn insert(
    tx: &Transaction<'_>,
    keys: &[StoredKey],
    revocations: &[KeyRevocation],
) -> Result<()> {
    if !keys.is_empty() {
        let mut insert = tx.prepare_cached(
            "INSERT INTO officer_keys (log_index, key, role, region, valid_from, valid_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for k in keys {
            insert
                .execute((
                    k.registered_at,
                    &k.key,
                    &k.role,
                    k.region.to_string(),
                    k.valid_from.0,
                    k.valid_until.0,
                ))
                .map_err(conflict_or_sqlite)?;
        }
        let mut commissioner =
            tx.prepare_cached("INSERT INTO commissioner_keys (log_index) VALUES (?1)")?;
        for k in keys.iter().filter(|k| k.commissioner) {
            commissioner
                .execute([k.registered_at])
                .map_err(conflict_or_sqlite)?;
        }
    }
    if !revocations.is_empty() {
        let mut insert =
            tx.prepare_cached("INSERT INTO key_revocations (log_index, key) VALUES (?1, ?2)")?;
        for r in revocations {
            insert.execute((r.log_index, &r.key)).map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == ErrorCode::ConstraintViolation =>
                {
                    StoreError::Conflict(Box::new(e))
                }
                e => conflict_or_sqlite(e),
            })?;
        }
    }
    Ok(())
}

pub(super) fn all(conn: &Connection) -> Result<Vec<StoredKey>> {
    let mut select = conn.prepare_cached(
        "SELECT k.log_index, k.key, k.role, k.region, k.valid_from, k.valid_until, r.log_index,
                c.log_index IS NOT NULL
         FROM officer_keys k LEFT JOIN key_revocations r ON r.key = k.key
         LEFT JOIN commissioner_keys c ON c.log_index = k.log_index
         ORDER BY k.log_index",
    )?;
    let keys = select
        .query_map([], |row| {
            Ok(StoredKey {
                registered_at: row.get(0)?,
                key: row.get(1)?,
                role: row.get(2)?,
                region: region_column(row, 3)?,
                valid_from: UnixTime(row.get(4)?),
                valid_until: UnixTime(row.get(5)?),
                revoked_at: row.get(6)?,
                commissioner: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(keys)
}
