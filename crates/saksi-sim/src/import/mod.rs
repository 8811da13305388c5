//! The importer of real region lists: the election commission's desa list
//! with TPS counts (the tree) and, optionally, the Ministry of Home Affairs'
//! list of region names.
//!
//! Pure parsing over readers: the caller opens the files (or uses
//! [`import_files`]). Every malformed row of either list is reported with its
//! file line, and then nothing is imported: the result is a whole tree or an
//! error, never a partial tree. A code present in only one of the two lists
//! is not malformed (the lists are from different years); it is counted in
//! the [`ImportReport`], and the commission's list decides the tree.

mod csv;
mod desa;
mod error;
mod name;
mod names;
mod regions;
mod report;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use saksi_core::{Election, RegionCode, RegionInput, RegionTree};

use crate::generate::{
    GenerateError, GenerateOptions, NATION_NAME, assign_dpt, election_over, overseas_regions,
};

use error::Problems;
pub use error::{ImportError, List, MAX_LISTED_ROWS, RowError, RowProblem};
pub use report::{ImportReport, LevelCounts};

/// How often (in bytes read) the progress callback is called.
const PROGRESS_STEP: u64 = 1 << 16;

/// Reads every data row of a list after checking its header, handing each
/// well-formed record with the right column count to `row`, and every
/// malformed one to `problems`. Returns the bytes read.
fn each_row<R: BufRead>(
    reader: R,
    list: List,
    header: &'static str,
    problems: &mut Problems,
    progress: &mut dyn FnMut(u64),
    mut row: impl FnMut(&csv::Record, &mut Problems),
) -> io::Result<u64> {
    let columns = header.split(',').count();
    let mut reader = csv::CsvReader::new(reader);
    let mut reported = 0;
    let mut header_seen = false;
    loop {
        match reader.next_record()? {
            csv::Next::End => break,
            csv::Next::Malformed(line, problem) => {
                header_seen = true;
                problems.push(list, line, problem);
            }
            csv::Next::Record(record) if !header_seen => {
                header_seen = true;
                if !record.iter().eq(header.split(',')) {
                    problems.push(list, record.line, RowProblem::Header { expected: header });
                }
            }
            csv::Next::Record(record) if record.len() != columns => {
                problems.push(
                    list,
                    record.line,
                    RowProblem::Columns {
                        expected: columns,
                        found: record.len(),
                    },
                );
            }
            csv::Next::Record(record) => row(record, problems),
        }
        if reader.bytes_read() - reported >= PROGRESS_STEP {
            reported = reader.bytes_read();
            progress(reported);
        }
    }
    if !header_seen {
        problems.push(list, 1, RowProblem::Header { expected: header });
    }
    progress(reader.bytes_read());
    Ok(reader.bytes_read())
}

/// Parses a region code in `column`, reporting why it is not one.
fn parse_code(column: &'static str, value: &str) -> Result<RegionCode, RowProblem> {
    RegionCode::parse(value).map_err(|error| RowProblem::Code {
        column,
        value: value.to_owned(),
        error,
    })
}

/// Parses a whole number in `column`.
fn parse_number(column: &'static str, value: &str) -> Result<u32, RowProblem> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RowProblem::Number {
            column,
            value: value.to_owned(),
        });
    }
    value.parse().map_err(|_| RowProblem::Number {
        column,
        value: value.to_owned(),
    })
}

/// The imported regions, ready for [`saksi_core::RegionTree::build`]: every
/// provinsi, kab/kota, kecamatan, desa and TPS of the commission's list
/// (TPS without DPT yet), and the report.
#[derive(Debug, Clone)]
pub struct ImportedRegions {
    pub regions: Vec<RegionInput>,
    pub report: ImportReport,
}

impl ImportedRegions {
    /// The election over the imported tree, deterministic by `seed`: the
    /// overseas province `99` is added whole (the commission's desa list has
    /// none, and the nation always has it), every TPS's DPT is drawn, and
    /// parties, paslon, dapil and candidates are built over the tree, as the
    /// generator does for a synthetic one.
    pub fn into_election(self, seed: u64) -> Result<Election, GenerateError> {
        let mut regions = self.regions;
        if !regions.iter().any(|r| r.code == RegionCode::LUAR_NEGERI) {
            regions.extend(overseas_regions(&GenerateOptions { seed, scale: 1.0 }));
        }
        assign_dpt(&mut regions, seed);
        let tree = RegionTree::build(NATION_NAME, regions)?;
        election_over(tree, seed)
    }
}

/// Imports the commission's desa list and, if given, the Ministry's names.
///
/// `progress` is called now and then with the bytes read so far over both
/// lists (the names list is read first), so a progress bar can be as long as
/// the two files together. Returns every malformed row of both lists, or the
/// whole set of regions; never a part.
pub fn import_regions(
    desa: impl BufRead,
    names: Option<&mut dyn BufRead>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportedRegions, ImportError> {
    let mut problems = Problems::default();
    let mut offset = 0;
    let names = match names {
        Some(reader) => {
            let read = names::read_names(reader, &mut problems, &mut |b| progress(b)).map_err(
                |source| ImportError::Read {
                    list: List::Names,
                    source,
                },
            )?;
            offset = read.bytes;
            Some(read.names)
        }
        None => None,
    };
    let rows =
        desa::read_desa(desa, &mut problems, &mut |b| progress(offset + b)).map_err(|source| {
            ImportError::Read {
                list: List::Desa,
                source,
            }
        })?;
    if !problems.is_empty() {
        return Err(ImportError::Malformed {
            rows: problems.rows,
            more: problems.more,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::NoDesa);
    }
    Ok(regions::assemble(&rows, names.as_ref()))
}

/// Opens and imports the two files (see [`import_regions`]).
pub fn import_files(
    desa: &Path,
    names: Option<&Path>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportedRegions, ImportError> {
    let open = |path: &Path| {
        File::open(path)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .map_err(|source| ImportError::Open {
                path: path.to_owned(),
                source,
            })
    };
    let desa = open(desa)?;
    let mut names = names.map(open).transpose()?;
    import_regions(
        desa,
        names.as_mut().map(|r| r as &mut dyn BufRead),
        progress,
    )
}
