//! The data directory: everything of a deployment that is not in the
//! database (the log key `log.key`, the highest signed checkpoint
//! `log.highest`, the TOTP key `totp.key`, the photos under `photos/`),
//! and the SQLite database itself.
//!
//! Every command takes `--data-dir`; this module is the one place that
//! knows the layout, so no command guesses a path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use saksi_log::{Signer, Verifier};
use saksi_server::auth::totp_key::TotpKey;
use saksi_server::log::LogSetup;
use saksi_store::{BlobStore, DirBlobStore};

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
    /// The KPU RI root verifier keys, one per line (public).
    const ROOT_KEYS: &'static str = "root-keys.txt";
    /// The private half of a root key made by `init` (demo use).
    const ROOT_KEY: &'static str = "root.key";
    /// The highest checkpoint the server ever signed.
    const LOG_HIGHEST: &'static str = "log.highest";
    /// For a deployment on a server database: its URL, without its
    /// password (which comes from the environment).
    const DATABASE_URL: &'static str = "database.url";
    /// The key that seals staff TOTP secrets in the database, mode 0600
    /// (see `saksi_server::auth::totp_key`): made on first need.
    const TOTP_KEY: &'static str = "totp.key";
    /// Where a demo (and a national fixture) keeps its simulated KPPS
    /// device keys, one file per TPS named by its code
    /// (`11.01.01.2001.001.key`), so scripts can sign forms, and its
    /// kab/kota officers' keys (`kpu-kabkota-11.01.key`), so a lost phone's
    /// key can be revoked and a new one registered.
    const DEMO_KEYS: &'static str = "demo-keys";
    /// The photos statements name, by hash (README: Photos): never in the
    /// database, whichever database holds the election.
    const PHOTOS: &'static str = "photos";

    /// Opens an existing data directory (one that `saksi init` made).
    pub fn existing(root: &Path) -> Result<DataDir> {
        let dir = DataDir {
            root: root.to_owned(),
        };
        if !dir.database().exists() && !dir.database_url_file().exists() {
            bail!(
                "{} is not a Saksi data directory (no {} nor {}); create one with `saksi init --data-dir {}`",
                root.display(),
                Self::DATABASE,
                Self::DATABASE_URL,
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
        for held in [dir.database(), dir.database_url_file()] {
            if held.exists() {
                bail!(
                    "{} already holds an election ({} exists); choose another --data-dir",
                    root.display(),
                    held.display()
                );
            }
        }
        Ok(dir)
    }

    /// Where a deployment on a server database records its URL.
    pub fn database_url_file(&self) -> PathBuf {
        self.root.join(Self::DATABASE_URL)
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
        let signer = Signer::generate(origin).with_context(|| {
            format!("cannot make a log key named {origin:?} (an origin such as `pemilu2024.example.go.id/log`: no spaces or '+')")
        })?;
        write_new(
            &self.log_key(),
            &format!("{}\n", signer.to_private_key_string()),
            0o600,
        )?;
        Ok(signer.verifier().to_string())
    }

    /// Records the KPU RI root verifier keys: the ones given (checked with
    /// [`check_root_keys`] first), or a new root key whose private half goes
    /// to `root.key` (mode 0600). Returns the verifier keys for the user to
    /// note.
    pub fn create_root_keys(&self, given: Vec<Verifier>) -> Result<Vec<String>> {
        let roots = if given.is_empty() {
            let signer = Signer::generate(ROOT_KEY_NAME).context("cannot make a root key")?;
            write_new(
                &self.root.join(Self::ROOT_KEY),
                &format!("{}\n", signer.to_private_key_string()),
                0o600,
            )?;
            vec![signer.verifier()]
        } else {
            given
        };
        let lines: Vec<String> = roots.iter().map(ToString::to_string).collect();
        write_new(
            &self.root.join(Self::ROOT_KEYS),
            &format!("{}\n", lines.join("\n")),
            0o644,
        )?;
        Ok(lines)
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
        let roots_path = self.root.join(Self::ROOT_KEYS);
        let roots = std::fs::read_to_string(&roots_path)
            .with_context(|| format!("cannot read the root keys {}", roots_path.display()))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                Verifier::parse(l.trim())
                    .with_context(|| format!("{} holds a bad key {l:?}", roots_path.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LogSetup {
            signer,
            highest_path: self.root.join(Self::LOG_HIGHEST),
            roots,
        })
    }

    /// The TOTP key, made (64 random hex digits, mode 0600) if the
    /// directory has none yet: a data directory made before TOTP gets one
    /// the first time a server or the demo needs it.
    pub fn totp_key(&self) -> Result<TotpKey> {
        let path = self.root.join(Self::TOTP_KEY);
        if !path.exists() {
            let key = TotpKey::generate()?;
            match create_new_file(&path, &format!("{}\n", key.to_text()), 0o600) {
                Ok(()) => return Ok(key),
                // Another process made it meanwhile: read theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the TOTP key {}", path.display()))?;
        TotpKey::parse(&text).with_context(|| {
            format!(
                "{} is not a TOTP key (64 hex digits); without the right one no staff \
                 account with TOTP can log in (reset them with `saksi user totp reset`)",
                path.display()
            )
        })
    }

    /// The photo store (`photos/`, made when the first photo is stored).
    pub fn photos(&self) -> Arc<dyn BlobStore> {
        Arc::new(DirBlobStore::new(self.photos_dir()))
    }

    /// Where the photos are (`photos/`).
    pub fn photos_dir(&self) -> PathBuf {
        self.root.join(Self::PHOTOS)
    }

    /// The private KPU RI root key `init` made (demo use): what registers
    /// the simulated officers' and KPPS devices' keys.
    pub fn root_signer(&self) -> Result<Signer> {
        let path = self.root.join(Self::ROOT_KEY);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: simulated KPPS sign their forms with keys registered by the \
                 KPU RI root key that `saksi init` makes when no --root-key is given; with real \
                 root keys, register KPPS keys with `saksi kpps register`",
                path.display()
            )
        })?;
        Signer::parse(text.trim_end())
            .with_context(|| format!("{} is not a private key (PRIVATE+KEY+...)", path.display()))
    }

    /// The simulated officers' and KPPS devices' private keys
    /// (`demo-keys/`).
    pub fn demo_keys(&self) -> PathBuf {
        self.root.join(Self::DEMO_KEYS)
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A data directory at `root` as it is, made or not, with or without a
    /// database (`saksi restore` checks what it finds itself).
    pub fn at(root: &Path) -> DataDir {
        DataDir {
            root: root.to_owned(),
        }
    }

    /// The highest-signed record (`log.highest`).
    pub fn log_highest(&self) -> PathBuf {
        self.root.join(Self::LOG_HIGHEST)
    }

    /// The KPU RI root verifier keys (`root-keys.txt`).
    pub fn root_keys(&self) -> PathBuf {
        self.root.join(Self::ROOT_KEYS)
    }

    /// The files a backup carries besides the database: public, and
    /// nothing else. Secrets (`log.key`, `root.key`, `totp.key`, `demo-accounts.json`,
    /// `demo-keys/`) are never among them.
    pub const PUBLIC_FILES: [&'static str; 2] = [Self::ROOT_KEYS, Self::LOG_HIGHEST];

    /// The files of the directory that a backup never holds, for messages.
    pub const SECRETS: &'static str =
        "log.key, root.key, totp.key, demo-accounts.json and demo-keys/";
}

/// Parses `--root-key` values strictly (a malformed or small-order key is
/// refused), before anything is written.
pub fn check_root_keys(given: &[String]) -> Result<Vec<Verifier>> {
    given
        .iter()
        .map(|k| {
            Verifier::parse(k).with_context(|| {
                format!("--root-key {k:?} is not an Ed25519 verifier key (name+<key id>+<base64>)")
            })
        })
        .collect()
}

/// The name of a root key made by `saksi init`.
const ROOT_KEY_NAME: &str = "kpu-ri-root";

/// Writes a new file (never replacing one) with `mode`, fsynced.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<()> {
    create_new_file(path, text, mode).with_context(|| format!("cannot create {}", path.display()))
}

/// Creates `path` with `mode` (failing with `AlreadyExists` if it is
/// there), writes `text` and fsyncs; a file left half-written is removed.
/// Every private key Saksi writes goes through here.
pub(crate) fn create_new_file(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    written
}
