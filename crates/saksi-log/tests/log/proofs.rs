//! Properties of proofs: every proof the tree generates verifies, and
//! changing any part of it (a proof hash, the leaf hash, a root, the leaf
//! index) makes it fail. Exhaustive up to 64 leaves, sampled up to 100,000.

use std::sync::OnceLock;

use proptest::prelude::*;
use saksi_log::{
    Hash, MemoryTree, NodeSource, ProofError, VerifyError, consistency_proof, inclusion_proof,
    leaf_hash, merkle_root, root_at, verify_consistency, verify_inclusion,
};

fn tree(n: u64) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for i in 0..n {
        tree.append(leaf_hash(&i.to_be_bytes()));
    }
    tree
}

fn big_tree() -> &'static MemoryTree {
    static TREE: OnceLock<MemoryTree> = OnceLock::new();
    TREE.get_or_init(|| tree(100_000))
}

/// Single-bit changes of `h`: every bit when `step` is 1, else every
/// `step`-th bit (a step of 7 still touches every byte).
fn flips(h: &Hash, step: usize) -> impl Iterator<Item = Hash> + '_ {
    (0..256).step_by(step).map(move |bit| {
        let mut f = *h;
        f[bit / 8] ^= 1 << (bit % 8);
        f
    })
}

fn check_inclusion(tree: &MemoryTree, index: u64, size: u64, root: &Hash, step: usize) {
    let proof = inclusion_proof(tree, index, size).unwrap();
    let leaf = tree.node(0, index).unwrap();
    verify_inclusion(index, size, &leaf, &proof, root).unwrap();
    for i in 0..proof.len() {
        for f in flips(&proof[i], step) {
            let mut bad = proof.clone();
            bad[i] = f;
            assert!(verify_inclusion(index, size, &leaf, &bad, root).is_err());
        }
    }
    for f in flips(&leaf, step) {
        assert!(verify_inclusion(index, size, &f, &proof, root).is_err());
    }
    for f in flips(root, step) {
        assert!(verify_inclusion(index, size, &leaf, &proof, &f).is_err());
    }
    for bit in 0..64 {
        let other = index ^ (1 << bit);
        assert!(
            verify_inclusion(other, size, &leaf, &proof, root).is_err(),
            "index {index} -> {other} in {size}"
        );
    }
    assert!(
        verify_inclusion(
            index,
            size,
            &leaf,
            &proof[..proof.len().saturating_sub(1)],
            root
        )
        .is_err()
            || proof.is_empty()
    );
}

fn check_consistency(tree: &MemoryTree, m: u64, n: u64, r1: &Hash, r2: &Hash, step: usize) {
    let proof = consistency_proof(tree, m, n).unwrap();
    verify_consistency(m, n, r1, r2, &proof).unwrap();
    for i in 0..proof.len() {
        for f in flips(&proof[i], step) {
            let mut bad = proof.clone();
            bad[i] = f;
            assert!(
                verify_consistency(m, n, r1, r2, &bad).is_err(),
                "{m} -> {n} hash {i}"
            );
        }
    }
    for f in flips(r1, step) {
        assert!(verify_consistency(m, n, &f, r2, &proof).is_err());
    }
    for f in flips(r2, step) {
        assert!(verify_consistency(m, n, r1, &f, &proof).is_err());
    }
}

/// Every bit of every hash, every index bit: a few seconds, split in two
/// tests so they run in parallel.
#[test]
fn every_inclusion_proof_up_to_64_leaves_verifies_and_every_change_fails() {
    let tree = tree(64);
    let leaves: Vec<Hash> = (0..64).map(|i| tree.node(0, i).unwrap()).collect();
    for n in 1..=64u64 {
        let rn = root_at(&tree, n).unwrap();
        assert_eq!(rn, merkle_root(&leaves[..n as usize]));
        for index in 0..n {
            check_inclusion(&tree, index, n, &rn, 1);
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_leaves_verifies_and_every_change_fails() {
    let tree = tree(64);
    for n in 1..=64u64 {
        let rn = root_at(&tree, n).unwrap();
        for m in 1..=n {
            check_consistency(&tree, m, n, &root_at(&tree, m).unwrap(), &rn, 1);
        }
    }
}

#[test]
fn proofs_of_old_sizes_come_from_the_current_tree() {
    // The tree grew to 64; proofs for size 13 are those of a tree of 13.
    let full = tree(64);
    let small = tree(13);
    for i in 0..13 {
        assert_eq!(
            inclusion_proof(&full, i, 13).unwrap(),
            inclusion_proof(&small, i, 13).unwrap()
        );
    }
    for m in 1..=13 {
        assert_eq!(
            consistency_proof(&full, m, 13).unwrap(),
            consistency_proof(&small, m, 13).unwrap()
        );
    }
}

#[test]
fn out_of_range_requests_are_errors() {
    let t = tree(10);
    assert!(matches!(
        inclusion_proof(&t, 10, 10),
        Err(ProofError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        inclusion_proof(&t, 0, 11),
        Err(ProofError::SizeTooLarge { .. })
    ));
    assert!(matches!(
        consistency_proof(&t, 0, 5),
        Err(ProofError::InvalidSizes { .. })
    ));
    assert!(matches!(
        consistency_proof(&t, 6, 5),
        Err(ProofError::InvalidSizes { .. })
    ));
    assert!(matches!(
        consistency_proof(&t, 5, 11),
        Err(ProofError::SizeTooLarge { .. })
    ));
    assert_eq!(consistency_proof(&t, 5, 5).unwrap(), Vec::<Hash>::new());
    let r = t.root();
    assert_eq!(
        verify_consistency::<Hash>(0, 10, &r, &r, &[]),
        Err(VerifyError::ZeroOldSize)
    );
    assert_eq!(verify_consistency::<Hash>(10, 10, &r, &r, &[]), Ok(()));
    assert_eq!(
        verify_consistency(10, 10, &r, &r, &[r]),
        Err(VerifyError::ProofLength)
    );
    assert_eq!(
        verify_inclusion::<Hash>(0, 0, &r, &[], &r),
        Err(VerifyError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_inclusion(0, 10, &r[..31], &[r], &r),
        Err(VerifyError::HashLength {
            what: "leaf hash",
            len: 31
        })
    );
    assert_eq!(
        verify_inclusion(0, 10, &r, &[vec![0u8; 33]], &r),
        Err(VerifyError::HashLength {
            what: "proof hash",
            len: 33
        })
    );
    // Sizes near 2^64 are arithmetic, not panics.
    assert!(verify_inclusion(u64::MAX - 1, u64::MAX, &r, &[r; 64], &r).is_err());
    assert!(verify_consistency(u64::MAX - 1, u64::MAX, &r, &r, &[r; 70]).is_err());
}

/// A proof binds a leaf to a root, not to a size: leaf 0's proof in the
/// tree of 3 also verifies when the verifier is told the size is 4. This is
/// why verifiers must take the size from the signed checkpoint (whose
/// signature covers size and root together), never from the proof's sender.
#[test]
fn a_proof_can_verify_for_another_tree_size_so_sizes_must_come_from_checkpoints() {
    let t = tree(3);
    let root3 = t.root();
    let proof = inclusion_proof(&t, 0, 3).unwrap();
    let leaf = t.node(0, 0).unwrap();
    verify_inclusion(0, 3, &leaf, &proof, &root3).unwrap();
    verify_inclusion(0, 4, &leaf, &proof, &root3).unwrap();
    // And it is no rare accident: count such pairs among small trees.
    let t = tree(32);
    let mut other_size = 0;
    for n in 1..=32 {
        let root = root_at(&t, n).unwrap();
        for i in 0..n {
            let proof = inclusion_proof(&t, i, n).unwrap();
            let leaf = t.node(0, i).unwrap();
            other_size += (1..=64)
                .filter(|&k| k != n && verify_inclusion(i, k, &leaf, &proof, &root).is_ok())
                .count();
        }
    }
    assert!(other_size > 100, "{other_size}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sampled_inclusion_proofs_up_to_100k_verify_and_changes_fail(
        n in 1..=100_000u64, i in any::<u64>(),
    ) {
        let tree = big_tree();
        let index = i % n;
        check_inclusion(tree, index, n, &root_at(tree, n).unwrap(), 7);
    }

    #[test]
    fn sampled_consistency_proofs_up_to_100k_verify_and_changes_fail(
        n in 1..=100_000u64, m in any::<u64>(),
    ) {
        let tree = big_tree();
        let m = m % n + 1;
        check_consistency(tree, m, n, &root_at(tree, m).unwrap(), &root_at(tree, n).unwrap(), 7);
    }
}
