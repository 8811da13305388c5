//! The workspace's pages through the real router (API and pages together,
//! as `saksi serve` mounts them) over a small generated election in SQLite.

mod compress;
mod entry;
mod helpers;
mod home;
mod incidents;
mod language;
mod login;
mod review;
mod screens;
mod totp;
