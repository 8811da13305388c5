//! The data directory: everything of a deployment that is not in the
//! database (later: keys and photos), and the SQLite database itself.
//!
//! Every command takes `--data-dir`; this module is the one place that
//! knows the layout, so no command guesses a path.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A resolved data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Name of the SQLite database file inside the directory.
    const DATABASE: &'static str = "saksi.db";

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

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
