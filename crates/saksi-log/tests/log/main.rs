//! The integration tests of saksi-log, one binary: proof properties, the
//! reference vectors in ../shared/vectors, signed notes and checkpoints,
//! batch signature verification, tlog-tiles paths and contents.

mod batch;
mod notes;
mod proofs;
mod vectors;
mod vectors_merkle;
mod vectors_note;
mod vectors_tiles;
