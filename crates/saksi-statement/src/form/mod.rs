//! The C.Hasil as a fact of the log: the KPPS's signed statement
//! ([`FormStatement`], logged as a `form` v2 entry), the `form` v1 entries
//! of versions entered through an officer's session ([`FormEntryV1`]), and
//! the digest that chains the versions of one (TPS, contest).

mod statement;
mod v1;

pub use statement::{FormStatement, MAX_PHOTOS};
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
        Entry::KeyV1(_) => None,
    }
}
