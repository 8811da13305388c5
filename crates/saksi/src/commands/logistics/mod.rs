//! `saksi logistics ...`: the logistics chain from the command line
//! (docs/logistics.md). `ship` signs a warehouse's CSV of shipments with
//! the sending office's key and posts them; the CSV format is
//! [`sheet`]'s.

pub mod sheet;
pub mod ship;

use anyhow::Result;
use clap::Subcommand;

/// `saksi logistics ...`.
#[derive(Debug, Subcommand)]
pub enum LogisticsCommand {
    /// Sign a CSV of shipments with the sending office's key and post
    /// them to a server (or print them). Every row is checked first: if
    /// any is wrong, each is reported by line and nothing is signed (exit
    /// code 2). Running it again after a partial failure ships nothing
    /// twice: what was logged is answered as a replay.
    Ship(ship::ShipArgs),
}

/// `saksi logistics ...`.
pub fn run(command: &LogisticsCommand) -> Result<()> {
    match command {
        LogisticsCommand::Ship(args) => ship::run(args),
    }
}
