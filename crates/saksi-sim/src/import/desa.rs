//! The election commission's desa list: one row per desa with the numbers of
//! its TPS (format of `kpu2024_desa_tps.csv`).
//!
//! A desa has TPS numbered `1..=tps_no_max` and, in a few hundred desa, extra
//! TPS at special locations numbered `tps_ext_from..=tps_ext_to` (901 and
//! up); `tps_total` must count them all.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{self, BufRead};
use std::ops::RangeInclusive;

use saksi_core::{Level, RegionCode};

use super::name::region_name;
use super::{List, Problems, RowProblem, csv::Record, each_row, parse_code, parse_number};

/// The header the commission's list must start with.
pub(super) const HEADER: &str =
    "kode_desa,kode_desa_dotted,desa_kelurahan,tps_no_max,tps_ext_from,tps_ext_to,tps_total";

/// The highest TPS number a code can carry (three digits).
const MAX_TPS: u32 = 999;

/// One well-formed desa row.
#[derive(Debug)]
pub(super) struct DesaRow {
    pub code: RegionCode,
    pub name: String,
    /// Regular TPS are numbered `1..=regular`.
    pub regular: u32,
    /// The special-location TPS, if any.
    pub extra: Option<RangeInclusive<u32>>,
}

impl DesaRow {
    /// Every TPS number of the desa, ascending.
    pub fn tps_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        (1..=self.regular).chain(self.extra.clone().into_iter().flatten())
    }
}

/// Reads the list. Well-formed rows are returned (only meaningful if no
/// problem was found); every malformed one goes to `problems`.
pub(super) fn read_desa(
    reader: impl BufRead,
    problems: &mut Problems,
    progress: &mut dyn FnMut(u64),
) -> io::Result<Vec<DesaRow>> {
    let mut rows = Vec::with_capacity(90_000);
    let mut first_line: HashMap<RegionCode, u64> = HashMap::with_capacity(90_000);
    each_row(
        reader,
        List::Desa,
        HEADER,
        problems,
        progress,
        |record, problems| {
            let row = parse_row(record).and_then(|row| match first_line.entry(row.code) {
                Entry::Occupied(first) => Err(RowProblem::Duplicate {
                    code: row.code,
                    first_line: *first.get(),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(record.line);
                    Ok(row)
                }
            });
            match row {
                Ok(row) => rows.push(row),
                Err(problem) => problems.push(List::Desa, record.line, problem),
            }
        },
    )?;
    Ok(rows)
}

/// Checks one row with the right column count.
fn parse_row(record: &Record) -> Result<DesaRow, RowProblem> {
    let code = desa_code("kode_desa", record.get(0))?;
    let dotted = desa_code("kode_desa_dotted", record.get(1))?;
    if dotted != code {
        return Err(RowProblem::CodeMismatch {
            column: "kode_desa_dotted",
            found: dotted,
            other: code,
        });
    }
    let name = region_name(record.get(2))?;
    let regular = tps_number("tps_no_max", record.get(3))?;
    let extra = match (record.get(4), record.get(5)) {
        ("", "") => None,
        ("", _) | (_, "") => return Err(RowProblem::HalfExtraRange),
        (from, to) => {
            let from = tps_number("tps_ext_from", from)?;
            let to = tps_number("tps_ext_to", to)?;
            if from == 0 {
                return Err(RowProblem::ZeroTps {
                    column: "tps_ext_from",
                });
            }
            if from > to {
                return Err(RowProblem::EmptyExtraRange { from, to });
            }
            if from <= regular {
                return Err(RowProblem::ExtraOverlap {
                    from,
                    to,
                    max: regular,
                });
            }
            Some(from..=to)
        }
    };
    let stated = parse_number("tps_total", record.get(6))?;
    let counted = regular + extra.clone().map_or(0, |r| r.end() - r.start() + 1);
    if stated != counted {
        return Err(RowProblem::Total { stated, counted });
    }
    if counted == 0 {
        return Err(RowProblem::NoTps);
    }
    Ok(DesaRow {
        code,
        name: name.to_owned(),
        regular,
        extra,
    })
}

/// A code that must be a desa code.
fn desa_code(column: &'static str, value: &str) -> Result<RegionCode, RowProblem> {
    let code = parse_code(column, value)?;
    if code.level() != Level::Desa {
        return Err(RowProblem::CodeLevel {
            column,
            value: code,
            found: code.level(),
            expected: "desa",
        });
    }
    Ok(code)
}

/// A TPS number (or count), at most 999.
fn tps_number(column: &'static str, value: &str) -> Result<u32, RowProblem> {
    let n = parse_number(column, value)?;
    if n > MAX_TPS {
        return Err(RowProblem::TpsNumber { column, value: n });
    }
    Ok(n)
}
