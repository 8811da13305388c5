//! The election domain of Saksi, pure and synchronous.
//!
//! Everything here is deterministic data and arithmetic: the region tree and
//! its codes, the five contests with their dapil and candidates, the C.Hasil
//! form and its validation rules, tallies and the permission rule. No I/O, so
//! the server, the store, the simulator and the auditor all share one
//! definition of what a valid election fact is.

pub mod anomaly;
pub mod contest;
pub mod election;
pub mod form;
pub mod incident;
pub mod logistics;
pub mod permission;
pub mod region;
pub mod tally;
pub mod time;
pub mod username;

pub use contest::Contest;
pub use election::{Candidate, Dapil, DapilCode, Election, ElectionError, Party, Paslon};
pub use region::{Dpt, Level, Region, RegionCode, RegionId, RegionInput, RegionTree, VotingMethod};
