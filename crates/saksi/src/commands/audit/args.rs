//! The arguments of `saksi audit`.

use std::path::PathBuf;

use clap::Args;

use crate::client::CaCertArg;

/// `saksi audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The server to audit.
    #[arg(long, env = "SAKSI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// The log's verifier key (`<origin>+<key id>+<base64>`, as served at
    /// /api/v1/log/key), pinned out of band: checkpoints must be signed by
    /// it and name its origin.
    #[arg(long, value_name = "LOGVKEY")]
    pub key: String,
    /// A KPU RI root key of the officer key chain (repeatable), pinned out
    /// of band: every key entry and signed form must trace back to one.
    /// Without any, every key entry is a discrepancy.
    #[arg(long = "root", value_name = "ROOTVKEY")]
    pub roots: Vec<String>,
    /// The origin of an earlier log whose entries this one carried over
    /// when it was restarted under a new origin (`saksi log new-origin`)
    /// (repeatable): statements naming it are accepted. Pin it as you pin
    /// the keys.
    #[arg(long = "previous-origin", value_name = "ORIGIN")]
    pub previous_origins: Vec<String>,
    /// Accept the unsigned form versions (`form` v1 entries, entered
    /// through a session) below log index N: an old log's unsigned prefix.
    /// They are still counted in the summary; from N on each is a
    /// discrepancy.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub allow_unsigned_before: u64,
    /// The commissioners' quorum each region's sign-off must ask for (its
    /// `k`), per level, as the server was started with: a sign-off asking
    /// for fewer confirmations (never more than the commissioners
    /// registered) is a discrepancy.
    #[arg(long, value_parser = saksi_statement::Quorum::parse,
          default_value = "kecamatan=3,kabkota=3,provinsi=3,nasional=3")]
    pub signoff_quorum: saksi_statement::Quorum,
    /// Directory keeping the verified checkpoint and entries between runs:
    /// a later run fetches only new entries and checks that the log grew
    /// from the saved checkpoint (a consistency proof).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Besides every province and kab/kota, compare every region on the
    /// path of this many randomly drawn reported TPS.
    #[arg(long, default_value_t = 200)]
    pub sample: u32,
    /// Compare every region with a report instead of a sample.
    #[arg(long)]
    pub full: bool,
    /// Seed of the sample (default: drawn from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// List every re-submission and key rotation, not only the first 20
    /// (`--state` also writes them all to DIR/resubmissions.json and
    /// DIR/rotations.json).
    #[arg(long, short)]
    pub verbose: bool,
}
