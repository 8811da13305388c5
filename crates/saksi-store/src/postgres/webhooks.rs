//! Webhooks and their deliveries on PostgreSQL.

use postgres::Row;

use super::{Conn, narrow};
use crate::webhooks::{LIST_SQL, attempt_columns, join_events, split_events, union_of_events};
use crate::{Attempt, Delivery, DueDelivery, NewWebhook, Result, StoredWebhook, UnixTime};

pub(super) fn add(conn: &mut Conn, w: &NewWebhook) -> Result<i64> {
    let insert = conn.statement(
        "INSERT INTO webhooks (url, events, secret, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )?;
    let row = conn.client.query_one(
        &insert,
        &[&w.url, &join_events(&w.events), &w.secret, &w.created_at.0],
    )?;
    Ok(row.try_get(0)?)
}

/// Its deliveries go with it (`ON DELETE CASCADE`).
pub(super) fn remove(conn: &mut Conn, id: i64) -> Result<bool> {
    let delete = conn.statement("DELETE FROM webhooks WHERE id = $1")?;
    Ok(conn.client.execute(&delete, &[&id])? > 0)
}

pub(super) fn list(conn: &mut Conn) -> Result<Vec<StoredWebhook>> {
    let select = conn.statement(LIST_SQL)?;
    conn.client
        .query(&select, &[])?
        .iter()
        .map(|row| {
            Ok(StoredWebhook {
                id: row.try_get(0)?,
                url: row.try_get(1)?,
                events: split_events(row.try_get(2)?),
                secret: row.try_get(3)?,
                created_at: UnixTime(row.try_get(4)?),
                delivered: narrow(row.try_get(5)?, "delivery count")?,
                pending: narrow(row.try_get(6)?, "delivery count")?,
                given_up: narrow(row.try_get(7)?, "delivery count")?,
                last_attempt_at: row.try_get::<_, Option<i64>>(8)?.map(UnixTime),
            })
        })
        .collect()
}

pub(super) fn subscribed(conn: &mut Conn) -> Result<Vec<String>> {
    let select = conn.statement("SELECT events FROM webhooks")?;
    let lists = conn
        .client
        .query(&select, &[])?
        .iter()
        .map(|row| row.try_get::<_, String>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(union_of_events(lists.iter().map(String::as_str)))
}

pub(super) fn enqueue(conn: &mut Conn, event: &str, body: &str, at: UnixTime) -> Result<u64> {
    let insert = conn.statement(
        "INSERT INTO webhook_deliveries (webhook, event, body, created_at, next_attempt_at)
         SELECT id, $1::text, $2::text, $3::bigint, $3::bigint FROM webhooks
         WHERE strpos(',' || events || ',', ',' || $1::text || ',') > 0",
    )?;
    Ok(conn.client.execute(&insert, &[&event, &body, &at.0])?)
}

pub(super) fn due(conn: &mut Conn, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>> {
    let select = conn.statement(
        "SELECT d.id, w.url, w.secret, d.event, d.body, d.created_at, d.attempts
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook
         WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $1
         ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )?;
    conn.client
        .query(&select, &[&now.0, &i64::from(limit)])?
        .iter()
        .map(|row| {
            Ok(DueDelivery {
                id: row.try_get(0)?,
                url: row.try_get(1)?,
                secret: row.try_get(2)?,
                event: row.try_get(3)?,
                body: row.try_get(4)?,
                created_at: UnixTime(row.try_get(5)?),
                attempts: narrow(row.try_get(6)?, "delivery attempts")?,
            })
        })
        .collect()
}

pub(super) fn record(conn: &mut Conn, id: i64, a: &Attempt) -> Result<()> {
    let update = conn.statement(
        "UPDATE webhook_deliveries
         SET attempts = attempts + 1, last_attempt_at = $2, last_status = $3, last_error = $4,
             delivered_at = $5, next_attempt_at = $6
         WHERE id = $1",
    )?;
    let (status, error, delivered, next) = attempt_columns(a);
    conn.client
        .execute(&update, &[&id, &a.at.0, &status, &error, &delivered, &next])?;
    Ok(())
}

pub(super) fn deliveries(conn: &mut Conn, webhook: Option<i64>) -> Result<Vec<Delivery>> {
    let select = conn.statement(
        "SELECT id, webhook, event, created_at, attempts, next_attempt_at, last_attempt_at,
                last_status, last_error, delivered_at
         FROM webhook_deliveries WHERE $1::bigint IS NULL OR webhook = $1::bigint ORDER BY id",
    )?;
    conn.client
        .query(&select, &[&webhook])?
        .iter()
        .map(delivery_row)
        .collect()
}

fn delivery_row(row: &Row) -> Result<Delivery> {
    let time =
        |idx| -> Result<Option<UnixTime>> { Ok(row.try_get::<_, Option<i64>>(idx)?.map(UnixTime)) };
    Ok(Delivery {
        id: row.try_get(0)?,
        webhook: row.try_get(1)?,
        event: row.try_get(2)?,
        created_at: UnixTime(row.try_get(3)?),
        attempts: narrow(row.try_get(4)?, "delivery attempts")?,
        next_attempt_at: time(5)?,
        last_attempt_at: time(6)?,
        last_status: row
            .try_get::<_, Option<i64>>(7)?
            .map(|s| narrow(s, "HTTP status"))
            .transpose()?,
        last_error: row.try_get(8)?,
        delivered_at: time(9)?,
    })
}
