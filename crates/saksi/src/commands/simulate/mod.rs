//! `saksi simulate`: streams drawn C.Hasil forms to a running server.

pub mod simulation;

use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::sync::watch;

use crate::cli::SimulateArgs;
use crate::client::demo_keys::DemoKeys;
use crate::support::data_dir::DataDir;
use crate::support::{open_store, runtime, shutdown_signal};
use simulation::Simulation;

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
        }
        .run(stop)
        .await;
        println!("{stats}");
        Ok(())
    })
}
