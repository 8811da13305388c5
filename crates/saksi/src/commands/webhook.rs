//! `saksi webhook`: the outgoing webhooks that tell a command centre or a
//! messaging gateway about incidents (README: Webhooks). Works while a
//! server runs on the same data directory: its dispatcher reads the
//! webhooks with every delivery it stores.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use saksi_core::incident::notice::check_webhook;
use saksi_server::auth::token;
use saksi_store::{Delivery, NewWebhook, Store, UnixTime};

use crate::support::args::DataDirArg;
use crate::support::data_dir::DataDir;
use crate::support::{Reported, now, print_all};

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add a webhook; prints its id and its secret, once.
    Add(AddArgs),
    /// List the webhooks: id, URL, events, delivery counts, last attempt
    /// (never the secret).
    List(DataDirArg),
    /// Remove a webhook and its deliveries, pending or done.
    Remove(RemoveArgs),
    /// Every delivery (of one webhook, or all): attempts, last status or
    /// error, next attempt, delivery time.
    Deliveries(DeliveriesArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// Where deliveries are POSTed: an http:// or https:// URL.
    // Its own id: `url` is the database's (`--database URL`).
    #[arg(long = "url", id = "webhook_url", value_name = "URL")]
    pub url: String,
    /// Comma-separated: new, acknowledged, assigned, commented, escalated,
    /// due_soon, resolved, closed, reopened.
    #[arg(long)]
    pub events: String,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The webhook's id (from `saksi webhook list`).
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// Only this webhook's deliveries.
    pub id: Option<i64>,
}

/// `saksi webhook ...`.
pub fn run(command: &WebhookCommand) -> Result<()> {
    match command {
        WebhookCommand::Add(args) => add(args),
        WebhookCommand::List(args) => list(args),
        WebhookCommand::Remove(args) => remove(args),
        WebhookCommand::Deliveries(args) => deliveries(args),
    }
}

fn open(args: &DataDirArg) -> Result<std::sync::Arc<dyn Store>> {
    let dir = DataDir::existing(&args.data_dir)?;
    crate::support::database::open(&dir, args.database.url.as_deref())
}

fn add(args: &AddArgs) -> Result<()> {
    let events = check_webhook(&args.url, &args.events).map_err(|err| {
        eprintln!("error: {}: {err}; nothing was stored", err.code());
        Reported(2)
    })?;
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let store = crate::support::database::open(&dir, args.data_dir.database.url.as_deref())?;
    let secret =
        token::generate().map_err(|e| anyhow!("the system's random source failed: {e}"))?;
    // Stored sealed under the data directory's key, as TOTP secrets are.
    let sealed = dir
        .totp_key()?
        .seal_webhook(&args.url, secret.as_bytes())
        .map_err(|e| anyhow!("cannot seal the webhook's secret: {e}"))?;
    let id = store.add_webhook(&NewWebhook {
        url: args.url.clone(),
        events: events.iter().map(|e| e.id().to_owned()).collect(),
        secret: hex::encode(sealed),
        created_at: now(),
    })?;
    println!("webhook {id} added: {}", args.url);
    println!("secret (shown once; it signs every delivery): {secret}");
    Ok(())
}

fn remove(args: &RemoveArgs) -> Result<()> {
    if !open(&args.data_dir)?.remove_webhook(args.id)? {
        return Err(anyhow!("no webhook with id {}", args.id));
    }
    println!("webhook {} removed", args.id);
    Ok(())
}

/// A time or `-`.
fn time(t: Option<UnixTime>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.to_string())
}

fn list(args: &DataDirArg) -> Result<()> {
    use std::fmt::Write;
    let mut out = String::from("ID  URL  EVENTS  DELIVERED  PENDING  GIVEN-UP  LAST-ATTEMPT\n");
    let hooks = open(args)?.webhooks()?;
    for w in &hooks {
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}  {}  {}",
            w.id,
            w.url,
            w.events.join(","),
            w.delivered,
            w.pending,
            w.given_up,
            time(w.last_attempt_at)
        );
    }
    if hooks.is_empty() {
        out.push_str("(no webhooks)\n");
    }
    print_all(&out)
}

/// Where a delivery stands.
fn state(d: &Delivery) -> String {
    match (d.delivered_at, d.next_attempt_at) {
        (Some(at), _) => format!("delivered {at}"),
        (None, Some(next)) => format!("next attempt {next}"),
        (None, None) => "given up".to_owned(),
    }
}

fn deliveries(args: &DeliveriesArgs) -> Result<()> {
    use std::fmt::Write;
    let mut out =
        String::from("ID  WEBHOOK  EVENT  CREATED  ATTEMPTS  LAST-ATTEMPT  LAST-RESULT  STATE\n");
    let all = open(&args.data_dir)?.deliveries(args.id)?;
    for d in &all {
        let result = match (&d.last_error, d.last_status) {
            (Some(error), _) => error.clone(),
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}  {}  {result}  {}",
            d.id,
            d.webhook,
            d.event,
            d.created_at,
            d.attempts,
            time(d.last_attempt_at),
            state(d)
        );
    }
    if all.is_empty() {
        out.push_str("(no deliveries)\n");
    }
    print_all(&out)
}
