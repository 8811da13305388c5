//! The writer lease (`writer_lease`, one row): granted, renewed, released
//! and checked. A grant and a fenced batch each lock the row with
//! `SELECT ... FOR UPDATE` in their transaction, so a grant waits for a
//! batch in flight to commit (and the next batch then reads the new
//! token), and of two servers asking at once exactly one is granted. No
//! advisory lock: a row lock is in the SQL subset of `docs/postgres.md`.

use postgres::{Row, Transaction};

use super::{Conn, in_transaction, narrow};
use crate::{Lease, LeaseOutcome, Result, StoreError};

/// Milliseconds since the Unix epoch on the database server's clock (the
/// time now, not the transaction's start).
const SELECT_NOW: &str = "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// Makes sure the row exists (it is inserted by the migration; this only
/// matters if it was deleted), without waiting on it.
const ENSURE_ROW: &str = "INSERT INTO writer_lease (id, holder, token, expires_at_ms) \
     VALUES (1, '', 0, 0) ON CONFLICT (id) DO NOTHING";

const SELECT_LOCKED: &str =
    "SELECT holder, token, expires_at_ms FROM writer_lease WHERE id = 1 FOR UPDATE";

const SELECT_TOKEN_LOCKED: &str = "SELECT token FROM writer_lease WHERE id = 1 FOR UPDATE";

const SELECT_TOKEN: &str = "SELECT token FROM writer_lease WHERE id = 1";

const GRANT: &str =
    "UPDATE writer_lease SET holder = $1, token = $2, expires_at_ms = $3 WHERE id = 1";

const RENEW: &str = "UPDATE writer_lease SET expires_at_ms = GREATEST(expires_at_ms, $2) \
     WHERE id = 1 AND token = $1";

const RELEASE: &str = "UPDATE writer_lease SET expires_at_ms = LEAST(expires_at_ms, $2) \
     WHERE id = 1 AND token = $1";

/// A token as the database's BIGINT.
fn token_param(token: u64) -> Result<i64> {
    i64::try_from(token).map_err(|_| StoreError::OutOfRange {
        what: "fencing token",
        value: token,
    })
}

/// The token column of a row, or 0 for a missing row.
fn token_of(row: Option<&Row>, idx: usize) -> Result<u64> {
    match row {
        Some(row) => narrow(row.try_get(idx)?, "fencing token"),
        None => Ok(0),
    }
}

pub(super) fn now_ms(conn: &mut Conn) -> Result<i64> {
    let select = conn.statement(SELECT_NOW)?;
    Ok(conn.client.query_one(&select, &[])?.try_get(0)?)
}

pub(super) fn acquire(
    conn: &mut Conn,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<LeaseOutcome> {
    let ensure = conn.statement(ENSURE_ROW)?;
    let select = conn.statement(SELECT_LOCKED)?;
    let grant = conn.statement(GRANT)?;
    in_transaction(&mut conn.client, |tx| {
        tx.execute(&ensure, &[])?;
        let row = tx.query_one(&select, &[])?;
        let lease = Lease {
            holder: row.try_get(0)?,
            token: token_of(Some(&row), 1)?,
            expires_at_ms: row.try_get(2)?,
        };
        if now_ms < lease.expires_at_ms {
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
        tx.execute(
            &grant,
            &[
                &granted.holder,
                &token_param(granted.token)?,
                &granted.expires_at_ms,
            ],
        )?;
        Ok(LeaseOutcome::Granted(granted))
    })
}

pub(super) fn renew(conn: &mut Conn, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    let renew = conn.statement(RENEW)?;
    let token = token_param(token)?;
    let until = now_ms.saturating_add(ttl_ms);
    in_transaction(&mut conn.client, |tx| {
        Ok(tx.execute(&renew, &[&token, &until])? == 1)
    })
}

pub(super) fn release(conn: &mut Conn, token: u64, now_ms: i64) -> Result<bool> {
    let release = conn.statement(RELEASE)?;
    let token = token_param(token)?;
    in_transaction(&mut conn.client, |tx| {
        Ok(tx.execute(&release, &[&token, &now_ms])? == 1)
    })
}

/// `Ok` if `token` is the lease's, else [`StoreError::Fenced`] (a reader's
/// look at the row as committed now).
pub(super) fn check(conn: &mut Conn, token: u64) -> Result<()> {
    let select = conn.statement(SELECT_TOKEN)?;
    let row = conn.client.query_opt(&select, &[])?;
    fenced_unless(token_of(row.as_ref(), 0)?, token)
}

/// The statement a fenced batch locks the row and reads the token with,
/// prepared before its transaction begins.
pub(super) fn check_statement(conn: &mut Conn) -> Result<postgres::Statement> {
    conn.statement(SELECT_TOKEN_LOCKED)
}

/// The check of a fenced batch, first in its transaction: the row stays
/// locked until the batch commits, so no grant comes between.
pub(super) fn check_locked(
    tx: &mut Transaction<'_>,
    statement: &postgres::Statement,
    token: u64,
) -> Result<()> {
    let row = tx.query_opt(statement, &[])?;
    fenced_unless(token_of(row.as_ref(), 0)?, token)
}

fn fenced_unless(current: u64, token: u64) -> Result<()> {
    if current == token {
        Ok(())
    } else {
        Err(StoreError::Fenced { current })
    }
}
