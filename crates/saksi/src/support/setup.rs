//! What `init`, `import-regions` and `demo` share: storing a freshly made
//! election in a new data directory, with a progress bar and a summary.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use saksi_core::{Contest, Election, Level};
use saksi_store::Store;

use super::args::{DatabaseArg, OriginArg};
use super::data_dir::{DataDir, check_root_keys};
use super::{database, progress};

/// Writes `election` into the new data directory's database, records where
/// it came from (`source`) in the store's metadata, and creates the log key
/// named by the origin (`log.key`, mode 0600; only its public half is
/// printed) and records the KPU RI root keys (`root-keys.txt`).
pub fn store_election(
    dir: &DataDir,
    election: &Election,
    source: &str,
    log: &OriginArg,
    database: &DatabaseArg,
) -> Result<Arc<dyn Store>> {
    // The keys first: an invalid origin or root key leaves no half-made
    // directory behind it but the empty directory.
    let given = check_root_keys(&log.root_keys)?;
    let verifier = dir.create_log_key(&log.origin)?;
    let roots = dir.create_root_keys(given)?;
    eprintln!("log key created: {}", verifier);
    for root in roots {
        eprintln!("root key: {root}");
    }
    let store = database::create(dir, database.url.as_deref())?;
    let started = Instant::now();
    let bar = progress::bar("saving", 1, "rows");
    store
        .save_election(election, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .context("cannot save the election")?;
    bar.finish_and_clear();
    store
        .set_meta("source", source)
        .context("cannot record the election's source")?;
    eprintln!(
        "saved {} regions in {:.1} s",
        election.tree.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(store)
}

/// A few lines saying what the election holds, for the user to check.
pub fn summary(election: &Election) -> String {
    let counts = election.tree.count_by_level();
    let root = election.tree.get(election.tree.root());
    let mut out = format!(
        "{} provinsi (incl. luar negeri), {} kab/kota, {} kecamatan, {} desa, {} TPS; DPT {}",
        counts[Level::Provinsi.depth()],
        counts[Level::Kabkota.depth()],
        counts[Level::Kecamatan.depth()],
        counts[Level::Desa.depth()],
        counts[Level::Tps.depth()],
        root.dpt.total()
    );
    for contest in Contest::ALL.into_iter().filter(|c| *c != Contest::Ppwp) {
        let (dapil, seats) = election
            .dapil_of_contest(contest)
            .fold((0, 0u32), |(n, s), d| (n + 1, s + u32::from(d.seats)));
        out.push_str(&format!(
            "\n{:>14}: {dapil} dapil, {seats} seats",
            contest.id()
        ));
    }
    out
}
