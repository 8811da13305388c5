//! `saksi`: the command line over the Saksi crates.
//!
//! Thin by design: parse arguments, resolve settings, call the libraries.
//! Every command exits non-zero with a one-line reason on failure.

mod cli;
mod client;
mod commands;
mod support;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAKSI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes in a log file or a pipe are noise; NO_COLOR
        // (no-color.org) turns them off on a terminal too.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The command has said what went wrong; only its code is left.
            if let Some(support::Reported(code)) = err.downcast_ref() {
                return ExitCode::from(*code);
            }
            // One line: the outermost context, then each cause after a colon.
            eprintln!("saksi: {err:#}");
            ExitCode::FAILURE
        }
    }
}
