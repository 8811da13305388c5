//! `saksi init`: a new data directory holding a generated election.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use saksi_sim::generate::{GenerateOptions, Stage, generate_with_progress};

use super::fixture;
use crate::support::args::{DataDirArg, OriginArg};
use crate::support::data_dir::{DataDir, check_root_keys};
use crate::support::progress;
use crate::support::setup;

/// How big the generated election is, and which one.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Fraction of the nation to generate, in (0, 1]: 1 is all 820,161
    /// TPS; smaller scales keep every province, each scaled down.
    #[arg(long, env = "SAKSI_SCALE", default_value_t = 0.01, value_parser = parse_scale)]
    pub scale: f64,
    /// Seed of the generator: the same seed gives the same election.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[command(flatten)]
    pub origin: OriginArg,
    /// Then write the national fixture into the new store: the demo's
    /// officer and KPPS key registrations and every TPS's signed forms
    /// (a few corrected), drawn by `--seed` as `saksi simulate` draws
    /// them, through the server's own write path, logged on a simulated
    /// polling-day clock; the KPPS keys go to `DIR/demo-keys/` as the
    /// demo's do. Needs the root key `init` makes, so no --root-key.
    #[arg(long, conflicts_with = "root_keys")]
    pub with_forms: bool,
}

fn parse_scale(s: &str) -> Result<f64, String> {
    let scale: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number; give a fraction such as 0.01"))?;
    if scale > 0.0 && scale <= 1.0 {
        Ok(scale)
    } else {
        Err(format!("scale must be in (0, 1], got {s}"))
    }
}

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
    let store = setup::store_election(
        &dir,
        &election,
        &source,
        &args.origin,
        &args.data_dir.database,
    )?;
    println!("{}", setup::summary(&election));
    if args.with_forms {
        // The server loads its own copy from the store.
        drop(election);
        fixture::write(&dir, store, opts.seed)?;
    }
    println!("data directory ready: {}", dir.root().display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_outside_zero_to_one_is_refused() {
        assert!(parse_scale("0").is_err());
        assert!(parse_scale("1.5").is_err());
        assert!(parse_scale("abc").is_err());
        assert_eq!(parse_scale("0.01"), Ok(0.01));
    }
}
