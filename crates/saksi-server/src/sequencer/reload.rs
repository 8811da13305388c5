//! Reading back what the sequencer keeps of the facts marked in an index
//! table (the recap's, the logistics chain's): at start-up, and after a
//! batch that failed to commit, whose changes were applied as they were
//! decided.

use saksi_store::StoreError;

/// Why facts marked in an index table could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A marked entry that is not a fact of its table's kinds.
    #[error("{what} entry {index} cannot be replayed: {reason}")]
    Corrupt {
        what: &'static str,
        index: u64,
        reason: String,
    },
}
