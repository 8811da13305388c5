//! Registered keys and their revocations, written in the group commit of
//! the log entries that state them.

use postgres::error::SqlState;

use super::{
    Conn, Insert, column, conflict_or_postgres, int, is_code, log_indexes, opt_int, region,
};
use crate::{KeyRevocation, Result, StoreError, StoredKey, UnixTime};

/// The `INSERT`s of a batch's keys and revocations (none for none). A key
/// registered twice, or a revocation of an unregistered (a foreign-key
/// violation) or already revoked key, is [`StoreError::Conflict`].
pub(super) fn insert<'a>(
    conn: &mut Conn,
    keys: &'a [StoredKey],
    revocations: &'a [KeyRevocation],
) -> Result<Vec<Insert<'a>>> {
    let mut inserts = Vec::new();
    if !keys.is_empty() {
        inserts.push(Insert {
            statement: conn.statement(
                "INSERT INTO officer_keys (log_index, key, role, region, valid_from, valid_until)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
                                      $5::bigint[], $6::bigint[])",
            )?,
            columns: vec![
                log_indexes(keys.iter().map(|k| k.registered_at))?,
                column(keys.iter().map(|k| k.key.as_str())),
                column(keys.iter().map(|k| k.role.as_str())),
                column(keys.iter().map(|k| k.region.to_string())),
                column(keys.iter().map(|k| k.valid_from.0)),
                column(keys.iter().map(|k| k.valid_until.0)),
            ],
            refused: conflict_or_postgres,
        });
        let commissioners: Vec<&StoredKey> = keys.iter().filter(|k| k.commissioner).collect();
        if !commissioners.is_empty() {
            inserts.push(Insert {
                statement: conn.statement(
                    "INSERT INTO commissioner_keys (log_index) SELECT * FROM unnest($1::bigint[])",
                )?,
                columns: vec![log_indexes(commissioners.iter().map(|k| k.registered_at))?],
                refused: conflict_or_postgres,
            });
        }
    }
    if !revocations.is_empty() {
        inserts.push(Insert {
            statement: conn.statement(
                "INSERT INTO key_revocations (log_index, key)
                 SELECT * FROM unnest($1::bigint[], $2::text[])",
            )?,
            columns: vec![
                log_indexes(revocations.iter().map(|r| r.log_index))?,
                column(revocations.iter().map(|r| r.key.as_str())),
            ],
            refused: |e| {
                if is_code(&e, &SqlState::FOREIGN_KEY_VIOLATION) {
                    StoreError::Conflict(Box::new(e))
                } else {
                    conflict_or_postgres(e)
                }
            },
        });
    }
    Ok(inserts)
}

pub(super) fn all(conn: &mut Conn) -> Result<Vec<StoredKey>> {
    let select = conn.statement(
        "SELECT k.log_index, k.key, k.role, k.region, k.valid_from, k.valid_until, r.log_index,
                c.log_index IS NOT NULL
         FROM officer_keys k LEFT JOIN key_revocations r ON r.key = k.key
         LEFT JOIN commissioner_keys c ON c.log_index = k.log_index
         ORDER BY k.log_index",
    )?;
    conn.client
        .query(&select, &[])?
        .iter()
        .map(|row| {
            Ok(StoredKey {
                registered_at: int(row, 0, "log index")?,
                key: row.try_get(1)?,
                role: row.try_get(2)?,
                region: region(row, 3)?,
                valid_from: UnixTime(row.try_get(4)?),
                valid_until: UnixTime(row.try_get(5)?),
                revoked_at: opt_int(row, 6, "log index")?,
                commissioner: row.try_get(7)?,
            })
        })
        .collect()
}
