//! One module per command; `run` dispatches.

mod import_regions;
mod init;
mod setup;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::ImportRegions(args) => import_regions::run(&args),
    }
}
