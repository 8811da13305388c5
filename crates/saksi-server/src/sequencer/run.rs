//! The queue and the loop: commands drained into batches, each decided,
//! committed in one transaction, applied and answered.

use std::collections::HashMap;
use std::time::Instant;

use saksi_api::Receipt;
use saksi_core::form::CHasil;
use saksi_core::incident::book::Record;
use saksi_core::incident::notice::NoticeEvent;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionId};
use saksi_log::leaf_hash;
use saksi_statement::{IncidentId, SignedBy};
use saksi_store::{Batch, LogEntry, StoreError};
use tokio::sync::{mpsc, oneshot};

use super::decision::{Accepted, Outcome, Refused};
use super::memory::IdempotencyKey;
use super::settle::{SETTLE_POLL, Uncertain};
use super::{Command, Sequencer, SequencerHandle};
use crate::error::DisplayChain;
use crate::live::write_live;
use crate::log::receipt::{self, ReceiptHeader};
use crate::notify::Notice;

/// One decided command.
pub(super) enum Decided {
    /// Answered before the commit: a replay or a refusal.
    Now(oneshot::Sender<Outcome>, Outcome),
    /// Answered once the batch is durable.
    AfterCommit(oneshot::Sender<Outcome>, Accepted),
}

/// A version to apply to the tallies once its batch is durable.
pub(super) struct Applied {
    pub tps: RegionId,
    pub contest: Contest,
    pub version: u32,
    pub old: Option<CHasil>,
    pub new: CHasil,
}

/// What the commands decided so far in one batch have changed.
#[derive(Default)]
pub(super) struct Pending {
    pub batch: Batch,
    /// Requests accepted in this batch: (request hash, answer).
    pub requests: HashMap<IdempotencyKey, ([u8; 32], Accepted)>,
    /// (tps, contest) -> its current version accepted in this batch.
    pub forms: HashMap<(RegionId, Contest), Current>,
    /// Incidents filed or changed in this batch, as after its latest event.
    pub incidents: HashMap<IncidentId, Record>,
    pub applied: Vec<Applied>,
    /// The review's changes, for the readers' copy once durable.
    pub review: Vec<super::review::ReviewChange>,
    /// The logistics chain's changes, for the readers' copy once durable.
    pub logistics: Vec<super::logistics::LogisticsChange>,
}

/// Adds an entry to the batch at `log_index`; its unsigned receipt (the
/// handler signs it off this thread).
pub(super) fn log_entry(
    data: Vec<u8>,
    log_index: u64,
    now: UnixTime,
    statement_sha256: Option<[u8; 32]>,
    pending: &mut Pending,
) -> Receipt {
    let leaf = leaf_hash(&data);
    let header = ReceiptHeader {
        form: None,
        time: now.to_string(),
        statement_sha256,
    };
    let receipt = receipt::unsigned_receipt(log_index, &header, &data, &leaf);
    pending.batch.entries.push(LogEntry {
        index: log_index,
        data,
        leaf_hash: leaf,
    });
    receipt
}

/// A form's current version, as the next one is decided against it.
#[derive(Debug, Clone)]
pub(super) struct Current {
    pub version: u32,
    pub form: CHasil,
    /// The photos' digests (none for a version entered through a session).
    pub photos: Vec<[u8; 32]>,
    /// The version's digest: the next version's `prev`.
    pub digest: [u8; 32],
    /// Who vouches for it: what may supersede it.
    pub signed_by: SignedBy,
}

impl Sequencer {
    /// Starts the thread; returns the queue and the thread's handle.
    pub(crate) fn spawn(
        self,
        capacity: usize,
    ) -> std::io::Result<(SequencerHandle, std::thread::JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("saksi-sequencer".into())
            .spawn(move || self.run(rx))?;
        Ok((SequencerHandle { tx }, thread))
    }

    fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        loop {
            // While the store is unavailable, wake now and then to see
            // whether it is back, so that health recovers without traffic.
            let first = if self.uncertain.is_some() || self.metrics.store_degraded() {
                match rx.try_recv() {
                    Ok(c) => c,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        std::thread::sleep(SETTLE_POLL);
                        let _ = self.settle();
                        continue;
                    }
                    Err(mpsc::error::TryRecvError::Disconnected) => break,
                }
            } else {
                match rx.blocking_recv() {
                    Some(c) => c,
                    None => break,
                }
            };
            let mut commands = vec![first];
            while commands.len() < self.max_batch {
                match rx.try_recv() {
                    Ok(c) => commands.push(c),
                    Err(_) => break,
                }
            }
            self.process(commands);
        }
        tracing::debug!("sequencer stopped");
    }

    /// The reason every command is refused before any is decided, if any.
    fn refuse_all(&mut self) -> Option<Refused> {
        if self.lease.as_ref().is_some_and(|l| l.is_lost()) {
            return Some(Refused::LeaseLost);
        }
        match self.settle() {
            Err(refused) => Some(refused),
            Ok(()) => self.log.refusal().map(Refused::Log),
        }
    }

    /// Decides, commits, applies and answers one batch.
    fn process(&mut self, commands: Vec<Command>) {
        if let Some(refused) = self.refuse_all() {
            self.metrics.outcomes(0, 0, commands.len() as u64);
            for c in commands {
                let _ = c.reply.send(Outcome::Refused(refused.clone()));
            }
            return;
        }
        let now = self.clock.now();
        let mut pending = Pending::default();
        let mut answers: Vec<(oneshot::Sender<Outcome>, Outcome)> = Vec::new();
        let mut after_commit: Vec<(oneshot::Sender<Outcome>, Accepted)> = Vec::new();
        let mut replayed = 0u64;
        let size = commands.len();
        for command in commands {
            match self.decide(command, now, &mut pending) {
                Decided::Now(reply, outcome) => {
                    if matches!(outcome, Outcome::Replayed(_)) {
                        replayed += 1;
                    }
                    answers.push((reply, outcome));
                }
                Decided::AfterCommit(reply, accepted) => after_commit.push((reply, accepted)),
            }
        }
        // A read that found the database gone degrades the server as a
        // failed commit does, so health says so and recovery is probed.
        if answers
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Refused(Refused::StoreUnavailable)))
        {
            self.metrics.set_store_degraded(true);
        }
        pending.batch.fencing = self.lease.as_ref().map(|l| l.token());
        let accepted = pending.batch.entries.len() as u64;
        let mut refused = answers.len() as u64 - replayed;
        if !pending.batch.is_empty() {
            let started = Instant::now();
            let result = self.store.commit_batch(&pending.batch);
            self.metrics.batch(size, started.elapsed());
            match result {
                Ok(()) => {
                    self.metrics.set_store_degraded(false);
                    self.integrate(&pending, now);
                }
                // Another server took the lease over: nothing was written,
                // and this server writes nothing more.
                Err(StoreError::Fenced { current }) => {
                    if let Some(lease) = &self.lease {
                        lease.mark_lost(current);
                    }
                    self.metrics.commit_failed();
                    refused += after_commit.len() as u64;
                    for (reply, _) in after_commit.drain(..) {
                        answers.push((reply, Outcome::Refused(Refused::LeaseLost)));
                    }
                    self.metrics.outcomes(0, replayed, refused);
                    send_all(answers);
                    return;
                }
                Err(err) => {
                    tracing::error!(error = %DisplayChain(&err), commands = size, "group commit failed");
                    self.metrics.commit_failed();
                    let unavailable = err.is_unavailable();
                    self.metrics.set_store_degraded(unavailable);
                    self.uncertain = Some(Uncertain { pending, now });
                    // Settled at once if the store answers (a refused
                    // write); otherwise before the next batch.
                    let _ = self.settle();
                    refused += after_commit.len() as u64;
                    let refusal = Refused::from(err);
                    for (reply, _) in after_commit.drain(..) {
                        answers.push((reply, Outcome::Refused(refusal.clone())));
                    }
                    self.metrics.outcomes(0, replayed, refused);
                    send_all(answers);
                    return;
                }
            }
        }
        self.metrics.outcomes(
            accepted,
            replayed + (after_commit.len() as u64 - accepted),
            refused,
        );
        for (reply, accepted) in after_commit {
            answers.push((reply, Outcome::Accepted(accepted)));
        }
        send_all(answers);
    }

    /// Integrates a durable batch: the versions it stored, the tallies,
    /// the tree and the next index.
    pub(super) fn integrate(&mut self, pending: &Pending, now: UnixTime) {
        for a in &pending.applied {
            self.known.set_version(a.tps, a.contest, a.version);
            self.pace.record(a.tps, a.contest, now);
        }
        for ((tps, contest), current) in &pending.forms {
            self.known.set_digest(*tps, *contest, current.digest);
        }
        self.apply(pending, now);
        self.next_index += pending.batch.entries.len() as u64;
    }

    /// Applies a committed batch to the tallies and the tree: one write
    /// lock, so readers see all of it or none of it.
    fn apply(&self, pending: &Pending, now: UnixTime) {
        if pending.batch.entries.is_empty() {
            return;
        }
        let mut live = write_live(&self.live);
        for a in &pending.applied {
            live.tallies
                .apply(&self.election, a.tps, a.contest, a.old.as_ref(), &a.new);
            live.reconciliation
                .set_form(&self.election.tree, a.tps, a.contest, &a.new);
        }
        for e in &pending.batch.entries {
            live.tree.append(e.leaf_hash);
        }
        let live = &mut *live;
        for change in &pending.review {
            change.apply(&mut live.review, &mut live.signoffs);
        }
        for change in &pending.logistics {
            change.apply_read(&mut live.logistics, &mut live.readiness);
            change.reconcile(&self.election, &live.logistics, &mut live.reconciliation);
        }
        let size = self.next_index + pending.batch.entries.len() as u64;
        for region in self.commissioner_regions_changed(pending) {
            let count = self.registry.commissioners(region, size, now);
            live.commissioners.insert(region, count);
        }
        // Each write is a committed incident event, durable and now
        // visible: where notifications (webhooks, the SSE stream) learn of
        // it.
        for w in &pending.batch.incidents {
            let (record, event) = (&w.incident.record, &w.event);
            let entered = live.incidents.apply(
                w.incident.id,
                event.seq,
                event.action,
                event.at,
                record.public.clone(),
            );
            if let Err(err) = entered {
                tracing::error!(error = %err, "a committed incident event does not fit the book");
                continue;
            }
            if let Some(notice) = NoticeEvent::of(event.action) {
                let id = IncidentId(w.incident.id);
                // Its deliveries were stored in the batch (`outgoing`).
                let notice = Notice {
                    stored: true,
                    ..Notice::of(notice, id, record, event.at, now)
                };
                self.notifier.publish(notice);
            }
        }
        live.last_updated = Some(now);
    }
}

fn send_all(answers: Vec<(oneshot::Sender<Outcome>, Outcome)>) {
    for (reply, outcome) in answers {
        // The client may have gone away; its submission stands.
        let _ = reply.send(outcome);
    }
}
