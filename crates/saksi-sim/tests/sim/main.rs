//! The generator's and the importer's integration tests in one binary (one
//! link instead of one per file).

mod allocation;
mod generate;
mod import;
mod import_real;
mod rules_agreement;
mod tally_invariant;
