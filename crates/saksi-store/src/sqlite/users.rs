//! Users and login sessions. Sessions are looked up by the hash of their
//! token and honoured only before their expiry, judged against the `now`
//! the caller passes in.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};

use super::{conflict_or_sqlite, is_unique_violation, region_column};
use crate::{NewUser, Result, Session, StoreError, UnixTime, User, UserId};

/// The columns [`user_row`] reads, in its order.
const USER_COLUMNS: &str =
    "u.id, u.username, u.role, u.region, u.party, u.password_hash, u.created_at";

fn user_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(row.get(0)?),
        username: row.get(1)?,
        role: row.get(2)?,
        region: region_column(row, 3)?,
        party: row.get(4)?,
        password_hash: row.get(5)?,
        created_at: UnixTime(row.get(6)?),
    })
}

pub(super) fn add(conn: &mut Connection, users: &[NewUser]) -> Result<Vec<UserId>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(users.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO users (username, role, region, party, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for user in users {
            let inserted = insert.execute((
                &user.username,
                &user.role,
                user.region.to_string(),
                user.party,
                &user.password_hash,
                user.created_at.0,
            ));
            match inserted {
                Ok(_) => ids.push(UserId(tx.last_insert_rowid())),
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::UsernameTaken(user.username.clone()));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    tx.commit()?;
    Ok(ids)
}

pub(super) fn by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?1"
        ))?
        .query_row([username], user_row)
        .optional()?)
}

pub(super) fn by_id(conn: &Connection, id: UserId) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
        ))?
        .query_row([id.0], user_row)
        .optional()?)
}

pub(super) fn insert_sessions(conn: &mut Connection, sessions: &[Session]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for session in sessions {
            insert
                .execute((
                    &session.token_hash,
                    session.user_id.0,
                    session.created_at.0,
                    session.expires_at.0,
                ))
                .map_err(conflict_or_sqlite)?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn session_user(
    conn: &Connection,
    token_hash: &[u8],
    now: UnixTime,
) -> Result<Option<(User, UnixTime)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2"
        ))?
        .query_row((token_hash, now.0), |row| {
            Ok((user_row(row)?, UnixTime(row.get(7)?)))
        })
        .optional()?)
}

pub(super) fn delete_session(conn: &Connection, token_hash: &[u8]) -> Result<bool> {
    let deleted = conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(deleted > 0)
}
