//! One module per command, holding its arguments and its `run`; `run`
//! dispatches.

pub mod audit;
pub mod backup;
pub mod demo;
pub mod demo_incidents;
pub mod demo_logistics;
pub mod demo_officers;
pub mod demo_recap;
pub mod demo_users;
pub mod fixture;
pub mod import_regions;
pub mod init;
pub mod key;
pub mod kpps;
pub mod loadgen;
pub mod log;
pub mod logistics;
pub mod recap;
pub mod restore;
pub mod serve;
pub mod simulate;
pub mod user;
pub mod webhook;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Init(args) => init::run(&args),
        Command::ImportRegions(args) => import_regions::run(&args),
        Command::User(command) => user::run(&command),
        Command::Simulate(args) => simulate::run(&args),
        Command::Loadgen(args) => loadgen::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Key(command) => key::run(&command),
        Command::Kpps(command) => kpps::run(&command),
        Command::Recap(command) => recap::run(&command),
        Command::Logistics(command) => logistics::run(&command),
        Command::Backup(args) => backup::run(&args),
        Command::Restore(args) => restore::run(&args),
        Command::Log(command) => log::run(&command),
        Command::Webhook(command) => webhook::run(&command),
    }
}
