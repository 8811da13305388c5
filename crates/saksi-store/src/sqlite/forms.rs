//! The write path's tables: C.Hasil form versions (append-only, in log
//! order) and idempotency records, written together by group commit.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};
use saksi_core::{Contest, RegionCode};

use super::{conflict_or_sqlite, contest_column, region_column};
use crate::shared::{Marks, code_range, has_warnings};
use crate::{
    Batch, IdempotencyRecord, LogEntry, LoggedVersion, RequestKey, Result, StoredVersion, UnixTime,
};

/// The columns [`version_row`] reads, in its order.
const VERSION_COLUMNS: &str = "log_index, tps, contest, version, form_json, warnings_json, \
     submitted_by, submitted_at, idempotency_key, request_hash";

fn version_row(row: &Row<'_>) -> rusqlite::Result<StoredVersion> {
    let key: Option<String> = row.get(8)?;
    let hash: Option<Vec<u8>> = row.get(9)?;
    Ok(StoredVersion {
        log_index: row.get(0)?,
        tps: region_column(row, 1)?,
        contest: contest_column(row, 2)?,
        version: row.get(3)?,
        form_json: row.get(4)?,
        warnings_json: row.get(5)?,
        submitted_by: row.get(6)?,
        submitted_at: UnixTime(row.get(7)?),
        request: key
            .zip(hash)
            .map(|(key, request_hash)| RequestKey { key, request_hash }),
    })
}

/// One `BEGIN IMMEDIATE ... COMMIT` for the whole batch: with
/// `synchronous=FULL` the commit returns once the WAL is fsynced. Any error
/// drops the transaction, which rolls everything back. A fenced batch
/// checks the lease's token first, under the same write lock.
pub(super) fn commit_batch(conn: &mut Connection, batch: &Batch) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(token) = batch.fencing {
        super::lease::check(&tx, token)?;
    }
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO form_versions (log_index, tps, contest, version, form_json,
                 warnings_json, submitted_by, submitted_at, idempotency_key, request_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for v in &batch.versions {
            insert
                .execute((
                    v.log_index,
                    v.tps.to_string(),
                    v.contest.id(),
                    v.version,
                    &v.form_json,
                    &v.warnings_json,
                    &v.submitted_by,
                    v.submitted_at.0,
                    v.request.as_ref().map(|r| &r.key),
                    v.request.as_ref().map(|r| &r.request_hash),
                ))
                .map_err(conflict_or_sqlite)?;
        }
        super::log::insert_entries(&tx, &batch.entries)?;
        super::log::insert_photo_names(&tx, &batch.photos)?;
        super::log::insert_marks(&tx, Marks::Recap, &batch.recap)?;
        super::log::insert_marks(&tx, Marks::Logistics, &batch.logistics)?;
        super::incidents::insert(&tx, &batch.incidents)?;
        super::keys::insert(&tx, &batch.keys, &batch.revocations)?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO idempotency (principal, key, request_hash, response_status,
                 response_body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for r in &batch.idempotency {
            insert
                .execute((
                    &r.principal,
                    &r.key,
                    &r.request_hash,
                    r.response_status,
                    &r.response_body,
                    r.created_at.0,
                ))
                .map_err(conflict_or_sqlite)?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn current(
    conn: &Connection,
    tps: RegionCode,
    contest: Contest,
) -> Result<Option<StoredVersion>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM form_versions
             WHERE tps = ?1 AND contest = ?2 ORDER BY version DESC LIMIT 1"
        ))?
        .query_row((tps.to_string(), contest.id()), version_row)
        .optional()?)
}

pub(super) fn tps_with_warnings(conn: &Connection, region: RegionCode) -> Result<Vec<RegionCode>> {
    let (from, to) = code_range(region);
    // SQLite returns the bare columns of the row holding MAX(version): the
    // current version's warnings.
    let mut select = conn.prepare_cached(
        "SELECT tps, warnings_json, MAX(version) FROM form_versions
         WHERE tps >= ?1 AND tps < ?2 GROUP BY tps, contest ORDER BY tps",
    )?;
    let rows = select.query_map((from, to), |row| {
        Ok((region_column(row, 0)?, row.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (tps, warnings) = row?;
        if has_warnings(&warnings) && out.last() != Some(&tps) {
            out.push(tps);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// SQLite returns the bare columns of the row holding `MAX(version)`: each
/// TPS's current version, found through the `(tps, contest, version)`
/// index, joined with its entry by the log's primary key.
pub(super) fn current_under(
    conn: &Connection,
    region: RegionCode,
    contest: Contest,
) -> Result<Vec<LoggedVersion>> {
    let (from, to) = code_range(region);
    let mut select = conn.prepare_cached(&format!(
        "SELECT c.*, e.data, e.leaf_hash FROM
             (SELECT {VERSION_COLUMNS}, MAX(version) FROM form_versions
              WHERE tps >= ?1 AND tps < ?2 AND contest = ?3 GROUP BY tps) AS c
         LEFT JOIN log_entries AS e ON e.log_index = c.log_index"
    ))?;
    let mut rows = select.query((from, to, contest.id()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let version = version_row(row)?;
        let entry = match row.get::<_, Option<Vec<u8>>>(11)? {
            Some(data) => Some(LogEntry {
                index: version.log_index,
                data,
                leaf_hash: super::log::hash_column(row, 12)?,
            }),
            None => None,
        };
        out.push(LoggedVersion { version, entry });
    }
    out.sort_unstable_by_key(|v| v.version.tps);
    Ok(out)
}

pub(super) fn versions(conn: &Connection, tps: RegionCode) -> Result<Vec<StoredVersion>> {
    let mut versions = conn
        .prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM form_versions WHERE tps = ?1"
        ))?
        .query_map([tps.to_string()], version_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    versions.sort_unstable_by_key(|v| (v.contest.index(), v.version));
    Ok(versions)
}

pub(super) fn idempotency(
    conn: &Connection,
    principal: &str,
    key: &str,
) -> Result<Option<IdempotencyRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT principal, key, request_hash, response_status, response_body, created_at
             FROM idempotency WHERE principal = ?1 AND key = ?2",
        )?
        .query_row((principal, key), |row| {
            Ok(IdempotencyRecord {
                principal: row.get(0)?,
                key: row.get(1)?,
                request_hash: row.get(2)?,
                response_status: row.get(3)?,
                response_body: row.get(4)?,
                created_at: UnixTime(row.get(5)?),
            })
        })
        .optional()?)
}

/// `MAX` of each rowid is one B-tree descent, not a count of millions. Both
/// tables count: a database written before the log (0002) has versions
/// without entries, which the server detects by comparing this with the
/// entries it streams.
pub(super) fn log_size(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT MAX(COALESCE((SELECT MAX(log_index) FROM form_versions), -1),
                    COALESCE((SELECT MAX(log_index) FROM log_entries), -1)) + 1",
        [],
        |row| row.get(0),
    )?)
}

/// Two reads in one snapshot: the log indexes of superseded versions (found
/// through the small index of corrections), then every version in log order
/// (a sequential scan of the table), skipping the superseded ones.
pub(super) fn for_each_current(
    conn: &mut Connection,
    f: &mut dyn FnMut(StoredVersion),
) -> Result<()> {
    let tx = conn.transaction()?;
    let superseded = tx
        .prepare(
            "SELECT f.log_index
             FROM (SELECT tps, contest, MAX(version) AS latest
                   FROM form_versions WHERE version > 1 GROUP BY tps, contest) c
             JOIN form_versions f
               ON f.tps = c.tps AND f.contest = c.contest AND f.version < c.latest",
        )?
        .query_map([], |row| row.get::<_, u64>(0))?
        .collect::<rusqlite::Result<HashSet<_>>>()?;
    let mut select = tx.prepare(&format!(
        "SELECT {VERSION_COLUMNS} FROM form_versions ORDER BY log_index"
    ))?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let log_index: u64 = row.get(0)?;
        if !superseded.contains(&log_index) {
            f(version_row(row)?);
        }
    }
    drop(rows);
    drop(select);
    tx.finish()?;
    Ok(())
}

pub(super) fn for_each_idempotency_key(
    conn: &Connection,
    f: &mut dyn FnMut(&str, &str),
) -> Result<()> {
    let mut stmt = conn.prepare("SELECT principal, key FROM idempotency")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let principal: String = row.get(0)?;
        let key: String = row.get(1)?;
        f(&principal, &key);
    }
    Ok(())
}
