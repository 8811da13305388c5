//! The compact range of a Merkle tree (the "right border"): one perfect
//! subtree root per set bit of the tree size. Appending a leaf costs
//! O(log n) hashing at worst and amortised O(1); the root of RFC 9162 §2.1.1
//! folds the border from the right in O(log n).

use crate::hash::{EMPTY_ROOT, Hash, node_hash};
use crate::source::{NodeError, NodeSource};

/// The right border of a tree of `size` leaves: enough state to append and
/// to compute the root, without storing the tree.
///
/// `nodes[i]` is the root of a perfect subtree, largest first; their sizes are
/// the set bits of `size` from the highest down.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    nodes: Vec<Hash>,
}

impl CompactRange {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the border of a tree of `size` leaves from stored node hashes
    /// (one read per set bit of `size`), for example after a restart.
    pub fn from_source<S: NodeSource + ?Sized>(source: &S, size: u64) -> Result<Self, NodeError> {
        let mut nodes = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1 << level) != 0 {
                nodes.push(source.node(level, start >> level)?);
                start += 1 << level;
            }
        }
        Ok(Self { size, nodes })
    }

    /// The number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtree roots of the border, largest first.
    pub fn border(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf hash. `on_node(level, index, hash)` is called for every
    /// complete node this creates (the leaf itself at level 0, then each
    /// parent it completes), which is exactly what a store must persist so
    /// that proofs can later be generated from it.
    ///
    /// The caller bounds the tree below 2^64 leaves; past that the size
    /// saturates and no node is created.
    pub fn append_with(&mut self, leaf: Hash, mut on_node: impl FnMut(u32, u64, &Hash)) {
        if self.size == u64::MAX {
            return;
        }
        let index = self.size;
        on_node(0, index, &leaf);
        let mut hash = leaf;
        let mut level = 0u32;
        while (index >> level) & 1 == 1 {
            // The border's last node is the left sibling at this level.
            let Some(left) = self.nodes.pop() else { break };
            hash = node_hash(&left, &hash);
            level += 1;
            on_node(level, index >> level, &hash);
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// Appends a leaf hash.
    pub fn append(&mut self, leaf: Hash) {
        self.append_with(leaf, |_, _, _| {});
    }

    /// The Merkle Tree Hash of the leaves appended so far (RFC 9162 §2.1.1).
    pub fn root(&self) -> Hash {
        let mut iter = self.nodes.iter().rev();
        let Some(last) = iter.next() else {
            return EMPTY_ROOT;
        };
        iter.fold(*last, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, merkle_root};

    #[test]
    fn root_after_each_append_matches_the_reference() {
        let mut range = CompactRange::new();
        let mut leaves = Vec::new();
        assert_eq!(range.root(), EMPTY_ROOT);
        for i in 0u32..200 {
            let leaf = leaf_hash(&i.to_be_bytes());
            leaves.push(leaf);
            range.append(leaf);
            assert_eq!(range.root(), merkle_root(&leaves), "size {}", i + 1);
            assert_eq!(range.border().len(), range.size().count_ones() as usize);
        }
    }

    #[test]
    fn append_reports_every_completed_node() {
        let mut range = CompactRange::new();
        let mut seen = Vec::new();
        for i in 0u8..4 {
            range.append_with(leaf_hash(&[i]), |l, n, _| seen.push((l, n)));
        }
        assert_eq!(
            seen,
            [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0)]
        );
    }
}
