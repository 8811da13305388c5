//! The write path's tables: C.Hasil form versions (append-only, in log
//! order) and idempotency records, written together by group commit.

use std::collections::HashSet;

use postgres::Row;
use saksi_core::{Contest, RegionCode};

use super::{
    Conn, Insert, column, conflict_or_postgres, contest, for_each_row, in_transaction, int,
    log_indexes, region, snapshot,
};
use crate::shared::{Marks, code_range, has_warnings};
use crate::{
    Batch, IdempotencyRecord, LogEntry, LoggedVersion, RequestKey, Result, StoredVersion, UnixTime,
};

/// The columns [`version_row`] reads, in its order.
macro_rules! version_columns {
    () => {
        "log_index, tps, contest, version, form_json, warnings_json, submitted_by, \
         submitted_at, idempotency_key, request_hash"
    };
}

const INSERT_VERSIONS: &str = concat!(
    "INSERT INTO form_versions (",
    version_columns!(),
    ") SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], \
     $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::bytea[])"
);

const INSERT_IDEMPOTENCY: &str = "INSERT INTO idempotency (principal, key, request_hash, \
     response_status, response_body, created_at) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::text[], \
     $6::bigint[])";

const SELECT_CURRENT: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM form_versions WHERE tps = $1 AND contest = $2 ORDER BY version DESC LIMIT 1"
);

/// Each TPS's current version under a code range (`C` collation, so the
/// range is by bytes, as the codes are written), joined with its entry.
const SELECT_CURRENT_UNDER: &str = concat!(
    "SELECT c.*, e.data, e.leaf_hash FROM (SELECT DISTINCT ON (tps) ",
    version_columns!(),
    " FROM form_versions WHERE tps COLLATE \"C\" >= $1 AND tps COLLATE \"C\" < $2 \
     AND contest = $3 ORDER BY tps, version DESC) AS c \
     LEFT JOIN log_entries AS e ON e.log_index = c.log_index"
);

const SELECT_VERSIONS: &str = concat!(
    "SELECT ",
    version_columns!(),
    " FROM form_versions WHERE tps = $1"
);

const SELECT_IDEMPOTENCY: &str = "SELECT principal, key, request_hash, response_status, \
     response_body, created_at FROM idempotency WHERE principal = $1 AND key = $2";

/// The primary keys' maxima are one index descent each, not a count of
/// millions. Both tables count: a database written before the log (0002)
/// has versions without entries, which the server detects by comparing this
/// with the entries it streams.
const SELECT_LOG_SIZE: &str = "SELECT GREATEST(\
     COALESCE((SELECT MAX(log_index) FROM form_versions), -1), \
     COALESCE((SELECT MAX(log_index) FROM log_entries), -1)) + 1";

fn version_row(row: &Row) -> Result<StoredVersion> {
    let key: Option<String> = row.try_get(8)?;
    let hash: Option<Vec<u8>> = row.try_get(9)?;
    Ok(StoredVersion {
        log_index: int(row, 0, "log index")?,
        tps: region(row, 1)?,
        contest: contest(row, 2)?,
        version: int(row, 3, "form version")?,
        form_json: row.try_get(4)?,
        warnings_json: row.try_get(5)?,
        submitted_by: row.try_get(6)?,
        submitted_at: UnixTime(row.try_get(7)?),
        request: key
            .zip(hash)
            .map(|(key, request_hash)| RequestKey { key, request_hash }),
    })
}

/// One transaction for the whole batch, one multi-row `INSERT` per table;
/// with `synchronous_commit = on` the commit returns once the WAL is
/// flushed. Any error rolls everything back. A fenced batch first locks the
/// lease row and checks its token.
pub(super) fn commit_batch(conn: &mut Conn, batch: &Batch) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut inserts = Vec::with_capacity(6);
    if !batch.versions.is_empty() {
        let v = &batch.versions;
        inserts.push(Insert {
            statement: conn.statement(INSERT_VERSIONS)?,
            columns: vec![
                log_indexes(v.iter().map(|v| v.log_index))?,
                column(v.iter().map(|v| v.tps.to_string())),
                column(v.iter().map(|v| v.contest.id())),
                column(v.iter().map(|v| i64::from(v.version))),
                column(v.iter().map(|v| v.form_json.as_str())),
                column(v.iter().map(|v| v.warnings_json.as_str())),
                column(v.iter().map(|v| v.submitted_by.as_str())),
                column(v.iter().map(|v| v.submitted_at.0)),
                column(v.iter().map(|v| v.request.as_ref().map(|r| r.key.as_str()))),
                column(
                    v.iter()
                        .map(|v| v.request.as_ref().map(|r| r.request_hash.as_slice())),
                ),
            ],
            refused: conflict_or_postgres,
        });
    }
    inserts.extend(super::log::insert_entries(conn, &batch.entries)?);
    inserts.extend(super::log::insert_photo_names(conn, &batch.photos)?);
    inserts.extend(super::log::insert_marks(conn, Marks::Recap, &batch.recap)?);
    inserts.extend(super::log::insert_marks(
        conn,
        Marks::Logistics,
        &batch.logistics,
    )?);
    inserts.extend(super::incidents::insert(conn, &batch.incidents)?);
    inserts.extend(super::keys::insert(conn, &batch.keys, &batch.revocations)?);
    if !batch.idempotency.is_empty() {
        let r = &batch.idempotency;
        inserts.push(Insert {
            statement: conn.statement(INSERT_IDEMPOTENCY)?,
            columns: vec![
                column(r.iter().map(|r| r.principal.as_str())),
                column(r.iter().map(|r| r.key.as_str())),
                column(r.iter().map(|r| r.request_hash.as_slice())),
                column(r.iter().map(|r| i64::from(r.response_status))),
                column(r.iter().map(|r| r.response_body.as_str())),
                column(r.iter().map(|r| r.created_at.0)),
            ],
            refused: conflict_or_postgres,
        });
    }
    let fence = match batch.fencing {
        Some(token) => Some((super::lease::check_statement(conn)?, token)),
        None => None,
    };
    in_transaction(&mut conn.client, |tx| {
        if let Some((statement, token)) = &fence {
            super::lease::check_locked(tx, statement, *token)?;
        }
        inserts.iter().try_for_each(|insert| insert.run(tx))
    })
}

pub(super) fn current(
    conn: &mut Conn,
    tps: RegionCode,
    contest: Contest,
) -> Result<Option<StoredVersion>> {
    let select = conn.statement(SELECT_CURRENT)?;
    conn.client
        .query_opt(&select, &[&tps.to_string(), &contest.id()])?
        .as_ref()
        .map(version_row)
        .transpose()
}

pub(super) fn tps_with_warnings(conn: &mut Conn, region: RegionCode) -> Result<Vec<RegionCode>> {
    let (from, to) = code_range(region);
    // The current version of each (TPS, contest) under the region; `C`
    // collation so the range is by bytes, as the codes are written.
    let rows = conn.client.query(
        "SELECT DISTINCT ON (tps, contest) tps, warnings_json FROM form_versions
         WHERE tps COLLATE \"C\" >= $1 AND tps COLLATE \"C\" < $2
         ORDER BY tps, contest, version DESC",
        &[&from, &to],
    )?;
    let mut out = Vec::new();
    for row in &rows {
        let warnings: &str = row.try_get(1)?;
        if has_warnings(warnings) {
            let tps = super::region(row, 0)?;
            if out.last() != Some(&tps) {
                out.push(tps);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

pub(super) fn current_under(
    conn: &mut Conn,
    region: RegionCode,
    contest: Contest,
) -> Result<Vec<LoggedVersion>> {
    let (from, to) = code_range(region);
    let select = conn.statement(SELECT_CURRENT_UNDER)?;
    let mut out = conn
        .client
        .query(&select, &[&from, &to, &contest.id()])?
        .iter()
        .map(|row| {
            let version = version_row(row)?;
            let entry = match row.try_get::<_, Option<Vec<u8>>>(10)? {
                Some(data) => Some(LogEntry {
                    index: version.log_index,
                    data,
                    leaf_hash: super::log::hash_column(row, 11)?,
                }),
                None => None,
            };
            Ok(LoggedVersion { version, entry })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_unstable_by_key(|v| v.version.tps);
    Ok(out)
}

pub(super) fn versions(conn: &mut Conn, tps: RegionCode) -> Result<Vec<StoredVersion>> {
    let select = conn.statement(SELECT_VERSIONS)?;
    let mut versions = conn
        .client
        .query(&select, &[&tps.to_string()])?
        .iter()
        .map(version_row)
        .collect::<Result<Vec<_>>>()?;
    versions.sort_unstable_by_key(|v| (v.contest.index(), v.version));
    Ok(versions)
}

pub(super) fn idempotency(
    conn: &mut Conn,
    principal: &str,
    key: &str,
) -> Result<Option<IdempotencyRecord>> {
    let select = conn.statement(SELECT_IDEMPOTENCY)?;
    let Some(row) = conn.client.query_opt(&select, &[&principal, &key])? else {
        return Ok(None);
    };
    Ok(Some(IdempotencyRecord {
        principal: row.try_get(0)?,
        key: row.try_get(1)?,
        request_hash: row.try_get(2)?,
        response_status: int(&row, 3, "response status")?,
        response_body: row.try_get(4)?,
        created_at: UnixTime(row.try_get(5)?),
    }))
}

pub(super) fn log_size(conn: &mut Conn) -> Result<u64> {
    let select = conn.statement(SELECT_LOG_SIZE)?;
    int(&conn.client.query_one(&select, &[])?, 0, "log size")
}

/// Two reads in one snapshot: the log indexes of superseded versions (found
/// through the small index of corrections), then every version in log order
/// (a scan of the primary key), skipping the superseded ones.
pub(super) fn for_each_current(conn: &mut Conn, f: &mut dyn FnMut(StoredVersion)) -> Result<()> {
    snapshot(&mut conn.client, |tx| {
        let mut superseded = HashSet::new();
        for_each_row(
            tx,
            "SELECT f.log_index
             FROM (SELECT tps, contest, MAX(version) AS latest
                   FROM form_versions WHERE version > 1 GROUP BY tps, contest) c
             JOIN form_versions f
               ON f.tps = c.tps AND f.contest = c.contest AND f.version < c.latest",
            &[],
            |row| {
                superseded.insert(row.try_get::<_, i64>(0)?);
                Ok(())
            },
        )?;
        for_each_row(
            tx,
            concat!(
                "SELECT ",
                version_columns!(),
                " FROM form_versions ORDER BY log_index"
            ),
            &[],
            |row| {
                if !superseded.contains(&row.try_get::<_, i64>(0)?) {
                    f(version_row(row)?);
                }
                Ok(())
            },
        )
    })
}

pub(super) fn for_each_idempotency_key(
    conn: &mut Conn,
    f: &mut dyn FnMut(&str, &str),
) -> Result<()> {
    snapshot(&mut conn.client, |tx| {
        for_each_row(tx, "SELECT principal, key FROM idempotency", &[], |row| {
            f(row.try_get(0)?, row.try_get(1)?);
            Ok(())
        })
    })
}
