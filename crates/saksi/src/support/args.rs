//! The arguments several commands share: the data directory, the
//! database, the log's origin and a rate of submissions. The command-line
//! contract is in the README (Command line): add, never rename.

use std::path::PathBuf;

use clap::Args;

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

/// The data directory of a SQLite deployment, for the commands that work
/// on the database file itself (`backup`, `restore`, `log new-origin`).
#[derive(Debug, Args)]
pub struct SqliteDataDirArg {
    /// Directory holding the SQLite database (`saksi.db`) and everything
    /// else of a deployment.
    #[arg(long, env = "SAKSI_DATA_DIR", value_name = "DIR")]
    pub data_dir: PathBuf,
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

pub fn parse_rate(s: &str) -> Result<f64, String> {
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
    use super::*;

    #[test]
    fn the_default_origin_is_read_from_the_origin_flag() {
        assert_eq!(OriginArg::default_origin(), "saksi.localhost/log");
    }
}
