//! RFC 9162 §2.1.1 hashing: the leaf and interior node hashes of a Merkle
//! tree, the empty tree's root, and a plain recursive Merkle Tree Hash used
//! as the reference that the incremental code is tested against.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: every leaf, node and root of the log is one.
pub type Hash = [u8; 32];

/// The number of bytes of a [`Hash`]; verifiers check proof hashes against it
/// before doing any arithmetic (RFC 9162 §2.1.3.2, §2.1.4.2).
pub const HASH_LEN: usize = 32;

/// MTH({}) = SHA-256() (RFC 9162 §2.1.1): the root of the empty tree.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// SHA-256(0x00 || entry): the leaf hash (RFC 9162 §2.1.1). The 0x00 prefix
/// keeps a leaf from ever being taken for an interior node.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// SHA-256(0x01 || left || right): an interior node (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The Merkle Tree Hash of a list of leaf hashes, computed by the recursive
/// definition of RFC 9162 §2.1.1 (split at the largest power of two smaller
/// than n). O(n) and recursive: a reference for tests and small trees, not
/// for the log itself.
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(&merkle_root(&leaves[..k]), &merkle_root(&leaves[k..]))
        }
    }
}

/// The largest power of two strictly smaller than `n` (n >= 2): the split
/// point k of RFC 9162 §2.1.1.
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(merkle_root(&[]), EMPTY_ROOT);
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(largest_power_of_two_below(2), 1);
        assert_eq!(largest_power_of_two_below(3), 2);
        assert_eq!(largest_power_of_two_below(4), 2);
        assert_eq!(largest_power_of_two_below(5), 4);
        assert_eq!(largest_power_of_two_below(u64::MAX), 1 << 63);
    }
}
