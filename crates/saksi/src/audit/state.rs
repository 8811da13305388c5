//! The auditor's memory between runs (`--state DIR`):
//!
//! - `checkpoint`: the last verified signed checkpoint, as the server sent it;
//! - `entries`: every entry up to its size, each as a 4-byte little-endian
//!   length and the exact bytes (append-only);
//! - `roots`: the root keys given, recorded for the key chain check to come.
//!
//! Nothing here is trusted: the checkpoint is opened with the pinned key
//! again, and the entries are hashed again and must give its root.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use saksi_log::{Checkpoint, Verifier};

/// A saved, re-verified checkpoint and the entries it covers.
pub struct Saved {
    /// The signed note.
    pub note: Vec<u8>,
    /// Its checkpoint (signature verified with the pinned key).
    pub checkpoint: Checkpoint,
    /// Entries `0..checkpoint.size`, exact bytes.
    pub entries: Vec<Vec<u8>>,
    /// Where the entries file's first `checkpoint.size` entries end.
    pub entries_len: u64,
}

/// A state directory.
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// The directory, created if missing.
    pub fn open(dir: &Path) -> Result<StateDir> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        Ok(StateDir {
            dir: dir.to_owned(),
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The saved state, if a run saved one.
    pub fn load(&self, key: &Verifier) -> Result<Option<Saved>> {
        let path = self.path("checkpoint");
        let note = match fs::read(&path) {
            Ok(note) => note,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let checkpoint = Checkpoint::open(&note, key, key.name()).with_context(|| {
            format!(
                "the saved checkpoint {} is not signed by the pinned key",
                path.display()
            )
        })?;
        let path = self.path("entries");
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut entries = Vec::new();
        let mut at = 0usize;
        while (entries.len() as u64) < checkpoint.size {
            let Some(len) = bytes.get(at..at + 4) else {
                bail!(
                    "{} holds {} entries, the saved checkpoint {}",
                    path.display(),
                    entries.len(),
                    checkpoint.size
                );
            };
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let Some(data) = bytes.get(at + 4..at + 4 + len) else {
                bail!("{} is truncated", path.display());
            };
            entries.push(data.to_vec());
            at += 4 + len;
        }
        Ok(Some(Saved {
            note,
            checkpoint,
            entries,
            entries_len: at as u64,
        }))
    }

    /// Saves a verified checkpoint: the new entries are appended after the
    /// first `kept_len` bytes of the entries file, then the checkpoint is
    /// replaced atomically (a crash in between leaves the old state valid).
    pub fn save(&self, note: &[u8], kept_len: u64, new_entries: &[Vec<u8>]) -> Result<()> {
        let path = self.path("entries");
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.set_len(kept_len)?;
        let mut out = BufWriter::new(OpenOptions::new().append(true).open(&path)?);
        for entry in new_entries {
            let len = u32::try_from(entry.len()).context("an entry over 4 GiB")?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(entry)?;
        }
        out.into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        let tmp = self.path("checkpoint.tmp");
        let mut f = File::create(&tmp)?;
        f.write_all(note)?;
        f.sync_all()?;
        fs::rename(&tmp, self.path("checkpoint"))
            .with_context(|| format!("cannot save the checkpoint in {}", self.dir.display()))?;
        Ok(())
    }

    /// Records the root keys given (one per line).
    pub fn record_roots(&self, roots: &[String]) -> Result<()> {
        let mut text = String::new();
        for r in roots {
            text.push_str(r);
            text.push('\n');
        }
        fs::write(self.path("roots"), text).context("cannot record the root keys")
    }
}
