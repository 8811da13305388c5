//! Enrolment codes, enrolments and submitted officers' keys, each read
//! with the key registry's view of its key (a LEFT JOIN on
//! `officer_keys` and `key_revocations`).

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};
use saksi_core::RegionCode;

use super::{conflict_or_sqlite, region_column};
use crate::{
    KeyRegistration, NewEnrolment, NewEnrolmentCode, NewOfficerKey, OfficerKeyFilter, Result,
    StoredEnrolment, StoredEnrolmentCode, SubmittedOfficerKey, UnixTime, UserId,
};

pub(super) fn issue_codes(conn: &mut Connection, codes: &[NewEnrolmentCode]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut void = tx.prepare_cached(
            "UPDATE enrolment_codes SET voided_at = ?2
             WHERE tps = ?1 AND used_at IS NULL AND voided_at IS NULL",
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO enrolment_codes (tps, code_hash, issued_by, issued_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in codes {
            let tps = c.tps.to_string();
            void.execute((&tps, c.issued_at.0))?;
            insert.execute((
                &tps,
                &c.code_hash,
                c.issued_by.0,
                c.issued_at.0,
                c.expires_at.0,
            ))?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn code(
    conn: &Connection,
    tps: RegionCode,
    code_hash: &[u8],
) -> Result<Option<StoredEnrolmentCode>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, tps, issued_at, expires_at, used_at, voided_at FROM enrolment_codes
             WHERE tps = ?1 AND code_hash = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row((tps.to_string(), code_hash), |row| {
            Ok(StoredEnrolmentCode {
                id: row.get(0)?,
                tps: region_column(row, 1)?,
                issued_at: UnixTime(row.get(2)?),
                expires_at: UnixTime(row.get(3)?),
                used_at: row.get::<_, Option<i64>>(4)?.map(UnixTime),
                voided_at: row.get::<_, Option<i64>>(5)?.map(UnixTime),
            })
        })
        .optional()?)
}

pub(super) fn enrol(conn: &mut Connection, code_id: i64, e: &NewEnrolment) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let used = tx.execute(
        "UPDATE enrolment_codes SET used_at = ?2
         WHERE id = ?1 AND used_at IS NULL AND voided_at IS NULL",
        (code_id, e.created_at.0),
    )?;
    if used == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO enrolments (id, tps, kabkota, key, code_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (
            &e.id,
            e.tps.to_string(),
            e.kabkota.to_string(),
            &e.key,
            code_id,
            e.created_at.0,
        ),
    )
    .map_err(conflict_or_sqlite)?;
    tx.commit()?;
    Ok(true)
}

/// The columns [`enrolment_row`] reads, in its order.
const ENROLMENT_SELECT: &str =
    "SELECT e.id, e.tps, e.key, e.created_at, e.rejected_at, e.reason, k.role, k.region,
            r.log_index
     FROM enrolments e
     LEFT JOIN officer_keys k ON k.key = e.key
     LEFT JOIN key_revocations r ON r.key = e.key";

/// The registry's view of a key from the joined columns at `idx`.. (role,
/// region, revocation index).
fn registration(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<KeyRegistration>> {
    let role: Option<String> = row.get(idx)?;
    let Some(role) = role else { return Ok(None) };
    Ok(Some(KeyRegistration {
        role,
        region: region_column(row, idx + 1)?,
        revoked: row.get::<_, Option<i64>>(idx + 2)?.is_some(),
    }))
}

fn enrolment_row(row: &Row<'_>) -> rusqlite::Result<StoredEnrolment> {
    Ok(StoredEnrolment {
        id: row.get(0)?,
        tps: region_column(row, 1)?,
        key: row.get(2)?,
        created_at: UnixTime(row.get(3)?),
        rejected_at: row.get::<_, Option<i64>>(4)?.map(UnixTime),
        reason: row.get(5)?,
        registration: registration(row, 6)?,
    })
}

pub(super) fn enrolment(conn: &Connection, id: &str) -> Result<Option<StoredEnrolment>> {
    Ok(conn
        .prepare_cached(&format!("{ENROLMENT_SELECT} WHERE e.id = ?1"))?
        .query_row([id], enrolment_row)
        .optional()?)
}

pub(super) fn enrolments(conn: &Connection, kabkota: RegionCode) -> Result<Vec<StoredEnrolment>> {
    Ok(conn
        .prepare_cached(&format!(
            "{ENROLMENT_SELECT} WHERE e.kabkota = ?1 ORDER BY e.created_at, e.id"
        ))?
        .query_map([kabkota.to_string()], enrolment_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(super) fn reject(conn: &Connection, id: &str, reason: &str, at: UnixTime) -> Result<bool> {
    let updated = conn.execute(
        "UPDATE enrolments SET rejected_at = ?2, reason = ?3
         WHERE id = ?1 AND rejected_at IS NULL",
        (id, at.0, reason),
    )?;
    Ok(updated > 0)
}

pub(super) fn submit_officer_key(conn: &Connection, k: &NewOfficerKey) -> Result<i64> {
    conn.execute(
        "INSERT INTO officer_key_submissions
             (key, user_id, role, region, certifier_role, certifier_region, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            &k.key,
            k.user_id.0,
            &k.role,
            k.region.to_string(),
            &k.certifier_role,
            k.certifier_region.to_string(),
            k.created_at.0,
        ),
    )
    .map_err(conflict_or_sqlite)?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn officer_keys(
    conn: &Connection,
    filter: &OfficerKeyFilter,
) -> Result<Vec<SubmittedOfficerKey>> {
    let condition = match filter {
        OfficerKeyFilter::Owner(_) => "s.user_id = ?1",
        OfficerKeyFilter::Certifier { .. } => "s.certifier_role = ?1 AND s.certifier_region = ?2",
        OfficerKeyFilter::All => "1 = 1",
    };
    let sql = format!(
        "SELECT s.id, s.key, s.user_id, u.username, s.role, s.region, s.created_at,
                k.role, k.region, r.log_index
         FROM officer_key_submissions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN officer_keys k ON k.key = s.key
         LEFT JOIN key_revocations r ON r.key = s.key
         WHERE {condition} ORDER BY s.id"
    );
    let mut select = conn.prepare_cached(&sql)?;
    let row = |row: &Row<'_>| {
        Ok(SubmittedOfficerKey {
            id: row.get(0)?,
            key: row.get(1)?,
            user_id: UserId(row.get(2)?),
            username: row.get(3)?,
            role: row.get(4)?,
            region: region_column(row, 5)?,
            created_at: UnixTime(row.get(6)?),
            registration: registration(row, 7)?,
        })
    };
    let rows = match filter {
        OfficerKeyFilter::Owner(user) => select.query_map([user.0], row)?,
        OfficerKeyFilter::Certifier { role, region } => {
            select.query_map((role, region.to_string()), row)?
        }
        OfficerKeyFilter::All => select.query_map([], row)?,
    };
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
