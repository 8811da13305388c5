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

/// The current version of every form (2 bytes a form: 8 MB for a nation),
/// the current version's digest once this run accepted or read it (32
/// bytes a form: 130 MB for a nation, so that a kecamatan's sign-off is
/// checked against memory rather than a store read per TPS), and a 64-bit
/// fingerprint of every idempotency key ever recorded. A fingerprint hit
/// only means "ask the store", so a collision costs a read, never a wrong
/// answer.
#[derive(Debug, Default)]
pub struct Known {
    /// `versions[(tps - first_tps) * 5 + contest]`.
    versions: Vec<u16>,
    /// The same slots; all zero while not known (after a restart, until
    /// read from the store once).
    digests: Vec<[u8; 32]>,
    first_tps: usize,
    requests: std::collections::HashSet<u64>,
}

impl Known {
    /// Room for every form of `election`.
    pub fn new(election: &Election) -> Known {
        let first_tps = election.tree.upper_len();
        let slots = (election.tree.len() - first_tps) * Contest::ALL.len();
        Known {
            versions: vec![0; slots],
            digests: vec![[0; 32]; slots],
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

    /// Records the digest of a form's current version.
    pub fn set_digest(&mut self, tps: RegionId, contest: Contest, digest: [u8; 32]) {
        if let Some(slot) = self.slot(tps, contest).filter(|s| *s < self.digests.len()) {
            self.digests[slot] = digest;
        }
    }

    /// The digest of a form's current version, if this run has it (no
    /// SHA-256 is all zeros in practice).
    pub(super) fn digest(&self, tps: RegionId, contest: Contest) -> Option<[u8; 32]> {
        self.slot(tps, contest)
            .and_then(|s| self.digests.get(s))
            .filter(|d| **d != [0; 32])
            .copied()
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

#[cfg(test)]
mod tests {
    use saksi_core::Level;
    use saksi_sim::generate::{GenerateOptions, generate};

    use super::*;

    #[test]
    fn a_forms_digest_is_remembered_per_tps_and_contest_and_unknown_until_set() {
        let election = generate(&GenerateOptions {
            seed: 2,
            scale: 0.001,
        })
        .unwrap();
        let mut known = Known::new(&election);
        let mut tps = election.tree.tps_ids();
        let (a, b) = (tps.next().unwrap(), tps.next().unwrap());
        assert_eq!(known.digest(a, Contest::Ppwp), None);
        known.set_digest(a, Contest::Ppwp, [7; 32]);
        assert_eq!(known.digest(a, Contest::Ppwp), Some([7; 32]));
        assert_eq!(known.digest(a, Contest::Dpr), None);
        assert_eq!(known.digest(b, Contest::Ppwp), None);
        // A later version's digest replaces it.
        known.set_digest(a, Contest::Ppwp, [9; 32]);
        assert_eq!(known.digest(a, Contest::Ppwp), Some([9; 32]));
        // A region above the TPS has no slot.
        let kecamatan = election
            .tree
            .iter()
            .find(|(_, r)| r.level() == Level::Kecamatan)
            .map(|(id, _)| id)
            .unwrap();
        known.set_digest(kecamatan, Contest::Ppwp, [1; 32]);
        assert_eq!(known.digest(kecamatan, Contest::Ppwp), None);
    }
}
