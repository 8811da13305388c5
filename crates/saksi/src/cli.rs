//! The command-line contract (README: Command line). Scripts rely on these flags and
//! their `SAKSI_*` environment variables exactly: add, never rename.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::client::CaCertArg;

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
    /// Back up a SQLite data directory while its server runs: one file
    /// with the database and the public files, never a secret.
    #[command(long_about = backup_long_about())]
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
}

/// Where the server listens and how it batches.
#[derive(Debug, Args)]
pub struct ListenArg {
    /// Address and port to listen on.
    #[arg(long, env = "SAKSI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Most submissions written in one durable transaction (group commit).
    #[arg(long, env = "SAKSI_MAX_BATCH", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_batch: u32,
    /// Submissions that may wait for the sequencer; beyond it the server
    /// answers 503 with Retry-After instead of queueing without bound.
    #[arg(long, env = "SAKSI_QUEUE_CAPACITY", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub queue_capacity: u32,
    /// How long a login session lasts, in hours.
    #[arg(long, env = "SAKSI_SESSION_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_hours: u32,
    /// The writer lease's lifetime, in seconds: the server renews it every
    /// third of it, and a server killed without stopping keeps the next one
    /// waiting at most this long (only one server writes an election).
    #[arg(long, env = "SAKSI_LEASE_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(2..=10))]
    pub lease_seconds: u32,
}

impl ListenArg {
    /// The server's settings from these flags.
    pub fn config(&self) -> saksi_server::Config {
        saksi_server::Config {
            max_batch: self.max_batch as usize,
            queue_capacity: self.queue_capacity as usize,
            session_ttl: std::time::Duration::from_secs(u64::from(self.session_hours) * 3600),
            ..saksi_server::Config::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub listen: ListenArg,
    /// Data directory; a fresh one under the system's temporary directory
    /// if not given. A directory from an earlier demo is served as it is.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[command(flatten)]
    pub origin: OriginArg,
    /// Simulated submissions per second; 0 generates the election without
    /// streaming submissions.
    #[arg(long, env = "SAKSI_RATE", default_value_t = 50.0, value_parser = parse_rate)]
    pub rate: f64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[command(flatten)]
    pub listen: ListenArg,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password comes from SAKSI_PASSWORD or
    /// standard input, never from a flag.
    Add(UserAddArgs),
    /// Print a fresh session token for a user (no password needed: this is
    /// the local administrative path).
    Token(UserTokenArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// 3-64 characters of A-Z, a-z, 0-9, '_', '.', '-'.
    #[arg(long)]
    pub username: String,
    /// kpps, pps, ppk, kpu-kabkota, kpu-prov, kpu-ri, bawaslu, saksi or
    /// auditor.
    #[arg(long)]
    pub role: String,
    /// The region the account acts in (`0` for national roles).
    #[arg(long)]
    pub region: String,
    /// The party a saksi witnesses for (role saksi only).
    #[arg(long)]
    pub party: Option<u8>,
}

#[derive(Debug, Args)]
pub struct UserTokenArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    #[arg(long)]
    pub username: String,
    /// How long the token is valid, in hours.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub ttl_hours: u32,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The server to submit to.
    #[arg(long, env = "SAKSI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// Submissions per second.
    #[arg(long, env = "SAKSI_RATE", default_value_t = 50.0, value_parser = parse_rate)]
    pub rate: f64,
    /// Stop after this many submissions (default: every TPS reports).
    #[arg(long)]
    pub count: Option<u64>,
    /// Seed of the drawn forms.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
}

/// The transparency log's name, for commands that create a data directory.
#[derive(Debug, Args)]
pub struct OriginArg {
    /// The log's origin: the first line of every checkpoint and the name of
    /// the log key (e.g. `pemilu2024.example.go.id/log`).
    #[arg(long, env = "SAKSI_ORIGIN", default_value = "saksi.localhost/log")]
    pub origin: String,
    /// A KPU RI root verifier key (`name+<key id>+<base64>`), repeatable;
    /// auditors pin these out of band. Without one, a root key is made and
    /// its private half kept in `DIR/root.key`.
    #[arg(long = "root-key", value_name = "VKEY")]
    pub root_keys: Vec<String>,
}

/// The data directory every command needs.
#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Directory holding the database and everything else of a deployment.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// Which database: SQLite inside the data directory (the default), or a
/// server database given by URL.
#[derive(Debug, Args)]
pub struct DatabaseArg {
    // The help names the other backend, so the store words it.
    #[arg(
        long = "database",
        env = "SAKSI_DATABASE_URL",
        value_name = "URL",
        help = saksi_store::url::ARG_HELP
    )]
    pub url: Option<String>,
}

/// `saksi backup --help`: what a backup holds, and what to use for a store
/// that is not SQLite.
fn backup_long_about() -> String {
    format!(
        "Back up a SQLite data directory while its server runs: one file with the database and \
         the public files, never a secret.\n\n\
         The backup is one SQLite file: a consistent copy of `DIR/saksi.db` made with SQLite's \
         online backup API (the server keeps writing meanwhile), plus `root-keys.txt` and \
         `log.highest` (the highest checkpoint signed, read before the copy so that it never \
         claims more than the copy holds). Secrets are never in a backup: `log.key`, \
         `root.key`, `demo-accounts.json` and `demo-keys/` stay out; keep the log key apart, \
         offline. The file is written as FILE.partial, fsynced and renamed, with mode 0600 (it \
         holds password hashes). SQLite only: {}.",
        saksi_store::url::OTHER_BACKUP
    )
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
    #[command(flatten)]
    pub origin: OriginArg,
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
    #[command(flatten)]
    pub origin: OriginArg,
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

#[derive(Debug, Args)]
pub struct LoadgenArgs {
    /// The data directory the server serves: the election, the log origin
    /// and the demo root key (`root.key`) that registers the simulated
    /// officers' and KPPS devices' keys.
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// The server to load.
    #[arg(long, env = "SAKSI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(flatten)]
    pub tls: CaCertArg,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub connections: u32,
    /// Submissions to send (default: one per form of every TPS).
    #[arg(long)]
    pub count: Option<u64>,
    /// Seconds to run instead of a count.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<f64>,
    /// Submissions per second (default: as fast as answered).
    #[arg(long, value_parser = parse_positive_rate)]
    pub rate: Option<f64>,
    /// Write one JSON line per acknowledged submission:
    /// {"tps", "contest", "idempotency_key", "version", "receipt"}.
    #[arg(long, value_name = "FILE")]
    pub receipts: Option<PathBuf>,
    /// Seed of the drawn forms.
    #[arg(long, env = "SAKSI_SEED", default_value_t = 2024)]
    pub seed: u64,
}

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

/// `saksi key ...`. Statements are built and signed on the officer's
/// machine; the server only relays them into the log.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make an Ed25519 key: the private key goes to a new file (mode
    /// 0600), the verifier key is printed on standard output.
    Generate(KeyGenerateArgs),
    /// Register a verifier key for a role and region, signed with your key:
    /// prints the signed statement, or posts it with --server.
    Certify(KeyCertifyArgs),
    /// Revoke a registered key, signed with your key: prints the signed
    /// statement, or posts it with --server.
    Revoke(KeyRevokeArgs),
}

/// `saksi kpps ...`.
#[derive(Debug, Subcommand)]
pub enum KppsCommand {
    /// Register a KPPS device key for a TPS, signed with a KPU Kab/Kota key
    /// (`saksi key certify --role kpps --region TPS`).
    Register(KppsRegisterArgs),
    /// Sign one form statement (a JSON object on standard input) with a
    /// KPPS device key and print the signed envelope. A statement without
    /// `signed_at` gets the current time; an invalid one is not signed
    /// (exit code 2, every problem listed).
    Sign(KppsSignArgs),
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// The key's name: no spaces, no '+' (e.g. `kpu-kabkota-11.01-ani` or
    /// `kpps-11.01.01.2001.001`).
    #[arg(long)]
    pub name: String,
    /// The private key file to create (mode 0600); an existing file is
    /// never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeyCertifyArgs {
    /// Your private key file (`PRIVATE+KEY+...`): a KPU RI root key
    /// certifies kpu-prov keys, a kpu-prov key kpu-kabkota keys, a
    /// kpu-kabkota key kpps keys.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The verifier key to register (`name+<key id>+<base64>`, as `saksi
    /// key generate` prints it).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    /// The role the key acts in.
    #[arg(long, value_parser = ["kpu-prov", "kpu-kabkota", "kpps"])]
    pub role: String,
    /// The region the key is bound to, at the role's level: a province
    /// (`11`) for kpu-prov, a kab/kota (`11.01`) for kpu-kabkota, a TPS
    /// (`11.01.01.2001.001`) for kpps.
    #[arg(long, value_name = "CODE")]
    pub region: String,
    #[command(flatten)]
    pub validity: ValidityArgs,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub struct KppsRegisterArgs {
    /// Your KPU Kab/Kota private key file (`PRIVATE+KEY+...`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The KPPS device's verifier key (`name+<key id>+<base64>`).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    /// The TPS the device signs forms for (e.g. `11.01.01.2001.001`).
    #[arg(long, value_name = "CODE")]
    pub tps: String,
    #[command(flatten)]
    pub validity: ValidityArgs,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub struct KeyRevokeArgs {
    /// Your private key file (`PRIVATE+KEY+...`): the kind of key that
    /// registered the revoked one, or a KPU RI root key.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The verifier key to revoke (`name+<key id>+<base64>`).
    #[arg(long, value_name = "VKEY")]
    pub verifier: String,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub struct KppsSignArgs {
    /// The KPPS device's private key file (`PRIVATE+KEY+...`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

/// The data directory of a SQLite deployment, for the commands that work
/// on the database file itself (`backup`, `restore`, `log new-origin`).
#[derive(Debug, Args)]
pub struct SqliteDataDirArg {
    /// Directory holding the SQLite database (`saksi.db`) and everything
    /// else of a deployment.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: PathBuf,
}

/// `saksi backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The backup file to create (one SQLite file, mode 0600); an existing
    /// file is never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `saksi restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file, as `saksi backup` wrote it.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The data directory to recreate: new, or one that lost its database
    /// (its `log.key` and `log.highest` are kept).
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The log's private key (`PRIVATE+KEY+...`), copied to `DIR/log.key`
    /// (mode 0600); needed when DIR holds none, as a backup never does.
    #[arg(long, value_name = "KEYFILE", conflicts_with = "new_origin")]
    pub log_key: Option<PathBuf>,
    /// Instead of continuing the backed-up log, start a new log under this
    /// origin with a new log key (as `saksi log new-origin` does): for a
    /// lost log key, or a database older than checkpoints already published.
    #[arg(long, value_name = "ORIGIN")]
    pub new_origin: Option<String>,
}

/// `saksi log ...`.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Start a new log under a new origin and a new log key, when the old
    /// log cannot continue (the database is older than checkpoints already
    /// published, or the log key is lost). Stop the server first.
    ///
    /// The entries the database holds become the new log's first entries;
    /// submissions the old log acknowledged beyond them are not in the new
    /// log and must be submitted again (their receipts from the old log
    /// prove they were acknowledged). The old `log.key` and `log.highest`
    /// are kept as `log.key.retired-<time>` and `log.highest.retired-<time>`.
    /// Prints the new log's verifier key, which auditors must pin.
    NewOrigin(LogNewOriginArgs),
}

#[derive(Debug, Args)]
pub struct LogNewOriginArgs {
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The new log's origin; it must differ from the old one (e.g.
    /// `pemilu2024.example.go.id/log2`).
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,
}

/// How long a registered key is valid.
#[derive(Debug, Args)]
pub struct ValidityArgs {
    /// Start of the key's validity, RFC 3339 UTC (default: now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub valid_from: Option<saksi_core::time::UnixTime>,
    /// End of the key's validity (exclusive), RFC 3339 UTC (default: 180
    /// days from now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub valid_until: Option<saksi_core::time::UnixTime>,
}

/// Where a signed key statement goes: standard output, or a server.
#[derive(Debug, Args)]
pub struct PostArgs {
    /// The transparency log the statement is for (its origin, the first
    /// line of its checkpoints). Default: with --server, the server's;
    /// otherwise the default of `saksi init --origin`
    /// (`saksi.localhost/log`).
    #[arg(long, env = "SAKSI_ORIGIN")]
    pub origin: Option<String>,
    /// Post the signed statement to this server's /api/v1/keys and print
    /// its answer instead of the statement (http://host:port; deliberately
    /// no variable: posting is never implied by the environment).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    #[command(flatten)]
    pub tls: CaCertArg,
}

impl OriginArg {
    /// The default `--origin`: the one `saksi init` gives a new log, read
    /// from its flag so that it is written in one place.
    pub fn default_origin() -> String {
        use clap::Args as _;
        let command = OriginArg::augment_args(clap::Command::new("origin"));
        command
            .get_arguments()
            .find(|a| a.get_id() == "origin")
            .and_then(|a| a.get_default_values().first())
            .and_then(|v| v.to_str())
            .expect("OriginArg's --origin has a default")
            .to_owned()
    }
}

fn parse_time(s: &str) -> Result<saksi_core::time::UnixTime, String> {
    saksi_core::time::UnixTime::parse_rfc3339(s)
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 UTC time like 2024-02-14T13:00:00Z"))
}

fn parse_duration(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(d) if d.is_finite() && d > 0.0 && d <= 86_400.0 => Ok(d),
        _ => Err(format!("duration must be seconds in (0, 86400], got {s}")),
    }
}

fn parse_positive_rate(s: &str) -> Result<f64, String> {
    match parse_rate(s)? {
        r if r > 0.0 => Ok(r),
        _ => Err("rate must be above 0".to_owned()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of forms per second"))?;
    if rate.is_finite() && (0.0..=1_000_000.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!(
            "rate must be between 0 and 1000000 forms per second, got {s}"
        ))
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

    #[test]
    fn the_default_origin_is_read_from_the_origin_flag() {
        assert_eq!(OriginArg::default_origin(), "saksi.localhost/log");
    }
}
