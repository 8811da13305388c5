//! The accounts a demo keeps in its store: the printed demo accounts
//! (`demo-*`, one per role) and the simulated KPU officers' (`sim-*`,
//! `demo_incidents`). Both are created when missing and enrolled in TOTP
//! with a secret the demo knows, so that whoever holds it (a script for
//! the former, the simulation for the latter) computes the codes.

use anyhow::{Context, Result};
use saksi_core::RegionCode;
use saksi_core::permission::Role;
use saksi_server::auth::password;
use saksi_server::auth::totp::SECRET_BYTES;
use saksi_server::auth::totp_key::TotpKey;
use saksi_store::{NewUser, Store};

use crate::support::now;

/// An account as the demo wants it.
pub struct Wanted {
    pub username: String,
    pub role: Role,
    pub region: RegionCode,
    /// A party witness's party.
    pub party: Option<u8>,
    pub password: String,
    /// The TOTP secret to enrol, for a role that needs one.
    pub totp: Option<[u8; SECRET_BYTES]>,
}

/// Creates the accounts that do not exist yet (hashing only their
/// passwords: Argon2 takes a core a while), and enrols TOTP for those
/// that have a secret and none enrolled. An account already there keeps
/// its password and secret.
pub fn ensure(store: &dyn Store, key: &TotpKey, accounts: &[Wanted]) -> Result<()> {
    let mut new = Vec::new();
    for a in accounts {
        if store.user_by_username(&a.username)?.is_none() {
            new.push(NewUser {
                username: a.username.clone(),
                role: a.role.id().to_owned(),
                region: a.region,
                party: a.party,
                paslon: None,
                password_hash: Some(password::hash(&a.password)?),
                created_at: now(),
            });
        }
    }
    store
        .add_users(&new)
        .context("cannot create the demo's accounts")?;
    let now = now();
    for a in accounts {
        let Some(secret) = &a.totp else {
            continue;
        };
        let user = store
            .user_by_username(&a.username)?
            .with_context(|| format!("the account {} just created is missing", a.username))?;
        if user.totp_enrolled {
            continue;
        }
        let sealed = key.seal(user.id.0, secret)?;
        store.begin_totp(user.id, &sealed, now)?;
        // Confirmed without a code (step 0 marked used), so every code of
        // the present is still unused; no recovery codes.
        store.confirm_totp(user.id, &sealed, 0, &[], now)?;
    }
    Ok(())
}
