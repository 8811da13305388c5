//! Copying photos between a data directory's `photos/` and a backup's
//! `FILE.photos/` (README: Backup and restore): by hash and incremental,
//! so that a nation's terabytes are copied once, not at every backup.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use saksi_store::DirBlobStore;
use saksi_store::blobs::copy_missing;

use crate::support::log_files::human_bytes;
use crate::support::progress;

/// `FILE.photos`: where the photos of the backup `FILE` are.
pub fn beside(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".photos");
    PathBuf::from(name)
}

/// Copies the photos of the directory `from` that `to` lacks (an existing
/// hash is not copied again), each written atomically, and returns a line
/// saying what was done. A photo whose bytes no longer match its hash is
/// not copied, and named in a warning. `to` is made by the first photo
/// copied: with none to copy (a data directory that never stored a photo),
/// nothing is written.
pub fn copy(from: &Path, to: &Path) -> Result<String> {
    let source = DirBlobStore::new(from);
    let dest = DirBlobStore::new(to);
    let bar = progress::bar("copying photos", 0, "photos");
    let report =
        copy_missing(&source, &dest, &mut |done| bar.set_position(done)).with_context(|| {
            format!(
                "cannot copy the photos of {} to {}",
                from.display(),
                to.display()
            )
        })?;
    bar.finish_and_clear();
    for damaged in &report.damaged {
        eprintln!(
            "warning: the photo {} in {} does not hash to its name (a damaged disk?): not copied",
            hex::encode(damaged),
            from.display()
        );
    }
    Ok(format!(
        "photos: {} copied to {} ({}), {} already there",
        report.copied,
        to.display(),
        human_bytes(report.bytes),
        report.present
    ))
}
