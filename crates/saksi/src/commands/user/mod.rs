//! `saksi user`: the local administrative path to accounts (add, list,
//! disable, enable, reset-password, revoke-sessions, token, totp reset). Every command
//! works while a server runs on the same data directory (the store takes
//! no exclusive lock): a new user or token works at once, and a session
//! revoked here stops working on the running server within a second (it
//! polls the store's account revision, see `saksi_server::auth::sessions`).

mod add;
mod lifecycle;
mod list;
mod token;

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use saksi_core::username::Username;
use saksi_store::{Store, User};

use crate::support::args::DataDirArg;
use crate::support::data_dir::DataDir;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password comes from SAKSI_PASSWORD or
    /// standard input, never from a flag.
    Add(add::UserAddArgs),
    /// List every account: role, region, status, live sessions and every
    /// token minted with `saksi user token`.
    List(list::UserListArgs),
    /// Disable an account: it can no longer log in, and its sessions and
    /// tokens stop working.
    Disable(UserArgs),
    /// Enable a disabled account again (its old sessions stay revoked).
    Enable(UserArgs),
    /// Set a new password (from SAKSI_PASSWORD or standard input, or
    /// generated with --generate) and revoke the account's sessions.
    ResetPassword(ResetPasswordArgs),
    /// Revoke every session and token of an account.
    RevokeSessions(UserArgs),
    /// Print a fresh session token for a kpps or auditor account (no
    /// password needed: this is the local administrative path).
    Token(token::UserTokenArgs),
    /// The account's second factor (TOTP).
    #[command(subcommand)]
    Totp(TotpCommand),
}

#[derive(Debug, Subcommand)]
pub enum TotpCommand {
    /// Remove the account's TOTP secret and recovery codes (a lost phone)
    /// and revoke its sessions: its next login enrols a new one.
    Reset(UserArgs),
}

/// An account to act on.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The account's username (any case).
    #[arg(long)]
    pub username: String,
}

#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    #[command(flatten)]
    pub user: UserArgs,
    /// Generate a random password and print it once on standard output,
    /// instead of reading one.
    #[arg(long)]
    pub generate: bool,
}

/// `saksi user ...`.
pub fn run(command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add(args) => add::run(args),
        UserCommand::List(args) => list::run(args),
        UserCommand::Disable(args) => lifecycle::disable(args),
        UserCommand::Enable(args) => lifecycle::enable(args),
        UserCommand::ResetPassword(args) => lifecycle::reset_password(args),
        UserCommand::RevokeSessions(args) => lifecycle::revoke_sessions(args),
        UserCommand::Token(args) => token::run(args),
        UserCommand::Totp(TotpCommand::Reset(args)) => lifecycle::totp_reset(args),
    }
}

fn open(args: &DataDirArg) -> Result<Arc<dyn Store>> {
    let dir = DataDir::existing(&args.data_dir)?;
    crate::support::database::open(&dir, args.database.url.as_deref())
}

/// The user named `username` (ignoring case), or a one-line refusal.
fn find(store: &dyn Store, username: &str) -> Result<User> {
    Username::parse(username)?;
    store
        .user_by_username(username)?
        .ok_or_else(|| anyhow!("no user {username:?} in this election"))
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
