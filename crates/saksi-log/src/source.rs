//! Where proofs get their hashes: a [`NodeSource`] returns the hash of a
//! complete (perfect) subtree addressed by (level, index), as tiles do in
//! C2SP tlog-tiles. Any subtree of RFC 9162 §2.1.1 that a proof needs is
//! either such a node or the right edge of a smaller tree, which is folded
//! from O(log n) of them here.

use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// Why a node hash could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The store does not hold this node (the tree is smaller, or the node
    /// was never written).
    #[error("no node at level {level}, index {index}")]
    Missing {
        /// Height of the node above the leaves (0 = a leaf hash).
        level: u32,
        /// Position of the node among the nodes of its level.
        index: u64,
    },
    /// The store failed; the server maps this to an internal error.
    #[error("node storage failed")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Read access to the complete node hashes of a tree.
///
/// Node (level, index) is the root of the perfect subtree over leaves
/// `[index << level, (index + 1) << level)`; level 0 holds the leaf hashes.
/// A node exists once its last leaf has been appended, and never changes
/// afterwards, so one store answers for every older tree size too.
pub trait NodeSource {
    /// The number of leaves the source holds: proofs may be asked for any
    /// tree size up to it.
    fn size(&self) -> u64;

    /// The hash of the complete node (level, index).
    fn node(&self, level: u32, index: u64) -> Result<Hash, NodeError>;
}

/// MTH(D[start:end]) for an aligned subtree: `start` is a multiple of the
/// smallest power of two >= `end - start`, which is what every subtree of
/// RFC 9162's tree looks like. Perfect subtrees are one read; a right edge is
/// the fold of its perfect pieces, largest first.
pub(crate) fn subtree_hash<S: NodeSource + ?Sized>(
    source: &S,
    start: u64,
    end: u64,
) -> Result<Hash, NodeError> {
    if start >= end {
        return Ok(EMPTY_ROOT);
    }
    let mut pieces = Vec::with_capacity(64);
    let mut at = start;
    let mut left = end - start;
    while left > 0 {
        let level = 63 - left.leading_zeros();
        pieces.push(source.node(level, at >> level)?);
        at += 1 << level;
        left -= 1 << level;
    }
    let mut iter = pieces.iter().rev();
    let last = iter.next().copied().unwrap_or(EMPTY_ROOT);
    Ok(iter.fold(last, |right, left| node_hash(left, &right)))
}

/// The root of the tree of the first `size` leaves held by `source`: any
/// size up to the current one, so old checkpoints can be recomputed.
pub fn root_at<S: NodeSource + ?Sized>(source: &S, size: u64) -> Result<Hash, NodeError> {
    if size > source.size() {
        return Err(NodeError::Missing {
            level: 0,
            index: size - 1,
        });
    }
    subtree_hash(source, 0, size)
}
