//! The Ministry of Home Affairs' list of region codes and names, provinsi to
//! desa (format of `wilayah_kemendagri_2025.csv`). Only names are taken from
//! it: the commission's list decides which regions exist.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{self, BufRead};

use saksi_core::{Level, RegionCode};

use super::name::region_name;
use super::{List, Problems, RowProblem, csv::Record, each_row, parse_code};

/// The header the Ministry's list must start with.
pub(super) const HEADER: &str =
    "kode,kode_compact,level,level_name,parent_kode,nama,desa_or_kelurahan";

/// What the names list gave.
pub(super) struct Names {
    /// The name of each code, provinsi to desa.
    pub names: HashMap<RegionCode, String>,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads the list; every malformed row goes to `problems`.
pub(super) fn read_names(
    reader: &mut dyn BufRead,
    problems: &mut Problems,
    progress: &mut dyn FnMut(u64),
) -> io::Result<Names> {
    let mut names = HashMap::with_capacity(100_000);
    let mut first_line: HashMap<RegionCode, u64> = HashMap::with_capacity(100_000);
    let bytes = each_row(
        reader,
        List::Names,
        HEADER,
        problems,
        progress,
        |record, problems| {
            let row = parse_row(record).and_then(|(code, name)| match first_line.entry(code) {
                Entry::Occupied(first) => Err(RowProblem::Duplicate {
                    code,
                    first_line: *first.get(),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(record.line);
                    Ok((code, name))
                }
            });
            match row {
                Ok((code, name)) => {
                    names.insert(code, name);
                }
                Err(problem) => problems.push(List::Names, record.line, problem),
            }
        },
    )?;
    Ok(Names { names, bytes })
}

/// Checks one row with the right column count: the code, its compact form,
/// level and parent must agree, and the name must not be empty.
fn parse_row(record: &Record) -> Result<(RegionCode, String), RowProblem> {
    let code = parse_code("kode", record.get(0))?;
    if !(Level::Provinsi..=Level::Desa).contains(&code.level()) {
        return Err(RowProblem::CodeLevel {
            column: "kode",
            value: code,
            found: code.level(),
            expected: "provinsi, kab/kota, kecamatan or desa",
        });
    }
    let compact = parse_code("kode_compact", record.get(1))?;
    if compact != code {
        return Err(RowProblem::CodeMismatch {
            column: "kode_compact",
            found: compact,
            other: code,
        });
    }
    let depth = code.level().depth().to_string();
    if record.get(2) != depth {
        return Err(RowProblem::LevelColumn {
            found: record.get(2).to_owned(),
            expected: depth,
        });
    }
    let parent = match code.parent() {
        Some(parent) if parent != RegionCode::NASIONAL => parent.to_string(),
        _ => String::new(),
    };
    if record.get(4) != parent {
        return Err(RowProblem::Parent {
            found: record.get(4).to_owned(),
            expected: parent,
        });
    }
    let name = region_name(record.get(5))?;
    Ok((code, name.to_owned()))
}
