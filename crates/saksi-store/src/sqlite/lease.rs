//! The writer lease (`writer_lease`, one row): granted, renewed, released
//! and checked. A grant runs under `BEGIN IMMEDIATE`, which holds the
//! database's write lock from its first statement, so two servers asking
//! at once are served one after the other and exactly one is granted; a
//! fenced batch checks the token inside its own `BEGIN IMMEDIATE`, so no
//! grant can come between its check and its commit.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::{Lease, LeaseOutcome, Result, StoreError};

/// The database's clock in milliseconds: `julianday('now')` is kept by
/// SQLite in whole milliseconds (its `xCurrentTimeInt64`), rounded back
/// from the day fraction here.
pub(super) fn now_ms(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)",
        [],
        |row| row.get(0),
    )?)
}

/// A token as the database's signed integer.
fn token_param(token: u64) -> Result<i64> {
    i64::try_from(token).map_err(|_| StoreError::OutOfRange {
        what: "fencing token",
        value: token,
    })
}

/// A stored token; a negative one was written behind the program's back.
fn token_value(value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        what: "fencing token",
        value: value.to_string(),
    })
}

/// The lease row, or the row before anyone held it if it is missing.
fn current(conn: &Connection) -> Result<Lease> {
    let row: Option<(String, i64, i64)> = conn
        .prepare_cached("SELECT holder, token, expires_at_ms FROM writer_lease WHERE id = 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let (holder, token, expires_at_ms) = row.unwrap_or_default();
    Ok(Lease {
        holder,
        token: token_value(token)?,
        expires_at_ms,
    })
}

pub(super) fn acquire(
    conn: &mut Connection,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<LeaseOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let lease = current(&tx)?;
    if now_ms < lease.expires_at_ms {
        tx.finish()?;
        return Ok(LeaseOutcome::Held(lease));
    }
    let granted = Lease {
        holder: holder.to_owned(),
        token: lease.token.checked_add(1).ok_or(StoreError::OutOfRange {
            what: "fencing token",
            value: lease.token,
        })?,
        expires_at_ms: now_ms.saturating_add(ttl_ms),
    };
    tx.prepare_cached(
        "INSERT INTO writer_lease (id, holder, token, expires_at_ms) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, token = excluded.token,
             expires_at_ms = excluded.expires_at_ms",
    )?
    .execute((
        &granted.holder,
        token_param(granted.token)?,
        granted.expires_at_ms,
    ))?;
    tx.commit()?;
    Ok(LeaseOutcome::Granted(granted))
}

pub(super) fn renew(conn: &Connection, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE writer_lease SET expires_at_ms = MAX(expires_at_ms, ?2)
             WHERE id = 1 AND token = ?1",
        )?
        .execute((token_param(token)?, now_ms.saturating_add(ttl_ms)))?;
    Ok(changed == 1)
}

pub(super) fn release(conn: &Connection, token: u64, now_ms: i64) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE writer_lease SET expires_at_ms = MIN(expires_at_ms, ?2)
             WHERE id = 1 AND token = ?1",
        )?
        .execute((token_param(token)?, now_ms))?;
    Ok(changed == 1)
}

/// `Ok` if `token` is the lease's, else [`StoreError::Fenced`]; inside a
/// batch's immediate transaction, no grant can come before its commit.
pub(super) fn check(conn: &Connection, token: u64) -> Result<()> {
    let current = current(conn)?.token;
    if current == token {
        Ok(())
    } else {
        Err(StoreError::Fenced { current })
    }
}
