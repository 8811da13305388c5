//! The election frame (regions, parties, paslon, dapil, candidates) and the
//! metadata key/value pairs.
//!
//! A whole nation is about 912,000 regions and 370,000 candidates, written
//! in one transaction as multi-row `INSERT`s of [`CHUNK_ROWS`] rows each.
//! Regions are written in the order of their dotted codes, as SQLite writes
//! them; in a database with the `C` collation that is the primary key's
//! order, so its B-tree grows at its right edge.

use postgres::Transaction;
use postgres::error::SqlState;
use saksi_core::{
    Candidate, Dapil, DapilCode, Dpt, Election, Party, Paslon, RegionCode, RegionId, RegionTree,
};

use super::{
    CHUNK_ROWS, Columns, Conn, column, contest, for_each_row, in_transaction, int, is_code,
    opt_int, params, region, snapshot,
};
use crate::shared::{Progress, candidate_rows, dapil_at, region_input, regions_in_code_order};
use crate::{Result, StoreError};

pub(super) fn save(conn: &mut Conn, election: &Election, report: &dyn Fn(u64, u64)) -> Result<()> {
    let regions = regions_in_code_order(&election.tree);
    let candidates = candidate_rows(election);
    let progress = in_transaction(&mut conn.client, |tx| {
        let initialised: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM regions)", &[])?
            .try_get(0)?;
        if initialised {
            return Err(StoreError::AlreadyInitialised);
        }
        let mut progress = Progress::start(election, report);
        save_regions(tx, &election.tree, &regions, &mut progress)?;
        save_ballots(tx, election, &candidates, &mut progress)?;
        Ok(progress)
    })?;
    progress.finish();
    Ok(())
}

/// Inserts `rows` with `sql` (a multi-row `INSERT` over arrays), one
/// statement per [`CHUNK_ROWS`] rows, each chunk's arrays built by
/// `columns`.
fn insert_chunks<'a, T>(
    tx: &mut Transaction<'_>,
    sql: &str,
    rows: &'a [T],
    progress: &mut Progress<'_>,
    columns: impl Fn(&'a [T]) -> Columns<'a>,
) -> Result<()> {
    let insert = tx.prepare(sql)?;
    for chunk in rows.chunks(CHUNK_ROWS) {
        tx.execute(&insert, &params(&columns(chunk)))?;
        progress.rows(chunk.len());
    }
    Ok(())
}

fn save_regions(
    tx: &mut Transaction<'_>,
    tree: &RegionTree,
    order: &[RegionId],
    progress: &mut Progress<'_>,
) -> Result<()> {
    let inserted = insert_chunks(
        tx,
        "INSERT INTO regions (code, name, level, parent, dpt_l, dpt_p)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                              $6::bigint[])",
        order,
        progress,
        |chunk| {
            let regions = || chunk.iter().map(|id| tree.get(*id));
            vec![
                column(regions().map(|r| r.code.to_string())),
                column(regions().map(|r| r.name.as_str())),
                column(regions().map(|r| r.level().as_str())),
                column(regions().map(|r| r.code.parent().map(|p| p.to_string()))),
                column(regions().map(|r| i64::from(r.dpt.l))),
                column(regions().map(|r| i64::from(r.dpt.p))),
            ]
        },
    );
    match inserted {
        // Another writer saved an election since this one looked.
        Err(StoreError::Postgres(e)) if is_code(&e, &SqlState::UNIQUE_VIOLATION) => {
            Err(StoreError::AlreadyInitialised)
        }
        other => other,
    }
}

fn save_ballots(
    tx: &mut Transaction<'_>,
    election: &Election,
    candidates: &[(usize, usize, &Candidate)],
    progress: &mut Progress<'_>,
) -> Result<()> {
    insert_chunks(
        tx,
        "INSERT INTO parties (number, name, local)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[])",
        &election.parties,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|p| i64::from(p.number))),
                column(chunk.iter().map(|p| p.name.as_str())),
                column(chunk.iter().map(|p| p.local)),
            ]
        },
    )?;
    insert_chunks(
        tx,
        "INSERT INTO paslon (number, name) SELECT * FROM unnest($1::bigint[], $2::text[])",
        &election.paslon,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|p| i64::from(p.number))),
                column(chunk.iter().map(|p| p.name.as_str())),
            ]
        },
    )?;
    let dapil: Vec<(usize, &Dapil)> = election.dapil.iter().enumerate().collect();
    insert_chunks(
        tx,
        "INSERT INTO dapil (id, contest, code, name, seats)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[])",
        &dapil,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|(id, _)| *id as i64)),
                column(chunk.iter().map(|(_, d)| d.contest.id())),
                column(chunk.iter().map(|(_, d)| d.code.as_str())),
                column(chunk.iter().map(|(_, d)| d.name.as_str())),
                column(chunk.iter().map(|(_, d)| i64::from(d.seats))),
            ]
        },
    )?;
    let regions: Vec<(usize, usize, &RegionCode)> = dapil
        .iter()
        .flat_map(|(id, d)| d.regions.iter().enumerate().map(|(ord, r)| (*id, ord, r)))
        .collect();
    insert_chunks(
        tx,
        "INSERT INTO dapil_regions (dapil_id, ord, region)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])",
        &regions,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|(id, _, _)| *id as i64)),
                column(chunk.iter().map(|(_, ord, _)| *ord as i64)),
                column(chunk.iter().map(|(_, _, r)| r.to_string())),
            ]
        },
    )?;
    let parties: Vec<(usize, usize, u8)> = dapil
        .iter()
        .flat_map(|(id, d)| d.parties.iter().enumerate().map(|(ord, p)| (*id, ord, *p)))
        .collect();
    insert_chunks(
        tx,
        "INSERT INTO dapil_parties (dapil_id, ord, party)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])",
        &parties,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|(id, _, _)| *id as i64)),
                column(chunk.iter().map(|(_, ord, _)| *ord as i64)),
                column(chunk.iter().map(|(_, _, p)| i64::from(*p))),
            ]
        },
    )?;
    insert_chunks(
        tx,
        "INSERT INTO candidates (dapil_id, ord, party, number, name)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
                              $5::text[])",
        candidates,
        progress,
        |chunk| {
            vec![
                column(chunk.iter().map(|(id, _, _)| *id as i64)),
                column(chunk.iter().map(|(_, ord, _)| *ord as i64)),
                column(chunk.iter().map(|(_, _, c)| c.party.map(i64::from))),
                column(chunk.iter().map(|(_, _, c)| i64::from(c.number))),
                column(chunk.iter().map(|(_, _, c)| c.name.as_str())),
            ]
        },
    )
}

/// Rebuilds the election from one snapshot, so a concurrent save is seen
/// whole or not at all.
pub(super) fn load(conn: &mut Conn) -> Result<Option<Election>> {
    let frame = snapshot(&mut conn.client, |tx| {
        let initialised: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM regions)", &[])?
            .try_get(0)?;
        if !initialised {
            return Ok(None);
        }
        let mut regions = Vec::new();
        for_each_row(
            tx,
            "SELECT code, name, dpt_l, dpt_p FROM regions",
            &[],
            |row| {
                let dpt = Dpt {
                    l: int(row, 2, "DPT")?,
                    p: int(row, 3, "DPT")?,
                };
                regions.push(region_input(region(row, 0)?, row.try_get(1)?, dpt));
                Ok(())
            },
        )?;
        let parties = tx
            .query(
                "SELECT number, name, local FROM parties ORDER BY number",
                &[],
            )?
            .iter()
            .map(|row| {
                Ok(Party {
                    number: int(row, 0, "party number")?,
                    name: row.try_get(1)?,
                    local: row.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let paslon = tx
            .query("SELECT number, name FROM paslon ORDER BY number", &[])?
            .iter()
            .map(|row| {
                Ok(Paslon {
                    number: int(row, 0, "paslon number")?,
                    name: row.try_get(1)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let dapil = load_dapil(tx)?;
        Ok(Some((regions, parties, paslon, dapil)))
    })?;
    let Some((regions, parties, paslon, dapil)) = frame else {
        return Ok(None);
    };
    // The root is always stored, so its stored name wins over this one.
    let tree = RegionTree::build("", regions)?;
    Ok(Some(Election::new(tree, parties, paslon, dapil)?))
}

fn load_dapil(tx: &mut Transaction<'_>) -> Result<Vec<Dapil>> {
    let mut dapil = tx
        .query(
            "SELECT id, contest, code, name, seats FROM dapil ORDER BY id",
            &[],
        )?
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let id: usize = int(row, 0, "dapil id")?;
            if id != i {
                return Err(StoreError::Corrupt {
                    what: "dapil id",
                    value: id.to_string(),
                });
            }
            let code: &str = row.try_get(2)?;
            Ok(Dapil {
                contest: contest(row, 1)?,
                code: DapilCode::parse(code).map_err(|_| StoreError::Corrupt {
                    what: "dapil code",
                    value: code.to_owned(),
                })?,
                name: row.try_get(3)?,
                seats: int(row, 4, "dapil seats")?,
                regions: Vec::new(),
                parties: Vec::new(),
                candidates: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    for_each_row(
        tx,
        "SELECT dapil_id, region FROM dapil_regions ORDER BY dapil_id, ord",
        &[],
        |row| {
            dapil_at(&mut dapil, int(row, 0, "dapil id")?)?
                .regions
                .push(region(row, 1)?);
            Ok(())
        },
    )?;
    for_each_row(
        tx,
        "SELECT dapil_id, party FROM dapil_parties ORDER BY dapil_id, ord",
        &[],
        |row| {
            dapil_at(&mut dapil, int(row, 0, "dapil id")?)?
                .parties
                .push(int(row, 1, "party number")?);
            Ok(())
        },
    )?;
    for_each_row(
        tx,
        "SELECT dapil_id, party, number, name FROM candidates ORDER BY dapil_id, ord",
        &[],
        |row| {
            dapil_at(&mut dapil, int(row, 0, "dapil id")?)?
                .candidates
                .push(Candidate {
                    party: opt_int(row, 1, "party number")?,
                    number: int(row, 2, "candidate number")?,
                    name: row.try_get(3)?,
                });
            Ok(())
        },
    )?;
    Ok(dapil)
}

pub(super) fn meta(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    let select = conn.statement("SELECT value FROM meta WHERE key = $1")?;
    Ok(conn
        .client
        .query_opt(&select, &[&key])?
        .map(|row| row.try_get(0))
        .transpose()?)
}

pub(super) fn region_name(conn: &mut Conn, code: RegionCode) -> Result<Option<String>> {
    let select = conn.statement("SELECT name FROM regions WHERE code = $1")?;
    Ok(conn
        .client
        .query_opt(&select, &[&code.to_string()])?
        .map(|row| row.try_get(0))
        .transpose()?)
}

pub(super) fn set_meta(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
    let upsert = conn.statement(
        "INSERT INTO meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    in_transaction(&mut conn.client, |tx| {
        tx.execute(&upsert, &[&key, &value])?;
        Ok(())
    })
}
