//! Incidents' tables (migration 9): written in the group commit of their
//! events' log entries, read back for an incident's page and, at start-up,
//! for the in-memory book.

use rusqlite::{Connection, OptionalExtension, Row, Transaction};

use super::conflict_or_sqlite;
use crate::incidents::{
    EventColumns, IncidentColumns, IncidentHistory, IncidentWrite, StoredIncident, actor_columns,
    incident_columns, latest_rows, select_events, upsert_incident,
};
use crate::{Result, StoreError};

/// Writes a batch's incident events, their private content and each
/// incident's latest row, inside its transaction; an event already stored
/// (same incident and seq, or log index) is [`StoreError::Conflict`].
pub(super) fn insert(tx: &Transaction<'_>, writes: &[IncidentWrite]) -> Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut event = tx.prepare_cached(
        "INSERT INTO incident_events (id, seq, log_index, action, actor_role, actor_region,
             username, logged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut private = tx.prepare_cached(
        "INSERT INTO incident_private (id, seq, salt, content) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for w in writes {
        let e = &w.event;
        let (role, region) = actor_columns(e.actor);
        event
            .execute((
                &w.incident.id[..],
                e.seq,
                e.log_index,
                e.action.id(),
                role,
                region,
                &e.username,
                e.at.0,
            ))
            .map_err(conflict_or_sqlite)?;
        if let Some(p) = &e.private {
            private
                .execute((&w.incident.id[..], e.seq, &p.salt[..], &p.content))
                .map_err(conflict_or_sqlite)?;
        }
        if let Some(o) = &w.outgoing {
            super::webhooks::enqueue(tx, &o.event, &o.body, e.at)?;
        }
    }
    let mut row = tx.prepare_cached(upsert_incident!(
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    ))?;
    for incident in latest_rows(writes) {
        let next_due = incident.record.public.next_due().map(|t| t.0);
        let c = IncidentColumns::of(incident);
        row.execute(rusqlite::params![
            c.id,
            c.category,
            c.severity,
            c.region,
            c.contests,
            c.owner_level,
            c.owner_region,
            c.status,
            c.ack_due,
            c.resolve_due,
            c.overdue,
            c.public,
            c.seq,
            c.filed_at,
            c.acked_at,
            c.resolved_at,
            c.reporter,
            c.assignee,
            next_due,
        ])?;
    }
    Ok(())
}

fn incident_row(row: &Row<'_>) -> rusqlite::Result<IncidentColumns> {
    Ok(IncidentColumns {
        id: row.get(0)?,
        category: row.get(1)?,
        severity: row.get(2)?,
        region: row.get(3)?,
        contests: row.get(4)?,
        owner_level: row.get(5)?,
        owner_region: row.get(6)?,
        status: row.get(7)?,
        ack_due: row.get(8)?,
        resolve_due: row.get(9)?,
        overdue: row.get(10)?,
        public: row.get(11)?,
        seq: row.get(12)?,
        filed_at: row.get(13)?,
        acked_at: row.get(14)?,
        resolved_at: row.get(15)?,
        reporter: row.get(16)?,
        assignee: row.get(17)?,
    })
}

fn event_row(row: &Row<'_>) -> rusqlite::Result<EventColumns> {
    Ok(EventColumns {
        seq: row.get(0)?,
        log_index: row.get(1)?,
        action: row.get(2)?,
        actor_role: row.get(3)?,
        actor_region: row.get(4)?,
        username: row.get(5)?,
        logged_at: row.get(6)?,
        salt: row.get(7)?,
        content: row.get(8)?,
    })
}

/// One incident and its events, from one snapshot.
pub(super) fn history(conn: &mut Connection, id: &[u8; 16]) -> Result<Option<IncidentHistory>> {
    let tx = conn.transaction()?;
    let found = tx
        .prepare_cached(concat!(
            "SELECT ",
            incident_columns!(),
            " FROM incidents WHERE id = ?1"
        ))?
        .query_row([&id[..]], incident_row)
        .optional()?;
    let Some(found) = found else {
        return Ok(None);
    };
    let incident = found.decode()?;
    let mut select = tx.prepare_cached(select_events!("?1"))?;
    let events = select
        .query_map([&id[..]], event_row)?
        .map(|row| row.map_err(StoreError::from).and_then(EventColumns::decode))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(IncidentHistory { incident, events }))
}

/// One scan of the table, in one snapshot.
pub(super) fn for_each(conn: &mut Connection, f: &mut dyn FnMut(StoredIncident)) -> Result<()> {
    let tx = conn.transaction()?;
    let mut select =
        tx.prepare_cached(concat!("SELECT ", incident_columns!(), " FROM incidents"))?;
    for row in select.query_map([], incident_row)? {
        f(row?.decode()?);
    }
    Ok(())
}
