//! Webhooks and their deliveries on SQLite.

use rusqlite::{Connection, Row};

use crate::webhooks::{LIST_SQL, attempt_columns, join_events, split_events, union_of_events};
use crate::{Attempt, Delivery, DueDelivery, NewWebhook, Result, StoredWebhook, UnixTime};

pub(super) fn add(conn: &Connection, w: &NewWebhook) -> Result<i64> {
    conn.execute(
        "INSERT INTO webhooks (url, events, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
        (&w.url, join_events(&w.events), &w.secret, w.created_at.0),
    )?;
    Ok(conn.last_insert_rowid())
}

/// Its deliveries go with it (`ON DELETE CASCADE`; the writer connection
/// enforces foreign keys).
pub(super) fn remove(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0)
}

pub(super) fn list(conn: &mut Connection) -> Result<Vec<StoredWebhook>> {
    let mut select = conn.prepare_cached(LIST_SQL)?;
    let rows = select.query_map([], |row| {
        Ok(StoredWebhook {
            id: row.get(0)?,
            url: row.get(1)?,
            events: split_events(&row.get::<_, String>(2)?),
            secret: row.get(3)?,
            created_at: UnixTime(row.get(4)?),
            delivered: row.get(5)?,
            pending: row.get(6)?,
            given_up: row.get(7)?,
            last_attempt_at: row.get::<_, Option<i64>>(8)?.map(UnixTime),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(super) fn subscribed(conn: &mut Connection) -> Result<Vec<String>> {
    let mut select = conn.prepare_cached("SELECT events FROM webhooks")?;
    let lists = select
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(union_of_events(lists.iter().map(String::as_str)))
}

pub(super) fn enqueue(conn: &Connection, event: &str, body: &str, at: UnixTime) -> Result<u64> {
    let n = conn.execute(
        "INSERT INTO webhook_deliveries (webhook, event, body, created_at, next_attempt_at)
         SELECT id, ?1, ?2, ?3, ?3 FROM webhooks
         WHERE instr(',' || events || ',', ',' || ?1 || ',') > 0",
        (event, body, at.0),
    )?;
    Ok(n as u64)
}

pub(super) fn due(conn: &mut Connection, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>> {
    let mut select = conn.prepare_cached(
        "SELECT d.id, w.url, w.secret, d.event, d.body, d.created_at, d.attempts
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook
         WHERE d.delivered_at IS NULL AND d.next_attempt_at <= ?1
         ORDER BY d.next_attempt_at, d.id LIMIT ?2",
    )?;
    let rows = select.query_map((now.0, limit), |row| {
        Ok(DueDelivery {
            id: row.get(0)?,
            url: row.get(1)?,
            secret: row.get(2)?,
            event: row.get(3)?,
            body: row.get(4)?,
            created_at: UnixTime(row.get(5)?),
            attempts: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(super) fn record(conn: &Connection, id: i64, a: &Attempt) -> Result<()> {
    let (status, error, delivered, next) = attempt_columns(a);
    conn.execute(
        "UPDATE webhook_deliveries
         SET attempts = attempts + 1, last_attempt_at = ?2, last_status = ?3, last_error = ?4,
             delivered_at = ?5, next_attempt_at = ?6
         WHERE id = ?1",
        (id, a.at.0, status, error, delivered, next),
    )?;
    Ok(())
}

pub(super) fn deliveries(conn: &mut Connection, webhook: Option<i64>) -> Result<Vec<Delivery>> {
    let mut select = conn.prepare_cached(
        "SELECT id, webhook, event, created_at, attempts, next_attempt_at, last_attempt_at,
                last_status, last_error, delivered_at
         FROM webhook_deliveries WHERE ?1 IS NULL OR webhook = ?1 ORDER BY id",
    )?;
    let rows = select.query_map([webhook], delivery_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn delivery_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let time = |idx| -> rusqlite::Result<Option<UnixTime>> {
        Ok(row.get::<_, Option<i64>>(idx)?.map(UnixTime))
    };
    Ok(Delivery {
        id: row.get(0)?,
        webhook: row.get(1)?,
        event: row.get(2)?,
        created_at: UnixTime(row.get(3)?),
        attempts: row.get(4)?,
        next_attempt_at: time(5)?,
        last_attempt_at: time(6)?,
        last_status: row.get(7)?,
        last_error: row.get(8)?,
        delivered_at: time(9)?,
    })
}
