//! `saksi recap rule`: a PPK member's ruling on an objection, signed on
//! the member's own machine with their `ppk` key and printed as its
//! envelope or, with `--server`, posted to `POST
//! /api/v1/objections/{log_index}/ruling` (docs/statements.md, "`ruling`").
//! The corrected numbers an upheld objection calls for are signed with
//! `saksi kpps sign --correction`.
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
use saksi_statement::Envelope;
use saksi_statement::recap::{Decision, RulingStatement};

use crate::client::CaCertArg;
use crate::client::keys::Server;
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
}

#[derive(Debug, Args)]
pub struct RecapSignoffArgs {
    /// Your commissioner's private key file (`PRIVATE+KEY+...`): a `ppk`
    /// key for a kecamatan, `kpu-kabkota`, `kpu-prov` or `kpu-ri` above,
    /// registered for the region with `"commissioner": true`.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// `ppwp`, `dpr`, `dpd`, `dprd-prov` or `dprd-kabkota`.
    #[arg(long, value_parser = parse_contest)]
    pub contest: Contest,
    /// The region signed off (`0` for national).
    #[arg(long, value_parser = parse_region)]
    pub region: RegionCode,
    /// The server (http://host:port or https://host).
    #[arg(long, value_name = "URL")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
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
    }
}

fn signoff(args: &RecapSignoffArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let (contest, region) = (args.contest, args.region);
    runtime()?.block_on(async {
        let mut server = Server::connect(&args.server, &args.tls)?;
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
        let results_path = if region == RegionCode::NASIONAL {
            format!("/api/v1/results/{contest}")
        } else {
            format!("/api/v1/results/{contest}/{region}")
        };
        let results: Results = server.get_json(&results_path).await?;
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
    let chars = args.reason.trim().chars().count();
    if !(1..=saksi_statement::form::MAX_REASON_CHARS).contains(&chars) {
        bail!("--reason must be 1 to 500 characters, not {chars}");
    }
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
