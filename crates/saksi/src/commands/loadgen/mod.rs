//! `saksi loadgen`: measures ingest through the HTTP API of a running
//! server.

mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cli::LoadgenArgs;
use crate::client::demo_keys::DemoKeys;
use crate::support::data_dir::DataDir;
use crate::support::{open_store, progress, runtime};
use load::{Plan, corpus};

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
    let receipts: Option<Box<dyn std::io::Write + Send>> = match &args.receipts {
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
        let started = Instant::now();
        let bar = progress::bar("registering keys", election.tree.len() as u64, "keys");
        let registered = keys
            .register(&election, &client, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await?;
        bar.finish_and_clear();
        eprintln!(
            "registered {} keys in {:.1} s ({} already registered)",
            registered.new,
            started.elapsed().as_secs_f64(),
            registered.already
        );
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
