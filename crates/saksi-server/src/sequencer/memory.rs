//! The idempotency memory: what the sequencer keeps so that the common
//! case (a first version, a fresh idempotency key) needs no read from the
//! store.

use saksi_core::{Contest, Election, RegionId};

/// Who asked and under which idempotency key: a retry with the same pair
/// and the same request gets the first answer again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    /// `user:<id>` for a session, `statement` for a signed statement.
    pub principal: String,
    /// The `Idempotency-Key` header, or a statement's hex digest.
    pub key: String,
}

/// The current version of every form (2 bytes a form: 8 MB for a nation)
/// and a 64-bit fingerprint of every idempotency key ever recorded. A
/// fingerprint hit only means "ask the store", so a collision costs a
/// read, never a wrong answer.
#[derive(Debug, Default)]
pub struct Known {
    /// `versions[(tps - first_tps) * 5 + contest]`.
    versions: Vec<u16>,
    first_tps: usize,
    requests: std::collections::HashSet<u64>,
}

impl Known {
    /// Room for every form of `election`.
    pub fn new(election: &Election) -> Known {
        let first_tps = election.tree.upper_len();
        Known {
            versions: vec![0; (election.tree.len() - first_tps) * Contest::ALL.len()],
            first_tps,
            requests: Default::default(),
        }
    }

    fn slot(&self, tps: RegionId, contest: Contest) -> Option<usize> {
        let i = tps.index().checked_sub(self.first_tps)?;
        Some(i * Contest::ALL.len() + contest.index())
    }

    /// Records a stored version.
    pub fn set_version(&mut self, tps: RegionId, contest: Contest, version: u32) {
        if let Some(slot) = self.slot(tps, contest).filter(|s| *s < self.versions.len()) {
            self.versions[slot] = u16::try_from(version).unwrap_or(u16::MAX);
        }
    }

    /// True if a version of this form is stored (or may be).
    pub(super) fn has_version(&self, tps: RegionId, contest: Contest) -> bool {
        self.slot(tps, contest)
            .and_then(|s| self.versions.get(s))
            .is_none_or(|v| *v > 0)
    }

    /// Records a request's idempotency key as (possibly) stored.
    pub fn remember_request(&mut self, principal: &str, key: &str) {
        self.requests.insert(fingerprint(principal, key));
    }

    /// False only if no request was ever stored under this idempotency key.
    pub(super) fn may_have_request(&self, request: &IdempotencyKey) -> bool {
        self.requests
            .contains(&fingerprint(&request.principal, &request.key))
    }
}

/// A 64-bit fingerprint of (principal, idempotency key): the first 8 bytes
/// of SHA-256 over both, separated, so no crafted key can aim at another's.
fn fingerprint(principal: &str, key: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(principal.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().expect("SHA-256 has 32 bytes"))
}
