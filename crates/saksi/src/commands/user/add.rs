//! `saksi user add`: a new staff account with a password that meets the
//! policy.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use saksi_core::RegionCode;
use saksi_core::permission::{Principal, Role, Witness};
use saksi_core::username::Username;
use saksi_server::auth::{password, policy};
use saksi_store::{NewUser, StoreError};

use super::{open, read_password};
use crate::support::args::DataDirArg;
use crate::support::now;

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// 3-64 characters of A-Z, a-z, 0-9, '_', '.', '-'; unique ignoring
    /// case.
    #[arg(long)]
    pub username: String,
    /// kpps, pps, ppk, kpu-kabkota, kpu-prov, kpu-ri, bawaslu, saksi or
    /// auditor.
    #[arg(long)]
    pub role: String,
    /// The region the account acts in (`0` for national roles).
    #[arg(long)]
    pub region: String,
    /// The party a saksi witnesses for (role saksi only).
    #[arg(long, conflicts_with = "paslon")]
    pub party: Option<u8>,
    /// The PPWP pair a saksi witnesses for, by its ballot number (`01`;
    /// role saksi only, instead of --party).
    #[arg(long, value_name = "NN")]
    pub paslon: Option<u8>,
}

pub fn run(args: &UserAddArgs) -> Result<()> {
    let username = Username::parse(&args.username)?;
    let role = Role::parse(&args.role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.id()).collect();
        anyhow!(
            "unknown role {:?}; roles are {}",
            args.role,
            roles.join(", ")
        )
    })?;
    let region =
        RegionCode::parse(&args.region).with_context(|| format!("--region {:?}", args.region))?;
    Principal::new(role, region, Witness::of(args.party, args.paslon)?)?;
    if let Some(party) = args.party
        && !(1..=24).contains(&party)
    {
        bail!("--party {party} is not a party number (1-24)");
    }
    if let Some(paslon) = args.paslon
        && !(1..=99).contains(&paslon)
    {
        bail!("--paslon {paslon} is not a PPWP pair's number (01-99)");
    }
    let store = open(&args.data_dir)?;
    if store.region_name(region)?.is_none() {
        bail!("region {region} is not in this election");
    }
    if let Some(taken) = store.user_by_username(username.as_str())? {
        bail!(
            "username {username} is already taken (by {}; usernames are compared ignoring case)",
            taken.username
        );
    }
    let password = read_password()?;
    policy::check(&password, username.as_str())?;
    let hash = password::hash(&password)?;
    let user = NewUser {
        username: username.to_string(),
        role: role.id().to_owned(),
        region,
        party: args.party,
        paslon: args.paslon,
        password_hash: Some(hash),
        created_at: now(),
    };
    match store.add_user(&user) {
        Ok(_) => {}
        Err(StoreError::UsernameTaken(_)) => {
            bail!("username {username} is already taken (usernames are compared ignoring case)")
        }
        Err(e) => return Err(e).context("cannot add the user"),
    }
    println!("added {username}: {role} at {region}");
    Ok(())
}
