//! `saksi simulate`: streams drawn C.Hasil forms to a running server.

pub mod simulation;

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use tokio::sync::watch;

use crate::client::CaCertArg;
use crate::client::demo_keys::DemoKeys;
use crate::support::args::{DataDirArg, parse_rate};
use crate::support::data_dir::DataDir;
use crate::support::{open_store, runtime, shutdown_signal};
use simulation::Simulation;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The server to submit to.
    #[arg(long, env = "SAKSI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// Submissions per second.
    #[arg(long, env = "SAKSI_RATE", default_value_t = 50.0, value_parser = parse_rate)]
    pub rate: f64,
    /// Stop after this many submissions (default: every TPS reports).
    #[arg(long)]
    pub count: Option<u64>,
    /// Seed of the drawn forms.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
}

pub fn run(args: &SimulateArgs) -> Result<()> {
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let store = open_store(&dir, &args.data_dir.database)?;
    let election = Arc::new(
        store
            .require_election()
            .context("cannot load the election")?,
    );
    let origin = dir.log_setup()?.signer.name().to_owned();
    let keys = DemoKeys::derive(dir.root_signer()?, &origin, &election);
    runtime()?.block_on(async {
        let client = args.tls.client(&args.server, simulation::TIMEOUT)?;
        let registered = keys.register(&election, &client, &|_, _| {}).await?;
        eprintln!(
            "registered {} simulated keys ({} already registered)",
            registered.new, registered.already
        );
        let (stop_tx, stop) = watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        println!(
            "simulating {} TPS at {} forms/s against {}",
            election.tree.tps_ids().len(),
            args.rate,
            args.server
        );
        let stats = Simulation {
            election,
            client,
            keys: Arc::new(keys),
            rate: args.rate,
            seed: args.seed,
            count: args.count,
            held: None,
        }
        .run(stop)
        .await;
        println!("{stats}");
        Ok(())
    })
}
