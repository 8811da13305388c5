//! The transparency log's table: entries written in the group commit of the
//! facts they record, read back in index order to rebuild the Merkle tree
//! and to serve auditors.

use rusqlite::{Connection, Row, Transaction};

use super::conflict_or_sqlite;
use crate::shared::Marks;
use crate::{LogEntry, PhotoName, Result, StoreError};

/// Inserts the entries of a batch inside its transaction; a reused index is
/// [`StoreError::Conflict`].
pub(super) fn insert_entries(tx: &Transaction<'_>, entries: &[LogEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO log_entries (log_index, data, leaf_hash) VALUES (?1, ?2, ?3)",
    )?;
    for e in entries {
        insert
            .execute((e.index, &e.data, &e.leaf_hash[..]))
            .map_err(conflict_or_sqlite)?;
    }
    Ok(())
}

/// Inserts the photos a batch's entries name, inside its transaction; a
/// photo named twice by one entry is one row.
pub(super) fn insert_photo_names(tx: &Transaction<'_>, photos: &[PhotoName]) -> Result<()> {
    if photos.is_empty() {
        return Ok(());
    }
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO photo_names (sha256, log_index) VALUES (?1, ?2)")?;
    for p in photos {
        insert.execute((&p.sha256[..], p.log_index))?;
    }
    Ok(())
}

/// Marks a batch's entries of one kind in their table, inside its
/// transaction.
pub(super) fn insert_marks(tx: &Transaction<'_>, marks: Marks, indexes: &[u64]) -> Result<()> {
    if indexes.is_empty() {
        return Ok(());
    }
    let mut insert = tx.prepare_cached(match marks {
        Marks::Recap => "INSERT INTO recap_entries (log_index) VALUES (?1)",
        Marks::Logistics => "INSERT INTO logistics_entries (log_index) VALUES (?1)",
    })?;
    for index in indexes {
        insert.execute([index]).map_err(conflict_or_sqlite)?;
    }
    Ok(())
}

/// The entries of one kind, in log order.
pub(super) fn marked_entries(conn: &Connection, marks: Marks) -> Result<Vec<LogEntry>> {
    let mut select = conn.prepare_cached(marks.select_entries())?;
    entry_rows(select.query([])?)
}

/// One descent of the primary key.
pub(super) fn photo_named(conn: &Connection, sha256: &[u8; 32]) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM photo_names WHERE sha256 = ?1)")?
        .query_row([&sha256[..]], |row| row.get(0))?)
}

/// A 32-byte hash column (the table's CHECK guarantees the length, so
/// anything else was written behind the program's back).
pub(super) fn hash_column(row: &Row<'_>, idx: usize) -> Result<[u8; 32]> {
    let bytes = row.get_ref(idx)?.as_blob().map_err(rusqlite::Error::from)?;
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::Corrupt {
        what: "leaf hash",
        value: format!("{} bytes", bytes.len()),
    })
}

/// One sequential scan of the table in rowid (log) order, in one snapshot.
pub(super) fn for_each_leaf_hash(
    conn: &mut Connection,
    f: &mut dyn FnMut(u64, [u8; 32]),
) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut select =
            tx.prepare("SELECT log_index, leaf_hash FROM log_entries ORDER BY log_index")?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            f(row.get(0)?, hash_column(row, 1)?);
        }
    }
    tx.finish()?;
    Ok(())
}

pub(super) fn entries(conn: &Connection, start: u64, end: u64) -> Result<Vec<LogEntry>> {
    if start >= end {
        return Ok(Vec::new());
    }
    // SQLite integers are i64: clamp so a huge `end` cannot overflow.
    let clamp = |i: u64| i64::try_from(i).unwrap_or(i64::MAX);
    let mut select = conn.prepare_cached(
        "SELECT log_index, data, leaf_hash FROM log_entries
         WHERE log_index >= ?1 AND log_index < ?2 ORDER BY log_index",
    )?;
    entry_rows(select.query((clamp(start), clamp(end)))?)
}

/// Rows of `log_index, data, leaf_hash` as entries.
fn entry_rows(mut rows: rusqlite::Rows<'_>) -> Result<Vec<LogEntry>> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(LogEntry {
            index: row.get(0)?,
            data: row.get(1)?,
            leaf_hash: hash_column(row, 2)?,
        });
    }
    Ok(out)
}
