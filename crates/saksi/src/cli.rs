//! The command-line contract (issue 2 §10). Scripts rely on these flags and
//! their `SAKSI_*` environment variables exactly: add, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Saksi: election administration with results anyone can check.
#[derive(Debug, Parser)]
#[command(name = "saksi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a data directory with a generated election (SQLite).
    Init(InitArgs),
    /// Create a data directory from the commission's real desa list.
    ImportRegions(ImportRegionsArgs),
}

/// The data directory every command needs.
#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Directory holding the database and everything else of a deployment.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: PathBuf,
}

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
}

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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn scale_outside_zero_to_one_is_refused() {
        assert!(parse_scale("0").is_err());
        assert!(parse_scale("1.5").is_err());
        assert!(parse_scale("abc").is_err());
        assert_eq!(parse_scale("0.01"), Ok(0.01));
    }
}
