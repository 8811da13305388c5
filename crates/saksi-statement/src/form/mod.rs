//! The C.Hasil as a fact of the log: the signed statement ([`FormStatement`],
//! logged as a `form` v2 entry, by the TPS's KPPS device or on its behalf by
//! a PPS or PPK), the `form` v1 entries of versions entered through an
//! officer's session in old logs ([`FormEntryV1`]), the digest that chains
//! the versions of one (TPS, contest), and which version may supersede
//! which ([`SignedBy`]).

mod statement;
mod v1;

pub use statement::{Correction, FormStatement, MAX_PHOTOS, MAX_REASON_CHARS, OnBehalf};
pub use v1::{FormEntryV1, form_bytes};

use sha2::{Digest, Sha256};

use crate::entry::Entry;

/// The digest a form version is chained by (the next version's `prev`):
/// the SHA-256 of its statement's RFC 8785 bytes if it carries one (`form`
/// v2), else of its entry bytes (`form` v1). `None` for an entry that is
/// not a form version. `entry_bytes` are the bytes `entry` was decoded from.
pub fn version_digest(entry: &Entry, entry_bytes: &[u8]) -> Option<[u8; 32]> {
    match entry {
        Entry::FormV1(_) => Some(Sha256::digest(entry_bytes).into()),
        Entry::FormV2(signed) => Some(signed.signed.sha256()),
        _ => None,
    }
}

/// Who vouches for a form version, as far as superseding goes. The key
/// chain has already said the signer may sign it: a statement carries
/// `on_behalf` exactly when a PPS or PPK key signed it for a TPS with no
/// working phone, and `correction` when a PPK key signed the version an
/// upheld objection called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedBy {
    /// A `form` v1 entry: entered through a session, signed by nobody.
    Session,
    /// The TPS's KPPS device.
    Kpps,
    /// A PPS or PPK key, on behalf of the TPS.
    OnBehalf,
    /// A PPK key, correcting the form as an upheld objection asks.
    Correction,
}

impl SignedBy {
    /// Who vouches for a form entry's version; `None` for another kind.
    pub fn of(entry: &Entry) -> Option<SignedBy> {
        match entry {
            Entry::FormV1(_) => Some(SignedBy::Session),
            Entry::FormV2(e) => Some(e.signed.statement.signed_by()),
            _ => None,
        }
    }

    /// Whether a version vouched for so may follow the `current` one: a
    /// version signed on behalf never supersedes one the TPS's own KPPS
    /// device signed (once the TPS has a working phone, its numbers come
    /// from it) nor a correction the plenary decided; everything else may
    /// (a KPPS may still re-submit while its kecamatan is under review).
    pub fn may_supersede(self, current: SignedBy) -> bool {
        !(self == SignedBy::OnBehalf && matches!(current, SignedBy::Kpps | SignedBy::Correction))
    }
}

#[cfg(test)]
mod tests {
    use super::SignedBy::*;

    #[test]
    fn only_a_version_signed_on_behalf_over_a_kpps_signed_one_or_a_correction_is_refused() {
        for (new, current, allowed) in [
            (OnBehalf, Kpps, false),
            (OnBehalf, Correction, false),
            (Kpps, Correction, true),
            (Correction, Kpps, true),
            (Correction, Correction, true),
            (OnBehalf, OnBehalf, true),
            (OnBehalf, Session, true),
            (Kpps, OnBehalf, true),
            (Kpps, Kpps, true),
            (Kpps, Session, true),
        ] {
            assert_eq!(
                new.may_supersede(current),
                allowed,
                "{new:?} over {current:?}"
            );
        }
    }
}
