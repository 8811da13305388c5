//! The real `saksi` binary, end to end: each module runs it as a process in
//! temporary directories (and against private PostgreSQL clusters where a
//! test must crash or stop the database). One test binary, so the suite
//! costs one link.

mod accounts;
mod audit;
mod backup;
mod browser_photos;
mod browser_proof;
mod browser_rules;
mod browser_signing;
mod cli;
mod common;
mod crash;
mod demo;
mod demo_incidents;
mod demo_logistics;
mod demo_recap;
mod entry_browser;
mod faults;
mod fixture;
mod flags;
mod incidents_browser;
mod keys;
mod lease;
mod logistics;
mod offline_browser;
mod pg_dump;
mod review;
mod review_browser;
mod ship_csv;
mod webhooks;
mod workspace;
mod workspace_browser;
