//! Users and login sessions. Sessions are looked up by the hash of their
//! token and honoured only before their expiry, judged against the `now`
//! the caller passes in.

use std::collections::HashMap;

use postgres::Row;

use super::{
    CHUNK_ROWS, Conn, column, conflict_or_postgres, in_transaction, opt_int, params, region,
};
use crate::{NewUser, Result, Session, StoreError, UnixTime, User, UserId};

/// The columns [`user_row`] reads, in its order.
macro_rules! user_columns {
    () => {
        "u.id, u.username, u.role, u.region, u.party, u.password_hash, u.created_at"
    };
}

fn user_row(row: &Row) -> Result<User> {
    Ok(User {
        id: UserId(row.try_get(0)?),
        username: row.try_get(1)?,
        role: row.try_get(2)?,
        region: region(row, 3)?,
        party: opt_int(row, 4, "party number")?,
        password_hash: row.try_get(5)?,
        created_at: UnixTime(row.try_get(6)?),
    })
}

/// Inserts in chunks, skipping names already taken (`ON CONFLICT DO
/// NOTHING`, which also skips a name repeated within the batch), so the
/// first user in input order that was not inserted is the one whose name is
/// taken, and no error text needs parsing. Any such user rolls the whole
/// batch back.
pub(super) fn add(conn: &mut Conn, users: &[NewUser]) -> Result<Vec<UserId>> {
    let insert = conn.statement(
        "INSERT INTO users (username, role, region, party, password_hash, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                              $6::bigint[])
         ON CONFLICT (username) DO NOTHING
         RETURNING username, id",
    )?;
    in_transaction(&mut conn.client, |tx| {
        let mut ids = Vec::with_capacity(users.len());
        for chunk in users.chunks(CHUNK_ROWS) {
            let columns = vec![
                column(chunk.iter().map(|u| u.username.as_str())),
                column(chunk.iter().map(|u| u.role.as_str())),
                column(chunk.iter().map(|u| u.region.to_string())),
                column(chunk.iter().map(|u| u.party.map(i64::from))),
                column(chunk.iter().map(|u| u.password_hash.as_deref())),
                column(chunk.iter().map(|u| u.created_at.0)),
            ];
            let mut inserted = tx
                .query(&insert, &params(&columns))?
                .iter()
                .map(|row| Ok((row.try_get::<_, String>(0)?, row.try_get::<_, i64>(1)?)))
                .collect::<Result<HashMap<_, _>>>()?;
            for user in chunk {
                let id = inserted
                    .remove(&user.username)
                    .ok_or_else(|| StoreError::UsernameTaken(user.username.clone()))?;
                ids.push(UserId(id));
            }
        }
        Ok(ids)
    })
}

pub(super) fn by_username(conn: &mut Conn, username: &str) -> Result<Option<User>> {
    let select = conn.statement(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.username = $1"
    ))?;
    conn.client
        .query_opt(&select, &[&username])?
        .as_ref()
        .map(user_row)
        .transpose()
}

pub(super) fn by_id(conn: &mut Conn, id: UserId) -> Result<Option<User>> {
    let select = conn.statement(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.id = $1"
    ))?;
    conn.client
        .query_opt(&select, &[&id.0])?
        .as_ref()
        .map(user_row)
        .transpose()
}

pub(super) fn insert_sessions(conn: &mut Conn, sessions: &[Session]) -> Result<()> {
    let insert = conn.statement(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
         SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[])",
    )?;
    in_transaction(&mut conn.client, |tx| {
        for chunk in sessions.chunks(CHUNK_ROWS) {
            let columns = vec![
                column(chunk.iter().map(|s| s.token_hash.as_slice())),
                column(chunk.iter().map(|s| s.user_id.0)),
                column(chunk.iter().map(|s| s.created_at.0)),
                column(chunk.iter().map(|s| s.expires_at.0)),
            ];
            tx.execute(&insert, &params(&columns))
                .map_err(conflict_or_postgres)?;
        }
        Ok(())
    })
}

pub(super) fn session_user(
    conn: &mut Conn,
    token_hash: &[u8],
    now: UnixTime,
) -> Result<Option<(User, UnixTime)>> {
    let select = conn.statement(concat!(
        "SELECT ",
        user_columns!(),
        ", s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    ))?;
    conn.client
        .query_opt(&select, &[&token_hash, &now.0])?
        .map(|row| Ok((user_row(&row)?, UnixTime(row.try_get(7)?))))
        .transpose()
}

pub(super) fn delete_session(conn: &mut Conn, token_hash: &[u8]) -> Result<bool> {
    let delete = conn.statement("DELETE FROM sessions WHERE token_hash = $1")?;
    in_transaction(&mut conn.client, |tx| {
        Ok(tx.execute(&delete, &[&token_hash])? > 0)
    })
}
