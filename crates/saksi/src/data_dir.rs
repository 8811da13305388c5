//! The data directory: everything of a deployment that is not in the
//! database (the log key `log.key`, the highest signed checkpoint
//! `log.highest`; later photos), and the SQLite database itself.
//!
//! Every command takes `--data-dir`; this module is the one place that
//! knows the layout, so no command guesses a path.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use saksi_log::Signer;
use saksi_server::log::LogSetup;

/// A resolved data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Name of the SQLite database file inside the directory.
    const DATABASE: &'static str = "saksi.db";
    /// The log's private key (Go signed-note text), mode 0600.
    const LOG_KEY: &'static str = "log.key";
    /// The highest checkpoint the server ever signed.
    const LOG_HIGHEST: &'static str = "log.highest";

    /// Opens an existing data directory (one that `saksi init` made).
    pub fn existing(root: &Path) -> Result<DataDir> {
        let dir = DataDir {
            root: root.to_owned(),
        };
        if !dir.database().exists() {
            bail!(
                "{} is not a Saksi data directory (no {}); create one with `saksi init --data-dir {}`",
                root.display(),
                Self::DATABASE,
                root.display()
            );
        }
        Ok(dir)
    }

    /// Creates a fresh data directory, refusing one that already holds an
    /// election so that nothing is ever overwritten by accident.
    pub fn create(root: &Path) -> Result<DataDir> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create data directory {}", root.display()))?;
        let dir = DataDir {
            root: root.to_owned(),
        };
        if dir.database().exists() {
            bail!(
                "{} already holds an election ({} exists); choose another --data-dir",
                root.display(),
                dir.database().display()
            );
        }
        Ok(dir)
    }

    /// The SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join(Self::DATABASE)
    }

    /// The log key file.
    pub fn log_key(&self) -> PathBuf {
        self.root.join(Self::LOG_KEY)
    }

    /// Creates the log key, named by the log's `origin`, in a new file
    /// readable by its owner only; refuses to replace an existing key.
    /// Returns the verifier key (public) for the user to note.
    pub fn create_log_key(&self, origin: &str) -> Result<String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let signer = Signer::generate(origin).with_context(|| {
            format!("cannot make a log key named {origin:?} (an origin such as `pemilu2024.example.go.id/log`: no spaces or '+')")
        })?;
        let path = self.log_key();
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot create the log key {}", path.display()))?;
        file.write_all(format!("{}\n", signer.to_private_key_string()).as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write the log key {}", path.display()))?;
        Ok(signer.verifier().to_string())
    }

    /// The log key and the highest-signed record, for the server.
    pub fn log_setup(&self) -> Result<LogSetup> {
        let path = self.log_key();
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read the log key {} (data directories made before the transparency log have none; create a new one with `saksi init`)",
                path.display()
            )
        })?;
        let signer = Signer::parse(text.trim_end())
            .with_context(|| format!("{} is not a log key (PRIVATE+KEY+...)", path.display()))?;
        Ok(LogSetup {
            signer,
            highest_path: self.root.join(Self::LOG_HIGHEST),
        })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
