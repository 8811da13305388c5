//! The simulator: streams drawn C.Hasil forms of every TPS to a Saksi
//! server over HTTP, at a steady rate, so that results visibly move.
//!
//! TPS report in a random order (by seed); each reports every contest held
//! there, and about one TPS in thirty later sends a corrected version of
//! one form, as happens in a real count. Each form is a statement signed by
//! its TPS's simulated KPPS device key and posted to the public API,
//! exactly as a field app does (`crate::client::demo_keys`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;

use saksi_core::{Contest, Election, Level, RegionId};
use saksi_sim::forms::draw_form;
use saksi_sim::rng::Rng;
use tokio::sync::{mpsc, watch};

use crate::client::Client;
use crate::client::demo_keys::{DemoKeys, sign_form};
use crate::client::forms::{self, Submitted};

/// Concurrent connections the simulator keeps open.
const CONNECTIONS: usize = 4;

/// How long one form may wait for its answer: far above a healthy
/// server's, and a form not answered in time is retried like one shed.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// One form to send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Job {
    pub tps: RegionId,
    pub contest: Contest,
    /// 1 for the first version, 2 for a correction.
    pub attempt: u32,
    /// Whether no later version of this form is planned.
    pub last: bool,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Stats {
    pub accepted: AtomicU64,
    /// Forms the server had already logged: an earlier run sent them.
    pub replayed: AtomicU64,
    pub refused: AtomicU64,
    pub failed: AtomicU64,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "accepted {}, replays of earlier submissions {}, refused {}, failed {}",
            self.accepted.load(Ordering::Relaxed),
            self.replayed.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed)
        )
    }
}

/// A simulation to run.
pub struct Simulation {
    pub election: Arc<Election>,
    /// The server's client; its connections are shared by the workers.
    pub client: Client,
    /// The simulated KPPS device keys, registered with the server.
    pub keys: Arc<DemoKeys>,
    /// Forms per second.
    pub rate: f64,
    pub seed: u64,
    /// Stop after this many forms (all TPS otherwise).
    pub count: Option<u64>,
    /// Told of each form the server holds (accepted now or before), so
    /// the demo's recap acts on the simulation's own forms only.
    pub held: Option<mpsc::UnboundedSender<Held>>,
}

/// A form version the server holds, sent by the simulation.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub tps: RegionId,
    pub contest: Contest,
    pub version: u32,
    /// The statement's digest, as a sign-off names it.
    pub digest: [u8; 32],
    /// Whether the simulation sends no later version of this form.
    pub last: bool,
}

/// The order TPS report in, every contest of each, corrections mixed in
/// (the national fixture logs the same forms in the same order).
pub(crate) fn plan(election: &Election, seed: u64) -> Vec<Job> {
    let mut tps: Vec<RegionId> = election.tree.tps_ids().collect();
    let mut rng = Rng::stream(seed, &[0x5151]);
    rng.shuffle(&mut tps);
    // (position, job): a correction is placed a little after its TPS's
    // first wave, as a PPK plenary would catch a slip.
    let mut jobs: Vec<(u64, Job)> = Vec::with_capacity(tps.len() * 5);
    for id in tps {
        let first = jobs.len();
        for contest in Contest::ALL {
            if election.holds(id, contest) {
                jobs.push((
                    2 * jobs.len() as u64,
                    Job {
                        tps: id,
                        contest,
                        attempt: 1,
                        last: true,
                    },
                ));
            }
        }
        if rng.chance(33) {
            // Every TPS holds PPWP, the first of its contests.
            jobs[first].1.last = false;
            let later = 2 * (jobs.len() as u64 + 20 + rng.below(200)) + 1;
            jobs.push((
                later,
                Job {
                    tps: id,
                    contest: Contest::Ppwp,
                    attempt: 2,
                    last: true,
                },
            ));
        }
    }
    jobs.sort_by_key(|(position, _)| *position);
    jobs.into_iter().map(|(_, job)| job).collect()
}

impl Simulation {
    /// Runs until every planned form is sent, `count` is reached, or `stop`
    /// turns true. Returns what happened.
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> Arc<Stats> {
        let stats = Arc::new(Stats::default());
        let mut jobs = plan(&self.election, self.seed);
        if let Some(count) = self.count {
            jobs.truncate(count as usize);
        }
        let (tx, rx) = mpsc::channel::<Job>(CONNECTIONS * 4);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let mut workers = Vec::new();
        let sender = Arc::new(Sender {
            client: self.client.clone(),
            election: Arc::clone(&self.election),
            keys: Arc::clone(&self.keys),
            seed: self.seed,
            stats: Arc::clone(&stats),
            held: self.held.clone(),
        });
        for worker in 0..CONNECTIONS {
            let rx = Arc::clone(&rx);
            let sender = Arc::clone(&sender);
            let mut stop = stop.clone();
            workers.push(tokio::spawn(async move {
                // On stop, queued forms are dropped and one in flight is
                // abandoned: its retries would otherwise hold a stopping
                // demo for seconds against a server already shutting down.
                while !*stop.borrow() {
                    let job = { rx.lock().await.recv().await };
                    let Some(job) = job else { break };
                    tokio::select! {
                        () = sender.send(worker, job) => {}
                        _ = stop.wait_for(|stopped| *stopped) => break,
                    }
                }
            }));
        }
        // Pace in ticks of 10 ms, carrying fractions over, so both 0.5/s and
        // 5,000/s come out right.
        let per_tick = self.rate / 100.0;
        let mut credit = 0.0;
        let mut ticker = tokio::time::interval(Duration::from_millis(10));
        let mut jobs = jobs.into_iter();
        'pace: loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stop.changed() => break 'pace,
            }
            credit += per_tick;
            while credit >= 1.0 {
                credit -= 1.0;
                let Some(job) = jobs.next() else { break 'pace };
                if tx.send(job).await.is_err() {
                    break 'pace;
                }
            }
        }
        drop(tx);
        for w in workers {
            let _ = w.await;
        }
        stats
    }
}

/// What the workers share.
struct Sender {
    client: Client,
    election: Arc<Election>,
    keys: Arc<DemoKeys>,
    seed: u64,
    stats: Arc<Stats>,
    held: Option<mpsc::UnboundedSender<Held>>,
}

/// The statement a job sends, signed by its TPS's KPPS device key: the
/// POST body and the statement's digest, or `None` for a contest the TPS
/// does not hold. Each version is drawn from the seed and chains to the
/// one before; every statement is deterministic, so the previous one's
/// digest is recomputed here.
pub(crate) fn statement(
    election: &Election,
    keys: &DemoKeys,
    seed: u64,
    job: &Job,
) -> anyhow::Result<Option<(Vec<u8>, [u8; 32])>> {
    let code = election.tree.get(job.tps).code;
    debug_assert_eq!(code.level(), Level::Tps);
    let key = keys
        .kpps(job.tps)
        .with_context(|| format!("no simulated KPPS key for TPS {code}"))?;
    let mut signed = None;
    for version in 1..=job.attempt {
        let mut rng = Rng::stream(
            seed,
            &[
                u64::from(job.tps.0),
                job.contest.index() as u64,
                u64::from(version),
            ],
        );
        let Some(form) = draw_form(election, job.tps, job.contest, &mut rng) else {
            return Ok(None);
        };
        let prev = signed.as_ref().map(|(_, digest)| *digest);
        signed = Some(sign_form(
            key,
            keys.origin(),
            code,
            job.contest,
            version,
            prev,
            form,
        )?);
    }
    Ok(signed)
}

impl Sender {
    async fn send(&self, worker: usize, job: Job) {
        let Sender {
            client,
            election,
            keys,
            seed,
            stats,
            held,
        } = self;
        let code = election.tree.get(job.tps).code;
        let (body, digest) = match statement(election, keys, *seed, &job) {
            Ok(Some(signed)) => signed,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot sign a simulated form");
                stats.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        let path = forms::path(code, job.contest);
        let submitted = forms::submit(client, &path, hyper::body::Bytes::from(body), worker).await;
        if let (Submitted::Accepted(_) | Submitted::Replayed(_), Some(held)) = (&submitted, held) {
            // The receiver is gone only when the demo's recap stopped.
            let _ = held.send(Held {
                tps: job.tps,
                contest: job.contest,
                version: job.attempt,
                digest,
                last: job.last,
            });
        }
        match submitted {
            Submitted::Accepted(_) => {
                stats.accepted.fetch_add(1, Ordering::Relaxed);
            }
            Submitted::Replayed(_) => {
                stats.replayed.fetch_add(1, Ordering::Relaxed);
            }
            Submitted::Refused(r) => {
                tracing::warn!(worker, tps = %code, contest = %job.contest, status = r.status,
                body = %String::from_utf8_lossy(&r.body), "simulated form refused");
                stats.refused.fetch_add(1, Ordering::Relaxed);
            }
            Submitted::Failed => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use saksi_sim::generate::{GenerateOptions, generate};

    use super::*;

    #[test]
    fn the_plan_sends_every_held_contest_of_every_tps_once_plus_corrections() {
        let e = generate(&GenerateOptions {
            seed: 3,
            scale: 0.001,
        })
        .unwrap();
        let jobs = plan(&e, 9);
        let firsts = jobs.iter().filter(|j| j.attempt == 1).count();
        let held: usize = e
            .tree
            .tps_ids()
            .map(|id| Contest::ALL.iter().filter(|c| e.holds(id, **c)).count())
            .sum();
        assert_eq!(firsts, held);
        // Every correction follows the first version of the same form.
        for (i, j) in jobs.iter().enumerate().filter(|(_, j)| j.attempt == 2) {
            assert!(
                jobs[..i]
                    .iter()
                    .any(|f| f.attempt == 1 && f.tps == j.tps && f.contest == j.contest)
            );
        }
    }
}
