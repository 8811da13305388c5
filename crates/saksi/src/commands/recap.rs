//! `saksi recap rule`: a PPK member's ruling on an objection, signed on
//! the member's own machine with their `ppk` key and printed as its
//! envelope or, with `--server`, posted to `POST
//! /api/v1/objections/{log_index}/ruling` (docs/statements.md, "`ruling`").
//! The corrected numbers an upheld objection calls for are signed with
//! `saksi kpps sign --correction`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use saksi_statement::recap::{Decision, RulingStatement};

use crate::support::now;
use crate::support::signing::{PostArgs, publish, read_signer};

#[derive(Debug, Subcommand)]
pub enum RecapCommand {
    /// Rule on an objection (upheld or rejected, with the reason read out
    /// in the plenary), signed with your PPK key: prints the signed
    /// statement, or posts it with --server.
    Rule(RecapRuleArgs),
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
    }
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
