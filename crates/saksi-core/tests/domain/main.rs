//! The domain's integration tests in one binary (one link instead of one
//! per file): the C.Hasil form rules and the permission table.

mod fixture;
mod form;
mod permissions;
mod rules;
