//! Saksi's transparency log, pure and without I/O
//! (docs/architecture.md, "The crates and their arrows"):
//!
//! - [`hash`]: RFC 9162 §2.1.1 leaf and node hashes, the Merkle Tree Hash;
//! - [`compact`], [`source`], [`memory`]: appending in O(log n) with a
//!   compact range, node storage behind [`NodeSource`], an in-memory tree;
//! - [`proof`], [`verify`]: inclusion and consistency proofs, RFC 9162
//!   §2.1.3 and §2.1.4;
//! - [`keys`], [`note`], [`checkpoint`]: C2SP signed-note and
//!   tlog-checkpoint with strict Ed25519;
//! - [`batch`]: batch verification that answers exactly as the strict
//!   single rule;
//! - [`tiles`]: C2SP tlog-tiles paths and tile contents;
//! - [`canonical_json`], [`canonical_check`]: RFC 8785 for log entries,
//!   written, and checked and read in place.

pub mod batch;
pub mod canonical_check;
pub mod canonical_json;
pub mod checkpoint;
pub mod compact;
pub mod hash;
pub mod keys;
pub mod memory;
pub mod note;
pub mod proof;
pub mod source;
pub mod tiles;
pub mod verify;

pub use batch::verify_batch;
pub use canonical_json::{
    CanonicalJsonError, canonical_json, write_string as write_canonical_string,
};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use compact::CompactRange;
pub use hash::{EMPTY_ROOT, HASH_LEN, Hash, leaf_hash, merkle_root, node_hash};
pub use keys::{KeyError, Signer, Verifier, key_id};
pub use memory::MemoryTree;
pub use note::{Note, NoteError, Opened, Signature, open};
pub use proof::{ProofError, consistency_proof, inclusion_proof};
pub use source::{NodeError, NodeSource, root_at};
pub use verify::{VerifyError, verify_consistency, verify_inclusion};
