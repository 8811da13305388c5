//! The store's integration tests: one binary, the generic suite run
//! against each backend, plus what only one backend can be asked.

mod postgres;
mod sqlite;
mod sqlite_backup;
mod suite;
mod workspace_suite;
