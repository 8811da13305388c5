//! What can go wrong in an import: malformed rows, each with its list and
//! file line, and the error that carries all of them.

use std::fmt;
use std::io;
use std::path::PathBuf;

use saksi_core::region::RegionCodeError;
use saksi_core::{Level, RegionCode};

/// At most this many malformed rows are listed; the rest are counted.
pub const MAX_LISTED_ROWS: usize = 100;

/// Which input list a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// The election commission's desa list with TPS counts.
    Desa,
    /// The Ministry of Home Affairs' names list.
    Names,
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            List::Desa => "desa list",
            List::Names => "names list",
        })
    }
}

/// What is wrong with one row. Messages say which rule the row breaks, so
/// whoever maintains the file can fix it from the message alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("not valid UTF-8")]
    NotUtf8,
    #[error("a quote inside an unquoted field (quote the whole field and double the quote)")]
    StrayQuote,
    #[error("text after the closing quote of a field")]
    TextAfterQuote,
    #[error("a quoted field is not closed on its line")]
    UnclosedQuote,
    #[error("the header must be {expected:?}")]
    Header { expected: &'static str },
    #[error("expected {expected} columns, found {found}")]
    Columns { expected: usize, found: usize },
    #[error("{column} {value:?} is not a region code: {error}")]
    Code {
        column: &'static str,
        value: String,
        error: RegionCodeError,
    },
    #[error("{column} {value} is a {found} code, expected a {expected} code")]
    CodeLevel {
        column: &'static str,
        value: RegionCode,
        found: Level,
        expected: &'static str,
    },
    #[error("{column} {found} is not the same code as {other}")]
    CodeMismatch {
        column: &'static str,
        found: RegionCode,
        other: RegionCode,
    },
    #[error("level {found:?} should be {expected:?} for this code")]
    LevelColumn { found: String, expected: String },
    #[error("parent_kode {found:?} should be {expected:?}")]
    Parent { found: String, expected: String },
    #[error("{column} {value:?} is not a whole number")]
    Number { column: &'static str, value: String },
    #[error("{column} {value} is above 999, the highest TPS number")]
    TpsNumber { column: &'static str, value: u32 },
    #[error("{column} is 0, but TPS are numbered from 1")]
    ZeroTps { column: &'static str },
    #[error("tps_ext_from and tps_ext_to must be both empty or both given")]
    HalfExtraRange,
    #[error("extra TPS range {from}..{to} is empty (tps_ext_from above tps_ext_to)")]
    EmptyExtraRange { from: u32, to: u32 },
    #[error("extra TPS {from}..{to} overlap the regular TPS 1..{max}")]
    ExtraOverlap { from: u32, to: u32, max: u32 },
    #[error("a desa without any TPS (tps_total 0)")]
    NoTps,
    #[error("tps_total {stated} does not match the {counted} TPS numbered")]
    Total { stated: u32, counted: u32 },
    #[error("the name is empty")]
    EmptyName,
    #[error(
        "the name holds {code_point}, a control, text-direction or invisible character \
         (it could make the name display as something else)"
    )]
    HiddenCharacter { code_point: String },
    #[error("code {code} already appeared on line {first_line}")]
    Duplicate { code: RegionCode, first_line: u64 },
}

/// A malformed row: which list, which 1-based file line (the header is
/// line 1), and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{list} line {line}: {problem}")]
pub struct RowError {
    pub list: List,
    pub line: u64,
    pub problem: RowProblem,
}

/// Why an import produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot read the {list}: {source}")]
    Read { list: List, source: io::Error },
    /// Every malformed row (the first [`MAX_LISTED_ROWS`], and how many
    /// more); nothing was imported.
    #[error("{}", malformed_message(rows, *more))]
    Malformed { rows: Vec<RowError>, more: usize },
    #[error("the desa list has a header but no desa")]
    NoDesa,
}

/// One summary line, then one line per malformed row.
fn malformed_message(rows: &[RowError], more: usize) -> String {
    let total = rows.len() + more;
    let mut out = format!(
        "{total} malformed row{}; nothing was imported",
        if total == 1 { "" } else { "s" }
    );
    for row in rows {
        out.push_str("\n  ");
        out.push_str(&row.to_string());
    }
    if more > 0 {
        out.push_str(&format!("\n  ... and {more} more"));
    }
    out
}

/// Collects malformed rows: lists the first [`MAX_LISTED_ROWS`], counts the
/// rest.
#[derive(Debug, Default)]
pub(super) struct Problems {
    pub rows: Vec<RowError>,
    pub more: usize,
}

impl Problems {
    pub(super) fn push(&mut self, list: List, line: u64, problem: RowProblem) {
        if self.rows.len() < MAX_LISTED_ROWS {
            self.rows.push(RowError {
                list,
                line,
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
