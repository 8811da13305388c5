//! `saksi init`: a new data directory holding a generated election.

use std::time::Instant;

use anyhow::{Context, Result};
use saksi_sim::generate::{GenerateOptions, Stage, generate_with_progress};

use crate::cli::InitArgs;
use crate::support::data_dir::{DataDir, check_root_keys};
use crate::support::election as setup;
use crate::support::progress;

pub fn run(args: &InitArgs) -> Result<()> {
    // Refuse a bad --root-key before any work is done.
    check_root_keys(&args.origin.root_keys)?;
    let dir = DataDir::create(&args.data_dir.data_dir)?;
    let opts = GenerateOptions {
        seed: args.generate.seed,
        scale: args.generate.scale,
    };
    let started = Instant::now();
    let bar = progress::bar("generating", Stage::COUNT as u64, "stages");
    let election =
        generate_with_progress(&opts, |_| bar.inc(1)).context("cannot generate the election")?;
    bar.finish_and_clear();
    eprintln!(
        "generated the election (seed {}, scale {}) in {:.2} s",
        opts.seed,
        opts.scale,
        started.elapsed().as_secs_f64()
    );
    let source = format!("generated: seed {} scale {}", opts.seed, opts.scale);
    setup::store_election(
        &dir,
        &election,
        &source,
        &args.origin,
        &args.data_dir.database,
    )?;
    println!("{}", setup::summary(&election));
    println!("data directory ready: {}", dir.root().display());
    Ok(())
}
