//! `saksi user add` and `saksi user token`: the local administrative path
//! to accounts. Both work while a server runs on the same data directory
//! (the store takes no exclusive lock), and the server sees a new user or
//! token at once (it caches neither).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use saksi_core::RegionCode;
use saksi_core::permission::{Principal, Role};
use saksi_core::username::Username;
use saksi_server::auth::{password, policy, token};
use saksi_store::{NewUser, Session, Store, StoreError};

use crate::support::args::DataDirArg;
use crate::support::data_dir::DataDir;
use crate::support::now;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password comes from SAKSI_PASSWORD or
    /// standard input, never from a flag.
    Add(UserAddArgs),
    /// Print a fresh session token for a user (no password needed: this is
    /// the local administrative path).
    Token(UserTokenArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// 3-64 characters of A-Z, a-z, 0-9, '_', '.', '-'.
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
    #[arg(long)]
    pub party: Option<u8>,
}

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

/// `saksi user add|token`.
pub fn run(command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add(args) => add(args),
        UserCommand::Token(args) => token(args),
    }
}

pub fn add(args: &UserAddArgs) -> Result<()> {
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
    Principal::new(role, region, args.party)?;
    if let Some(party) = args.party
        && !(1..=24).contains(&party)
    {
        bail!("--party {party} is not a party number (1-24)");
    }
    let store = open(&args.data_dir)?;
    if store.region_name(region)?.is_none() {
        bail!("region {region} is not in this election");
    }
    let password = read_password()?;
    policy::check(&password, username.as_str())?;
    let hash = password::hash(&password)?;
    let user = NewUser {
        username: username.to_string(),
        role: role.id().to_owned(),
        region,
        party: args.party,
        password_hash: Some(hash),
        created_at: now(),
    };
    match store.add_user(&user) {
        Ok(_) => {}
        Err(StoreError::UsernameTaken(_)) => bail!("username {username} is already taken"),
        Err(e) => return Err(e).context("cannot add the user"),
    }
    println!("added {username}: {role} at {region}");
    Ok(())
}

pub fn token(args: &UserTokenArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let user = store
        .user_by_username(&args.username)?
        .ok_or_else(|| anyhow!("no user {:?} in this election", args.username))?;
    let token = issue_token(store.as_ref(), user.id, args.ttl_hours)?;
    println!("{token}");
    Ok(())
}

/// Writes a fresh session for `user` straight into the store and returns
/// the token: how the simulator and loadgen authenticate without ever
/// hashing a password.
pub fn issue_token(store: &dyn Store, user: saksi_store::UserId, ttl_hours: u32) -> Result<String> {
    let token = token::generate().context("the system's random source failed")?;
    let created_at = now();
    store.insert_session(&Session {
        token_hash: token::hash(&token).to_vec(),
        user_id: user,
        created_at,
        expires_at: created_at.plus(i64::from(ttl_hours) * 3600),
        minted: true,
    })?;
    Ok(token)
}

fn open(args: &DataDirArg) -> Result<std::sync::Arc<dyn Store>> {
    let dir = DataDir::existing(&args.data_dir)?;
    crate::support::database::open(&dir, args.database.url.as_deref())
}

/// The password from `SAKSI_PASSWORD`, else one line of standard input
/// (never a flag: flags show in `ps` and shell history).
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("SAKSI_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprint!("Password: ");
        std::io::stderr().flush().ok();
        set_echo(false);
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if interactive {
        set_echo(true);
        eprintln!();
    }
    read.context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given: set SAKSI_PASSWORD or write it on standard input");
    }
    Ok(password)
}

/// Turns terminal echo off or on while a password is typed. Best effort:
/// without `stty` the password is read all the same.
fn set_echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}
