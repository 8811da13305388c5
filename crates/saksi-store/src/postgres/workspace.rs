//! Enrolment codes, enrolments and submitted officers' keys, each read
//! with the key registry's view of its key (a LEFT JOIN on
//! `officer_keys` and `key_revocations`).

use postgres::Row;
use saksi_core::RegionCode;

use super::{Conn, conflict_or_postgres, in_transaction, region};
use crate::{
    KeyRegistration, NewEnrolment, NewEnrolmentCode, NewOfficerKey, OfficerKeyFilter, Result,
    StoredEnrolment, StoredEnrolmentCode, SubmittedOfficerKey, UnixTime, UserId,
};

pub(super) fn issue_codes(conn: &mut Conn, codes: &[NewEnrolmentCode]) -> Result<()> {
    let void = conn.statement(
        "UPDATE enrolment_codes SET voided_at = $2
         WHERE tps = $1 AND used_at IS NULL AND voided_at IS NULL",
    )?;
    let insert = conn.statement(
        "INSERT INTO enrolment_codes (tps, code_hash, issued_by, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )?;
    in_transaction(&mut conn.client, |tx| {
        for c in codes {
            let tps = c.tps.to_string();
            tx.execute(&void, &[&tps, &c.issued_at.0])?;
            tx.execute(
                &insert,
                &[
                    &tps,
                    &c.code_hash,
                    &c.issued_by.0,
                    &c.issued_at.0,
                    &c.expires_at.0,
                ],
            )?;
        }
        Ok(())
    })
}

pub(super) fn code(
    conn: &mut Conn,
    tps: RegionCode,
    code_hash: &[u8],
) -> Result<Option<StoredEnrolmentCode>> {
    let select = conn.statement(
        "SELECT id, tps, issued_at, expires_at, used_at, voided_at FROM enrolment_codes
         WHERE tps = $1 AND code_hash = $2 ORDER BY id DESC LIMIT 1",
    )?;
    conn.client
        .query_opt(&select, &[&tps.to_string(), &code_hash])?
        .map(|row| {
            Ok(StoredEnrolmentCode {
                id: row.try_get(0)?,
                tps: region(&row, 1)?,
                issued_at: UnixTime(row.try_get(2)?),
                expires_at: UnixTime(row.try_get(3)?),
                used_at: row.try_get::<_, Option<i64>>(4)?.map(UnixTime),
                voided_at: row.try_get::<_, Option<i64>>(5)?.map(UnixTime),
            })
        })
        .transpose()
}

pub(super) fn enrol(conn: &mut Conn, code_id: i64, e: &NewEnrolment) -> Result<bool> {
    let used = conn.statement(
        "UPDATE enrolment_codes SET used_at = $2
         WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL",
    )?;
    let insert = conn.statement(
        "INSERT INTO enrolments (id, tps, kabkota, key, code_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )?;
    in_transaction(&mut conn.client, |tx| {
        if tx.execute(&used, &[&code_id, &e.created_at.0])? == 0 {
            return Ok(false);
        }
        tx.execute(
            &insert,
            &[
                &e.id,
                &e.tps.to_string(),
                &e.kabkota.to_string(),
                &e.key,
                &code_id,
                &e.created_at.0,
            ],
        )
        .map_err(conflict_or_postgres)?;
        Ok(true)
    })
}

/// The columns [`enrolment_row`] reads, in its order.
macro_rules! enrolment_select {
    () => {
        "SELECT e.id, e.tps, e.key, e.created_at, e.rejected_at, e.reason, k.role, k.region,
                r.log_index
         FROM enrolments e
         LEFT JOIN officer_keys k ON k.key = e.key
         LEFT JOIN key_revocations r ON r.key = e.key"
    };
}

/// The registry's view of a key from the joined columns at `idx`.. (role,
/// region, revocation index).
fn registration(row: &Row, idx: usize) -> Result<Option<KeyRegistration>> {
    let role: Option<String> = row.try_get(idx)?;
    let Some(role) = role else { return Ok(None) };
    Ok(Some(KeyRegistration {
        role,
        region: region(row, idx + 1)?,
        revoked: row.try_get::<_, Option<i64>>(idx + 2)?.is_some(),
    }))
}

fn enrolment_row(row: &Row) -> Result<StoredEnrolment> {
    Ok(StoredEnrolment {
        id: row.try_get(0)?,
        tps: region(row, 1)?,
        key: row.try_get(2)?,
        created_at: UnixTime(row.try_get(3)?),
        rejected_at: row.try_get::<_, Option<i64>>(4)?.map(UnixTime),
        reason: row.try_get(5)?,
        registration: registration(row, 6)?,
    })
}

pub(super) fn enrolment(conn: &mut Conn, id: &str) -> Result<Option<StoredEnrolment>> {
    let select = conn.statement(concat!(enrolment_select!(), " WHERE e.id = $1"))?;
    conn.client
        .query_opt(&select, &[&id])?
        .as_ref()
        .map(enrolment_row)
        .transpose()
}

pub(super) fn enrolments(conn: &mut Conn, kabkota: RegionCode) -> Result<Vec<StoredEnrolment>> {
    let select = conn.statement(concat!(
        enrolment_select!(),
        " WHERE e.kabkota = $1 ORDER BY e.created_at, e.id"
    ))?;
    conn.client
        .query(&select, &[&kabkota.to_string()])?
        .iter()
        .map(enrolment_row)
        .collect()
}

pub(super) fn reject(conn: &mut Conn, id: &str, reason: &str, at: UnixTime) -> Result<bool> {
    let update = conn.statement(
        "UPDATE enrolments SET rejected_at = $2, reason = $3
         WHERE id = $1 AND rejected_at IS NULL",
    )?;
    Ok(conn.client.execute(&update, &[&id, &at.0, &reason])? > 0)
}

pub(super) fn submit_officer_key(conn: &mut Conn, k: &NewOfficerKey) -> Result<i64> {
    let insert = conn.statement(
        "INSERT INTO officer_key_submissions
             (key, user_id, role, region, certifier_role, certifier_region, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )?;
    let row = conn
        .client
        .query_one(
            &insert,
            &[
                &k.key,
                &k.user_id.0,
                &k.role,
                &k.region.to_string(),
                &k.certifier_role,
                &k.certifier_region.to_string(),
                &k.created_at.0,
            ],
        )
        .map_err(conflict_or_postgres)?;
    Ok(row.try_get(0)?)
}

/// The columns the officer key rows read, in their order.
macro_rules! officer_key_select {
    () => {
        "SELECT s.id, s.key, s.user_id, u.username, s.role, s.region, s.created_at,
                k.role, k.region, r.log_index
         FROM officer_key_submissions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN officer_keys k ON k.key = s.key
         LEFT JOIN key_revocations r ON r.key = s.key"
    };
}

pub(super) fn officer_keys(
    conn: &mut Conn,
    filter: &OfficerKeyFilter,
) -> Result<Vec<SubmittedOfficerKey>> {
    let rows = match filter {
        OfficerKeyFilter::Owner(user) => {
            let select = conn.statement(concat!(
                officer_key_select!(),
                " WHERE s.user_id = $1 ORDER BY s.id"
            ))?;
            conn.client.query(&select, &[&user.0])?
        }
        OfficerKeyFilter::Certifier { role, region } => {
            let select = conn.statement(concat!(
                officer_key_select!(),
                " WHERE s.certifier_role = $1 AND s.certifier_region = $2 ORDER BY s.id"
            ))?;
            conn.client.query(&select, &[role, &region.to_string()])?
        }
        OfficerKeyFilter::All => {
            let select = conn.statement(concat!(officer_key_select!(), " ORDER BY s.id"))?;
            conn.client.query(&select, &[])?
        }
    };
    rows.iter()
        .map(|row| {
            Ok(SubmittedOfficerKey {
                id: row.try_get(0)?,
                key: row.try_get(1)?,
                user_id: UserId(row.try_get(2)?),
                username: row.try_get(3)?,
                role: row.try_get(4)?,
                region: region(row, 5)?,
                created_at: UnixTime(row.try_get(6)?),
                registration: registration(row, 7)?,
            })
        })
        .collect()
}
