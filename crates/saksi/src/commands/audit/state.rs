//! The auditor's memory between runs (`--state DIR`):
//!
//! - `checkpoint`: the last verified signed checkpoint, as the server sent it;
//! - `entries`: every entry up to its size, each as a 4-byte little-endian
//!   length and the exact bytes (append-only), read back and written as a
//!   stream, never whole;
//! - `roots`: the root keys the last run pinned;
//! - `resubmissions.json`, `rotations.json`: every re-submission and key
//!   rotation the last run found (the summary prints the first ones).
//!
//! Nothing here is trusted: the checkpoint is opened with the pinned key
//! again, and the entries are verified again and must give its root.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use saksi_log::{Checkpoint, Verifier};

/// A saved checkpoint, its signature verified with the pinned key.
pub struct Saved {
    pub checkpoint: Checkpoint,
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

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The saved checkpoint, if a run saved one.
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
        Ok(Some(Saved { checkpoint }))
    }

    /// The saved entries `0..size`, read in order.
    pub fn entries(&self, size: u64) -> Result<SavedEntries> {
        let path = self.path("entries");
        let file = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(SavedEntries {
            reader: BufReader::with_capacity(1 << 20, file),
            remaining: size,
            offset: 0,
            path,
        })
    }

    /// A writer appending entries after the first `kept_len` bytes of the
    /// entries file (whatever follows them, from a run that did not save
    /// its checkpoint, is dropped).
    pub fn writer(&self, kept_len: u64) -> Result<EntriesWriter> {
        let path = self.path("entries");
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.set_len(kept_len)
            .with_context(|| format!("cannot truncate {}", path.display()))?;
        drop(file);
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        Ok(EntriesWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
        })
    }

    /// Replaces the saved checkpoint atomically, once the entries it
    /// covers are on disk (a crash in between leaves the old state valid).
    pub fn save_checkpoint(&self, note: &[u8]) -> Result<()> {
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
            text.push_str(r.trim());
            text.push('\n');
        }
        fs::write(self.path("roots"), text).context("cannot record the root keys")
    }

    /// Writes a JSON list, one item per line.
    pub fn write_list(
        &self,
        name: &str,
        items: impl Iterator<Item = serde_json::Value>,
    ) -> Result<PathBuf> {
        let path = self.path(name);
        let mut out = BufWriter::new(
            File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
        );
        out.write_all(b"[")?;
        for (i, item) in items.enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, &item)?;
        }
        out.write_all(b"\n]\n")?;
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}

/// Saved entries, read one by one.
pub struct SavedEntries {
    reader: BufReader<File>,
    remaining: u64,
    /// Bytes of the file read so far.
    pub offset: u64,
    path: PathBuf,
}

impl SavedEntries {
    /// Up to `max` more entries; empty once all are read.
    pub fn next_chunk(&mut self, max: usize) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        while self.remaining > 0 && out.len() < max {
            let mut len = [0u8; 4];
            if self.reader.read_exact(&mut len).is_err() {
                bail!(
                    "{} ends {} entries before the saved checkpoint's size",
                    self.path.display(),
                    self.remaining
                );
            }
            let len = u32::from_le_bytes(len) as usize;
            let mut data = vec![0; len];
            self.reader
                .read_exact(&mut data)
                .with_context(|| format!("{} is truncated", self.path.display()))?;
            self.offset += 4 + len as u64;
            self.remaining -= 1;
            out.push(data);
        }
        Ok(out)
    }
}

/// Entries appended to the state as they are verified.
pub struct EntriesWriter {
    out: BufWriter<File>,
    path: PathBuf,
}

impl EntriesWriter {
    pub fn append(&mut self, entry: &[u8]) -> Result<()> {
        let len = u32::try_from(entry.len()).context("an entry over 4 GiB")?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out
            .write_all(entry)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Flushes and syncs to disk.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))
    }
}
