//! The synthetic election generator and the importer of real region lists.
//!
//! [`generate`] builds a whole national election deterministically from a
//! seed (the 2024 per-province counts exactly, at any `--scale`); [`import`]
//! reads the commission's real desa list and builds the same kind of
//! election over it. Both end in [`saksi_core::Election`]. [`forms`] draws
//! the C.Hasil forms that simulated TPS submit; [`agreement`] the valid
//! and broken forms the rules' agreement tests run on.

pub mod agreement;
pub mod forms;
pub mod generate;
pub mod import;
pub mod rng;
