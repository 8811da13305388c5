//! The server's side of the key chain (`docs/statements.md`): the registry
//! rebuilt from the store. The rules themselves are
//! `saksi_statement::registry`, shared with the auditor; their refusals are
//! answered by `controllers::statements`.

use saksi_log::Verifier;
use saksi_statement::registry::KeyRecord;
use saksi_statement::{KeyRole, Registry};
use saksi_store::{Store, StoreError};

/// Why the stored keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyLoadError {
    #[error("cannot read the registered keys")]
    Store(#[from] StoreError),
    #[error("stored key {key:?} is invalid: {reason}")]
    Corrupt { key: String, reason: String },
}

/// A signed version's stored `submitted_by`: its signer's role and
/// verifier key, `<role>:<key>`, so the TPS page names them without
/// reading the key chain.
pub fn submitted_by(role: KeyRole, signer: &str) -> String {
    format!("{}:{signer}", role.id())
}

/// The role and verifier key a version's `submitted_by` names; `None` for
/// a version entered through a session (a `form` v1 entry). Versions
/// stored before PPS and PPK keys existed say `key:<key>`: a KPPS key.
pub fn signer_of(submitted_by: &str) -> Option<(KeyRole, &str)> {
    let (role, key) = submitted_by.split_once(':')?;
    let role = match role {
        "key" => KeyRole::Kpps,
        role => KeyRole::parse(role)?,
    };
    Some((role, key))
}

/// The registry of `roots` and every key the store holds, with their
/// revocations.
pub fn registry_from_store(
    roots: &[Verifier],
    store: &dyn Store,
) -> Result<Registry, KeyLoadError> {
    let mut registry = Registry::new(roots);
    for stored in store.keys()? {
        let corrupt = |reason: &str| KeyLoadError::Corrupt {
            key: stored.key.clone(),
            reason: reason.to_owned(),
        };
        let verifier = Verifier::parse(&stored.key).map_err(|e| corrupt(&e.to_string()))?;
        let role = KeyRole::parse(&stored.role).ok_or_else(|| corrupt("unknown role"))?;
        registry.insert(
            verifier.public_key(),
            KeyRecord {
                key_id: verifier.key_id(),
                role,
                region: stored.region,
                valid_from: stored.valid_from,
                valid_until: stored.valid_until,
                registered_at: stored.registered_at,
                revoked_at: stored.revoked_at,
                commissioner: stored.commissioner,
            },
        );
    }
    Ok(registry)
}
