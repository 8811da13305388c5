//! Content-addressed storage for photos (README: Photos): the bytes of a
//! photo are kept under their SHA-256, never in the database, behind the
//! small [`BlobStore`] trait so that an object store can replace the
//! default [`DirBlobStore`] (a directory, `DIR/photos/` of a data
//! directory).
//!
//! A blob is written once and never changed: its name is the hash of its
//! bytes, so a second write of the same name is the same bytes and is
//! skipped.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Where content-addressed blobs live. Implementations are shared by the
/// server's request handlers (each call runs on a blocking thread).
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `sha256`, which the caller has checked is
    /// their SHA-256. Returns `false`, writing nothing, if the blob is
    /// already there. Durable when it returns: a blob is never seen half
    /// written, even after a crash.
    fn put(&self, sha256: &[u8; 32], bytes: &[u8]) -> std::io::Result<bool>;

    /// The blob's bytes, or `None` if it is not stored.
    fn get(&self, sha256: &[u8; 32]) -> std::io::Result<Option<Vec<u8>>>;

    /// Whether the blob is stored.
    fn has(&self, sha256: &[u8; 32]) -> std::io::Result<bool>;

    /// Calls `f` with the name of every stored blob, in no particular
    /// order: for copying them all (`saksi backup`).
    fn for_each(&self, f: &mut dyn FnMut([u8; 32]) -> std::io::Result<()>) -> std::io::Result<()>;
}

/// Blobs as files of a directory, fanned out by the first two bytes of the
/// hash (`ab/cd/abcd…`), so that no directory holds more than a few
/// hundred files even with a nation's millions of photos.
#[derive(Debug, Clone)]
pub struct DirBlobStore {
    root: PathBuf,
}

/// Names the temporary files of one process apart.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl DirBlobStore {
    /// The store at `root`. Nothing is made until the first blob is put
    /// (a store that never held a blob leaves no directory behind); an
    /// absent directory is an empty store.
    pub fn new(root: impl Into<PathBuf>) -> DirBlobStore {
        DirBlobStore { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `sha256`.
    pub fn path_of(&self, sha256: &[u8; 32]) -> PathBuf {
        let name = hex::encode(sha256);
        self.root.join(&name[..2]).join(&name[2..4]).join(name)
    }
}

impl BlobStore for DirBlobStore {
    /// Written as a temporary file beside its final name, fsynced, given
    /// its name (a hard link, or a rename where the file system has none)
    /// and the directories fsynced: a crash leaves either no blob or the
    /// whole blob (and at most a stray temporary file, never read).
    fn put(&self, sha256: &[u8; 32], bytes: &[u8]) -> std::io::Result<bool> {
        let path = self.path_of(sha256);
        if path.exists() {
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(&self.root);
        let new_root = !self.root.exists();
        std::fs::create_dir_all(dir)?;
        let temp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::File::create_new(&temp).and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
        // A hard link never replaces a file: of two puts of one blob at
        // once, one finds the other's and reports it already stored.
        let placed = written.and_then(|()| match std::fs::hard_link(&temp, &path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            // A file system without hard links.
            Err(_) => std::fs::rename(&temp, &path).map(|()| true),
        });
        let _ = std::fs::remove_file(&temp);
        if !placed? {
            return Ok(false);
        }
        // The new name, and the fan-out directories it may have needed.
        let mut synced: Vec<&Path> = vec![dir];
        synced.extend(dir.parent());
        synced.push(&self.root);
        if new_root {
            synced.extend(self.root.parent().filter(|p| !p.as_os_str().is_empty()));
        }
        for d in synced {
            std::fs::File::open(d)?.sync_all()?;
        }
        Ok(true)
    }

    fn get(&self, sha256: &[u8; 32]) -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path_of(sha256)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn has(&self, sha256: &[u8; 32]) -> std::io::Result<bool> {
        self.path_of(sha256).try_exists()
    }

    /// Walks the two fan-out levels; files whose name is not 64 lowercase
    /// hex digits (temporary files) are not blobs.
    fn for_each(&self, f: &mut dyn FnMut([u8; 32]) -> std::io::Result<()>) -> std::io::Result<()> {
        let top = match std::fs::read_dir(&self.root) {
            Ok(top) => top,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for first in top {
            let first = first?.path();
            if !first.is_dir() {
                continue;
            }
            for second in std::fs::read_dir(&first)? {
                let second = second?.path();
                if !second.is_dir() {
                    continue;
                }
                for file in std::fs::read_dir(&second)? {
                    let name = file?.file_name();
                    if let Some(sha256) = name.to_str().and_then(parse_sha256) {
                        f(sha256)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A SHA-256 written as 64 lowercase hex digits, as blob names, photo
/// paths and statements write it; `None` for anything else.
pub fn parse_sha256(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// What [`copy_missing`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Blobs copied.
    pub copied: u64,
    /// Bytes copied.
    pub bytes: u64,
    /// Blobs the destination held already: not copied again.
    pub present: u64,
    /// Blobs whose bytes no longer hash to their name (a damaged disk):
    /// not copied, named so that the operator can look.
    pub damaged: Vec<[u8; 32]>,
}

/// Copies every blob of `from` that `to` lacks (incremental: one already
/// there is not copied again), checking each blob's bytes against its name
/// on the way. `progress(done)` is called after each blob.
pub fn copy_missing(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<CopyReport> {
    let mut report = CopyReport::default();
    let mut done = 0;
    from.for_each(&mut |sha256| {
        if to.has(&sha256)? {
            report.present += 1;
        } else if let Some(bytes) = from.get(&sha256)? {
            if <[u8; 32]>::from(Sha256::digest(&bytes)) == sha256 {
                to.put(&sha256, &bytes)?;
                report.copied += 1;
                report.bytes += bytes.len() as u64;
            } else {
                report.damaged.push(sha256);
            }
        }
        done += 1;
        progress(done);
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn a_blob_is_stored_once_under_its_fanned_out_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirBlobStore::new(dir.path().join("photos"));
        let bytes = b"a photo";
        let name = sha(bytes);
        assert!(!store.has(&name).unwrap());
        store.for_each(&mut |_| panic!("an empty store")).unwrap();
        assert!(!dir.path().join("photos").exists(), "made by the first put");
        assert_eq!(store.get(&name).unwrap(), None);
        assert!(store.put(&name, bytes).unwrap());
        assert!(
            !store.put(&name, bytes).unwrap(),
            "the second put writes nothing"
        );
        assert_eq!(store.get(&name).unwrap().as_deref(), Some(&bytes[..]));
        let hex = hex::encode(name);
        let path = dir
            .path()
            .join("photos")
            .join(&hex[..2])
            .join(&hex[2..4])
            .join(&hex);
        assert_eq!(std::fs::read(path).unwrap(), bytes);
        let mut names = Vec::new();
        store
            .for_each(&mut |n| {
                names.push(n);
                Ok(())
            })
            .unwrap();
        assert_eq!(names, [name]);
    }

    #[test]
    fn only_64_lowercase_hex_digits_name_a_blob() {
        assert_eq!(parse_sha256(&"ab".repeat(32)), Some([0xab; 32]));
        for bad in [
            "AB".repeat(32),
            "ab".repeat(31),
            "zz".repeat(32),
            String::new(),
        ] {
            assert_eq!(parse_sha256(&bad), None, "{bad}");
        }
    }

    #[test]
    fn copying_skips_blobs_already_there_and_damaged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let from = DirBlobStore::new(dir.path().join("a"));
        let to = DirBlobStore::new(dir.path().join("b"));
        for bytes in [&b"one"[..], b"two"] {
            from.put(&sha(bytes), bytes).unwrap();
        }
        to.put(&sha(b"one"), b"one").unwrap();
        // Bytes that no longer match their name.
        from.put(&sha(b"three"), b"thr3e").unwrap();
        let report = copy_missing(&from, &to, &mut |_| {}).unwrap();
        assert_eq!((report.copied, report.present), (1, 1));
        assert_eq!(report.damaged, [sha(b"three")]);
        assert_eq!(to.get(&sha(b"two")).unwrap().as_deref(), Some(&b"two"[..]));
        let again = copy_missing(&from, &to, &mut |_| {}).unwrap();
        assert_eq!((again.copied, again.present), (0, 2));
    }
}
