//! Whether the log grew honestly between two signed checkpoints: never
//! shrunk, never two roots at one size, and a consistency proof between
//! them (RFC 9162 §2.1.4).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_log::{Checkpoint, Hash, verify_consistency};

/// What the two checkpoints alone say.
#[derive(Debug, PartialEq, Eq)]
pub enum Growth {
    /// Decided without a proof: the line to print.
    Decided(String),
    /// The log grew from a non-empty size: ask for a consistency proof and
    /// give it to [`verify`].
    NeedsProof,
}

/// Checks what needs no proof. `Err` is the discrepancy.
pub fn precheck(old: &Checkpoint, new: &Checkpoint) -> Result<Growth, String> {
    if new.size < old.size {
        return Err(format!(
            "the log shrank: the saved checkpoint has {} entries, the server's {}",
            old.size, new.size
        ));
    }
    if new.size == old.size {
        return if new.root == old.root {
            Ok(Growth::Decided(format!(
                "unchanged since the saved checkpoint (size {})",
                old.size
            )))
        } else {
            Err(format!(
                "history rewritten: two signed checkpoints of size {} with different roots (saved {}, served {})",
                old.size,
                STANDARD.encode(old.root),
                STANDARD.encode(new.root)
            ))
        };
    }
    if old.size == 0 {
        return Ok(Growth::Decided("grew from the empty log".to_owned()));
    }
    Ok(Growth::NeedsProof)
}

/// Verifies the consistency proof from `old` to the larger `new`.
pub fn verify(old: &Checkpoint, new: &Checkpoint, proof: &[Hash]) -> Result<String, String> {
    verify_consistency(old.size, new.size, &old.root, &new.root, proof).map_err(|e| {
        format!(
            "history rewritten: the consistency proof from the saved size {} to {} does not verify ({e})",
            old.size, new.size
        )
    })?;
    Ok(format!(
        "proof from the saved size {} to {} verified",
        old.size, new.size
    ))
}
