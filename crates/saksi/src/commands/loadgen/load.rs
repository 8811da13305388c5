//! The load generator: submits a pre-signed corpus of KPPS form statements
//! to a running server over N keep-alive connections and measures what the
//! server sustains (forms/s) and how long each answer took (p50, p99).
//!
//! Everything costly on the client side (drawing forms, signing
//! statements, serializing bodies) happens before the clock starts, so the
//! figures are the server's. Every acknowledged submission can be written
//! as a receipt line, so a later check can prove none was lost.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use saksi_api::{Accepted, Receipt};
use saksi_core::incident::{Category, Severity};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Election, RegionId};
use saksi_sim::forms::draw_form;
use saksi_sim::rng::Rng;
use tokio::sync::mpsc;

use crate::client::demo_keys::{DemoKeys, IncidentReport, parallel, sign_form};
use crate::client::{Client, forms};

/// One submission, ready to send.
pub struct Prepared {
    tps: String,
    contest: Contest,
    path: String,
    body: Bytes,
}

impl Prepared {
    /// Size of the request body.
    pub fn body_len(&self) -> usize {
        self.body.len()
    }
}

/// Draws and signs forms for (TPS, contest) pairs in a shuffled order, at
/// most `limit` (`None`: every form once): version 1 of every form held
/// first, then, if `limit` asks
/// for more, version 2 of each (chained by `prev`), and so on. The work is
/// split over the machine's cores.
pub fn corpus(
    election: &Election,
    keys: &DemoKeys,
    seed: u64,
    limit: Option<usize>,
) -> Vec<Prepared> {
    let mut tps: Vec<RegionId> = election.tree.tps_ids().collect();
    let mut rng = Rng::stream(seed, &[0x10ad]);
    rng.shuffle(&mut tps);
    let forms: usize = tps
        .iter()
        .map(|id| {
            Contest::ALL
                .iter()
                .filter(|c| election.holds(*id, **c))
                .count()
        })
        .sum();
    let limit = limit.unwrap_or(forms);
    let versions = limit.div_ceil(forms.max(1)).max(1);
    if versions == 1 {
        // About five forms per TPS: enough TPS for `limit` forms, and no more.
        tps.truncate(limit.div_ceil(4).min(tps.len()));
    }
    let chains: Vec<Vec<Prepared>> =
        parallel(&tps, |id| prepare(election, keys, seed, *id, versions))
            .into_iter()
            .flatten()
            .collect();
    // Every form's version 1, then every version 2, ...: a version is sent
    // long after the one it follows.
    let mut out = Vec::with_capacity(limit.min(chains.len() * versions));
    let mut chains: Vec<std::vec::IntoIter<Prepared>> =
        chains.into_iter().map(Vec::into_iter).collect();
    for _ in 0..versions {
        out.extend(chains.iter_mut().filter_map(Iterator::next));
    }
    out.truncate(limit);
    out
}

/// `n` incident reports (`--incidents`), each signed by the KPPS device
/// of a TPS drawn at random, all `low`, so that a server whose low
/// deadlines are short (`--incident-deadlines low=...`) escalates them
/// while the forms stream: the sweep under load.
pub fn incidents(
    election: &Election,
    keys: &DemoKeys,
    seed: u64,
    n: usize,
    signed_at: UnixTime,
) -> Vec<Prepared> {
    let tps: Vec<RegionId> = election.tree.tps_ids().collect();
    let mut rng = Rng::stream(seed, &[0x1c1d]);
    let drawn: Vec<(usize, RegionId)> = (0..n).map(|i| (i, *rng.pick(&tps))).collect();
    let content = |i: usize| serde_json::json!({"title": "Uji beban", "description": format!("Laporan uji beban nomor {i}.")});
    parallel(&drawn, |(i, id)| {
        let key = keys.kpps(*id)?;
        let code = election.tree.get(*id).code;
        let report = IncidentReport {
            tps: code,
            category: Category::Logistics,
            severity: Severity::Low,
            contests: vec![Contest::Ppwp],
            content: &content(*i),
        };
        let (body, _) = report.seal(key, keys.origin(), signed_at).ok()?;
        Some(Prepared {
            tps: code.to_string(),
            contest: Contest::Ppwp,
            path: INCIDENTS.to_owned(),
            body: Bytes::from(body),
        })
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Where incidents are filed.
const INCIDENTS: &str = "/api/v1/incidents";

/// The chains of versions `1..=versions` of every form held at `id`.
fn prepare(
    election: &Election,
    keys: &DemoKeys,
    seed: u64,
    id: RegionId,
    versions: usize,
) -> Vec<Vec<Prepared>> {
    let code = election.tree.get(id).code;
    let Some(key) = keys.kpps(id) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(Contest::ALL.len());
    for contest in Contest::ALL {
        let mut chain = Vec::with_capacity(versions);
        let mut prev = None;
        for version in 1..=versions as u32 {
            let mut form_rng = Rng::stream(
                seed,
                &[u64::from(id.0), contest.index() as u64, u64::from(version)],
            );
            let Some(form) = draw_form(election, id, contest, &mut form_rng) else {
                break;
            };
            let (body, digest) = sign_form(key, keys.origin(), code, contest, version, prev, form)
                .expect("a drawn form always signs");
            prev = Some(digest);
            chain.push(Prepared {
                tps: code.to_string(),
                contest,
                path: forms::path(code, contest),
                body: Bytes::from(body),
            });
        }
        if !chain.is_empty() {
            out.push(chain);
        }
    }
    out
}

/// How a run goes.
pub struct Plan {
    /// The server's client: the workers share its pool of connections.
    pub client: Client,
    pub connections: usize,
    /// Stop after this many submissions...
    pub count: Option<u64>,
    /// ...or after this long.
    pub duration: Option<Duration>,
    /// Submissions per second across all connections (`None`: as fast as
    /// the server answers).
    pub rate: Option<f64>,
}

/// What a run measured.
#[derive(Debug)]
pub struct Report {
    pub sent: u64,
    pub accepted: u64,
    pub refused: u64,
    pub overloaded: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latencies of every answered request, sorted, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Latencies of the accepted ones only (under overload, what an
    /// admitted submission waits), sorted, in microseconds.
    pub accepted_latencies_us: Vec<u32>,
}

impl Report {
    /// Accepted submissions per second.
    pub fn rate(&self) -> f64 {
        self.accepted as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which `q` of the answers came, in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        quantile_ms(&self.latencies_us, q)
    }

    /// The same over accepted submissions only.
    pub fn accepted_quantile_ms(&self, q: f64) -> f64 {
        quantile_ms(&self.accepted_latencies_us, q)
    }
}

/// The `q` quantile of sorted microseconds, in milliseconds.
fn quantile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((sorted_us.len() - 1) as f64 * q).round() as usize;
    f64::from(sorted_us[i]) / 1000.0
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    refused: AtomicU64,
    overloaded: AtomicU64,
    errors: AtomicU64,
}

/// Runs the plan over `corpus` and returns what it measured. Receipts of
/// accepted submissions go to `receipts` as JSON lines, if given.
pub async fn run(
    plan: Plan,
    corpus: Arc<Vec<Prepared>>,
    receipts: Option<Box<dyn Write + Send>>,
) -> Report {
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(Counters::default());
    let total = plan.count.map_or(usize::MAX, |c| c as usize);
    let (receipt_tx, mut receipt_rx) = mpsc::channel::<String>(4096);
    let writer = receipts.map(|mut out| {
        tokio::task::spawn_blocking(move || {
            let mut out = std::io::BufWriter::new(&mut out);
            while let Some(line) = receipt_rx.blocking_recv() {
                let _ = writeln!(out, "{line}");
            }
            let _ = out.flush();
        })
    });
    // With a rate, a pacer hands out permits; without, workers run free.
    let (permit_tx, permit_rx) = mpsc::channel::<()>(plan.connections * 2);
    let permit_rx = Arc::new(tokio::sync::Mutex::new(permit_rx));
    let pacer = plan.rate.map(|rate| {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(5));
            let mut credit = 0.0;
            while !done.load(Ordering::Relaxed) {
                ticker.tick().await;
                credit += rate / 200.0;
                while credit >= 1.0 {
                    credit -= 1.0;
                    if permit_tx.send(()).await.is_err() {
                        return;
                    }
                }
            }
        })
    });
    let paced = pacer.is_some();
    let started = Instant::now();
    if let Some(d) = plan.duration {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            tokio::time::sleep(d).await;
            done.store(true, Ordering::Relaxed);
        });
    }
    let mut workers = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let corpus = Arc::clone(&corpus);
        let next = Arc::clone(&next);
        let done = Arc::clone(&done);
        let counters = Arc::clone(&counters);
        let receipts = writer.as_ref().map(|_| receipt_tx.clone());
        let permits = Arc::clone(&permit_rx);
        let client = plan.client.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut accepted_latencies = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if paced && permits.lock().await.recv().await.is_none() {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = corpus.get(n).filter(|_| n < total) else {
                    break;
                };
                let t = Instant::now();
                let answer = client.post_json(&p.path, p.body.clone()).await;
                let us = t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                match answer {
                    Ok(r) => {
                        latencies.push(us);
                        match r.status {
                            201 => {
                                accepted_latencies.push(us);
                                counters.accepted.fetch_add(1, Ordering::Relaxed);
                                if let Some(tx) = &receipts {
                                    let _ = tx.send(receipt_line(p, &r.body)).await;
                                }
                            }
                            503 | 429 => {
                                counters.overloaded.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => {
                                counters.refused.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    Err(_) => {
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            (latencies, accepted_latencies)
        }));
    }
    drop(receipt_tx);
    let mut latencies_us = Vec::new();
    let mut accepted_latencies_us = Vec::new();
    for w in workers {
        if let Ok((all, accepted)) = w.await {
            latencies_us.extend(all);
            accepted_latencies_us.extend(accepted);
        }
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    if let Some(p) = pacer {
        p.abort();
    }
    if let Some(w) = writer {
        let _ = w.await;
    }
    latencies_us.sort_unstable();
    accepted_latencies_us.sort_unstable();
    let c = &counters;
    let accepted = c.accepted.load(Ordering::Relaxed);
    let refused = c.refused.load(Ordering::Relaxed);
    let overloaded = c.overloaded.load(Ordering::Relaxed);
    let errors = c.errors.load(Ordering::Relaxed);
    Report {
        sent: accepted + refused + overloaded + errors,
        accepted,
        refused,
        overloaded,
        errors,
        elapsed,
        latencies_us,
        accepted_latencies_us,
    }
}

/// `{"tps", "contest", "version", "receipt"}`; `null`s for an answer that
/// is not the documented one, so the line still says which form it was.
fn receipt_line(p: &Prepared, body: &[u8]) -> String {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        tps: &'a str,
        contest: Contest,
        version: Option<u32>,
        receipt: Option<Receipt>,
    }
    let answer = serde_json::from_slice::<Accepted>(body).ok();
    let (version, receipt) = match answer {
        Some(a) => (Some(a.version), Some(a.receipt)),
        None => (None, None),
    };
    let line = Line {
        tps: &p.tps,
        contest: p.contest,
        version,
        receipt,
    };
    serde_json::to_string(&line).unwrap_or_default()
}
