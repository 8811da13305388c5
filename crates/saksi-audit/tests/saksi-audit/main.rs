//! The audit library driven directly: entries built in the test, one
//! module per class of tampering it must catch.

mod build;
mod chains;
mod growth;
mod incidents;
mod logistics;
mod recap;
mod results;
mod review;
mod signers;
