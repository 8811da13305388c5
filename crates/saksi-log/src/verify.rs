//! Verifying inclusion (RFC 9162 §2.1.3.2) and consistency (§2.1.4.2)
//! proofs, step by step as the RFC writes them, after checking that every
//! hash given is 32 bytes.
//!
//! Rules the RFC leaves open, fixed here (and in the transparency-dev
//! reference): a leaf index must be below the tree size; an old size of 0 is
//! an error (the empty tree is a prefix of everything, so such a proof proves
//! nothing); equal sizes need an empty proof and equal roots.
//!
//! A proof binds a leaf to a root, not to a tree size: some proofs also
//! verify when given another size (leaf 0's proof in a tree of 3 verifies
//! with size 4 against the same root). Verifiers must therefore take the
//! size from the signed checkpoint that carries the root, never from the
//! party that supplied the proof.

use crate::hash::{Hash, node_hash};

/// Why a proof was refused. Every variant means "not proven".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A hash given is not 32 bytes.
    #[error("{what} is {len} bytes, not 32")]
    HashLength {
        /// Which input: "leaf hash", "root", "proof hash".
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// Consistency from the empty tree proves nothing; refused.
    #[error("old tree size is 0")]
    ZeroOldSize,
    /// The old size is larger than the new one.
    #[error("old size {old} is larger than new size {new}")]
    OldSizeLarger {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// The proof has the wrong number of hashes for the sizes given.
    #[error("proof has the wrong number of hashes")]
    ProofLength,
    /// The proof does not lead to the root(s) given.
    #[error("computed root does not match")]
    RootMismatch,
}

fn to_hash(what: &'static str, bytes: &[u8]) -> Result<Hash, VerifyError> {
    Hash::try_from(bytes).map_err(|_| VerifyError::HashLength {
        what,
        len: bytes.len(),
    })
}

fn to_hashes<P: AsRef<[u8]>>(proof: &[P]) -> Result<Vec<Hash>, VerifyError> {
    proof
        .iter()
        .map(|p| to_hash("proof hash", p.as_ref()))
        .collect()
}

/// Shifts `fn_` and `sn` right together until `fn_` is odd or zero.
fn shift_until_odd_or_zero(fn_: &mut u64, sn: &mut u64) {
    while *fn_ != 0 && *fn_ & 1 == 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Checks that `proof` shows the leaf with hash `leaf_hash` at `leaf_index`
/// in the tree of `tree_size` leaves whose root is `root`
/// (RFC 9162 §2.1.3.2). `tree_size` must come from a verified checkpoint.
pub fn verify_inclusion<P: AsRef<[u8]>>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), VerifyError> {
    let leaf = to_hash("leaf hash", leaf_hash)?;
    let root = to_hash("root", root)?;
    let proof = to_hashes(proof)?;
    // 1. leaf_index >= tree_size fails.
    if leaf_index >= tree_size {
        return Err(VerifyError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    // 2-3.
    let mut fn_ = leaf_index;
    let mut sn = tree_size - 1;
    let mut r = leaf;
    // 4.
    for p in &proof {
        if sn == 0 {
            return Err(VerifyError::ProofLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                shift_until_odd_or_zero(&mut fn_, &mut sn);
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    if sn != 0 {
        return Err(VerifyError::ProofLength);
    }
    if r != root {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `old_size` leaves with root `old_root` is a prefix
/// of the tree of `new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2).
/// Both sizes must come from verified checkpoints.
pub fn verify_consistency<P: AsRef<[u8]>>(
    old_size: u64,
    new_size: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[P],
) -> Result<(), VerifyError> {
    let first_hash = to_hash("root", old_root)?;
    let second_hash = to_hash("root", new_root)?;
    let mut path = to_hashes(proof)?;
    if old_size == 0 {
        return Err(VerifyError::ZeroOldSize);
    }
    if old_size > new_size {
        return Err(VerifyError::OldSizeLarger {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == new_size {
        if !path.is_empty() {
            return Err(VerifyError::ProofLength);
        }
        if first_hash != second_hash {
            return Err(VerifyError::RootMismatch);
        }
        return Ok(());
    }
    // 1. An empty proof fails.
    if path.is_empty() {
        return Err(VerifyError::ProofLength);
    }
    // 2. A power-of-two old size: the old root is the first node.
    if old_size.is_power_of_two() {
        path.insert(0, first_hash);
    }
    // 3-4.
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    let mut fr = path[0];
    let mut sr = path[0];
    // 6.
    for c in &path[1..] {
        if sn == 0 {
            return Err(VerifyError::ProofLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                shift_until_odd_or_zero(&mut fn_, &mut sn);
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7.
    if sn != 0 {
        return Err(VerifyError::ProofLength);
    }
    if fr != first_hash || sr != second_hash {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}
