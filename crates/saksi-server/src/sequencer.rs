//! The sequencer: the one writer, deciding what depends on state
//! (DESIGN §8, issue 2 §8).
//!
//! Handlers parse and validate concurrently, then queue a [`Command`]. One
//! dedicated thread (rusqlite is synchronous) drains the queue into batches
//! (group commit), decides each command against the store *and* the earlier
//! commands of its batch (idempotency keys, version order), assigns log
//! indexes from its own counter, writes the batch in one durable
//! transaction, applies the accepted versions to the live tallies under one
//! write lock, and only then answers each request. A refused command does
//! not abort its batch.
//!
//! Seam for the transparency log: the accepted versions of a batch, in log
//! order, are appended to the Merkle tree where they are applied to the
//! tallies.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use saksi_core::form::{self, CHasil, Issue};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Election, RegionCode, RegionId};
use saksi_store::{Batch, IdempotencyRecord, RequestKey, Store, StoredVersion};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::codes;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::{Live, write_live};

/// A validated submission waiting to be sequenced.
#[derive(Debug)]
pub struct Command {
    /// Who submits (`user:<id>`): the scope of the idempotency key.
    pub principal: String,
    pub key: String,
    /// SHA-256 of what was asked (TPS, contest, body).
    pub request_hash: [u8; 32],
    pub tps: RegionId,
    pub tps_code: RegionCode,
    pub contest: Contest,
    pub form: CHasil,
    pub warnings: Vec<Issue>,
    pub reply: oneshot::Sender<Outcome>,
}

/// The sequencer's answer to one command.
#[derive(Debug)]
pub enum Outcome {
    /// Stored as a new version (201), or a retry of a stored request: the
    /// first answer, byte for byte.
    Answer {
        status: u16,
        body: Bytes,
    },
    Refused(ApiError),
}

/// The queue into the sequencer. Cheap to clone; the thread stops when
/// every handle is dropped.
#[derive(Debug, Clone)]
pub struct SequencerHandle {
    tx: mpsc::Sender<Command>,
}

impl SequencerHandle {
    /// Queues a command, or refuses at once (503) when the queue is full.
    pub fn submit(&self, command: Command) -> Result<(), ApiError> {
        self.tx.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                ApiError::new(codes::OVERLOADED, "too many submissions are waiting; retry")
                    .retry_after(1)
            }
            mpsc::error::TrySendError::Closed(_) => {
                ApiError::new(codes::UNAVAILABLE, "the server is shutting down").retry_after(5)
            }
        })
    }

    /// Commands waiting in the queue.
    pub fn depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// The queue's capacity.
    pub fn capacity(&self) -> usize {
        self.tx.max_capacity()
    }
}

/// What the sequencer thread works with.
pub(crate) struct Sequencer {
    pub election: Arc<Election>,
    pub store: Arc<dyn Store>,
    pub live: Arc<RwLock<Live>>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    pub max_batch: usize,
    /// The next log index to assign: the log's size as stored.
    pub next_index: u64,
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
        while let Some(first) = rx.blocking_recv() {
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

    /// Decides, commits, applies and answers one batch.
    fn process(&mut self, commands: Vec<Command>) {
        let now = self.clock.now();
        let mut pending = Pending::default();
        let mut answers: Vec<(oneshot::Sender<Outcome>, Outcome)> = Vec::new();
        let mut after_commit: Vec<(oneshot::Sender<Outcome>, Bytes)> = Vec::new();
        let mut replayed = 0u64;
        let size = commands.len();
        for command in commands {
            match self.decide(command, now, &mut pending) {
                Decided::Now(reply, outcome) => {
                    if matches!(outcome, Outcome::Answer { .. }) {
                        replayed += 1;
                    }
                    answers.push((reply, outcome));
                }
                Decided::AfterCommit(reply, body) => after_commit.push((reply, body)),
            }
        }
        let accepted = pending.applied.len() as u64;
        let mut refused = answers.len() as u64 - replayed;
        if !pending.batch.versions.is_empty() || !pending.batch.idempotency.is_empty() {
            let started = Instant::now();
            let result = self.store.commit_batch(&pending.batch);
            self.metrics.batch(size, started.elapsed());
            match result {
                Ok(()) => self.apply(&pending.applied, now),
                Err(err) => {
                    tracing::error!(error = %err, commands = size, "group commit failed; nothing of the batch was stored");
                    self.metrics.commit_failed();
                    refused += after_commit.len() as u64;
                    for (reply, _) in after_commit.drain(..) {
                        let error = ApiError::new(
                            codes::INTERNAL,
                            "the server failed to store the submission; retry",
                        );
                        answers.push((reply, Outcome::Refused(error)));
                    }
                    self.metrics.outcomes(0, replayed, refused);
                    send_all(answers);
                    return;
                }
            }
        }
        self.next_index += accepted;
        self.metrics.outcomes(
            accepted,
            replayed + (after_commit.len() as u64 - accepted),
            refused,
        );
        for (reply, body) in after_commit {
            answers.push((reply, Outcome::Answer { status: 201, body }));
        }
        send_all(answers);
    }

    /// Applies a committed batch to the tallies: one write lock, so readers
    /// see all of it or none of it.
    fn apply(&self, applied: &[Applied], now: UnixTime) {
        if applied.is_empty() {
            return;
        }
        let mut live = write_live(&self.live);
        for a in applied {
            live.tallies
                .apply(&self.election, a.tps, a.contest, a.old.as_ref(), &a.new);
        }
        live.log_size += applied.len() as u64;
        live.last_updated = Some(now);
    }

    fn decide(&self, command: Command, now: UnixTime, pending: &mut Pending) -> Decided {
        let Command {
            principal,
            key,
            request_hash,
            tps,
            tps_code,
            contest,
            form,
            warnings,
            reply,
        } = command;
        let id_key = (principal.clone(), key.clone());
        // Idempotency: earlier in this batch, then the store.
        if let Some((hash, body)) = pending.keys.get(&id_key) {
            return if *hash == request_hash {
                Decided::AfterCommit(reply, body.clone())
            } else {
                Decided::Now(reply, Outcome::Refused(key_reused()))
            };
        }
        match self.store.idempotency(&principal, &key) {
            Err(err) => return Decided::Now(reply, Outcome::Refused(err.into())),
            Ok(Some(record)) if record.request_hash == request_hash => {
                let outcome = Outcome::Answer {
                    status: record.response_status,
                    body: Bytes::from(record.response_body),
                };
                return Decided::Now(reply, outcome);
            }
            Ok(Some(_)) => return Decided::Now(reply, Outcome::Refused(key_reused())),
            Ok(None) => {}
        }
        // Version order: the current version, earlier in this batch or stored.
        let (current, old) = match pending.forms.get(&(tps, contest)) {
            Some((version, form)) => (*version, Some(form.clone())),
            None => match self.stored_current(tps_code, contest) {
                Ok(Some((version, form))) => (version, Some(form)),
                Ok(None) => (0, None),
                Err(err) => return Decided::Now(reply, Outcome::Refused(err)),
            },
        };
        let version = current + 1;
        let log_index = self.next_index + pending.applied.len() as u64;
        let submitted_at = now.to_string();
        let body = json!({
            "version": version,
            "warnings": warnings,
            "receipt": {
                "tps": tps_code.to_string(),
                "contest": contest,
                "version": version,
                "log_index": log_index,
                "submitted_at": submitted_at,
            },
        });
        let (Ok(body), Ok(form_json), Ok(warnings_json)) = (
            serde_json::to_string(&body),
            serde_json::to_string(&form),
            serde_json::to_string(&warnings),
        ) else {
            let error = ApiError::internal("a form or answer could not be serialised");
            return Decided::Now(reply, Outcome::Refused(error));
        };
        let store_time = now;
        pending.batch.versions.push(StoredVersion {
            tps: tps_code,
            contest,
            version,
            log_index,
            form_json,
            warnings_json,
            submitted_by: principal.clone(),
            submitted_at: store_time,
            request: Some(RequestKey {
                key: key.clone(),
                request_hash: request_hash.to_vec(),
            }),
        });
        pending.batch.idempotency.push(IdempotencyRecord {
            principal,
            key,
            request_hash: request_hash.to_vec(),
            response_status: 201,
            response_body: body.clone(),
            created_at: store_time,
        });
        let body = Bytes::from(body);
        pending.keys.insert(id_key, (request_hash, body.clone()));
        pending
            .forms
            .insert((tps, contest), (version, form.clone()));
        pending.applied.push(Applied {
            tps,
            contest,
            old,
            new: form,
        });
        Decided::AfterCommit(reply, body)
    }

    /// The stored current version of a form and the form itself.
    fn stored_current(
        &self,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<Option<(u32, CHasil)>, ApiError> {
        let Some(stored) = self.store.current_form(tps, contest)? else {
            return Ok(None);
        };
        let form = form::parse(contest, stored.form_json.as_bytes()).map_err(|e| {
            ApiError::internal(format!(
                "stored form {tps}/{contest} v{} does not parse: {e}",
                stored.version
            ))
        })?;
        Ok(Some((stored.version, form)))
    }
}

fn key_reused() -> ApiError {
    ApiError::new(
        codes::IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was already used for a different request",
    )
}

fn send_all(answers: Vec<(oneshot::Sender<Outcome>, Outcome)>) {
    for (reply, outcome) in answers {
        // The client may have gone away; its submission stands.
        let _ = reply.send(outcome);
    }
}

/// One decided command.
enum Decided {
    Now(oneshot::Sender<Outcome>, Outcome),
    AfterCommit(oneshot::Sender<Outcome>, Bytes),
}

/// A version to apply to the tallies once its batch is durable.
struct Applied {
    tps: RegionId,
    contest: Contest,
    old: Option<CHasil>,
    new: CHasil,
}

/// What the commands decided so far in one batch have changed.
#[derive(Default)]
struct Pending {
    batch: Batch,
    /// (principal, key) -> (request hash, answer).
    keys: HashMap<(String, String), ([u8; 32], Bytes)>,
    /// (tps, contest) -> (version, form) accepted in this batch.
    forms: HashMap<(RegionId, Contest), (u32, CHasil)>,
    applied: Vec<Applied>,
}
