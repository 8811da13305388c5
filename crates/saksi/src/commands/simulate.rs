//! `saksi simulate`: streams drawn C.Hasil forms to a running server.

use std::sync::Arc;

use anyhow::{Context, Result};
use saksi_core::RegionId;
use tokio::sync::watch;

use super::serve::{open_store, runtime, shutdown_signal};
use crate::cli::SimulateArgs;
use crate::data_dir::DataDir;
use crate::simulate::Simulation;
use crate::{http, kpps};

pub fn run(args: &SimulateArgs) -> Result<()> {
    let dir = DataDir::existing(&args.data_dir.data_dir)?;
    let store = open_store(&dir)?;
    let election = Arc::new(
        store
            .require_election()
            .context("cannot load the election")?,
    );
    let tps: Vec<RegionId> = election.tree.tps_ids().collect();
    let tokens = kpps::provision(store.as_ref(), &election, &tps)?;
    runtime()?.block_on(async {
        let server = http::resolve(&args.server).await?;
        let (stop_tx, stop) = watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        println!(
            "simulating {} TPS at {} forms/s against {}",
            tps.len(),
            args.rate,
            args.server
        );
        let stats = Simulation {
            election,
            server,
            tokens: Arc::new(tokens),
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
