//! Users and login sessions. Usernames are looked up ignoring case.
//! Sessions are looked up by the hash of their token and honoured only
//! before their expiry (judged against the `now` the caller passes in),
//! while not revoked and while their user is not disabled.

use std::collections::HashMap;

use postgres::{Row, Transaction};

use super::{
    CHUNK_ROWS, Conn, column, conflict_or_postgres, in_transaction, opt_int, params, region,
};
use crate::{
    Account, MintedToken, NewUser, Result, Session, SessionUser, StoreError, TotpRecord, UnixTime,
    User, UserId, shared,
};

/// The columns [`user_row`] reads, in its order.
macro_rules! user_columns {
    () => {
        "u.id, u.username, u.role, u.region, u.party, u.password_hash, u.created_at, \
         u.disabled_at, EXISTS (SELECT 1 FROM user_totp t \
         WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL), u.paslon"
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
        disabled_at: row.try_get::<_, Option<i64>>(7)?.map(UnixTime),
        totp_enrolled: row.try_get(8)?,
        paslon: opt_int(row, 9, "paslon number")?,
    })
}

/// Inserts in chunks, skipping names already taken in any case (`ON
/// CONFLICT DO NOTHING` on either unique index, which also skips a name
/// repeated within the batch), so the
/// first user in input order that was not inserted is the one whose name is
/// taken, and no error text needs parsing. Any such user rolls the whole
/// batch back.
pub(super) fn add(conn: &mut Conn, users: &[NewUser]) -> Result<Vec<UserId>> {
    let insert = conn.statement(
        "INSERT INTO users (username, role, region, party, password_hash, created_at, paslon)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                              $6::bigint[], $7::bigint[])
         ON CONFLICT DO NOTHING
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
                column(chunk.iter().map(|u| u.paslon.map(i64::from))),
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
        " FROM users u WHERE lower(u.username) = lower($1)"
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
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, minted)
         SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[],
                              $5::boolean[])",
    )?;
    in_transaction(&mut conn.client, |tx| {
        for chunk in sessions.chunks(CHUNK_ROWS) {
            let columns = vec![
                column(chunk.iter().map(|s| s.token_hash.as_slice())),
                column(chunk.iter().map(|s| s.user_id.0)),
                column(chunk.iter().map(|s| s.created_at.0)),
                column(chunk.iter().map(|s| s.expires_at.0)),
                column(chunk.iter().map(|s| s.minted)),
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
) -> Result<Option<SessionUser>> {
    let select = conn.statement(concat!(
        "SELECT ",
        user_columns!(),
        ", s.expires_at, s.minted
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2
           AND s.revoked_at IS NULL AND u.disabled_at IS NULL"
    ))?;
    conn.client
        .query_opt(&select, &[&token_hash, &now.0])?
        .map(|row| {
            Ok(SessionUser {
                user: user_row(&row)?,
                expires_at: UnixTime(row.try_get(10)?),
                minted: row.try_get(11)?,
            })
        })
        .transpose()
}

/// Counts a change that ends sessions, in its own transaction, so that a
/// server polling [`account_revision`] sees it with the change.
fn bump_revision(tx: &mut Transaction<'_>) -> Result<()> {
    tx.execute(
        "UPDATE account_revision SET revision = revision + 1 WHERE id = 1",
        &[],
    )?;
    Ok(())
}

/// Revokes `user`'s live sessions at `now`; how many.
fn revoke_live(tx: &mut Transaction<'_>, user: UserId, now: UnixTime) -> Result<u64> {
    let revoked = tx.execute(
        "UPDATE sessions SET revoked_at = $2
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        &[&user.0, &now.0],
    )?;
    bump_revision(tx)?;
    Ok(revoked)
}

/// [`StoreError::NoSuchUser`] unless a statement found the user's row.
fn require_user(found: u64, user: UserId) -> Result<()> {
    if found == 0 {
        return Err(StoreError::NoSuchUser(user.0));
    }
    Ok(())
}

pub(super) fn end_session(conn: &mut Conn, token_hash: &[u8], now: UnixTime) -> Result<bool> {
    in_transaction(&mut conn.client, |tx| {
        let ended = tx.execute(
            "UPDATE sessions SET revoked_at = $2
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
            &[&token_hash, &now.0],
        )?;
        if ended > 0 {
            bump_revision(tx)?;
        }
        Ok(ended > 0)
    })
}

pub(super) fn accounts(conn: &mut Conn, now: UnixTime) -> Result<Vec<Account>> {
    let users = conn
        .client
        .query(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u ORDER BY lower(u.username)"
            ),
            &[],
        )?
        .iter()
        .map(user_row)
        .collect::<Result<Vec<User>>>()?;
    let live = conn
        .client
        .query(
            "SELECT user_id, COUNT(*) FROM sessions
             WHERE revoked_at IS NULL AND expires_at > $1 GROUP BY user_id",
            &[&now.0],
        )?
        .iter()
        .map(|row| -> Result<(i64, u64)> {
            let count: i64 = row.try_get(1)?;
            Ok((row.try_get(0)?, count.unsigned_abs()))
        })
        .collect::<Result<HashMap<i64, u64>>>()?;
    let mut tokens: HashMap<i64, Vec<MintedToken>> = HashMap::new();
    for row in conn.client.query(
        "SELECT user_id, token_hash, created_at, expires_at, revoked_at FROM sessions
         WHERE minted ORDER BY created_at, token_hash",
        &[],
    )? {
        tokens
            .entry(row.try_get(0)?)
            .or_default()
            .push(MintedToken {
                token_hash: row.try_get(1)?,
                created_at: UnixTime(row.try_get(2)?),
                expires_at: UnixTime(row.try_get(3)?),
                revoked_at: row.try_get::<_, Option<i64>>(4)?.map(UnixTime),
            });
    }
    Ok(shared::accounts(users, &live, tokens))
}

pub(super) fn set_disabled(conn: &mut Conn, user: UserId, at: Option<UnixTime>) -> Result<u64> {
    in_transaction(&mut conn.client, |tx| {
        let updated = tx.execute(
            "UPDATE users SET disabled_at = $2 WHERE id = $1",
            &[&user.0, &at.map(|t| t.0)],
        )?;
        require_user(updated, user)?;
        match at {
            Some(now) => revoke_live(tx, user, now),
            None => Ok(0),
        }
    })
}

pub(super) fn set_password(
    conn: &mut Conn,
    user: UserId,
    password_hash: &str,
    now: UnixTime,
) -> Result<u64> {
    in_transaction(&mut conn.client, |tx| {
        let updated = tx.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            &[&user.0, &password_hash],
        )?;
        require_user(updated, user)?;
        revoke_live(tx, user, now)
    })
}

pub(super) fn revoke_sessions(conn: &mut Conn, user: UserId, now: UnixTime) -> Result<u64> {
    in_transaction(&mut conn.client, |tx| {
        let found = tx.query_opt("SELECT 1 FROM users WHERE id = $1", &[&user.0])?;
        require_user(u64::from(found.is_some()), user)?;
        revoke_live(tx, user, now)
    })
}

pub(super) fn account_revision(conn: &mut Conn) -> Result<i64> {
    let select = conn.statement("SELECT revision FROM account_revision WHERE id = 1")?;
    Ok(conn.client.query_one(&select, &[])?.try_get(0)?)
}

pub(super) fn totp(conn: &mut Conn, user: UserId) -> Result<Option<TotpRecord>> {
    let select = conn.statement(
        "SELECT secret, confirmed_at IS NOT NULL, last_step FROM user_totp WHERE user_id = $1",
    )?;
    conn.client
        .query_opt(&select, &[&user.0])?
        .map(|row| {
            Ok(TotpRecord {
                sealed_secret: row.try_get(0)?,
                confirmed: row.try_get(1)?,
                last_step: row.try_get(2)?,
            })
        })
        .transpose()
}

pub(super) fn begin_totp(
    conn: &mut Conn,
    user: UserId,
    sealed_secret: &[u8],
    now: UnixTime,
) -> Result<bool> {
    in_transaction(&mut conn.client, |tx| {
        let found = tx.query_opt("SELECT 1 FROM users WHERE id = $1", &[&user.0])?;
        require_user(u64::from(found.is_some()), user)?;
        // A confirmed secret is left alone (the upsert's WHERE skips it).
        let stored = tx.execute(
            "INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE
               SET secret = excluded.secret, created_at = excluded.created_at,
                   last_step = NULL
               WHERE user_totp.confirmed_at IS NULL",
            &[&user.0, &sealed_secret, &now.0],
        )?;
        Ok(stored > 0)
    })
}

pub(super) fn confirm_totp(
    conn: &mut Conn,
    user: UserId,
    sealed_secret: &[u8],
    step: i64,
    recovery_hashes: &[Vec<u8>],
    now: UnixTime,
) -> Result<bool> {
    in_transaction(&mut conn.client, |tx| {
        let confirmed = tx.execute(
            "UPDATE user_totp SET confirmed_at = $3, last_step = $4
             WHERE user_id = $1 AND secret = $2 AND confirmed_at IS NULL",
            &[&user.0, &sealed_secret, &now.0, &step],
        )?;
        if confirmed == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user.0])?;
        for hash in recovery_hashes {
            tx.execute(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
                &[&user.0, hash],
            )
            .map_err(conflict_or_postgres)?;
        }
        bump_revision(tx)?;
        Ok(true)
    })
}

pub(super) fn use_totp_step(conn: &mut Conn, user: UserId, step: i64) -> Result<bool> {
    let used = conn.client.execute(
        "UPDATE user_totp SET last_step = $2
         WHERE user_id = $1 AND confirmed_at IS NOT NULL
           AND (last_step IS NULL OR last_step < $2)",
        &[&user.0, &step],
    )?;
    Ok(used > 0)
}

pub(super) fn use_recovery_code(
    conn: &mut Conn,
    user: UserId,
    code_hash: &[u8],
    now: UnixTime,
) -> Result<bool> {
    let used = conn.client.execute(
        "UPDATE recovery_codes SET used_at = $3
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        &[&user.0, &code_hash, &now.0],
    )?;
    Ok(used > 0)
}

pub(super) fn reset_totp(conn: &mut Conn, user: UserId, now: UnixTime) -> Result<u64> {
    in_transaction(&mut conn.client, |tx| {
        let found = tx.query_opt("SELECT 1 FROM users WHERE id = $1", &[&user.0])?;
        require_user(u64::from(found.is_some()), user)?;
        tx.execute("DELETE FROM user_totp WHERE user_id = $1", &[&user.0])?;
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user.0])?;
        revoke_live(tx, user, now)
    })
}
