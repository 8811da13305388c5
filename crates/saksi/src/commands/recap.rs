//! `saksi recap rule`: a PPK member's ruling on an objection, signed on
//! the member's own machine with their `ppk` key and printed as its
//! envelope or, with `--server`, posted to `POST
//! /api/v1/objections/{log_index}/ruling` (docs/statements.md, "`ruling`").
//! The corrected numbers an upheld objection calls for are signed with
//! `saksi kpps sign --correction`.
//!
//! `saksi recap reopen`: one commissioner of the level above confirming
//! the reopening of a region's final sign-off, which it names by the
//! digest of the statement the log holds.
//!
//! `saksi recap signoff`: one commissioner's confirmation of a region's
//! sign-off. It reads the statement the server offers (`GET
//! /api/v1/recap/{contest}/{code}`), checks its totals against the
//! published results of the region, shows what is signed, signs it with
//! the commissioner's own key and posts it.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use saksi_api::{RecapState, Results, Totals};
use saksi_core::{Contest, RegionCode};
use saksi_statement::recap::{Decision, RulingStatement};
use saksi_statement::{Entry, Envelope, ReopenStatement};

use crate::client::keys::Server;
use crate::client::{CaCertArg, results_path};
use crate::support::signing::{PostArgs, post_envelope, publish, read_signer};
use crate::support::{now, runtime};

#[derive(Debug, Subcommand)]
pub enum RecapCommand {
    /// Rule on an objection (upheld or rejected, with the reason read out
    /// in the plenary), signed with your PPK key: prints the signed
    /// statement, or posts it with --server.
    Rule(RecapRuleArgs),
    /// Confirm a region's recap sign-off with your commissioner's key:
    /// reads the statement the server offers, checks its totals against
    /// the published results, signs and posts it.
    Signoff(RecapSignoffArgs),
    /// Confirm the reopening of a region's final sign-off with your
    /// commissioner's key of the level above: names the final sign-off
    /// (read from the log), signs and posts.
    Reopen(RecapReopenArgs),
}

#[derive(Debug, Args)]
pub struct RecapSignoffArgs {
    /// Your commissioner's private key file (`PRIVATE+KEY+...`): a `ppk`
    /// key for a kecamatan, `kpu-kabkota`, `kpu-prov` or `kpu-ri` above,
    /// registered for the region with `"commissioner": true`.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub target: RecapTarget,
}

#[derive(Debug, Args)]
pub struct RecapReopenArgs {
    /// Your commissioner's private key file: `kpu-kabkota` to reopen a
    /// kecamatan, `kpu-prov` a kab/kota, `kpu-ri` a province or the nation.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub target: RecapTarget,
    /// Why, 1 to 500 characters; published with the reopen.
    #[arg(long)]
    pub reason: String,
}

/// The region's recap a commissioner acts on, and the server.
#[derive(Debug, Args)]
pub struct RecapTarget {
    /// `ppwp`, `dpr`, `dpd`, `dprd-prov` or `dprd-kabkota`.
    #[arg(long, value_parser = parse_contest)]
    pub contest: Contest,
    /// The region (`0` for national).
    #[arg(long, value_parser = parse_region)]
    pub region: RegionCode,
    /// The server (http://host:port or https://host).
    #[arg(long, value_name = "URL")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
}

impl RecapTarget {
    fn connect(&self) -> Result<Server> {
        Server::connect(&self.server, &self.tls)
    }
}

fn parse_contest(s: &str) -> Result<Contest, String> {
    Contest::parse(s)
        .ok_or_else(|| format!("{s:?} is not a contest (ppwp, dpr, dpd, dprd-prov, dprd-kabkota)"))
}

fn parse_region(s: &str) -> Result<RegionCode, String> {
    RegionCode::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct RecapRuleArgs {
    /// Your `ppk` private key file (`PRIVATE+KEY+...`), registered for the
    /// kecamatan of the objection's TPS.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The objection's log index (as `POST /api/v1/objections` answered,
    /// or as the TPS page lists it).
    #[arg(long, value_name = "LOG_INDEX")]
    pub objection: u64,
    #[arg(long, value_enum)]
    pub decision: DecisionArg,
    /// Why, 1 to 500 characters; published with the ruling.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Upheld,
    Rejected,
}

/// `saksi recap ...`.
pub fn run(command: &RecapCommand) -> Result<()> {
    match command {
        RecapCommand::Rule(args) => rule(args),
        RecapCommand::Signoff(args) => signoff(args),
        RecapCommand::Reopen(args) => reopen(args),
    }
}

fn reopen(args: &RecapReopenArgs) -> Result<()> {
    check_reason(&args.reason)?;
    let signer = read_signer(&args.key)?;
    let (contest, region) = (args.target.contest, args.target.region);
    runtime()?.block_on(async {
        let mut server = args.target.connect()?;
        let results: Results = server.get_json(&results_path(contest, region)).await?;
        let Some(signed_off) = results.final_ else {
            bail!("the {contest} recap of {region} is not final: nothing to reopen");
        };
        // The final sign-off is named by its statement's digest, read from
        // the log entry of the confirmation that made it final.
        let index = signed_off.log_index;
        let data = server.entry_bytes(index).await?;
        let final_digest = match Entry::decode(&data) {
            Ok(Entry::SignoffV1(e))
                if (e.signed.statement.contest, e.signed.statement.region)
                    == (contest, region) =>
            {
                e.signed.sha256()
            }
            _ => bail!("log entry {index} is not the {contest} sign-off of {region}"),
        };
        let by = ReopenStatement::by_region(region);
        // The quorum of the level above, as its own recap state says (PPWP
        // reaches every level).
        let above: RecapState = server
            .get_json(&format!("/api/v1/recap/ppwp/{by}"))
            .await?;
        let statement = ReopenStatement {
            origin: server.origin().await?,
            contest,
            region,
            final_digest,
            reason: args.reason.clone(),
            k: u32::try_from(above.k).context("the quorum is out of range")?,
        };
        eprintln!(
            "reopening the {contest} recap of {region} (final at log index {index}); it takes {} confirmations of {by}'s commissioners",
            statement.k
        );
        let envelope = Envelope::sign(statement.to_object(), &signer)
            .context("cannot sign the statement")?;
        let path = format!("/api/v1/recap/{contest}/{region}/reopen");
        post_envelope(&mut server, &path, &envelope).await
    })
}

/// A reason read out and published: 1 to 500 characters.
fn check_reason(reason: &str) -> Result<()> {
    let chars = reason.trim().chars().count();
    if !(1..=saksi_statement::form::MAX_REASON_CHARS).contains(&chars) {
        bail!("--reason must be 1 to 500 characters, not {chars}");
    }
    Ok(())
}

fn signoff(args: &RecapSignoffArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let (contest, region) = (args.target.contest, args.target.region);
    runtime()?.block_on(async {
        let mut server = args.target.connect()?;
        let state: RecapState = server
            .get_json(&format!("/api/v1/recap/{contest}/{region}"))
            .await?;
        let Some(statement) = state.statement else {
            let blockers: Vec<String> = state
                .blocked_by
                .iter()
                .take(10)
                .map(|b| format!("{} ({})", b.code, b.reason))
                .collect();
            bail!(
                "the {contest} recap of {region} is {}, nothing to sign{}",
                state.state,
                if blockers.is_empty() {
                    String::new()
                } else {
                    format!(": waiting for {}", blockers.join(", "))
                }
            );
        };
        let results: Results = server.get_json(&results_path(contest, region)).await?;
        let offered: Totals = serde_json::from_value(statement["totals"].clone())
            .context("the offered statement has no readable totals")?;
        if offered != results.totals {
            bail!(
                "the offered statement's totals are not the published results of {region}: the numbers are moving; try again"
            );
        }
        let children = statement["children"].as_array().map_or(0, Vec::len);
        eprintln!(
            "signing off the {contest} recap of {region}: {children} children, suara_sah {}, {}; final at {} confirmations ({} so far)",
            offered.suara_sah,
            offered
                .options
                .0
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            state.k,
            state.confirmations.len()
        );
        let envelope =
            Envelope::sign(statement, &signer).context("cannot sign the statement")?;
        let path = format!("/api/v1/recap/{contest}/{region}/signoffs");
        post_envelope(&mut server, &path, &envelope).await
    })
}

fn rule(args: &RecapRuleArgs) -> Result<()> {
    check_reason(&args.reason)?;
    let signer = read_signer(&args.key)?;
    let decision = match args.decision {
        DecisionArg::Upheld => Decision::Upheld,
        DecisionArg::Rejected => Decision::Rejected,
    };
    let path = format!("/api/v1/objections/{}/ruling", args.objection);
    let signed_at = now();
    publish(&signer, &args.post, &path, |origin| {
        RulingStatement {
            origin,
            objection: args.objection,
            decision,
            reason: args.reason.clone(),
            signed_at,
        }
        .to_object()
    })
}
