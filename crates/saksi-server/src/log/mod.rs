//! The transparency log's server side (docs/log-entries.md): signed
//! receipts ([`receipt`]) and the checkpoint publisher ([`publisher`]),
//! which keeps the durable record of the highest checkpoint ever signed
//! ([`saksi_store::highest`]) before it publishes.
//!
//! As in tessera, the three steps are separate: *sequencing* (the sequencer
//! gives an entry its index and writes it in the batch's transaction),
//! *integration* (the sequencer appends the leaf to the in-memory tree under
//! the same lock that applies the tallies) and *publishing* (the publisher
//! signs a checkpoint over what is integrated, hence durable).

use std::path::PathBuf;

use saksi_log::{Signer, Verifier};

pub mod publisher;
pub mod receipt;

pub use publisher::{LogPublisher, PublishError, Published, Refusal};

/// What the server needs to sign for its log: the log key (its name is the
/// log's origin) and where the highest signed checkpoint is recorded. The
/// CLI reads both from the data directory (`log.key`, `log.highest`).
#[derive(Debug, Clone)]
pub struct LogSetup {
    /// The log's private key; never logged nor served.
    pub signer: Signer,
    /// The file holding the highest checkpoint ever signed.
    pub highest_path: PathBuf,
    /// The KPU RI root verifier keys the officer key chain starts from,
    /// published at `/api/v1/log/roots` (auditors pin them out of band).
    pub roots: Vec<Verifier>,
}
