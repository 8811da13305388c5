//! `saksi logistics ship --key FILE [--server URL] CSV`: a warehouse's
//! bulk dispatch. The CSV is read whole and checked ([`super::sheet`]);
//! with `--server`, the regions and items are also checked against that
//! server's election and allocation table, still before anything is
//! signed. Only a file with no problem is signed, one `shipment` statement
//! per shipment, and posted in file order to `POST
//! /api/v1/logistics/shipments`; a refusal is reported at its shipment's
//! line (its item's, for an item) and the rest still go. The statements
//! depend on the file alone, so a second run answers what was logged as
//! a replay (`Idempotent-Replayed: true`) and ships only the rest.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use saksi_api::{Allocation, ErrorBody};
use saksi_log::Signer;
use saksi_statement::Envelope;
use serde_json::Value;

use super::sheet::{self, Problem, Shipment};
use crate::client::keys::Server;
use crate::client::{CaCertArg, Response};
use crate::support::args::OriginArg;
use crate::support::signing::read_signer;
use crate::support::{Reported, progress, runtime};

/// Where shipments are posted.
const SHIPMENTS_PATH: &str = "/api/v1/logistics/shipments";

#[derive(Debug, Args)]
pub struct ShipArgs {
    /// The sending office's private key file (`PRIVATE+KEY+...`): a
    /// `kpu-kabkota`, `ppk` or `pps` key of the CSV's `from`, or a
    /// `supplier` key of its kab/kota.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The transparency log the shipments are for (its origin, the first
    /// line of its checkpoints). Default: with --server, the server's;
    /// otherwise the default of `saksi init --origin`
    /// (`saksi.localhost/log`).
    #[arg(long, env = "SAKSI_ORIGIN")]
    pub origin: Option<String>,
    /// Check the CSV's regions and items against this server's election,
    /// then post the signed shipments to it (http://host:port;
    /// deliberately no variable: posting is never implied by the
    /// environment). Without it, each signed shipment is printed, one JSON
    /// envelope a line.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// The CSV of shipments: columns shipment, from, to, item, quantity,
    /// seals, dispatched_at, due_at; one row per item of a shipment (README:
    /// Logistics).
    #[arg(value_name = "CSV")]
    pub csv: PathBuf,
}

/// `saksi logistics ship`.
pub fn run(args: &ShipArgs) -> Result<()> {
    let signer = read_signer(&args.key)?;
    let file = std::fs::File::open(&args.csv)
        .with_context(|| format!("cannot open the CSV file {}", args.csv.display()))?;
    let Some(url) = &args.server else {
        let origin = args
            .origin
            .clone()
            .unwrap_or_else(OriginArg::default_origin);
        let shipments = sheet::read(file, &origin).map_err(|p| rejected(&args.csv, &p))?;
        for shipment in &shipments {
            println!("{}", sign(shipment, &signer)?.to_value());
        }
        eprintln!("signed {} shipments; nothing was posted", shipments.len());
        return Ok(());
    };
    runtime()?.block_on(async {
        let mut server = Server::connect(url, &args.tls)?;
        let origin = match &args.origin {
            Some(origin) => origin.clone(),
            None => server.origin().await?,
        };
        let shipments = sheet::read(file, &origin).map_err(|p| rejected(&args.csv, &p))?;
        let unknown = unknown_to(&mut server, &shipments).await?;
        if !unknown.is_empty() {
            return Err(rejected(&args.csv, &unknown));
        }
        post_all(&mut server, &shipments, &signer).await
    })
}

/// Lists the file's problems on standard error: exit code 2, nothing
/// signed.
fn rejected(csv: &std::path::Path, problems: &[Problem]) -> anyhow::Error {
    eprintln!(
        "error: {} has {} problems; nothing was signed or shipped:",
        csv.display(),
        problems.len()
    );
    for p in problems {
        eprintln!("  line {}: {}", p.line, p.message);
    }
    Reported(2).into()
}

fn sign(shipment: &Shipment, signer: &Signer) -> Result<Envelope> {
    Envelope::sign(shipment.statement.to_object(), signer)
        .with_context(|| format!("cannot sign shipment {:?}", shipment.reference))
}

/// What the server's election and allocation table do not know: a
/// region of no shipment's `from` or `to`, an item no unit is allocated
/// (the nation's allocation names every item any unit gets).
async fn unknown_to(server: &mut Server, shipments: &[Shipment]) -> Result<Vec<Problem>> {
    let nation: Allocation = server.get_json("/api/v1/logistics/allocation/0").await?;
    let mut problems = Vec::new();
    let mut regions = BTreeSet::new();
    for s in shipments {
        regions.extend([s.statement.from, s.statement.to]);
        for (item, line) in &s.item_lines {
            if !nation.items.contains_key(item) {
                problems.push(Problem {
                    line: *line,
                    message: format!("item: the server's allocation gives no unit {item:?}"),
                });
            }
        }
    }
    let mut missing = BTreeSet::new();
    for code in regions {
        if !server.exists(&format!("/api/v1/regions/{code}")).await? {
            missing.insert(code);
        }
    }
    for s in shipments {
        for code in [s.statement.from, s.statement.to] {
            if missing.contains(&code) {
                problems.push(Problem {
                    line: s.line,
                    message: format!("the election has no region {code}"),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);
    problems.dedup();
    Ok(problems)
}

/// How the posting went.
#[derive(Default)]
struct Tally {
    shipped: usize,
    replayed: usize,
    refused: usize,
}

/// Signs and posts every shipment in file order, a line of standard
/// output for each logged one (`line N: shipment REF: log index I`), a
/// refusal on standard error at its line; then the summary. A connection
/// lost stops the run (what was sent is logged or not; a re-run replays
/// the first and ships the second).
async fn post_all(server: &mut Server, shipments: &[Shipment], signer: &Signer) -> Result<()> {
    let bar = progress::bar("shipping", shipments.len() as u64, "shipments");
    let mut tally = Tally::default();
    for shipment in shipments {
        let envelope = sign(shipment, signer)?;
        let body = serde_json::to_vec(&envelope.to_value())?;
        let answer = match server.post(SHIPMENTS_PATH, &body).await {
            Ok(answer) => answer,
            Err(e) => {
                bar.abandon();
                summary(&tally, shipments.len());
                return Err(e.context(format!(
                    "line {}: shipment {:?} got no answer; run the same file again: what was logged replays",
                    shipment.line, shipment.reference
                )));
            }
        };
        bar.suspend(|| report(shipment, &answer, &mut tally));
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary(&tally, shipments.len());
    if tally.refused > 0 {
        return Err(Reported(1).into());
    }
    Ok(())
}

/// Prints what the server answered for one shipment and counts it.
fn report(shipment: &Shipment, answer: &Response, tally: &mut Tally) {
    let at = |line: u64| format!("line {line}: shipment {:?}", shipment.reference);
    if (200..300).contains(&answer.status) {
        let index = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v["log_index"].as_u64());
        let index = index.map_or_else(|| "?".to_owned(), |i| i.to_string());
        if answer.replayed {
            tally.replayed += 1;
            println!("{}: already logged at {index}", at(shipment.line));
        } else {
            tally.shipped += 1;
            println!("{}: log index {index}", at(shipment.line));
        }
        return;
    }
    tally.refused += 1;
    match serde_json::from_slice::<ErrorBody>(&answer.body) {
        Ok(ErrorBody { error }) => {
            // A refusal about one item is reported at that item's row.
            let line = error.details["item"]
                .as_str()
                .and_then(|item| shipment.item_lines.get(item))
                .copied()
                .unwrap_or(shipment.line);
            eprintln!("{}: error: {}: {}", at(line), error.code, error.message);
        }
        Err(_) => {
            let text = String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)]);
            eprintln!(
                "{}: error: the server answered {}: {}",
                at(shipment.line),
                answer.status,
                text.trim()
            );
        }
    }
}

fn summary(tally: &Tally, total: usize) {
    let Tally {
        shipped,
        replayed,
        refused,
    } = tally;
    let unsent = total - shipped - replayed - refused;
    let mut text = format!(
        "{total} shipments: {shipped} shipped, {replayed} already logged, {refused} refused"
    );
    if unsent > 0 {
        text.push_str(&format!(", {unsent} not sent"));
    }
    eprintln!("{text}");
}
