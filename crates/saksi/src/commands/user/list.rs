//! `saksi user list`: every account, its status and live sessions, and
//! every token ever minted for it with `saksi user token`, so an operator
//! can see who could act without having typed a password.

use anyhow::Result;
use clap::Args;
use saksi_store::{Account, MintedToken, UnixTime};
use serde::Serialize;

use super::open;
use crate::support::args::DataDirArg;
use crate::support::{now, print_all};

#[derive(Debug, Args)]
pub struct UserListArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// Print a JSON array instead of a table, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// One account as printed by `--json`.
#[derive(Debug, Serialize)]
struct AccountView {
    username: String,
    role: String,
    region: String,
    party: Option<u8>,
    /// The PPWP pair a saksi witnesses for.
    paslon: Option<u8>,
    status: &'static str,
    disabled_at: Option<String>,
    /// The account has a confirmed TOTP secret.
    totp_enrolled: bool,
    created_at: String,
    live_sessions: u64,
    tokens: Vec<TokenView>,
}

/// A minted token as printed: never the token itself, only the first 8 hex
/// digits of its SHA-256 (enough to tell tokens apart).
#[derive(Debug, Serialize)]
struct TokenView {
    id: String,
    minted_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    state: &'static str,
}

impl TokenView {
    fn new(t: &MintedToken, now: UnixTime) -> TokenView {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if now >= t.expires_at {
            "expired"
        } else {
            "live"
        };
        TokenView {
            id: hex::encode(&t.token_hash[..t.token_hash.len().min(4)]),
            minted_at: t.created_at.to_string(),
            expires_at: t.expires_at.to_string(),
            revoked_at: t.revoked_at.map(|r| r.to_string()),
            state,
        }
    }
}

impl AccountView {
    fn new(a: &Account, now: UnixTime) -> AccountView {
        AccountView {
            username: a.user.username.clone(),
            role: a.user.role.clone(),
            region: a.user.region.to_string(),
            party: a.user.party,
            paslon: a.user.paslon,
            status: if a.user.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            },
            disabled_at: a.user.disabled_at.map(|t| t.to_string()),
            totp_enrolled: a.user.totp_enrolled,
            created_at: a.user.created_at.to_string(),
            live_sessions: a.live_sessions,
            tokens: a.tokens.iter().map(|t| TokenView::new(t, now)).collect(),
        }
    }
}

pub fn run(args: &UserListArgs) -> Result<()> {
    let store = open(&args.data_dir)?;
    let now = now();
    let accounts: Vec<AccountView> = store
        .accounts(now)?
        .iter()
        .map(|a| AccountView::new(a, now))
        .collect();
    let text = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&accounts)?)
    } else {
        table(&accounts)
    };
    print_all(&text)
}

/// The accounts as a table, each minted token on a line of its own under
/// its account.
fn table(accounts: &[AccountView]) -> String {
    use std::fmt::Write;
    let width = accounts
        .iter()
        .map(|a| a.username.len())
        .max()
        .unwrap_or(0)
        .max("USERNAME".len());
    let mut out = format!(
        "{:<width$}  {:<11}  {:<17}  {:<8}  {:<4}  {:>8}  TOKENS\n",
        "USERNAME", "ROLE", "REGION", "STATUS", "TOTP", "SESSIONS"
    );
    for a in accounts {
        let role = match (a.party, a.paslon) {
            (Some(p), _) => format!("{} ({p})", a.role),
            (None, Some(n)) => format!("{} ({n:02})", a.role),
            (None, None) => a.role.clone(),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  {:<17}  {:<8}  {:<4}  {:>8}  {}",
            a.username,
            role,
            a.region,
            a.status,
            if a.totp_enrolled { "yes" } else { "no" },
            a.live_sessions,
            a.tokens.len()
        );
        for t in &a.tokens {
            let end = match &t.revoked_at {
                Some(at) => format!("revoked {at}"),
                None => t.state.to_owned(),
            };
            let _ = writeln!(
                out,
                "    token {}  minted {}  expires {}  {end}",
                t.id, t.minted_at, t.expires_at
            );
        }
    }
    if accounts.is_empty() {
        out.push_str("(no accounts)\n");
    }
    out
}
