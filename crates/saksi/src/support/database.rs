//! Opening the store of a data directory: SQLite inside it by default, or
//! the server database given with `--database` / `SAKSI_DATABASE_URL` or
//! recorded in `DIR/database.url` when the directory was made.
//!
//! The recorded URL never holds a password (see `saksi_store::url`); the
//! password comes from `SAKSI_DATABASE_PASSWORD` when the URL has none.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use saksi_store::failpoint::{FailSwitch, FailingStore};
use saksi_store::url::{self, redact};
use saksi_store::{PgStore, SqliteStore, Store};

use super::data_dir::DataDir;

/// The variable that holds the server database's password.
const PASSWORD_VAR: &str = "SAKSI_DATABASE_PASSWORD";

/// Arms the store's write failpoint (tests): writes fail as on a full disk
/// while the file it names exists.
const FAILPOINT_VAR: &str = "SAKSI_FAILPOINT_WRITES";

/// Slows every group commit down by this many milliseconds (measurements
/// of a slow disk or database).
const COMMIT_DELAY_VAR: &str = "SAKSI_FAILPOINT_COMMIT_DELAY_MS";

/// The store of an existing data directory.
pub fn open(dir: &DataDir, given: Option<&str>) -> Result<Arc<dyn Store>> {
    let recorded = recorded_url(dir)?;
    let store: Arc<dyn Store> =
        match (given, recorded) {
            (Some(given), Some(recorded)) if redact(given) != recorded => bail!(
                "{} uses the database {recorded}, not {}",
                dir.root().display(),
                redact(given)
            ),
            (Some(url), _) => Arc::new(connect(url)?),
            (None, Some(recorded)) => Arc::new(connect(&with_password(&recorded))?),
            (None, None) => Arc::new(SqliteStore::open(dir.database()).with_context(|| {
                format!("cannot open the database {}", dir.database().display())
            })?),
        };
    Ok(with_failpoint(store))
}

/// The store of a new data directory: the server database if a URL is given (and
/// recorded, without its password), else a new SQLite file.
pub fn create(dir: &DataDir, given: Option<&str>) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> =
        match given {
            Some(url) => {
                let store = connect(url)?;
                let path = dir.database_url_file();
                std::fs::write(&path, format!("{}\n", redact(url)))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Arc::new(store)
            }
            None => Arc::new(SqliteStore::open(dir.database()).with_context(|| {
                format!("cannot create the database {}", dir.database().display())
            })?),
        };
    Ok(with_failpoint(store))
}

/// The URL recorded by `init`, if the directory's store is a server database.
pub fn recorded_url(dir: &DataDir) -> Result<Option<String>> {
    let path = dir.database_url_file();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn connect(url: &str) -> Result<PgStore> {
    PgStore::connect(url).with_context(|| format!("cannot open {}", url::describe(url)))
}

fn with_failpoint(store: Arc<dyn Store>) -> Arc<dyn Store> {
    let path = std::env::var_os(FAILPOINT_VAR);
    let delay = std::env::var(COMMIT_DELAY_VAR)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(std::time::Duration::from_millis);
    if path.is_none() && delay.is_none() {
        return store;
    }
    // Without a flag file the switch names a path that never exists.
    let switch = FailSwitch::file(path.unwrap_or_default());
    let failing = FailingStore::new(store, switch);
    Arc::new(match delay {
        Some(d) => failing.with_commit_delay(d),
        None => failing,
    })
}

/// A recorded URL with the password from the environment, if any.
fn with_password(url: &str) -> String {
    match std::env::var(PASSWORD_VAR) {
        Ok(password) => url::with_password(url, &password),
        Err(_) => url.to_owned(),
    }
}
