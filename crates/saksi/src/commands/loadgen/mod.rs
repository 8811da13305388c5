//! `saksi loadgen`: measures ingest through the HTTP API of a running
//! server.

mod load;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use saksi_api::KeyAccepted;

use crate::client::CaCertArg;
use crate::client::demo_keys::DemoKeys;
use crate::support::args::{DataDirArg, parse_rate};
use crate::support::data_dir::DataDir;
use crate::support::{now, open_store, runtime};
use load::{Plan, corpus};

#[derive(Debug, Args)]
pub struct LoadgenArgs {
    /// The data directory the server serves: the election, the log origin
    /// and the demo root key (`root.key`) that registers the simulated
    /// officers' and KPPS devices' keys.
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The server to load.
    #[arg(long, env = "SAKSI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub connections: u32,
    /// Submissions to send (default: one per form of every TPS).
    #[arg(long)]
    pub count: Option<u64>,
    /// Seconds to run instead of a count.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<f64>,
    /// Submissions per second (default: as fast as answered).
    #[arg(long, value_parser = parse_positive_rate)]
    pub rate: Option<f64>,
    /// Write one JSON line per acknowledged key registration,
    /// {"key", "action", "receipt"}, then one per acknowledged form,
    /// {"tps", "contest", "version", "receipt"}.
    #[arg(long, value_name = "FILE")]
    pub receipts: Option<PathBuf>,
    /// Seed of the drawn forms.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
    /// Before the forms, file this many `low` incident reports signed by
    /// the KPPS devices of TPS drawn at random, as fast as answered; with
    /// the server's low deadlines short (`--incident-deadlines
    /// low=60s/2h`), its escalation sweep then works through them while
    /// the forms stream.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub incidents: u64,
}

fn parse_duration(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(d) if d.is_finite() && d > 0.0 && d <= 86_400.0 => Ok(d),
        _ => Err(format!("duration must be seconds in (0, 86400], got {s}")),
    }
}

fn parse_positive_rate(s: &str) -> Result<f64, String> {
    match parse_rate(s)? {
        r if r > 0.0 => Ok(r),
        _ => Err("rate must be above 0".to_owned()),
    }
}

/// Forms prepared per second of `--duration`: above any rate measured
/// here, so a run never starves (beyond every form's first version the
/// corpus holds later versions, chained by `prev`).
const PREPARED_PER_SECOND: f64 = 30_000.0;

/// How long one submission may wait for its answer before it counts as a
/// connection error: far beyond any latency worth measuring.
const TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(args: &LoadgenArgs) -> Result<()> {
    if args.count.is_some() && args.duration.is_some() {
        bail!("give --count or --duration, not both");
    }
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let store = open_store(&dir, &args.data_dir.database)?;
    let started = Instant::now();
    let election = store
        .require_election()
        .context("cannot load the election")?;
    eprintln!(
        "loaded {} TPS in {:.1} s",
        election.tree.tps_ids().len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let origin = dir.log_setup()?.signer.name().to_owned();
    let keys = DemoKeys::derive(dir.root_signer()?, &origin, &election);
    eprintln!(
        "derived the simulated officers' and KPPS keys in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    // Prepare what the run can send: the count asked, or (for a duration)
    // what a fast server could take in that time, or every form once.
    let limit = match (args.count, args.duration) {
        (Some(count), _) => Some(count as usize),
        (None, Some(secs)) => Some((secs * PREPARED_PER_SECOND) as usize),
        (None, None) => None,
    };
    let corpus = Arc::new(corpus(&election, &keys, args.seed, limit));
    eprintln!(
        "drew and signed {} form statements ({} MB of JSON) in {:.1} s",
        corpus.len(),
        corpus.iter().map(|p| p.body_len()).sum::<usize>() / 1_000_000,
        started.elapsed().as_secs_f64()
    );
    let incidents = if args.incidents > 0 {
        let started = Instant::now();
        let incidents =
            load::incidents(&election, &keys, args.seed, args.incidents as usize, now());
        eprintln!(
            "signed {} incident reports in {:.1} s",
            incidents.len(),
            started.elapsed().as_secs_f64()
        );
        incidents
    } else {
        Vec::new()
    };
    let mut receipts: Option<Box<dyn std::io::Write + Send>> = match &args.receipts {
        Some(path) => Some(Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
    let count = args
        .count
        .or(args.duration.is_none().then_some(corpus.len() as u64));
    runtime()?.block_on(async {
        let client = args.tls.client(&args.server, TIMEOUT)?;
        let registered = keys.register_showing(&election, &client, "keys").await?;
        if let Some(out) = receipts.as_mut() {
            write_key_receipts(out, &registered.acknowledged)?;
        }
        if !incidents.is_empty() {
            eprintln!("filing {} incidents over {} connections", incidents.len(), args.connections);
            let report = load::run(
                Plan {
                    client: client.clone(),
                    connections: args.connections as usize,
                    count: Some(incidents.len() as u64),
                    duration: None,
                    rate: None,
                },
                Arc::new(incidents),
                None,
            )
            .await;
            println!(
                "filed {} incidents in {:.2} s ({:.0}/s; p50 {:.2} ms, p99 {:.2} ms): refused {}, overloaded {}, connection errors {}",
                report.accepted,
                report.elapsed.as_secs_f64(),
                report.rate(),
                report.quantile_ms(0.5),
                report.quantile_ms(0.99),
                report.refused,
                report.overloaded,
                report.errors
            );
            if report.refused > 0 || report.errors > 0 {
                bail!("{} incident reports were refused and {} failed", report.refused, report.errors);
            }
        }
        drop(election);
        let plan = Plan {
            client,
            connections: args.connections as usize,
            count,
            duration: args.duration.map(Duration::from_secs_f64),
            rate: args.rate,
        };
        eprintln!(
            "sending {} over {} connections to {}",
            count.map_or_else(|| format!("for {} s", args.duration.unwrap_or(0.0)), |c| format!("{c} forms")),
            args.connections,
            args.server
        );
        let report = load::run(plan, corpus, receipts).await;
        println!(
            "sent {} in {:.2} s: accepted {}, refused {}, overloaded (503) {}, connection errors {}",
            report.sent,
            report.elapsed.as_secs_f64(),
            report.accepted,
            report.refused,
            report.overloaded,
            report.errors
        );
        println!(
            "throughput {:.0} forms/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            report.rate(),
            report.quantile_ms(0.5),
            report.quantile_ms(0.99),
            report.quantile_ms(1.0)
        );
        if report.overloaded > 0 {
            println!(
                "accepted submissions alone: latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                report.accepted_quantile_ms(0.5),
                report.accepted_quantile_ms(0.99),
                report.accepted_quantile_ms(1.0)
            );
        }
        if report.refused > 0 || report.errors > 0 {
            bail!("{} submissions were refused and {} failed", report.refused, report.errors);
        }
        Ok(())
    })
}

/// One `--receipts` line per acknowledged key registration, `{"key",
/// "action", "receipt"}`, before the forms' lines.
fn write_key_receipts(out: &mut dyn std::io::Write, keys: &[KeyAccepted]) -> Result<()> {
    for k in keys {
        let line = serde_json::json!({"key": k.key, "action": k.action, "receipt": k.receipt});
        writeln!(out, "{line}").context("cannot write the receipts")?;
    }
    Ok(())
}
