//! Incidents' tables (migration 9): written in the group commit of their
//! events' log entries, read back for an incident's page and, at start-up,
//! for the in-memory book.

use postgres::Row;

use super::{Conn, Insert, column, conflict_or_postgres, for_each_row, log_indexes, snapshot};
use crate::incidents::{
    EventColumns, IncidentColumns, IncidentHistory, IncidentWrite, StoredIncident, actor_columns,
    incident_columns, latest_rows, select_events, upsert_incident,
};
use crate::{Result, StoreError};

/// The `INSERT`s of a batch's incident events, their private content and
/// each incident's latest row; an event already stored (same incident and
/// seq, or log index) is [`StoreError::Conflict`].
pub(super) fn insert<'a>(conn: &mut Conn, writes: &'a [IncidentWrite]) -> Result<Vec<Insert<'a>>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let mut inserts = Vec::with_capacity(3);
    let actors: Vec<_> = writes
        .iter()
        .map(|w| actor_columns(w.event.actor))
        .collect();
    inserts.push(Insert {
        statement: conn.statement(
            "INSERT INTO incident_events (id, seq, log_index, action, actor_role, actor_region,
                 username, logged_at)
             SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::text[],
                 $5::text[], $6::text[], $7::text[], $8::bigint[])",
        )?,
        columns: vec![
            column(writes.iter().map(|w| &w.incident.id[..])),
            column(writes.iter().map(|w| i64::from(w.event.seq))),
            log_indexes(writes.iter().map(|w| w.event.log_index))?,
            column(writes.iter().map(|w| w.event.action.id())),
            column(actors.iter().map(|a| a.0)),
            column(actors.into_iter().map(|a| a.1)),
            column(writes.iter().map(|w| w.event.username.as_deref())),
            column(writes.iter().map(|w| w.event.at.0)),
        ],
        refused: conflict_or_postgres,
    });
    let private: Vec<_> = writes
        .iter()
        .filter_map(|w| Some((w, w.event.private.as_ref()?)))
        .collect();
    if !private.is_empty() {
        inserts.push(Insert {
            statement: conn.statement(
                "INSERT INTO incident_private (id, seq, salt, content)
                 SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bytea[], $4::bytea[])",
            )?,
            columns: vec![
                column(private.iter().map(|(w, _)| &w.incident.id[..])),
                column(private.iter().map(|(w, _)| i64::from(w.event.seq))),
                column(private.iter().map(|(_, p)| &p.salt[..])),
                column(private.iter().map(|(_, p)| p.content.as_slice())),
            ],
            refused: conflict_or_postgres,
        });
    }
    let outgoing: Vec<_> = writes
        .iter()
        .filter_map(|w| Some((w, w.outgoing.as_ref()?)))
        .collect();
    if !outgoing.is_empty() {
        // One delivery per subscribed webhook, in the events' order.
        inserts.push(Insert {
            statement: conn.statement(
                "INSERT INTO webhook_deliveries (webhook, event, body, created_at, next_attempt_at)
                 SELECT w.id, n.event, n.body, n.at, n.at
                 FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY
                     AS n(event, body, at, ord)
                 JOIN webhooks w ON strpos(',' || w.events || ',', ',' || n.event || ',') > 0
                 ORDER BY n.ord, w.id",
            )?,
            columns: vec![
                column(outgoing.iter().map(|(_, o)| o.event.as_str())),
                column(outgoing.iter().map(|(_, o)| o.body.as_str())),
                column(outgoing.iter().map(|(w, _)| w.event.at.0)),
            ],
            refused: conflict_or_postgres,
        });
    }
    let rows: Vec<_> = latest_rows(writes)
        .into_iter()
        .map(|i| {
            (
                IncidentColumns::of(i),
                i.record.public.next_due().map(|t| t.0),
            )
        })
        .collect();
    inserts.push(Insert {
        statement: conn.statement(upsert_incident!(
            "SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bool[], \
             $12::bool[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], \
             $17::text[], $18::text[], $19::bigint[])"
        ))?,
        columns: vec![
            column(rows.iter().map(|(c, _)| c.id.clone())),
            column(rows.iter().map(|(c, _)| c.category.clone())),
            column(rows.iter().map(|(c, _)| c.severity.clone())),
            column(rows.iter().map(|(c, _)| c.region.clone())),
            column(rows.iter().map(|(c, _)| c.contests.clone())),
            column(rows.iter().map(|(c, _)| c.owner_level.clone())),
            column(rows.iter().map(|(c, _)| c.owner_region.clone())),
            column(rows.iter().map(|(c, _)| c.status.clone())),
            column(rows.iter().map(|(c, _)| c.ack_due)),
            column(rows.iter().map(|(c, _)| c.resolve_due)),
            column(rows.iter().map(|(c, _)| c.overdue)),
            column(rows.iter().map(|(c, _)| c.public)),
            column(rows.iter().map(|(c, _)| c.seq)),
            column(rows.iter().map(|(c, _)| c.filed_at)),
            column(rows.iter().map(|(c, _)| c.acked_at)),
            column(rows.iter().map(|(c, _)| c.resolved_at)),
            column(rows.iter().map(|(c, _)| c.reporter.clone())),
            column(rows.iter().map(|(c, _)| c.assignee.clone())),
            column(rows.iter().map(|(_, due)| *due)),
        ],
        refused: conflict_or_postgres,
    });
    Ok(inserts)
}

fn incident_row(row: &Row) -> Result<IncidentColumns> {
    Ok(IncidentColumns {
        id: row.try_get(0)?,
        category: row.try_get(1)?,
        severity: row.try_get(2)?,
        region: row.try_get(3)?,
        contests: row.try_get(4)?,
        owner_level: row.try_get(5)?,
        owner_region: row.try_get(6)?,
        status: row.try_get(7)?,
        ack_due: row.try_get(8)?,
        resolve_due: row.try_get(9)?,
        overdue: row.try_get(10)?,
        public: row.try_get(11)?,
        seq: row.try_get(12)?,
        filed_at: row.try_get(13)?,
        acked_at: row.try_get(14)?,
        resolved_at: row.try_get(15)?,
        reporter: row.try_get(16)?,
        assignee: row.try_get(17)?,
    })
}

fn event_row(row: &Row) -> Result<EventColumns> {
    Ok(EventColumns {
        seq: row.try_get(0)?,
        log_index: row.try_get(1)?,
        action: row.try_get(2)?,
        actor_role: row.try_get(3)?,
        actor_region: row.try_get(4)?,
        username: row.try_get(5)?,
        logged_at: row.try_get(6)?,
        salt: row.try_get(7)?,
        content: row.try_get(8)?,
    })
}

/// One incident and its events, from one snapshot.
pub(super) fn history(conn: &mut Conn, id: &[u8; 16]) -> Result<Option<IncidentHistory>> {
    snapshot(&mut conn.client, |tx| {
        let found = tx.query_opt(
            concat!(
                "SELECT ",
                incident_columns!(),
                " FROM incidents WHERE id = $1"
            ),
            &[&&id[..]],
        )?;
        let Some(found) = found else {
            return Ok(None);
        };
        let incident = incident_row(&found)?.decode()?;
        let events = tx
            .query(select_events!("$1"), &[&&id[..]])?
            .iter()
            .map(|row| event_row(row).and_then(EventColumns::decode))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(IncidentHistory { incident, events }))
    })
}

/// One scan of the table, in one snapshot.
pub(super) fn for_each(conn: &mut Conn, f: &mut dyn FnMut(StoredIncident)) -> Result<()> {
    snapshot(&mut conn.client, |tx| {
        for_each_row(
            tx,
            concat!("SELECT ", incident_columns!(), " FROM incidents"),
            &[],
            |row| {
                f(incident_row(row)?.decode()?);
                Ok(())
            },
        )
    })
}
