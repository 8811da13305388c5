//! The C.Hasil form: its data, parsing it from a request, and checking it
//! against the election (docs/form-codes.md).
//!
//! Two steps, both pure and free of shared state so handlers run them
//! concurrently before anything reaches the sequencer:
//! - [`parse`] turns request bytes into a [`CHasil`], or lists every problem
//!   of the JSON at once (malformed, duplicate or unknown keys, missing
//!   fields, counts outside 0..=9999);
//! - [`validate`] checks the form against the election: errors refuse it,
//!   warnings are stored with it.
//!
//! Every code either step can produce is in [`codes`], documented in
//! `docs/form-codes.md`.

pub mod codes;
mod parse;
pub mod rules;
mod types;
mod validate;

use serde::Serialize;

pub use codes::{Code, Severity};
pub use parse::parse;
pub use types::{
    CHasil, Disabilitas, FIELDS, MAX_COUNT, OptionId, OptionVotes, Options, PartyVotes, SuratSuara,
    Triple,
};
pub use validate::validate;

impl CHasil {
    /// A small consistent PPWP form (201 voters on the list, 104 ballots,
    /// pairs 01-03 with 30, 50 and 20 votes): the example that docs and the
    /// tests of every crate build on, so a change to the form's shape is
    /// made in one place.
    pub fn example_ppwp() -> CHasil {
        CHasil {
            pemilih_dpt: Triple::of(100, 101),
            pengguna_dpt: Triple::of(50, 51),
            pengguna_dptb: Triple::of(1, 0),
            pengguna_non_dpt: Triple::of(0, 2),
            pengguna_total: Triple::of(51, 53),
            disabilitas: None,
            surat_suara: None,
            suara_sah: 100,
            suara_tidak_sah: 4,
            suara_total: 104,
            options: Options::Paslon(
                [(1, 30), (2, 50), (3, 20)]
                    .map(|(number, votes)| OptionVotes { number, votes })
                    .to_vec(),
            ),
        }
    }
}

/// One problem found in a form: a stable code for machines, the field it is
/// about, and an English sentence with the numbers for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Stable code from [`codes::ALL`].
    pub code: &'static str,
    /// The rule (`R1`...) the code enforces, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Path of the field in the form's JSON (`suara_sah`,
    /// `options.5.candidates.3`), or `None` for the form as a whole.
    pub field: Option<String>,
    pub message: String,
}

impl Issue {
    /// An issue of `code`, taking its rule from the table.
    pub(crate) fn new(code: &Code, field: Option<String>, message: String) -> Issue {
        Issue {
            code: code.code,
            rule: code.rule,
            field,
            message,
        }
    }
}

/// Every problem that kept a body from being read as a form. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the form, the first: {}", .0.len(), first_message(.0))]
pub struct FormErrors(pub Vec<Issue>);

fn first_message(issues: &[Issue]) -> &str {
    issues.first().map_or("", |i| i.message.as_str())
}
