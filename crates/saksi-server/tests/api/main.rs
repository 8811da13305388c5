//! The API end to end: the real app on a fresh SQLite store holding a small
//! generated election, called through its router (and once over TCP).

mod auth;
mod bad_input;
mod codes;
mod d_hasil;
mod enrolment;
mod faults;
mod helpers;
mod hygiene;
mod incidents;
mod keys;
mod layout;
mod lease;
mod log;
mod logistics;
mod logistics_readiness;
mod logistics_reconciliation;
mod logistics_shipments;
mod notify;
mod officer_keys;
mod photos;
mod queue;
mod reads;
mod review;
mod signers;
mod signoff;
mod simulation;
mod submit;
mod throttle;
mod totp;
