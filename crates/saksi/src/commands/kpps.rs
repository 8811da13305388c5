//! `saksi kpps register|sign`: KPPS device keys (docs/statements.md). A
//! registration is a `saksi key certify --role kpps` for a TPS; a form
//! statement is signed here, on the device's side (or with `--on-behalf`
//! by a PPS or PPK key for a TPS with no working phone), and printed as its
//! envelope. Private keys are read from files and never printed.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use saksi_core::time::UnixTime;
use saksi_statement::{Envelope, FormStatement, KeyRole, StatementError, decode_statement};
use serde_json::{Map, Value};

use crate::support::signing::{PostArgs, ValidityArgs};
use crate::support::signing::{Registration, read_signer};
use crate::support::{Reported, now};

/// `saksi kpps ...`.
#[derive(Debug, Subcommand)]
pub enum KppsCommand {
    /// Register a KPPS device key for a TPS, signed with a KPU Kab/Kota key
    /// (`saksi key certify --role kpps --region TPS`).
    Register(KppsRegisterArgs),
    /// Sign one form statement (a JSON object on standard input) with a
    /// KPPS device key, or with `--on-behalf REASON` a PPS or PPK key, and
    /// print the signed envelope. A statement without `signed_at` gets the
    /// current time; an invalid one is not signed (exit code 2, every
    /// problem listed).
    Sign(KppsSignArgs),
}

#[derive(Debug, Args)]
pub struct KppsRegisterArgs {
    /// Your KPU Kab/Kota private key file (`PRIVATE+KEY+...`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The KPPS device's verifier key (`name+<key id>+<base64>`).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    /// The TPS the device signs forms for (e.g. `11.01.01.2001.001`).
    #[arg(long, value_name = "CODE")]
    pub tps: String,
    #[command(flatten)]
    pub validity: ValidityArgs,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub struct KppsSignArgs {
    /// The KPPS device's private key file (`PRIVATE+KEY+...`), or with
    /// `--on-behalf` a PPS or PPK key's.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Sign on behalf of a TPS with no working phone, with a PPS key of its
    /// desa or a PPK key of its kecamatan: adds `"on_behalf": {"reason":
    /// REASON}` (1 to 500 characters) to the statement, published with it.
    #[arg(long, value_name = "REASON")]
    pub on_behalf: Option<String>,
}

/// `saksi kpps register|sign`.
pub fn run(command: &KppsCommand) -> Result<()> {
    match command {
        KppsCommand::Register(args) => register(args),
        KppsCommand::Sign(args) => sign(args),
    }
}

/// `saksi kpps register`: a certification with role kpps for a TPS.
pub fn register(args: &KppsRegisterArgs) -> Result<()> {
    Registration {
        key: &args.key,
        verifier: &args.verifier,
        role: KeyRole::Kpps,
        region: &args.tps,
        region_flag: "--tps",
        validity: &args.validity,
        post: &args.post,
    }
    .run()
}

/// `saksi kpps sign`.
pub fn sign(args: &KppsSignArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let mut input = String::new();
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("reading the statement from standard input (end it with Ctrl-D)");
    }
    stdin
        .read_to_string(&mut input)
        .context("cannot read the statement from standard input")?;
    let statement = match form_statement(&input, args.on_behalf.as_deref(), now()) {
        Ok(statement) => statement,
        Err(problems) => {
            eprintln!("error: not a valid form statement; nothing was signed:");
            for problem in problems {
                eprintln!("  - {problem}");
            }
            return Err(Reported(2).into());
        }
    };
    let envelope = Envelope::sign(statement, &signer).context("cannot sign the statement")?;
    println!("{}", envelope.to_value());
    Ok(())
}

/// The statement object read for `kpps sign`, with `signed_at` filled in
/// if absent and `on_behalf` set to the reason given, or every problem
/// that keeps it from being a form statement.
fn form_statement(
    input: &str,
    on_behalf: Option<&str>,
    now: UnixTime,
) -> Result<Map<String, Value>, Vec<String>> {
    let value: Value =
        serde_json::from_str(input).map_err(|e| vec![format!("the input is not JSON: {e}")])?;
    let Value::Object(mut statement) = value else {
        return Err(vec![
            "the input must be one JSON object (the statement)".to_owned(),
        ]);
    };
    statement
        .entry("signed_at")
        .or_insert_with(|| Value::String(now.to_string()));
    if let Some(reason) = on_behalf {
        statement.insert("on_behalf".into(), serde_json::json!({ "reason": reason }));
    }
    let bytes = saksi_log::canonical_json(&Value::Object(statement.clone()))
        .map_err(|e| vec![format!("the statement has no canonical form: {e}")])?;
    match decode_statement::<FormStatement>(&bytes) {
        Ok(_) => Ok(statement),
        Err(StatementError::Form(issues)) => Err(issues
            .iter()
            .map(|issue| match &issue.field {
                Some(field) => format!("form.{field}: {} ({})", issue.message, issue.code),
                None => format!("form: {} ({})", issue.message, issue.code),
            })
            .collect()),
        Err(e) => Err(vec![e.to_string()]),
    }
}
