//! Users and login sessions. Usernames are looked up ignoring case.
//! Sessions are looked up by the hash of their token and honoured only
//! before their expiry (judged against the `now` the caller passes in),
//! while not revoked and while their user is not disabled.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::{conflict_or_sqlite, is_unique_violation, region_column};
use crate::{
    Account, MintedToken, NewUser, Result, Session, SessionUser, StoreError, TotpRecord, UnixTime,
    User, UserId, shared,
};

/// The columns [`user_row`] reads, in its order.
const USER_COLUMNS: &str = "u.id, u.username, u.role, u.region, u.party, u.password_hash, \
     u.created_at, u.disabled_at, EXISTS (SELECT 1 FROM user_totp t \
     WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL), u.paslon";

fn user_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(row.get(0)?),
        username: row.get(1)?,
        role: row.get(2)?,
        region: region_column(row, 3)?,
        party: row.get(4)?,
        password_hash: row.get(5)?,
        created_at: UnixTime(row.get(6)?),
        disabled_at: row.get::<_, Option<i64>>(7)?.map(UnixTime),
        totp_enrolled: row.get(8)?,
        paslon: row.get(9)?,
    })
}

pub(super) fn add(conn: &mut Connection, users: &[NewUser]) -> Result<Vec<UserId>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(users.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO users (username, role, region, party, password_hash, created_at, paslon)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for user in users {
            let inserted = insert.execute((
                &user.username,
                &user.role,
                user.region.to_string(),
                user.party,
                &user.password_hash,
                user.created_at.0,
                user.paslon,
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
            "SELECT {USER_COLUMNS} FROM users u WHERE lower(u.username) = lower(?1)"
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
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, minted)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for session in sessions {
            insert
                .execute((
                    &session.token_hash,
                    session.user_id.0,
                    session.created_at.0,
                    session.expires_at.0,
                    session.minted,
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
) -> Result<Option<SessionUser>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, s.expires_at, s.minted
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2
               AND s.revoked_at IS NULL AND u.disabled_at IS NULL"
        ))?
        .query_row((token_hash, now.0), |row| {
            Ok(SessionUser {
                user: user_row(row)?,
                expires_at: UnixTime(row.get(10)?),
                minted: row.get(11)?,
            })
        })
        .optional()?)
}

/// Counts a change that ends sessions, in its own transaction, so that a
/// server polling [`account_revision`] sees it with the change.
fn bump_revision(tx: &Transaction<'_>) -> Result<()> {
    tx.execute(
        "UPDATE account_revision SET revision = revision + 1 WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Revokes `user`'s live sessions at `now`; how many.
fn revoke_live(tx: &Transaction<'_>, user: UserId, now: UnixTime) -> Result<u64> {
    let revoked = tx.execute(
        "UPDATE sessions SET revoked_at = ?2
         WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2",
        (user.0, now.0),
    )?;
    bump_revision(tx)?;
    Ok(revoked as u64)
}

/// [`StoreError::NoSuchUser`] unless a statement found the user's row.
fn require_user(updated: usize, user: UserId) -> Result<()> {
    if updated == 0 {
        return Err(StoreError::NoSuchUser(user.0));
    }
    Ok(())
}

pub(super) fn end_session(conn: &mut Connection, token_hash: &[u8], now: UnixTime) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ended = tx.execute(
        "UPDATE sessions SET revoked_at = ?2
         WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2",
        (token_hash, now.0),
    )?;
    if ended > 0 {
        bump_revision(&tx)?;
    }
    tx.commit()?;
    Ok(ended > 0)
}

pub(super) fn accounts(conn: &mut Connection, now: UnixTime) -> Result<Vec<Account>> {
    let users = conn
        .prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY lower(u.username)"
        ))?
        .query_map([], user_row)?
        .collect::<rusqlite::Result<Vec<User>>>()?;
    let live = conn
        .prepare(
            "SELECT user_id, COUNT(*) FROM sessions
             WHERE revoked_at IS NULL AND expires_at > ?1 GROUP BY user_id",
        )?
        .query_map([now.0], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<HashMap<i64, u64>>>()?;
    let mut tokens: HashMap<i64, Vec<MintedToken>> = HashMap::new();
    let mut select = conn.prepare(
        "SELECT user_id, token_hash, created_at, expires_at, revoked_at FROM sessions
         WHERE minted ORDER BY created_at, token_hash",
    )?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        tokens.entry(row.get(0)?).or_default().push(MintedToken {
            token_hash: row.get(1)?,
            created_at: UnixTime(row.get(2)?),
            expires_at: UnixTime(row.get(3)?),
            revoked_at: row.get::<_, Option<i64>>(4)?.map(UnixTime),
        });
    }
    Ok(shared::accounts(users, &live, tokens))
}

pub(super) fn set_disabled(
    conn: &mut Connection,
    user: UserId,
    at: Option<UnixTime>,
) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let updated = tx.execute(
        "UPDATE users SET disabled_at = ?2 WHERE id = ?1",
        (user.0, at.map(|t| t.0)),
    )?;
    require_user(updated, user)?;
    let revoked = match at {
        Some(now) => revoke_live(&tx, user, now)?,
        None => 0,
    };
    tx.commit()?;
    Ok(revoked)
}

pub(super) fn set_password(
    conn: &mut Connection,
    user: UserId,
    password_hash: &str,
    now: UnixTime,
) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let updated = tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        (user.0, password_hash),
    )?;
    require_user(updated, user)?;
    let revoked = revoke_live(&tx, user, now)?;
    tx.commit()?;
    Ok(revoked)
}

pub(super) fn revoke_sessions(conn: &mut Connection, user: UserId, now: UnixTime) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: usize = tx.query_row(
        "SELECT COUNT(*) FROM users WHERE id = ?1",
        [user.0],
        |row| row.get(0),
    )?;
    require_user(found, user)?;
    let revoked = revoke_live(&tx, user, now)?;
    tx.commit()?;
    Ok(revoked)
}

pub(super) fn account_revision(conn: &mut Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT revision FROM account_revision WHERE id = 1")?
        .query_row([], |row| row.get(0))?)
}

pub(super) fn totp(conn: &Connection, user: UserId) -> Result<Option<TotpRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT secret, confirmed_at IS NOT NULL, last_step FROM user_totp WHERE user_id = ?1",
        )?
        .query_row([user.0], |row| {
            Ok(TotpRecord {
                sealed_secret: row.get(0)?,
                confirmed: row.get(1)?,
                last_step: row.get(2)?,
            })
        })
        .optional()?)
}

pub(super) fn begin_totp(
    conn: &mut Connection,
    user: UserId,
    sealed_secret: &[u8],
    now: UnixTime,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: usize = tx.query_row(
        "SELECT COUNT(*) FROM users WHERE id = ?1",
        [user.0],
        |row| row.get(0),
    )?;
    require_user(found, user)?;
    // A confirmed secret is left alone (the upsert's WHERE skips it).
    let stored = tx.execute(
        "INSERT INTO user_totp (user_id, secret, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE
           SET secret = excluded.secret, created_at = excluded.created_at, last_step = NULL
           WHERE user_totp.confirmed_at IS NULL",
        (user.0, sealed_secret, now.0),
    )?;
    tx.commit()?;
    Ok(stored > 0)
}

pub(super) fn confirm_totp(
    conn: &mut Connection,
    user: UserId,
    sealed_secret: &[u8],
    step: i64,
    recovery_hashes: &[Vec<u8>],
    now: UnixTime,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let confirmed = tx.execute(
        "UPDATE user_totp SET confirmed_at = ?3, last_step = ?4
         WHERE user_id = ?1 AND secret = ?2 AND confirmed_at IS NULL",
        (user.0, sealed_secret, now.0, step),
    )?;
    if confirmed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user.0])?;
    {
        let mut insert =
            tx.prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
        for hash in recovery_hashes {
            insert.execute((user.0, hash)).map_err(conflict_or_sqlite)?;
        }
    }
    bump_revision(&tx)?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn use_totp_step(conn: &mut Connection, user: UserId, step: i64) -> Result<bool> {
    let used = conn.execute(
        "UPDATE user_totp SET last_step = ?2
         WHERE user_id = ?1 AND confirmed_at IS NOT NULL
           AND (last_step IS NULL OR last_step < ?2)",
        (user.0, step),
    )?;
    Ok(used > 0)
}

pub(super) fn use_recovery_code(
    conn: &mut Connection,
    user: UserId,
    code_hash: &[u8],
    now: UnixTime,
) -> Result<bool> {
    let used = conn.execute(
        "UPDATE recovery_codes SET used_at = ?3
         WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        (user.0, code_hash, now.0),
    )?;
    Ok(used > 0)
}

pub(super) fn reset_totp(conn: &mut Connection, user: UserId, now: UnixTime) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: usize = tx.query_row(
        "SELECT COUNT(*) FROM users WHERE id = ?1",
        [user.0],
        |row| row.get(0),
    )?;
    require_user(found, user)?;
    tx.execute("DELETE FROM user_totp WHERE user_id = ?1", [user.0])?;
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user.0])?;
    let revoked = revoke_live(&tx, user, now)?;
    tx.commit()?;
    Ok(revoked)
}
