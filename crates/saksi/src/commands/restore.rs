//! `saksi restore` (README: Backup and restore).
//!
//! A restore recreates a data directory from a `saksi backup` file:
//! `saksi.db` (without the backup's own tables), `root-keys.txt`,
//! `log.highest` and the photos of `FILE.photos/` (into `photos/`, by
//! hash: one already there is not copied again). Everything is checked before anything is written (the
//! backup, the target, the log key, the records), and the database is given
//! its name last, so a restore cut short leaves a directory that `saksi
//! serve` refuses (no `saksi.db`) and that a second restore completes.
//!
//! The record of what was published never goes backwards: of the backup's
//! `log.highest` and one already in the directory (a restore onto the
//! original machine after losing the database), the higher is kept. A
//! database older than that record makes the server refuse to sign
//! (`log.behind_signed`); the restore says so, and the recovery is either a
//! newer backup or a new log (`saksi log new-origin`): a new origin and log key
//! whose first entries are those the database holds.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use saksi_log::{Checkpoint, Signer, Verifier};
use saksi_store::highest;
use saksi_store::sqlite::backup::{self as store_backup, BackupFile};

use crate::support::args::SqliteDataDirArg;
use crate::support::data_dir::{DataDir, create_new_file};
use crate::support::log_files::{
    LOG_HIGHEST, OldLog, ROOT_KEYS, RecordState, check_new_origin, explain_new_log, fsync_parent,
    human_bytes, predecessors, read_signer, record_state, retire_old_log, tree_of,
};
use crate::support::photos;

/// `saksi restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file, as `saksi backup` wrote it.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The data directory to recreate: new, or one that lost its database
    /// (its `log.key` and `log.highest` are kept).
    #[command(flatten)]
    pub data_dir: SqliteDataDirArg,
    /// The log's private key (`PRIVATE+KEY+...`), copied to `DIR/log.key`
    /// (mode 0600); needed when DIR holds none, as a backup never does.
    #[arg(long, value_name = "KEYFILE", conflicts_with = "new_origin")]
    pub log_key: Option<PathBuf>,
    /// Instead of continuing the backed-up log, start a new log under this
    /// origin with a new log key (as `saksi log new-origin` does): for a
    /// lost log key, or a database older than checkpoints already published.
    #[arg(long, value_name = "ORIGIN")]
    pub new_origin: Option<String>,
}

/// The database while it is being restored, renamed to `saksi.db` last.
const RESTORING: &str = "saksi.db.restoring";

/// Which log the restored directory continues.
enum Plan {
    /// The backed-up log, signed by `signer`; `copy_key` when the key comes
    /// from --log-key, `write_record` when the backup's record is higher
    /// than the directory's.
    Continue {
        signer: Signer,
        copy_key: bool,
        record: Option<(Checkpoint, String)>,
        write_record: bool,
    },
    /// A new log under this origin.
    NewLog { origin: String, old: OldLog },
}

/// `saksi restore --from FILE --data-dir DIR [--log-key KEYFILE | --new-origin ORIGIN]`.
pub fn run(args: &RestoreArgs) -> Result<()> {
    let started = Instant::now();
    let from = args.from.as_path();
    let backup = BackupFile::open(from)?;
    let dir = DataDir::at(&args.data_dir.data_dir);

    // Refusals, before anything is written.
    refuse_a_database(&dir)?;
    let roots = backup
        .files
        .get(ROOT_KEYS)
        .with_context(|| format!("{} holds no {ROOT_KEYS}", from.display()))?;
    let roots = parse_root_keys(roots)
        .with_context(|| format!("the {ROOT_KEYS} in {} is damaged", from.display()))?;
    let write_roots = match std::fs::read(dir.root_keys()) {
        Ok(existing) => {
            let existing = parse_root_keys(&existing)
                .with_context(|| format!("{} is damaged", dir.root_keys().display()))?;
            if existing != roots {
                bail!(
                    "{} holds other root keys than the backup: the directory belongs to \
                     another deployment; restore into a new directory",
                    dir.root_keys().display()
                );
            }
            false
        }
        Err(e) if e.kind() == ErrorKind::NotFound => true,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", dir.root_keys().display()));
        }
    };
    let backup_note = backup.files.get(LOG_HIGHEST);
    let plan = match &args.new_origin {
        Some(origin) => {
            let old = OldLog::read(&dir, backup_note.map(Vec::as_slice))?;
            check_new_origin(origin, &old)?;
            Plan::NewLog {
                origin: origin.clone(),
                old,
            }
        }
        None => continue_plan(
            &dir,
            args.log_key.as_deref(),
            backup_note.map(Vec::as_slice),
        )?,
    };

    // Writing starts here: the database under a temporary name first.
    std::fs::create_dir_all(dir.root())
        .with_context(|| format!("cannot create {}", dir.root().display()))?;
    let restoring = dir.root().join(RESTORING);
    let prepared = std::fs::copy(from, &restoring)
        .with_context(|| format!("cannot copy {} to {}", from.display(), restoring.display()))
        .and_then(|_| prepare_database(&restoring, &plan, backup.log_size));
    if let Err(err) = prepared {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = restoring.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        return Err(err);
    }

    // The directory's files, then the database's final name.
    let mut new_key = None;
    match &plan {
        Plan::Continue {
            signer,
            copy_key,
            record,
            write_record,
        } => {
            if *copy_key {
                create_new_file(
                    &dir.log_key(),
                    &format!("{}\n", signer.to_private_key_string()),
                    0o600,
                )
                .with_context(|| format!("cannot create {}", dir.log_key().display()))?;
            }
            if let (true, Some((_, note))) = (write_record, record) {
                highest::write(&dir.log_highest(), note)
                    .with_context(|| format!("cannot write {}", dir.log_highest().display()))?;
            }
        }
        Plan::NewLog { origin, .. } => {
            retire_old_log(&dir)?;
            new_key = Some(dir.create_log_key(origin)?);
        }
    }
    if write_roots {
        let text = roots.iter().map(|r| format!("{r}\n")).collect::<String>();
        create_new_file(&dir.root_keys(), &text, 0o644)
            .with_context(|| format!("cannot create {}", dir.root_keys().display()))?;
    }
    let photos = photos::copy(&photos::beside(from), &dir.photos_dir())?;
    std::fs::rename(&restoring, dir.database()).with_context(|| {
        format!(
            "cannot rename {} to {}",
            restoring.display(),
            dir.database().display()
        )
    })?;
    fsync_parent(&dir.database())?;

    // What the server will find.
    let entries = store_backup::log_size(&dir.database())?;
    let record_text = match &plan {
        Plan::Continue {
            record: Some((checkpoint, _)),
            write_record,
            ..
        } => {
            let state = tree_of(&dir.database()).map(|tree| record_state(&tree, checkpoint));
            match state {
                Ok(RecordState::Matches) => {}
                Ok(state) => warn_refusal(&dir, &state),
                Err(err) => eprintln!("warning: cannot check the restored log: {err:#}"),
            }
            format!(
                "highest signed checkpoint size {} ({})",
                checkpoint.size,
                if *write_record {
                    "the backup's"
                } else {
                    "kept from the directory"
                }
            )
        }
        Plan::Continue { record: None, .. } => "no checkpoint signed yet".to_owned(),
        Plan::NewLog { .. } => "a new log".to_owned(),
    };
    let bytes = std::fs::metadata(dir.database()).map_or(0, |m| m.len());
    println!(
        "restored {} from {} (made {} of {} by saksi {}): {}, {entries} log entries, {record_text}, {:.1} s",
        dir.root().display(),
        from.display(),
        backup.created_at,
        backup.source,
        backup.saksi_version,
        human_bytes(bytes),
        started.elapsed().as_secs_f64()
    );
    println!("{photos}");
    if let (Some(key), Plan::NewLog { origin, old }) = (new_key, &plan) {
        explain_new_log(&dir, origin, old, entries);
        println!("new log key: {key}");
    }
    Ok(())
}

/// Refuses a directory that holds a database (or what is left of one).
fn refuse_a_database(dir: &DataDir) -> Result<()> {
    let db = dir.database();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if path.symlink_metadata().is_ok() {
            bail!(
                "{} already holds a database ({} exists): a restore never replaces one; restore \
                 into a new directory, or move the database (with its -wal and -shm files) away first",
                dir.root().display(),
                path.display()
            );
        }
    }
    // A database of another kind (a server database's `database.url`).
    if DataDir::existing(dir.root()).is_ok() {
        bail!(
            "{} is already a Saksi data directory: a restore never replaces its database; \
             restore into a new directory",
            dir.root().display()
        );
    }
    let restoring = dir.root().join(RESTORING);
    if restoring.symlink_metadata().is_ok() {
        bail!(
            "{} exists: another restore into {} is running, or one was interrupted (then remove it)",
            restoring.display(),
            dir.root().display()
        );
    }
    Ok(())
}

/// The key and records for continuing the backed-up log.
fn continue_plan(
    dir: &DataDir,
    log_key: Option<&Path>,
    backup_note: Option<&[u8]>,
) -> Result<Plan> {
    let present = read_signer(&dir.log_key())?;
    let (signer, copy_key) = match (log_key, present) {
        (Some(path), present) => {
            let given = read_signer(path)?
                .with_context(|| format!("--log-key {}: no such file", path.display()))?;
            match present {
                Some(p) if p.verifier() != given.verifier() => bail!(
                    "{} holds another log key than --log-key {}: the directory belongs to \
                     another log; restore into a new directory",
                    dir.log_key().display(),
                    path.display()
                ),
                Some(p) => (p, false),
                None => (given, true),
            }
        }
        (None, Some(present)) => (present, false),
        (None, None) => bail!(
            "{} holds no log key and no --log-key was given: the log key is never in a backup \
             (keep it apart, offline); give it with --log-key KEYFILE, or start a new log with \
             --new-origin ORIGIN",
            dir.root().display()
        ),
    };
    let verifier = signer.verifier();
    let from_backup = backup_note
        .map(|note| {
            let checkpoint = Checkpoint::open(note, &verifier, verifier.name()).with_context(|| {
                format!(
                    "the backup's {LOG_HIGHEST} is not a checkpoint signed by the log key {verifier}: \
                     is the key the backed-up log's?"
                )
            })?;
            let note = String::from_utf8(note.to_vec()).context("not UTF-8")?;
            Ok::<_, anyhow::Error>((checkpoint, note))
        })
        .transpose()?;
    let in_dir = highest::read(&dir.log_highest(), &verifier)
        .with_context(|| format!("{} cannot be kept", dir.log_highest().display()))?
        .map(|p| (p.checkpoint, p.note));
    // The higher record wins; at equal sizes the directory's stays.
    let (record, write_record) = match (from_backup, in_dir) {
        (Some(b), Some(d)) if b.0.size > d.0.size => (Some(b), true),
        (Some(_), Some(d)) => (Some(d), false),
        (Some(b), None) => (Some(b), true),
        (None, d) => (d, false),
    };
    Ok(Plan::Continue {
        signer,
        copy_key,
        record,
        write_record,
    })
}

/// Checks the copied database, drops the backup's tables and, for a new
/// log, records the old one; leaves the file closed and fsynced.
fn prepare_database(path: &Path, plan: &Plan, backup_log_size: u64) -> Result<()> {
    match plan {
        Plan::NewLog { origin, old } => {
            let record =
                |existing: Option<&str>| predecessors(existing, old, origin, backup_log_size);
            store_backup::restore(path, backup_log_size, Some(&record))
        }
        Plan::Continue { .. } => store_backup::restore(path, backup_log_size, None),
    }?;
    Ok(())
}

/// Tells the operator what the restored directory's server will do.
fn warn_refusal(dir: &DataDir, state: &RecordState) {
    let code = match state {
        RecordState::Behind { .. } => "log.behind_signed",
        _ => "log.diverged",
    };
    eprintln!(
        "warning: the restored database {}: `saksi serve` will refuse to sign and to take \
         submissions (503 {code}) until a newer backup is restored, or a new log is started with \
         `saksi log new-origin --data-dir {} --origin NEW_ORIGIN` (README: Backup and restore)",
        state.describe(),
        dir.root().display()
    );
}

/// The root keys of a `root-keys.txt`, checked.
fn parse_root_keys(text: &[u8]) -> Result<Vec<Verifier>> {
    std::str::from_utf8(text)
        .context("not UTF-8")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Verifier::parse(l.trim()).with_context(|| format!("bad key {l:?}")))
        .collect()
}
