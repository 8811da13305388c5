//! `saksi import-regions`: a new data directory over the commission's real
//! desa list (names optionally from the Ministry's list).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use saksi_sim::import::import_files;

use crate::support::args::{DataDirArg, OriginArg};
use crate::support::data_dir::{DataDir, check_root_keys};
use crate::support::progress;
use crate::support::setup;

#[derive(Debug, Args)]
pub struct ImportRegionsArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The commission's desa list with TPS counts (CSV, as
    /// kpu2024_desa_tps.csv).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The Ministry of Home Affairs' region names (CSV, as
    /// wilayah_kemendagri_2025.csv), used for names only.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Seed for what the lists do not give: DPT, dapil and candidates.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
    #[command(flatten)]
    pub origin: OriginArg,
}

pub fn run(args: &ImportRegionsArgs) -> Result<()> {
    // Refuse a bad --root-key before any work is done.
    check_root_keys(&args.origin.root_keys)?;
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let total = size(&args.file) + args.names.as_deref().map_or(0, size);
    // Check the lists before creating anything: a malformed list leaves no
    // half-made data directory behind.
    let bar = progress::bytes("reading", total);
    let imported = import_files(&args.file, args.names.as_deref(), &mut |read| {
        bar.set_position(read)
    });
    bar.finish_and_clear();
    let imported = imported.context("cannot import the region lists")?;
    eprintln!("{}", imported.report);
    let dir = DataDir::create(&args.data_dir.data_dir)?;
    let election = imported
        .into_election(args.seed)
        .context("cannot build the election over the imported regions")?;
    let source = format!("imported: {} (seed {})", args.file.display(), args.seed);
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
