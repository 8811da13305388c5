//! The top-level command line (README: Command line): one subcommand per
//! module under `commands/`, each holding its own flags. Scripts rely on
//! those flags and their `SAKSI_*` environment variables exactly: add,
//! never rename.

use clap::{Parser, Subcommand};

use crate::commands::audit::AuditArgs;
use crate::commands::backup::{self, BackupArgs};
use crate::commands::demo::DemoArgs;
use crate::commands::import_regions::ImportRegionsArgs;
use crate::commands::init::InitArgs;
use crate::commands::key::KeyCommand;
use crate::commands::kpps::KppsCommand;
use crate::commands::loadgen::LoadgenArgs;
use crate::commands::log::LogCommand;
use crate::commands::logistics::LogisticsCommand;
use crate::commands::recap::RecapCommand;
use crate::commands::restore::RestoreArgs;
use crate::commands::serve::ServeArgs;
use crate::commands::simulate::SimulateArgs;
use crate::commands::user::UserCommand;
use crate::commands::webhook::WebhookCommand;

/// Saksi: election administration with results anyone can check.
#[derive(Debug, Parser)]
#[command(name = "saksi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything at once: a generated election, the server on
    /// http://127.0.0.1:8080 and simulated TPS submissions.
    Demo(DemoArgs),
    /// Serve an existing data directory over HTTP.
    Serve(ServeArgs),
    /// Create a data directory with a generated election (SQLite).
    Init(InitArgs),
    /// Create a data directory from the commission's real desa list.
    ImportRegions(ImportRegionsArgs),
    /// Manage accounts (works while a server runs).
    #[command(subcommand)]
    User(UserCommand),
    /// Stream simulated C.Hasil submissions to a running server.
    Simulate(SimulateArgs),
    /// Measure ingest: submit forms as fast as a running server takes them.
    Loadgen(LoadgenArgs),
    /// Audit a running server from its transparency log alone: verify the
    /// log, recount every contest and compare with the published results.
    Audit(AuditArgs),
    /// Officer keys: make one, certify or revoke another.
    #[command(subcommand)]
    Key(KeyCommand),
    /// KPPS device keys: register one for a TPS, sign a form statement.
    #[command(subcommand)]
    Kpps(KppsCommand),
    /// The recapitulation: a PPK member's signed ruling on an objection.
    #[command(subcommand)]
    Recap(RecapCommand),
    /// The logistics chain: sign and post a CSV of shipments.
    #[command(subcommand)]
    Logistics(LogisticsCommand),
    /// Back up a SQLite data directory while its server runs: one file
    /// with the database and the public files, never a secret.
    #[command(long_about = backup::long_about())]
    Backup(BackupArgs),
    /// Recreate a data directory from a `saksi backup` file.
    ///
    /// Writes `saksi.db`, `root-keys.txt` and `log.highest` into DIR, which
    /// must not hold a database. The log key is never in a backup: it must
    /// be in DIR already or be given with --log-key (or a new log is
    /// started with --new-origin). Of the backup's `log.highest` and one
    /// already in DIR the higher is kept, so the record of what was
    /// published never goes backwards; a database older than that record
    /// makes the server refuse to sign (503 `log.behind_signed`) until a
    /// newer backup is restored or a new log is started.
    Restore(RestoreArgs),
    /// The transparency log itself: start a new one when the old one
    /// cannot continue.
    #[command(subcommand)]
    Log(LogCommand),
    /// Outgoing webhooks for incident notifications: add (prints the
    /// secret once), list, remove, deliveries (works while a server runs).
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
