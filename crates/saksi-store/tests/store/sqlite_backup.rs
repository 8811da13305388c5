//! The whole-file operations of the SQLite backend: the online backup, the
//! restore of a backup file and the exclusive lock of `saksi log
//! new-origin`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use saksi_core::Contest;
use saksi_store::sqlite::backup::{self, BackupError, BackupFile, BackupInfo, ExclusiveLock};
use saksi_store::{Batch, SqliteStore, Store};
use tempfile::TempDir;

use crate::suite::{entry, small_election, snapshot, version};

const TPS1: &str = "31.71.01.1001.001";
const TPS2: &str = "31.71.01.1001.002";

/// A store with an election, two versions and their log entries, left
/// open (its WAL not checkpointed) as a running server leaves it.
fn live_store(dir: &TempDir) -> (PathBuf, SqliteStore) {
    let path = dir.path().join("saksi.db");
    let store = SqliteStore::open(&path).unwrap();
    store.save_election(&small_election(), &|_, _| {}).unwrap();
    store
        .commit_batch(&Batch {
            versions: vec![
                version(TPS1, Contest::Ppwp, 1, 0),
                version(TPS2, Contest::Ppwp, 1, 1),
            ],
            entries: vec![entry(0), entry(1)],
            ..Default::default()
        })
        .unwrap();
    store.set_meta("note", "kept").unwrap();
    (path, store)
}

fn info() -> BackupInfo {
    BackupInfo {
        created_at: "2024-02-14T13:00:00Z".to_owned(),
        source: "/srv/saksi".to_owned(),
        saksi_version: "0.1.0".to_owned(),
        highest_size: Some(2),
    }
}

fn files() -> BTreeMap<&'static str, Vec<u8>> {
    BTreeMap::from([("root-keys.txt", b"key\n".to_vec())])
}

/// Backs up `source` into `name` in `dir`.
fn back_up(source: &Path, dir: &TempDir, name: &str) -> PathBuf {
    let out = dir.path().join(name);
    std::fs::File::create(&out).unwrap();
    let mut last = (0, 0);
    let size = backup::backup(source, &out, &info(), &files(), &mut |done, total| {
        last = (done, total)
    })
    .unwrap();
    assert_eq!(size, 2);
    assert!(last.1 > 0 && last.0 == last.1, "progress ends at the total");
    out
}

#[test]
fn a_backup_of_a_live_store_restores_to_identical_contents() {
    let dir = tempfile::tempdir().unwrap();
    let (path, live) = live_store(&dir);
    let out = back_up(&path, &dir, "b.saksi");
    // The live store is not disturbed and keeps writing.
    live.commit_batch(&Batch {
        versions: vec![version(TPS1, Contest::Ppwp, 2, 2)],
        entries: vec![entry(2)],
        ..Default::default()
    })
    .unwrap();

    // One self-contained file, in rollback-journal mode.
    assert!(!dir.path().join("b.saksi-wal").exists());
    let file = BackupFile::open(&out).unwrap();
    assert_eq!(
        (file.created_at.as_str(), file.source.as_str()),
        ("2024-02-14T13:00:00Z", "/srv/saksi")
    );
    assert_eq!(file.log_size, 2);
    assert_eq!(file.files.get("root-keys.txt").unwrap(), b"key\n");
    assert!(
        !dir.path().join("b.saksi-wal").exists(),
        "reading writes nothing"
    );

    let restored = dir.path().join("restored.db");
    std::fs::copy(&out, &restored).unwrap();
    assert_eq!(backup::restore(&restored, 2, None).unwrap(), 2);
    let copy = SqliteStore::open(&restored).unwrap();
    let (restored_election, election) = (copy.require_election().unwrap(), small_election());
    assert_eq!(snapshot(&restored_election), snapshot(&election));
    assert_eq!(copy.log_entries(0, 10).unwrap(), vec![entry(0), entry(1)]);
    assert_eq!(copy.log_size().unwrap(), 2);
    assert_eq!(copy.meta("note").unwrap().as_deref(), Some("kept"));
    assert_eq!(
        copy.current_form(TPS1.parse().unwrap(), Contest::Ppwp)
            .unwrap()
            .unwrap(),
        version(TPS1, Contest::Ppwp, 1, 0)
    );
    assert_eq!(backup::log_size(&restored).unwrap(), 2);
    assert_eq!(
        backup::log_leaf_hashes(&restored).unwrap(),
        vec![[0; 32], [1; 32]]
    );
    // The backup's own tables are gone: the file is a plain store again.
    assert!(matches!(
        BackupFile::open(&restored),
        Err(BackupError::NotABackup { .. })
    ));
}

#[test]
fn a_restore_records_the_predecessor_list_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _live) = live_store(&dir);
    let out = back_up(&path, &dir, "b.saksi");
    let append = |existing: Option<&str>| format!("{}+old", existing.unwrap_or(""));
    backup::restore(&out, 2, Some(&append)).unwrap();
    assert_eq!(backup::predecessors(&out).unwrap().as_deref(), Some("+old"));
}

#[test]
fn what_is_not_a_backup_is_refused_with_its_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, b"not a database at all, only text").unwrap();
    assert!(matches!(
        BackupFile::open(&garbage),
        Err(BackupError::NotABackup { .. })
    ));
    let short = dir.path().join("short");
    std::fs::write(&short, b"SQLite").unwrap();
    assert!(matches!(
        BackupFile::open(&short),
        Err(BackupError::NotABackup { .. })
    ));
    assert!(matches!(
        BackupFile::open(dir.path()),
        Err(BackupError::NotAFile(_))
    ));
    // A live store (WAL mode) is not a backup, and is not touched.
    let (path, _live) = live_store(&dir);
    let err = BackupFile::open(&path).unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err}");
}

#[test]
fn a_backup_whose_log_does_not_match_its_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _live) = live_store(&dir);
    let out = back_up(&path, &dir, "b.saksi");
    let err = backup::restore(&out, 3, None).unwrap_err();
    assert!(
        matches!(
            err,
            BackupError::SizeMismatch {
                found: 2,
                recorded: 3
            }
        ),
        "{err}"
    );
    // Nothing was dropped: the file is still a backup.
    assert_eq!(BackupFile::open(&out).unwrap().log_size, 2);
}

#[test]
fn a_backup_of_a_newer_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _live) = live_store(&dir);
    let out = back_up(&path, &dir, "b.saksi");
    rusqlite::Connection::open(&out)
        .unwrap()
        .execute("UPDATE saksi_backup_meta SET format = 2", [])
        .unwrap();
    let err = BackupFile::open(&out).unwrap_err();
    assert!(
        matches!(err, BackupError::NewerFormat { format: 2, .. }),
        "{err}"
    );
}

#[test]
fn a_damaged_backup_is_refused_before_anything_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _live) = live_store(&dir);
    let out = back_up(&path, &dir, "b.saksi");
    // Garbage over every page after the first (the schema stays readable).
    let mut bytes = std::fs::read(&out).unwrap();
    let page = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    for b in &mut bytes[page..] {
        *b = 0xA5;
    }
    std::fs::write(&out, bytes).unwrap();
    let err = backup::restore(&out, 2, None).unwrap_err();
    assert!(
        matches!(
            err,
            BackupError::Damaged(_) | BackupError::Check(_) | BackupError::BackupLog(_)
        ),
        "{err}"
    );
}

#[test]
fn the_exclusive_lock_refuses_a_second_holder_and_an_open_store() {
    let dir = tempfile::tempdir().unwrap();
    let (path, live) = live_store(&dir);
    let err = ExclusiveLock::acquire(&path).unwrap_err();
    assert!(matches!(err, BackupError::InUse(_)), "{err}");
    drop(live);

    let lock = ExclusiveLock::acquire(&path).unwrap();
    let err = ExclusiveLock::acquire(&path).unwrap_err();
    assert!(matches!(err, BackupError::InUse(_)), "{err}");
    assert_eq!(lock.log_size().unwrap(), 2);
    lock.record_predecessor(&|existing| {
        assert_eq!(existing, None);
        "[1]".to_owned()
    })
    .unwrap();
    lock.commit().unwrap();

    // Released: taken again, and the record is there.
    let lock = ExclusiveLock::acquire(&path).unwrap();
    lock.record_predecessor(&|existing| format!("{}+", existing.unwrap()))
        .unwrap();
    // Dropped without commit: rolled back.
    drop(lock);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.meta("log.predecessors").unwrap().as_deref(),
        Some("[1]")
    );
}
