//! Generated KPPS officers for simulations: one account per TPS, without a
//! password (they cannot log in), each with a session token written
//! straight into the store. No password is ever hashed at scale.

use std::collections::HashMap;

use anyhow::{Context, Result};
use saksi_core::permission::Role;
use saksi_core::{Election, RegionId};
use saksi_server::auth::token;
use saksi_store::{NewUser, Session, Store};

use crate::commands::user::now;

/// How long a simulation's tokens stay valid.
const TOKEN_TTL_SECS: i64 = 7 * 24 * 3600;

/// The username of the generated KPPS officer of a TPS.
pub fn username(election: &Election, tps: RegionId) -> String {
    format!("kpps-{}", election.tree.get(tps).code.compact())
}

/// Makes sure every TPS in `tps` has its KPPS officer (creating the
/// missing ones in one transaction) and returns a fresh token for each.
pub fn provision(
    store: &dyn Store,
    election: &Election,
    tps: &[RegionId],
) -> Result<HashMap<RegionId, String>> {
    let created_at = now();
    let mut user_ids = Vec::with_capacity(tps.len());
    let mut missing = Vec::new();
    for id in tps {
        match store.user_by_username(&username(election, *id))? {
            Some(user) => user_ids.push((*id, user.id)),
            None => missing.push(*id),
        }
    }
    let new: Vec<NewUser> = missing
        .iter()
        .map(|id| NewUser {
            username: username(election, *id),
            role: Role::Kpps.id().to_owned(),
            region: election.tree.get(*id).code,
            party: None,
            password_hash: None,
            created_at,
        })
        .collect();
    let ids = store
        .add_users(&new)
        .context("cannot create the KPPS officers")?;
    user_ids.extend(missing.into_iter().zip(ids));
    let mut tokens = HashMap::with_capacity(user_ids.len());
    let mut sessions = Vec::with_capacity(user_ids.len());
    for (tps, user) in user_ids {
        let token = token::generate().context("the system's random source failed")?;
        sessions.push(Session {
            token_hash: token::hash(&token).to_vec(),
            user_id: user,
            created_at,
            expires_at: created_at.plus(TOKEN_TTL_SECS),
        });
        tokens.insert(tps, token);
    }
    store
        .insert_sessions(&sessions)
        .context("cannot store the KPPS sessions")?;
    Ok(tokens)
}
