//! A log that rewrote its history after a citizen saved a checkpoint is
//! caught: shrunk, another root at the same size, or no valid consistency
//! proof; an honest log's growth is accepted with its proof.

use saksi_audit::growth::{Growth, precheck, verify};
use saksi_log::{Checkpoint, MemoryTree, consistency_proof, leaf_hash};

use crate::build::ORIGIN;

fn tree(entries: &[&str]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for e in entries {
        tree.append(leaf_hash(e.as_bytes()));
    }
    tree
}

fn checkpoint(tree: &MemoryTree) -> Checkpoint {
    Checkpoint::new(ORIGIN, tree.len(), tree.root())
}

#[test]
fn an_honest_log_grows_with_a_verified_proof() {
    let old = tree(&["a", "b", "c"]);
    let new = tree(&["a", "b", "c", "d", "e"]);
    let (old_cp, new_cp) = (checkpoint(&old), checkpoint(&new));
    assert_eq!(precheck(&old_cp, &new_cp), Ok(Growth::NeedsProof));
    let proof = consistency_proof(&new, 3, 5).unwrap();
    assert_eq!(
        verify(&old_cp, &new_cp, &proof).unwrap(),
        "proof from the saved size 3 to 5 verified"
    );
    assert!(matches!(precheck(&old_cp, &old_cp), Ok(Growth::Decided(_))));
}

#[test]
fn a_rewritten_entry_fails_the_proof() {
    let old = tree(&["a", "b", "c"]);
    let rewritten = tree(&["a", "B", "c", "d", "e"]);
    let proof = consistency_proof(&rewritten, 3, 5).unwrap();
    let problem = verify(&checkpoint(&old), &checkpoint(&rewritten), &proof).unwrap_err();
    assert!(problem.starts_with("history rewritten"), "{problem}");
}

#[test]
fn a_log_that_shrank_or_forked_at_the_same_size_is_caught_without_a_proof() {
    let old = tree(&["a", "b", "c"]);
    let shorter = tree(&["a", "b"]);
    let forked = tree(&["a", "b", "x"]);
    let shrank = precheck(&checkpoint(&old), &checkpoint(&shorter)).unwrap_err();
    assert!(shrank.starts_with("the log shrank"), "{shrank}");
    let fork = precheck(&checkpoint(&old), &checkpoint(&forked)).unwrap_err();
    assert!(
        fork.starts_with("history rewritten: two signed checkpoints of size 3"),
        "{fork}"
    );
}
