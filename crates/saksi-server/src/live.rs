//! The state readers see and only the sequencer changes: kept apart from
//! the handlers' state so that the sequencer and the log's publisher need
//! not know the handlers.

use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use saksi_core::RegionCode;
use saksi_core::incident::book::Book;
use saksi_core::logistics::reconcile::Reconciliation;
use saksi_core::tally::Tallies;
use saksi_core::time::UnixTime;
use saksi_log::MemoryTree;
use saksi_statement::{Logistics, Review, Signoffs};

use crate::readiness::Readiness;

/// The state readers see, changed only by the sequencer, one whole batch at
/// a time under the write lock: `tree` holds exactly the durable log
/// entries, and `tallies` reflect exactly those form versions, all applied
/// and none after.
#[derive(Debug)]
pub struct Live {
    pub tallies: Tallies,
    /// The Merkle tree of every log entry (RFC 9162), rebuilt at start-up.
    pub tree: MemoryTree,
    pub last_updated: Option<UnixTime>,
    /// Every incident's public state (loaded from the store at start-up):
    /// the escalation sweep, the lists and the statistics read it.
    pub incidents: Book,
    /// Every objection and what became of it (loaded from the store at
    /// start-up), as the TPS pages show them.
    pub review: Review,
    /// Every region's sign-offs: what is pending, final and locked, as the
    /// results and the recap state show them.
    pub signoffs: Signoffs,
    /// The commissioners registered for each region as of the last batch
    /// that registered or revoked one: the `k` the recap state shows.
    pub commissioners: HashMap<RegionCode, usize>,
    /// Every shipment, whether it was delivered, and every office's stock
    /// (loaded from the store at start-up).
    pub logistics: Logistics,
    /// Every TPS's ballots received against its C.Hasil, and the counts
    /// of every region, kept with the forms and the deliveries they come
    /// from.
    pub reconciliation: Reconciliation,
    /// Every region's readiness counters, moved with `logistics`.
    pub readiness: Readiness,
}

impl Live {
    /// The log's size: the entries in the tree, which every results
    /// response states it reflects.
    pub fn log_size(&self) -> u64 {
        self.tree.len()
    }
}

/// Takes the read lock of the live state (a poisoned one too, see
/// [`write_live`]).
pub(crate) fn read_live(live: &RwLock<Live>) -> RwLockReadGuard<'_, Live> {
    live.read().unwrap_or_else(|e| e.into_inner())
}

/// Takes the write lock of the live state. A poisoned lock is taken over:
/// the sequencer applies a batch without panicking paths, so the data stays
/// whole.
pub(crate) fn write_live(live: &RwLock<Live>) -> RwLockWriteGuard<'_, Live> {
    live.write().unwrap_or_else(|e| e.into_inner())
}
