//! The integration tests of saksi-log, one binary: proof properties, the
//! reference vectors in ../shared/vectors, signed notes and checkpoints.

mod notes;
mod proofs;
mod vectors;
mod vectors_merkle;
mod vectors_note;
