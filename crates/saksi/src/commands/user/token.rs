//! `saksi user token`: a session token minted without a password, for the
//! accounts that hold no authority over any number.
//!
//! Whoever runs the CLI on the data directory could otherwise act as any
//! officer without knowing a password. A `kpps` session cannot change a
//! number (forms are signed statements of the TPS's device) and an
//! `auditor` only reads, so tokens are minted for those two roles only;
//! staff who sign or decide (PPS, PPK, KPU, Bawaslu, saksi) log in with
//! their own password. Every minted token is recorded as such and listed by
//! `saksi user list`.

use anyhow::{Result, anyhow, bail};
use clap::Args;
use saksi_core::permission::Role;
use saksi_server::auth::token;
use saksi_store::Session;

use super::{find, open};
use crate::support::args::DataDirArg;
use crate::support::now;

/// The roles `saksi user token` mints tokens for.
pub const TOKEN_ROLES: [Role; 2] = [Role::Kpps, Role::Auditor];

#[derive(Debug, Args)]
pub struct UserTokenArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[arg(long)]
    pub username: String,
    /// How long the token is valid, in hours.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub ttl_hours: u32,
}

pub fn run(args: &UserTokenArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = find(store.as_ref(), &args.username)?;
    let role = Role::parse(&user.role)
        .ok_or_else(|| anyhow!("user {} has unknown role {:?}", user.username, user.role))?;
    if !TOKEN_ROLES.contains(&role) {
        bail!(
            "tokens are minted only for kpps and auditor accounts; {} is {role}, \
             who logs in with a password (POST /api/v1/auth/login)",
            user.username
        );
    }
    if user.disabled_at.is_some() {
        bail!(
            "{} is disabled; enable it first (saksi user enable)",
            user.username
        );
    }
    let token = token::generate().map_err(|e| anyhow!("the system's random source failed: {e}"))?;
    let created_at = now();
    store.insert_session(&Session {
        token_hash: token::hash(&token).to_vec(),
        user_id: user.id,
        created_at,
        expires_at: created_at.plus(i64::from(args.ttl_hours) * 3600),
        minted: true,
    })?;
    println!("{token}");
    Ok(())
}
