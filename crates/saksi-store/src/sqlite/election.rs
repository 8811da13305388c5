//! The election frame (regions, parties, paslon, dapil, candidates) and the
//! metadata key/value pairs.
//!
//! A whole nation is about 912,000 regions and 370,000 candidates, written
//! in one transaction with prepared multi-row `INSERT`s reused throughout. Regions
//! are written in depth-first order, which is the text order of their dotted
//! codes, so the region table's B-tree only ever grows at its right edge.

use std::fmt::Write;

use rusqlite::{Connection, OptionalExtension, Statement, Transaction, TransactionBehavior};
use saksi_core::{
    Candidate, Dapil, DapilCode, Dpt, Election, Party, Paslon, RegionCode, RegionTree,
};

use super::{contest_column, parse_column, region_column};
use crate::shared::{Progress, candidate_rows, dapil_at, region_input, regions_in_code_order};
use crate::{Result, StoreError};

pub(super) fn save(
    conn: &mut Connection,
    election: &Election,
    progress: &dyn Fn(u64, u64),
) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if is_initialised(&tx)? {
        return Err(StoreError::AlreadyInitialised);
    }
    let mut progress = Progress::start(election, progress);
    save_regions(&tx, &election.tree, &mut progress)?;
    save_ballots(&tx, election, &mut progress)?;
    tx.commit()?;
    progress.finish();
    Ok(())
}

fn is_initialised(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT EXISTS (SELECT 1 FROM regions)", [], |row| {
            row.get(0)
        })?,
    )
}

/// Rows per multi-row `INSERT`: one statement step per 64 rows instead of
/// one per row, which halves the cost of a bulk save (SQLite allows 32,766
/// parameters per statement; regions use 384).
const ROWS_PER_INSERT: usize = 64;

/// Inserts `rows` into `table (columns)` with multi-row `INSERT`s, binding
/// each row's `columns.len()` parameters with `bind(statement, first
/// parameter index, row)`.
fn insert_many<T>(
    tx: &Transaction<'_>,
    table: &str,
    columns: &[&str],
    rows: &[T],
    progress: &mut Progress<'_>,
    mut bind: impl FnMut(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> Result<()> {
    let sql = |n: usize| {
        let row = format!("({})", vec!["?"; columns.len()].join(", "));
        format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![row; n].join(", ")
        )
    };
    let mut full = tx.prepare(&sql(ROWS_PER_INSERT))?;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut tail;
        let insert = if chunk.len() == ROWS_PER_INSERT {
            &mut full
        } else {
            tail = tx.prepare(&sql(chunk.len()))?;
            &mut tail
        };
        for (i, row) in chunk.iter().enumerate() {
            bind(insert, i * columns.len() + 1, row)?;
            progress.rows(1);
        }
        insert.raw_execute()?;
    }
    Ok(())
}

fn save_regions(
    tx: &Transaction<'_>,
    tree: &RegionTree,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let order = regions_in_code_order(tree);
    let mut code = String::new();
    let mut parent = String::new();
    let columns = ["code", "name", "level", "parent", "dpt_l", "dpt_p"];
    insert_many(
        tx,
        "regions",
        &columns,
        &order,
        progress,
        |insert, at, id| {
            let region = tree.get(*id);
            code.clear();
            write!(code, "{}", region.code).expect("writing to a String cannot fail");
            parent.clear();
            let parent = region.code.parent().map(|p| {
                write!(parent, "{p}").expect("writing to a String cannot fail");
                parent.as_str()
            });
            insert.raw_bind_parameter(at, code.as_str())?;
            insert.raw_bind_parameter(at + 1, region.name.as_str())?;
            insert.raw_bind_parameter(at + 2, region.level().as_str())?;
            insert.raw_bind_parameter(at + 3, parent)?;
            insert.raw_bind_parameter(at + 4, region.dpt.l)?;
            insert.raw_bind_parameter(at + 5, region.dpt.p)
        },
    )
}

fn save_ballots(
    tx: &Transaction<'_>,
    election: &Election,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let mut party = tx.prepare("INSERT INTO parties (number, name, local) VALUES (?1, ?2, ?3)")?;
    for p in &election.parties {
        party.execute((p.number, p.name.as_str(), p.local))?;
        progress.rows(1);
    }
    let mut paslon = tx.prepare("INSERT INTO paslon (number, name) VALUES (?1, ?2)")?;
    for p in &election.paslon {
        paslon.execute((p.number, p.name.as_str()))?;
        progress.rows(1);
    }
    let mut dapil = tx.prepare(
        "INSERT INTO dapil (id, contest, code, name, seats) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut region =
        tx.prepare("INSERT INTO dapil_regions (dapil_id, ord, region) VALUES (?1, ?2, ?3)")?;
    let mut dapil_party =
        tx.prepare("INSERT INTO dapil_parties (dapil_id, ord, party) VALUES (?1, ?2, ?3)")?;
    for (id, d) in election.dapil.iter().enumerate() {
        dapil.execute((
            id,
            d.contest.id(),
            d.code.as_str(),
            d.name.as_str(),
            d.seats,
        ))?;
        progress.rows(1);
        for (ord, code) in d.regions.iter().enumerate() {
            region.execute((id, ord, code.to_string()))?;
            progress.rows(1);
        }
        for (ord, p) in d.parties.iter().enumerate() {
            dapil_party.execute((id, ord, p))?;
            progress.rows(1);
        }
    }
    // About 370,000 rows nationally: the other bulk table.
    let candidates = candidate_rows(election);
    let columns = ["dapil_id", "ord", "party", "number", "name"];
    insert_many(
        tx,
        "candidates",
        &columns,
        &candidates,
        progress,
        |insert, at, (id, ord, c)| {
            insert.raw_bind_parameter(at, id)?;
            insert.raw_bind_parameter(at + 1, ord)?;
            insert.raw_bind_parameter(at + 2, c.party)?;
            insert.raw_bind_parameter(at + 3, c.number)?;
            insert.raw_bind_parameter(at + 4, c.name.as_str())
        },
    )
}

/// Rebuilds the election in one read transaction, so a concurrent save is
/// seen whole or not at all.
pub(super) fn load(conn: &mut Connection) -> Result<Option<Election>> {
    let tx = conn.transaction()?;
    if !is_initialised(&tx)? {
        return Ok(None);
    }
    let tree = load_tree(&tx)?;
    let parties = tx
        .prepare("SELECT number, name, local FROM parties ORDER BY number")?
        .query_map([], |row| {
            Ok(Party {
                number: row.get(0)?,
                name: row.get(1)?,
                local: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let paslon = tx
        .prepare("SELECT number, name FROM paslon ORDER BY number")?
        .query_map([], |row| {
            Ok(Paslon {
                number: row.get(0)?,
                name: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let dapil = load_dapil(&tx)?;
    tx.finish()?;
    Ok(Some(Election::new(tree, parties, paslon, dapil)?))
}

fn load_tree(tx: &Transaction<'_>) -> Result<RegionTree> {
    let mut inputs = Vec::new();
    let mut select = tx.prepare("SELECT code, name, dpt_l, dpt_p FROM regions")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let dpt = Dpt {
            l: row.get(2)?,
            p: row.get(3)?,
        };
        inputs.push(region_input(region_column(row, 0)?, row.get(1)?, dpt));
    }
    // The root is always stored, so its stored name wins over this one.
    Ok(RegionTree::build("", inputs)?)
}

fn load_dapil(tx: &Transaction<'_>) -> Result<Vec<Dapil>> {
    let mut dapil = tx
        .prepare("SELECT id, contest, code, name, seats FROM dapil ORDER BY id")?
        .query_map([], |row| {
            let id: usize = row.get(0)?;
            Ok((
                id,
                Dapil {
                    contest: contest_column(row, 1)?,
                    code: parse_column(row, 2, DapilCode::parse)?,
                    name: row.get(3)?,
                    seats: row.get(4)?,
                    regions: Vec::new(),
                    parties: Vec::new(),
                    candidates: Vec::new(),
                },
            ))
        })?
        .enumerate()
        .map(|(i, row)| {
            let (id, d) = row?;
            if id != i {
                return Err(StoreError::Corrupt {
                    what: "dapil id",
                    value: id.to_string(),
                });
            }
            Ok(d)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut select =
        tx.prepare("SELECT dapil_id, region FROM dapil_regions ORDER BY dapil_id, ord")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        dapil_at(&mut dapil, row.get(0)?)?
            .regions
            .push(region_column(row, 1)?);
    }
    let mut select =
        tx.prepare("SELECT dapil_id, party FROM dapil_parties ORDER BY dapil_id, ord")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        dapil_at(&mut dapil, row.get(0)?)?.parties.push(row.get(1)?);
    }
    let mut select =
        tx.prepare("SELECT dapil_id, party, number, name FROM candidates ORDER BY dapil_id, ord")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        dapil_at(&mut dapil, row.get(0)?)?
            .candidates
            .push(Candidate {
                party: row.get(1)?,
                number: row.get(2)?,
                name: row.get(3)?,
            });
    }
    Ok(dapil)
}

pub(super) fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

pub(super) fn region_name(conn: &Connection, code: RegionCode) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT name FROM regions WHERE code = ?1",
            [code.to_string()],
            |row| row.get(0),
        )
        .optional()?)
}

pub(super) fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )?;
    Ok(())
}
