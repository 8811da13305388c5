//! The highest checkpoint ever signed, kept beside the log key
//! (`log.highest`) as the signed note itself. It is written durably before
//! the checkpoint is published (temporary file, fsync, rename, fsync of the
//! directory), so after a crash, a restart or a restored backup the server
//! knows what it has promised: it never signs a smaller size, nor another
//! root for a size it signed.

use std::io::Write;
use std::path::Path;

use saksi_log::{Checkpoint, CheckpointError, Verifier};

/// A signed checkpoint and its parsed content.
#[derive(Debug, Clone)]
pub struct Published {
    pub checkpoint: Checkpoint,
    /// The signed note, as served at `/api/v1/log/checkpoint`.
    pub note: String,
}

/// Why the record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HighestError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a checkpoint signed by this log key: damaged, or the
    /// key was replaced. Refused rather than ignored, since ignoring it
    /// would let the server sign a history that contradicts it.
    #[error("{path} is not a checkpoint signed by this log's key")]
    Invalid {
        path: String,
        #[source]
        source: CheckpointError,
    },
}

/// Reads the record, or `None` if no checkpoint was ever signed.
pub fn read(path: &Path, key: &Verifier) -> Result<Option<Published>, HighestError> {
    let note = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(HighestError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let invalid = |source| HighestError::Invalid {
        path: path.display().to_string(),
        source,
    };
    let checkpoint = Checkpoint::open(&note, key, key.name()).map_err(invalid)?;
    // `open` verified the signature, so the bytes are UTF-8 note text.
    let note =
        String::from_utf8(note).map_err(|_| invalid(CheckpointError::Malformed("not UTF-8")))?;
    Ok(Some(Published { checkpoint, note }))
}

/// Replaces the record durably: when this returns `Ok`, a crash leaves
/// either the old record or the new one, never a torn file.
pub fn write(path: &Path, note: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(note.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use saksi_log::Signer;

    /// A fresh directory of this test's own under the system's temporary
    /// directory.
    fn scratch(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("saksi-store-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_record_is_read_back_only_with_its_log_key() {
        let dir = scratch("highest");
        let path = dir.join("log.highest");
        let signer = Signer::from_seed("example.org/log", &[7; 32]).unwrap();
        assert!(read(&path, &signer.verifier()).unwrap().is_none());

        let note = Checkpoint::new("example.org/log", 3, [1; 32])
            .sign(&signer)
            .unwrap();
        write(&path, &note).unwrap();
        let read_back = read(&path, &signer.verifier()).unwrap().unwrap();
        assert_eq!(read_back.note, note);
        assert_eq!(read_back.checkpoint.size, 3);
        assert!(!dir.join("log.highest.tmp").exists());

        let other = Signer::from_seed("example.org/log", &[8; 32]).unwrap();
        assert!(matches!(
            read(&path, &other.verifier()),
            Err(HighestError::Invalid { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
