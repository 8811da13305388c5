//! What the server serves, read into values through the public shapes of
//! `saksi-api`: a page of log entries, a consistency proof, a results
//! answer. Anything else is refused with what was wrong, so a dishonest or
//! broken server is named rather than half-read.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{LogEntries, Proof, Results};
use saksi_log::Hash;

use crate::replay::ServedEntry;

/// The longest consistency proof taken: twice the height of a tree of
/// 2^64 leaves is 128.
pub const MAX_PROOF: usize = 128;

/// An answer that is not what the API documents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ServedError {
    /// Not the JSON shape of this answer.
    #[error("not {shape}: {reason}")]
    Shape {
        /// The shape expected, as people read it.
        shape: &'static str,
        /// What the JSON parser said.
        reason: String,
    },
    /// A page holding more entries than asked for.
    #[error("{served} entries for a range of {asked}")]
    TooMany {
        /// Entries served.
        served: usize,
        /// Entries asked for.
        asked: u64,
    },
    /// An entry out of order.
    #[error("entry {expected} is served as index {served}")]
    OutOfOrder {
        /// The index the position calls for.
        expected: u64,
        /// The index served there.
        served: u64,
    },
    /// An entry's `data` that is not base64.
    #[error("entry {0}: `data` is not standard base64")]
    Data(u64),
    /// An entry's `leaf_hash` that is not a hash.
    #[error("entry {0}: `leaf_hash` is not base64 of 32 bytes")]
    LeafHash(u64),
    /// A proof longer than any tree can need.
    #[error("a proof of {0} hashes")]
    ProofTooLong(usize),
    /// A proof hash that is not a hash.
    #[error("a proof hash is not base64 of 32 bytes")]
    ProofHash,
}

fn shape(shape: &'static str) -> impl FnOnce(serde_json::Error) -> ServedError {
    move |e| ServedError::Shape {
        shape,
        reason: e.to_string(),
    }
}

/// Standard base64 of exactly 32 bytes.
pub fn decode_hash(text: &str) -> Option<Hash> {
    let bytes = STANDARD.decode(text).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

/// The entries of a page asked for as `start..end`: at most that many,
/// in order from `start`, each with its bytes and the leaf hash claimed.
pub fn entries_page(body: &[u8], start: u64, end: u64) -> Result<Vec<ServedEntry>, ServedError> {
    let page: LogEntries = serde_json::from_slice(body).map_err(shape(
        "a page of entries ({\"entries\": [{\"index\", \"data\", \"leaf_hash\"}]})",
    ))?;
    let asked = end.saturating_sub(start);
    if page.entries.len() as u64 > asked {
        return Err(ServedError::TooMany {
            served: page.entries.len(),
            asked,
        });
    }
    let mut out = Vec::with_capacity(page.entries.len());
    for (expected, item) in (start..).zip(page.entries) {
        if item.index != expected {
            return Err(ServedError::OutOfOrder {
                expected,
                served: item.index,
            });
        }
        let data = STANDARD
            .decode(item.data.as_bytes())
            .map_err(|_| ServedError::Data(expected))?;
        let leaf_hash = decode_hash(&item.leaf_hash).ok_or(ServedError::LeafHash(expected))?;
        out.push(ServedEntry {
            index: expected,
            data,
            leaf_hash: Some(leaf_hash),
        });
    }
    Ok(out)
}

/// The hashes of a consistency (or inclusion) proof.
pub fn proof(body: &[u8]) -> Result<Vec<Hash>, ServedError> {
    let proof: Proof =
        serde_json::from_slice(body).map_err(shape("a proof ({\"proof\": [hashes]})"))?;
    if proof.proof.len() > MAX_PROOF {
        return Err(ServedError::ProofTooLong(proof.proof.len()));
    }
    proof
        .proof
        .iter()
        .map(|h| decode_hash(h).ok_or(ServedError::ProofHash))
        .collect()
}

/// A results answer (`GET /api/v1/results/{contest}[/{code}]`).
pub fn results(body: &[u8]) -> Result<Results, ServedError> {
    serde_json::from_slice(body).map_err(shape("the documented results answer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_checked_field_by_field() {
        let hash = STANDARD.encode([7u8; 32]);
        let good = format!(
            r#"{{"entries":[{{"index":5,"data":"e30=","leaf_hash":"{hash}"}},{{"index":6,"data":"W10=","leaf_hash":"{hash}","extra":1}}]}}"#
        );
        let page = entries_page(good.as_bytes(), 5, 10).unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(page[1].data, b"[]");
        assert_eq!(
            entries_page(good.as_bytes(), 4, 10),
            Err(ServedError::OutOfOrder {
                expected: 4,
                served: 5
            })
        );
        assert_eq!(
            entries_page(good.as_bytes(), 5, 6),
            Err(ServedError::TooMany {
                served: 2,
                asked: 1
            })
        );
        let bad_data = good.replace("e30=", "e30");
        assert_eq!(
            entries_page(bad_data.as_bytes(), 5, 10),
            Err(ServedError::Data(5))
        );
        let bad_hash = good.replacen(&hash, "AAAA", 1);
        assert_eq!(
            entries_page(bad_hash.as_bytes(), 5, 10),
            Err(ServedError::LeafHash(5))
        );
        assert!(matches!(
            entries_page(br#"{"entries":[{"index":"5"}]}"#, 5, 10),
            Err(ServedError::Shape { .. })
        ));
        assert!(matches!(
            entries_page(b"[]", 5, 10),
            Err(ServedError::Shape { .. })
        ));
    }

    #[test]
    fn proofs_are_hashes_and_no_longer_than_a_tree_can_need() {
        let hash = STANDARD.encode([1u8; 32]);
        let two = format!(r#"{{"proof":["{hash}","{hash}"]}}"#);
        assert_eq!(proof(two.as_bytes()).unwrap(), vec![[1u8; 32]; 2]);
        assert_eq!(proof(br#"{"proof":["AAAA"]}"#), Err(ServedError::ProofHash));
        let long = format!(
            r#"{{"proof":[{}]}}"#,
            vec![format!("\"{hash}\""); 129].join(",")
        );
        assert_eq!(proof(long.as_bytes()), Err(ServedError::ProofTooLong(129)));
        assert!(matches!(proof(b"{}"), Err(ServedError::Shape { .. })));
    }
}
