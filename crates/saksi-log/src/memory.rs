//! An in-memory [`NodeSource`]: every complete node hash of the tree, level
//! by level. 2 × 32 bytes per leaf (about 256 MiB for 4 million leaves);
//! appending hashes one node per completed parent, amortised O(1).

use crate::compact::CompactRange;
use crate::hash::Hash;
use crate::source::{NodeError, NodeSource};

/// A whole Merkle tree held in memory: the reference store for tests and
/// benchmarks, and enough for an auditor that rebuilds the log it downloads.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    /// `levels[l][i]` is node (l, i); `levels[0]` are the leaf hashes.
    levels: Vec<Vec<Hash>>,
    border: CompactRange,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The empty tree, with room for `leaves` leaves reserved up front, so
    /// that a big log is not copied as its vectors grow.
    pub fn with_capacity(leaves: usize) -> Self {
        let mut levels = Vec::new();
        let mut n = leaves;
        while n > 0 {
            levels.push(Vec::with_capacity(n));
            n /= 2;
        }
        Self {
            levels,
            border: CompactRange::new(),
        }
    }

    /// Appends a leaf hash and returns its index.
    pub fn append(&mut self, leaf: Hash) -> u64 {
        let index = self.border.size();
        let levels = &mut self.levels;
        self.border.append_with(leaf, |level, _, hash| {
            let level = level as usize;
            if levels.len() <= level {
                levels.push(Vec::new());
            }
            levels[level].push(*hash);
        });
        index
    }

    /// The number of leaves.
    pub fn len(&self) -> u64 {
        self.border.size()
    }

    /// Whether no leaf has been appended.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The current root (RFC 9162 §2.1.1), in O(log n).
    pub fn root(&self) -> Hash {
        self.border.root()
    }

    /// The right border of the current tree.
    pub fn compact_range(&self) -> &CompactRange {
        &self.border
    }
}

impl NodeSource for MemoryTree {
    fn size(&self) -> u64 {
        self.len()
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, NodeError> {
        usize::try_from(level)
            .ok()
            .and_then(|l| self.levels.get(l))
            .and_then(|nodes| nodes.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(NodeError::Missing { level, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, merkle_root, node_hash};
    use crate::source::root_at;

    #[test]
    fn stores_every_complete_node_and_every_old_root() {
        let mut tree = MemoryTree::with_capacity(3);
        let leaves: Vec<Hash> = (0u8..37).map(|i| leaf_hash(&[i])).collect();
        for leaf in &leaves {
            tree.append(*leaf);
        }
        assert_eq!(tree.node(1, 0).unwrap(), node_hash(&leaves[0], &leaves[1]));
        assert!(matches!(tree.node(1, 18), Err(NodeError::Missing { .. })));
        assert!(tree.node(0, 36).is_ok());
        for size in 0..=37 {
            assert_eq!(
                root_at(&tree, size).unwrap(),
                merkle_root(&leaves[..size as usize])
            );
        }
        assert!(root_at(&tree, 38).is_err());
        assert_eq!(
            CompactRange::from_source(&tree, 37).unwrap(),
            *tree.compact_range()
        );
    }
}
