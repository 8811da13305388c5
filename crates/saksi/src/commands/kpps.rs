//! `saksi kpps register|sign`: KPPS device keys (docs/statements.md). A
//! registration is a `saksi key certify --role kpps` for a TPS; a form
//! statement is signed here, on the device's side, and printed as its
//! envelope. Private keys are read from files and never printed.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::{Envelope, FormStatement, KeyRole, StatementError, decode_statement};
use serde_json::{Map, Value};

use crate::client::keys::Server;
use crate::client::{CaCertArg, Response};
use crate::support::signing::{PostArgs, ValidityArgs};
use crate::support::signing::{Registration, read_signer, report_refusal};
use crate::support::{Reported, now, runtime};

/// `saksi kpps ...`.
#[derive(Debug, Subcommand)]
pub enum KppsCommand {
    /// Register a KPPS device key for a TPS, signed with a KPU Kab/Kota key
    /// (`saksi key certify --role kpps --region TPS`).
    Register(KppsRegisterArgs),
    /// Sign one form statement (a JSON object on standard input) with a
    /// KPPS device key and print the signed envelope. A statement without
    /// `signed_at` gets the current time; an invalid one is not signed
    /// (exit code 2, every problem listed).
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
    #[arg(long, value_name = "REASON", conflicts_with = "correction")]
    pub on_behalf: Option<String>,
    /// Sign a correction with a PPK key of the TPS's kecamatan, answering
    /// the upheld objection logged at this index: adds `"correction":
    /// {"objection": LOG_INDEX, "reason": REASON}` (the reason from
    /// --reason), published with the numbers.
    #[arg(long, value_name = "LOG_INDEX", requires = "reason")]
    pub correction: Option<u64>,
    /// Why the plenary corrected the form (with --correction), 1 to 500
    /// characters.
    #[arg(long, requires = "correction")]
    pub reason: Option<String>,
    /// Fill in what the statement lacks of `origin`, `version` and `prev`
    /// from this server (its log and the TPS's current version), post the
    /// signed statement to it and print its answer instead of the envelope
    /// (http://host:port; deliberately no variable: posting is never
    /// implied by the environment).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    #[command(flatten)]
    pub tls: CaCertArg,
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
        commissioner: false,
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
    let statement = unsigned_if_invalid(statement_object(&input))?;
    let Some(url) = &args.server else {
        let statement = unsigned_if_invalid(form_statement(statement, member(args), now()))?;
        let envelope = Envelope::sign(statement, &signer).context("cannot sign the statement")?;
        println!("{}", envelope.to_value());
        return Ok(());
    };
    runtime()?.block_on(async {
        let mut server = Server::connect(url, &args.tls)?;
        let (tps, contest) = target(&statement)?;
        let statement = fill_from(&mut server, statement, tps, contest).await?;
        let statement = unsigned_if_invalid(form_statement(statement, member(args), now()))?;
        let envelope = Envelope::sign(statement, &signer).context("cannot sign the statement")?;
        let body = serde_json::to_vec(&envelope.to_value())?;
        let path = format!("/api/v1/tps/{tps}/forms/{}", contest.id());
        let Response {
            status,
            body: answer,
            ..
        } = server.post(&path, &body).await?;
        if (200..300).contains(&status) {
            println!("{}", String::from_utf8_lossy(&answer).trim_end());
            return Ok(());
        }
        report_refusal(status, &answer);
        Err(Reported(1).into())
    })
}

/// The value, or its problems listed on standard error and exit code 2.
fn unsigned_if_invalid<T>(checked: Result<T, Vec<String>>) -> Result<T> {
    checked.map_err(|problems| {
        eprintln!("error: not a valid form statement; nothing was signed:");
        for problem in problems {
            eprintln!("  - {problem}");
        }
        Reported(2).into()
    })
}

/// The input as a JSON object, the statement to sign.
fn statement_object(input: &str) -> Result<Map<String, Value>, Vec<String>> {
    let value: Value =
        serde_json::from_str(input).map_err(|e| vec![format!("the input is not JSON: {e}")])?;
    match value {
        Value::Object(statement) => Ok(statement),
        _ => Err(vec![
            "the input must be one JSON object (the statement)".to_owned(),
        ]),
    }
}

/// The TPS and contest a statement is for, which the server is asked about.
fn target(statement: &Map<String, Value>) -> Result<(RegionCode, Contest)> {
    let tps = statement
        .get("tps")
        .and_then(Value::as_str)
        .and_then(|t| RegionCode::parse(t).ok())
        .filter(|t| t.level() == Level::Tps)
        .context("the statement needs its `tps` (a TPS code like 11.01.01.2001.001) to ask the server for the current version")?;
    let contest = statement
        .get("contest")
        .and_then(Value::as_str)
        .and_then(Contest::parse)
        .context("the statement needs its `contest` (ppwp, dpr, dpd, dprd-prov or dprd-kabkota) to ask the server for the current version")?;
    Ok((tps, contest))
}

/// The statement with the `origin`, `version` and `prev` it lacks taken
/// from the server: its log's origin, and the version after the TPS's
/// current one, chained to it. Members the statement has are kept as
/// given (the server refuses them if they are stale).
async fn fill_from(
    server: &mut Server,
    mut statement: Map<String, Value>,
    tps: RegionCode,
    contest: Contest,
) -> Result<Map<String, Value>> {
    if !statement.contains_key("origin") {
        statement.insert("origin".into(), Value::String(server.origin().await?));
    }
    if !statement.contains_key("version") || !statement.contains_key("prev") {
        let current = server.current_version(tps, contest).await?;
        let version = current.map_or(1, |(version, _)| version + 1);
        let prev = current.map_or(Value::Null, |(_, digest)| {
            Value::String(hex::encode(digest))
        });
        statement.entry("version").or_insert(Value::from(version));
        statement.entry("prev").or_insert(prev);
    }
    Ok(statement)
}

/// The member `--on-behalf` or `--correction` adds, if either is given.
fn member(args: &KppsSignArgs) -> Option<(&'static str, Value)> {
    match (&args.on_behalf, args.correction) {
        (Some(reason), _) => Some(("on_behalf", serde_json::json!({ "reason": reason }))),
        (None, Some(objection)) => Some((
            "correction",
            serde_json::json!({"objection": objection, "reason": args.reason}),
        )),
        (None, None) => None,
    }
}

/// The statement for `kpps sign`, with `signed_at` filled in if absent and
/// `member` (`on_behalf` or `correction`) set, or every problem that keeps
/// it from being a form statement.
fn form_statement(
    mut statement: Map<String, Value>,
    member: Option<(&str, Value)>,
    now: UnixTime,
) -> Result<Map<String, Value>, Vec<String>> {
    statement
        .entry("signed_at")
        .or_insert_with(|| Value::String(now.to_string()));
    if let Some((name, value)) = member {
        statement.insert(name.into(), value);
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
