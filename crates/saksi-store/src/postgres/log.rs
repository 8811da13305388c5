//! The transparency log's table: entries written in the group commit of the
//! facts they record, read back in index order to rebuild the Merkle tree
//! and to serve auditors.

use postgres::Row;

use super::{Conn, Insert, column, conflict_or_postgres, for_each_row, int, log_indexes, snapshot};
use crate::shared::Marks;
use crate::{LogEntry, PhotoName, Result, StoreError};

/// The `INSERT` of a batch's entries, if it has any; a reused index is
/// [`StoreError::Conflict`].
pub(super) fn insert_entries<'a>(
    conn: &mut Conn,
    entries: &'a [LogEntry],
) -> Result<Option<Insert<'a>>> {
    if entries.is_empty() {
        return Ok(None);
    }
    Ok(Some(Insert {
        statement: conn.statement(
            "INSERT INTO log_entries (log_index, data, leaf_hash)
             SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])",
        )?,
        columns: vec![
            log_indexes(entries.iter().map(|e| e.index))?,
            column(entries.iter().map(|e| e.data.as_slice())),
            column(entries.iter().map(|e| &e.leaf_hash[..])),
        ],
        refused: conflict_or_postgres,
    }))
}

/// The `INSERT` of the photos a batch's entries name, if any; a photo
/// named twice by one entry is one row.
pub(super) fn insert_photo_names<'a>(
    conn: &mut Conn,
    photos: &'a [PhotoName],
) -> Result<Option<Insert<'a>>> {
    if photos.is_empty() {
        return Ok(None);
    }
    Ok(Some(Insert {
        statement: conn.statement(
            "INSERT INTO photo_names (sha256, log_index)
             SELECT * FROM unnest($1::bytea[], $2::bigint[])
             ON CONFLICT DO NOTHING",
        )?,
        columns: vec![
            column(photos.iter().map(|p| &p.sha256[..])),
            log_indexes(photos.iter().map(|p| p.log_index))?,
        ],
        refused: conflict_or_postgres,
    }))
}

/// The `INSERT` marking a batch's entries of one kind in their table
/// (none for none).
pub(super) fn insert_marks<'a>(
    conn: &mut Conn,
    marks: Marks,
    indexes: &'a [u64],
) -> Result<Option<Insert<'a>>> {
    if indexes.is_empty() {
        return Ok(None);
    }
    Ok(Some(Insert {
        statement: conn.statement(match marks {
            Marks::Recap => {
                "INSERT INTO recap_entries (log_index) SELECT * FROM unnest($1::bigint[])"
            }
            Marks::Logistics => {
                "INSERT INTO logistics_entries (log_index) SELECT * FROM unnest($1::bigint[])"
            }
        })?,
        columns: vec![log_indexes(indexes.iter().copied())?],
        refused: conflict_or_postgres,
    }))
}

/// The entries of one kind, in log order.
pub(super) fn marked_entries(conn: &mut Conn, marks: Marks) -> Result<Vec<LogEntry>> {
    let select = conn.statement(marks.select_entries())?;
    conn.client
        .query(&select, &[])?
        .iter()
        .map(entry_row)
        .collect()
}

/// A row of `log_index, data, leaf_hash` as an entry.
fn entry_row(row: &Row) -> Result<LogEntry> {
    Ok(LogEntry {
        index: int(row, 0, "log index")?,
        data: row.try_get(1)?,
        leaf_hash: hash_column(row, 2)?,
    })
}

/// One descent of the primary key.
pub(super) fn photo_named(conn: &mut Conn, sha256: &[u8; 32]) -> Result<bool> {
    let select = conn.statement("SELECT EXISTS (SELECT 1 FROM photo_names WHERE sha256 = $1)")?;
    Ok(conn
        .client
        .query_one(&select, &[&&sha256[..]])?
        .try_get(0)?)
}

/// A 32-byte hash column (the table's CHECK guarantees the length, so
/// anything else was written behind the program's back).
pub(super) fn hash_column(row: &Row, idx: usize) -> Result<[u8; 32]> {
    let bytes: &[u8] = row.try_get(idx)?;
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::Corrupt {
        what: "leaf hash",
        value: format!("{} bytes", bytes.len()),
    })
}

/// One scan of the primary key in log order, in one snapshot.
pub(super) fn for_each_leaf_hash(conn: &mut Conn, f: &mut dyn FnMut(u64, [u8; 32])) -> Result<()> {
    snapshot(&mut conn.client, |tx| {
        for_each_row(
            tx,
            "SELECT log_index, leaf_hash FROM log_entries ORDER BY log_index",
            &[],
            |row| {
                f(int(row, 0, "log index")?, hash_column(row, 1)?);
                Ok(())
            },
        )
    })
}

pub(super) fn entries(conn: &mut Conn, start: u64, end: u64) -> Result<Vec<LogEntry>> {
    if start >= end {
        return Ok(Vec::new());
    }
    // BIGINT is i64: clamp so a huge `end` cannot overflow.
    let clamp = |i: u64| i64::try_from(i).unwrap_or(i64::MAX);
    let select = conn.statement(
        "SELECT log_index, data, leaf_hash FROM log_entries
         WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index",
    )?;
    conn.client
        .query(&select, &[&clamp(start), &clamp(end)])?
        .iter()
        .map(entry_row)
        .collect()
}
