//! One module per command; `run` dispatches.

mod audit;
mod backup;
mod demo;
mod import_regions;
mod init;
mod key;
mod kpps;
mod loadgen;
mod log;
mod restore;
mod serve;
mod simulate;
pub mod user;

use anyhow::Result;

use crate::cli::{Cli, Command, KeyCommand, KppsCommand, LogCommand, UserCommand};

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Init(args) => init::run(&args),
        Command::ImportRegions(args) => import_regions::run(&args),
        Command::User(UserCommand::Add(args)) => user::add(&args),
        Command::User(UserCommand::Token(args)) => user::token(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Loadgen(args) => loadgen::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Key(KeyCommand::Generate(args)) => key::generate(&args),
        Command::Key(KeyCommand::Certify(args)) => key::certify(&args),
        Command::Key(KeyCommand::Revoke(args)) => key::revoke(&args),
        Command::Kpps(KppsCommand::Register(args)) => kpps::register(&args),
        Command::Kpps(KppsCommand::Sign(args)) => kpps::sign(&args),
        Command::Backup(args) => backup::run(&args),
        Command::Restore(args) => restore::run(&args),
        Command::Log(LogCommand::NewOrigin(args)) => log::new_origin(&args),
    }
}
