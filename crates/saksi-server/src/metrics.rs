//! Counters for `/metrics`, in the Prometheus text format
//! (<https://prometheus.io/docs/instrumenting/exposition_formats/>).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::lease::WriterLease;

/// Upper bounds of the batch-size histogram buckets.
const BATCH_BUCKETS: [u64; 5] = [1, 10, 100, 500, 1000];
/// Upper bounds of the commit-latency histogram buckets, in seconds.
const COMMIT_BUCKETS: [f64; 8] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

/// Upper bounds of the escalation sweep's round-time buckets, in seconds:
/// a round that only looks takes microseconds, one that escalates waits
/// for its group commits.
const SWEEP_BUCKETS: [f64; 8] = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1.0];

/// Upper bounds of the sign-off check's buckets, in seconds: a province
/// sums a few dozen children in microseconds, a kecamatan of 1,591 TPS
/// reads each one's current version.
const SIGNOFF_BUCKETS: [f64; 8] = [0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 1.0];

/// A cumulative histogram with fixed buckets.
#[derive(Debug, Default)]
struct Histogram {
    /// Up to 8 buckets; only as many as the bounds are used.
    buckets: [AtomicU64; 8],
    count: AtomicU64,
    /// Sum, in the metric's unit times `scale`.
    sum: AtomicU64,
}

impl Histogram {
    fn observe(&self, bucket: Option<usize>, scaled: u64) {
        if let Some(b) = bucket {
            self.buckets[b].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum.fetch_add(scaled, Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, bounds: &[String], scale: f64) {
        let mut cumulative = 0;
        for (bound, bucket) in bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", self.sum.load(Relaxed) as f64 / scale);
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// Everything `/metrics` reports besides the queue depth (read live).
#[derive(Debug, Default)]
pub struct Metrics {
    batch_size: Histogram,
    commit_seconds: Histogram,
    sweep_seconds: Histogram,
    signoff_seconds: Histogram,
    deadline_events: AtomicU64,
    accepted: AtomicU64,
    replayed: AtomicU64,
    refused: AtomicU64,
    commit_failures: AtomicU64,
    checkpoint_size: AtomicU64,
    log_refusing: AtomicU64,
    store_degraded: AtomicU64,
    /// The writer lease, if the server writes under one.
    lease: OnceLock<Arc<WriterLease>>,
    responses: Mutex<BTreeMap<u16, u64>>,
}

impl Metrics {
    /// One group commit of `size` commands that took `took` to be durable.
    pub fn batch(&self, size: usize, took: Duration) {
        let size = size as u64;
        let bucket = BATCH_BUCKETS.iter().position(|b| size <= *b);
        self.batch_size.observe(bucket, size);
        let secs = took.as_secs_f64();
        let bucket = COMMIT_BUCKETS.iter().position(|b| secs <= *b);
        self.commit_seconds.observe(bucket, took.as_micros() as u64);
    }

    /// The group commits so far and the commands they held: what a tool
    /// that queues in-process (the national fixture) reports as its mean
    /// batch.
    pub fn group_commits(&self) -> (u64, u64) {
        (
            self.batch_size.count.load(Relaxed),
            self.batch_size.sum.load(Relaxed),
        )
    }

    /// One look of the escalation sweep that took `took` and logged
    /// `events` escalations or overdue marks: how the sweep weighs on the
    /// server as incidents pile up (README: Performance).
    pub fn sweep(&self, took: Duration, events: usize) {
        let secs = took.as_secs_f64();
        let bucket = SWEEP_BUCKETS.iter().position(|b| secs <= *b);
        self.sweep_seconds.observe(bucket, took.as_micros() as u64);
        self.deadline_events.fetch_add(events as u64, Relaxed);
    }

    /// The sequencer's check of one sign-off confirmation's children and
    /// sum that took `took`: what signing off costs the one writer
    /// (README: Performance).
    pub fn signoff_check(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let bucket = SIGNOFF_BUCKETS.iter().position(|b| secs <= *b);
        self.signoff_seconds
            .observe(bucket, took.as_micros() as u64);
    }

    /// Counts the outcomes of one batch.
    pub fn outcomes(&self, accepted: u64, replayed: u64, refused: u64) {
        self.accepted.fetch_add(accepted, Relaxed);
        self.replayed.fetch_add(replayed, Relaxed);
        self.refused.fetch_add(refused, Relaxed);
    }

    /// A group commit failed (nothing of it was stored).
    pub fn commit_failed(&self) {
        self.commit_failures.fetch_add(1, Relaxed);
    }

    /// A checkpoint of `size` entries is published.
    pub fn checkpoint(&self, size: u64) {
        self.checkpoint_size.store(size, Relaxed);
    }

    /// Whether the server refuses to sign (its store is behind or diverges
    /// from the highest checkpoint signed).
    pub fn log_refusing(&self, refusing: bool) {
        self.log_refusing.store(u64::from(refusing), Relaxed);
    }

    /// Whether the last write to the store failed because the database was
    /// unavailable (cleared by the next write or probe that succeeds).
    pub fn set_store_degraded(&self, degraded: bool) {
        self.store_degraded.store(u64::from(degraded), Relaxed);
    }

    pub fn store_degraded(&self) -> bool {
        self.store_degraded.load(Relaxed) != 0
    }

    /// Reports the state of the writer lease the server writes under.
    pub fn watch_lease(&self, lease: Arc<WriterLease>) {
        let _ = self.lease.set(lease);
    }

    /// One answered HTTP request.
    pub fn response(&self, status: u16) {
        let mut map = self.responses.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(status).or_default() += 1;
    }

    /// The text exposition.
    pub fn render(&self, queue_depth: usize, queue_capacity: usize, log_size: u64) -> String {
        let mut out = String::with_capacity(4096);
        let gauge = |out: &mut String, name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            &mut out,
            "saksi_queue_depth",
            "gauge",
            "Submissions waiting for the sequencer.",
            queue_depth.to_string(),
        );
        gauge(
            &mut out,
            "saksi_queue_capacity",
            "gauge",
            "Submissions the queue holds before answering 503.",
            queue_capacity.to_string(),
        );
        gauge(
            &mut out,
            "saksi_log_size",
            "gauge",
            "Log entries (accepted form versions) in the tree and the live tallies.",
            log_size.to_string(),
        );
        gauge(
            &mut out,
            "saksi_checkpoint_size",
            "gauge",
            "Size of the latest signed checkpoint.",
            self.checkpoint_size.load(Relaxed).to_string(),
        );
        gauge(
            &mut out,
            "saksi_log_refusing_to_sign",
            "gauge",
            "1 while the store is behind or diverges from the highest signed checkpoint.",
            self.log_refusing.load(Relaxed).to_string(),
        );
        gauge(
            &mut out,
            "saksi_store_degraded",
            "gauge",
            "1 while the database is unavailable: submissions get 503, reads are served from memory.",
            self.store_degraded.load(Relaxed).to_string(),
        );
        let lease = self.lease.get();
        gauge(
            &mut out,
            "saksi_writer_lease_token",
            "gauge",
            "Fencing token of the writer lease this server writes under (0: no lease).",
            lease.map_or(0, |l| l.token()).to_string(),
        );
        gauge(
            &mut out,
            "saksi_writer_lease_lost",
            "gauge",
            "1 once another server took the writer lease over: this server no longer writes nor signs.",
            u8::from(lease.is_some_and(|l| l.is_lost())).to_string(),
        );
        for (name, help, counter) in [
            (
                "saksi_submissions_accepted_total",
                "Submissions stored as a new version.",
                &self.accepted,
            ),
            (
                "saksi_submissions_replayed_total",
                "Retries answered with the first answer.",
                &self.replayed,
            ),
            (
                "saksi_submissions_refused_total",
                "Submissions the sequencer refused.",
                &self.refused,
            ),
            (
                "saksi_commit_failures_total",
                "Group commits that failed.",
                &self.commit_failures,
            ),
            (
                "saksi_incident_deadline_events_total",
                "Escalations and overdue marks the sweep logged on missed deadlines.",
                &self.deadline_events,
            ),
        ] {
            gauge(
                &mut out,
                name,
                "counter",
                help,
                counter.load(Relaxed).to_string(),
            );
        }
        let _ = writeln!(
            out,
            "# HELP saksi_batch_size Commands per group commit.\n# TYPE saksi_batch_size histogram"
        );
        let bounds: Vec<String> = BATCH_BUCKETS.iter().map(u64::to_string).collect();
        self.batch_size
            .render(&mut out, "saksi_batch_size", &bounds, 1.0);
        let _ = writeln!(
            out,
            "# HELP saksi_commit_seconds Time to write one batch durably.\n# TYPE saksi_commit_seconds histogram"
        );
        let bounds: Vec<String> = COMMIT_BUCKETS.iter().map(f64::to_string).collect();
        self.commit_seconds
            .render(&mut out, "saksi_commit_seconds", &bounds, 1e6);
        let _ = writeln!(
            out,
            "# HELP saksi_incident_sweep_seconds One look of the escalation sweep, its escalations logged.\n# TYPE saksi_incident_sweep_seconds histogram"
        );
        let bounds: Vec<String> = SWEEP_BUCKETS.iter().map(f64::to_string).collect();
        self.sweep_seconds
            .render(&mut out, "saksi_incident_sweep_seconds", &bounds, 1e6);
        let _ = writeln!(
            out,
            "# HELP saksi_signoff_check_seconds The sequencer's check of one sign-off confirmation: its children as they are and its totals as their sum.\n# TYPE saksi_signoff_check_seconds histogram"
        );
        let bounds: Vec<String> = SIGNOFF_BUCKETS.iter().map(f64::to_string).collect();
        self.signoff_seconds
            .render(&mut out, "saksi_signoff_check_seconds", &bounds, 1e6);
        let _ = writeln!(
            out,
            "# HELP saksi_http_responses_total HTTP answers by status.\n# TYPE saksi_http_responses_total counter"
        );
        let map = self.responses.lock().unwrap_or_else(|e| e.into_inner());
        for (status, n) in map.iter() {
            let _ = writeln!(out, "saksi_http_responses_total{{status=\"{status}\"}} {n}");
        }
        out
    }
}
