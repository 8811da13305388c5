//! Generating inclusion proofs (RFC 9162 §2.1.3.1, PATH) and consistency
//! proofs (§2.1.4.1, PROOF/SUBPROOF) for any tree size a [`NodeSource`]
//! covers, old sizes included. Hashes are listed bottom-up, as the RFC does.
//!
//! Both are the audit path of one node: a leaf for inclusion; for
//! consistency, the highest node of the old tree's right border, whose hash
//! leads the proof unless the old size is a power of two (then it is the old
//! root itself, which the verifier already has).

use crate::hash::Hash;
use crate::source::{NodeError, NodeSource, subtree_hash};

/// Why a proof could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// Inclusion asked for a leaf that is not in the tree of that size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf asked for.
        index: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// The tree size asked for is larger than the tree held.
    #[error("tree size {size} exceeds the {available} leaves held")]
    SizeTooLarge {
        /// The tree size asked for.
        size: u64,
        /// The leaves the source holds.
        available: u64,
    },
    /// Consistency needs 0 < old <= new: nothing is consistent with the
    /// empty tree in a useful way, and a tree never shrinks.
    #[error("consistency needs 0 < old size <= new size, got {old} and {new}")]
    InvalidSizes {
        /// The older (smaller) tree size.
        old: u64,
        /// The newer tree size.
        new: u64,
    },
    /// The store could not supply a node.
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: the sibling hashes from the
/// leaf up to the root of the tree of `size` leaves.
pub fn inclusion_proof<S: NodeSource + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_size(source, size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    Ok(node_path(source, 0, index, size)?)
}

/// PROOF(old, D[0:new]) of RFC 9162 §2.1.4.1. Equal sizes give an empty
/// proof; an old size of 0 is refused (see [`ProofError::InvalidSizes`]).
pub fn consistency_proof<S: NodeSource + ?Sized>(
    source: &S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::InvalidSizes { old, new });
    }
    check_size(source, new)?;
    if old == new {
        return Ok(Vec::new());
    }
    // The old tree's right border ends with the perfect node (level, index)
    // that holds its last leaf: 2^level is the lowest set bit of `old`.
    let level = old.trailing_zeros();
    let index = (old - 1) >> level;
    let mut proof = Vec::with_capacity(65);
    if index != 0 {
        proof.push(source.node(level, index)?);
    }
    proof.extend(node_path(source, level, index, new)?);
    Ok(proof)
}

fn check_size<S: NodeSource + ?Sized>(source: &S, size: u64) -> Result<(), ProofError> {
    let available = source.size();
    if size > available {
        return Err(ProofError::SizeTooLarge { size, available });
    }
    Ok(())
}

/// The audit path of node (level, index) in the tree of `size` leaves
/// (`size` > 0): at each level up to the root, the hash of its sibling
/// subtree, skipping levels where the node has no sibling (it is promoted,
/// RFC 9162 §2.1.1's unbalanced right edge). A sibling cut by the right edge
/// is folded from perfect nodes.
fn node_path<S: NodeSource + ?Sized>(
    source: &S,
    mut level: u32,
    mut index: u64,
    size: u64,
) -> Result<Vec<Hash>, NodeError> {
    let mut path = Vec::with_capacity(64);
    let last = u128::from(size - 1);
    while last.checked_shr(level).unwrap_or(0) > 0 {
        let sibling = u128::from(index ^ 1);
        let start = sibling << level;
        if start < u128::from(size) {
            let end = (start + (1u128 << level)).min(u128::from(size));
            // Both fit in u64: start < size and end <= size.
            path.push(subtree_hash(source, start as u64, end as u64)?);
        }
        index >>= 1;
        level += 1;
    }
    Ok(path)
}
