//! The I/O around [`Replay`]: pages fetched ahead while earlier ones are
//! verified, put back in log order, verified two pages at a time, saved to
//! the state directory, with a progress bar.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Result, anyhow};
use indicatif::ProgressBar;
use saksi_audit::{Replay, ServedEntry};
use tokio::sync::mpsc;

use super::fetch::{CONNECTIONS, Chunk, PAGE, Pool};
use super::state::{EntriesWriter, SavedEntries};

/// Entries verified together: two pages, half on each thread (each thread
/// then checks about 1,000 signatures in one batch, whose fixed cost, the
/// torsion check of the R points, is shared by more).
const BATCH: usize = 2 * PAGE as usize;

/// The replay and where its verified entries are saved (`--state`).
pub struct Audit {
    pub replay: Replay,
    pub writer: Option<EntriesWriter>,
    /// The first failure to save, reported at the end.
    pub write_error: Option<anyhow::Error>,
}

impl Audit {
    pub fn new(replay: Replay) -> Self {
        Audit {
            replay,
            writer: None,
            write_error: None,
        }
    }

    /// Verifies the next entries, in order, and saves them.
    fn process(&mut self, entries: &[ServedEntry]) {
        self.replay.process(entries);
        if let Some(w) = &mut self.writer {
            for served in entries {
                if let Err(e) = w.append(&served.data) {
                    self.write_error.get_or_insert(e);
                    self.writer = None;
                    break;
                }
            }
        }
    }

    /// Replays the entries saved by an earlier run (not saved again).
    pub fn replay_saved(&mut self, saved: &mut SavedEntries) -> Result<()> {
        loop {
            let start = self.replay.size();
            let chunk = saved.next_chunk(BATCH)?;
            if chunk.is_empty() {
                return Ok(());
            }
            let entries: Vec<ServedEntry> = chunk
                .into_iter()
                .enumerate()
                .map(|(i, data)| ServedEntry {
                    index: start + i as u64,
                    data,
                    leaf_hash: None,
                })
                .collect();
            self.replay.process(&entries);
        }
    }
}

/// Fetches and verifies entries from `audit.replay.size()` up to `to`,
/// pages in flight while earlier ones are verified. The audit comes back
/// whatever happens; the result says whether every entry up to `to` was
/// verified.
pub async fn fetch_into(pool: &Pool, mut audit: Audit, to: u64) -> (Audit, Result<()>) {
    let from = audit.replay.size();
    if from >= to {
        return (audit, Ok(()));
    }
    let bar = crate::support::progress::bar("log entries", to - from, "entries");
    let (tx, rx) = mpsc::channel(CONNECTIONS * 2);
    let (window, mut tasks) = pool.stream(from, to, tx);
    let verifier_window = window.clone();
    let progress = bar.clone();
    let verified = tokio::task::spawn_blocking(move || {
        let result = consume(&mut audit, rx, &verifier_window, &progress, to);
        (audit, result)
    })
    .await;
    window.close();
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    bar.finish_and_clear();
    match verified {
        Ok((audit, result)) => (audit, result),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Puts chunks back in log order and verifies them [`BATCH`] at a time;
/// lets one more page be fetched for each page verified.
fn consume(
    audit: &mut Audit,
    mut rx: mpsc::Receiver<Result<Chunk>>,
    window: &Arc<tokio::sync::Semaphore>,
    bar: &ProgressBar,
    to: u64,
) -> Result<()> {
    let from = audit.replay.size();
    let mut waiting: BTreeMap<u64, Vec<ServedEntry>> = BTreeMap::new();
    let mut ready: Vec<ServedEntry> = Vec::with_capacity(BATCH);
    let mut pages_done = 0;
    while audit.replay.size() < to {
        let next = audit.replay.size() + ready.len() as u64;
        if let Some(mut entries) = waiting.remove(&next) {
            ready.append(&mut entries);
        } else if ready.len() < BATCH && next < to {
            let chunk = rx
                .blocking_recv()
                .ok_or_else(|| anyhow!("the entries stopped coming at {next}"))??;
            waiting.insert(chunk.start, chunk.entries);
            continue;
        }
        let complete = audit.replay.size() + ready.len() as u64 == to;
        if ready.len() >= BATCH || complete {
            audit.process(&ready);
            ready.clear();
            let done = audit.replay.size() - from;
            bar.set_position(done);
            let pages = done / PAGE;
            window.add_permits((pages - pages_done) as usize);
            pages_done = pages;
        }
    }
    Ok(())
}
