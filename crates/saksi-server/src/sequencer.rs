//! The sequencer: the one writer, deciding what depends on state.
//!
//! Handlers parse and validate concurrently, then queue a [`Command`]. One
//! dedicated thread (the store is synchronous) drains the queue into batches
//! (group commit), decides each command against the store *and* the earlier
//! commands of its batch (idempotency keys, version order), assigns log
//! indexes from its own counter, writes the batch in one durable
//! transaction, applies the accepted versions to the live tallies under one
//! write lock, and only then answers each request. A refused command does
//! not abort its batch.
//!
//! The transparency log: each accepted fact (a form version, a key
//! registration or revocation) becomes one log entry (`crate::log::entry`)
//! written in the same transaction as the fact, and its receipt is made
//! before the commit (stored with the idempotency record, so a retry gets
//! the same receipt). Signed statements are checked here against the key
//! chain as it stands at their place in the log: a revocation decided
//! earlier in the same batch already counts. After the
//! commit the leaves are appended to the Merkle tree under the same write
//! lock that applies the tallies. While the store is behind the highest
//! signed checkpoint, every command is refused (nothing may be promised at
//! an index a signed checkpoint already covers). Under a writer lease each
//! batch carries its fencing token, checked by the store in the batch's
//! transaction; once the store says another server took the lease over,
//! every command is refused (`lease.lost`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use saksi_core::form::{self, CHasil, Issue};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Election, RegionCode, RegionId};
use saksi_log::{Verifier, leaf_hash};
use saksi_statement::form::version_digest;
use saksi_statement::{
    Entry, FormEntryV1, FormStatement, KeyAction, KeyStatement, Registry, Signed,
};
use saksi_store::{
    Batch, IdempotencyRecord, KeyRevocation, LogEntry, RequestKey, Store, StoreError, StoredKey,
    StoredVersion,
};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::codes;
use crate::error::ApiError;
use crate::keys::{KeyLoadError, refusal_error, registry_from_store};
use crate::lease::{self, WriterLease};
use crate::log::receipt::ReceiptHeader;
use crate::log::{LogPublisher, receipt};
use crate::metrics::Metrics;
use crate::state::{Live, write_live};

/// A validated request waiting to be sequenced: a fact to log, with the
/// idempotency scope that makes a retry return the first answer.
#[derive(Debug)]
pub struct Command {
    /// Who submits: `user:<id>` for a session, `statement` for a signed
    /// statement (whose idempotency key is the statement's digest).
    pub principal: String,
    pub key: String,
    /// SHA-256 of what was asked, so a reused key with another request is
    /// refused.
    pub request_hash: [u8; 32],
    pub fact: Fact,
    pub reply: oneshot::Sender<Outcome>,
}

/// What a command asks to log.
#[derive(Debug)]
pub enum Fact {
    Form(Box<FormFact>),
    Key(Box<KeyFact>),
}

/// A validated C.Hasil version.
#[derive(Debug)]
pub struct FormFact {
    pub tps: RegionId,
    pub tps_code: RegionCode,
    pub contest: Contest,
    pub form: CHasil,
    /// The form as stored (its JSON) and as logged (RFC 8785), both made by
    /// the handler.
    pub form_json: String,
    pub form_canonical: Vec<u8>,
    pub warnings: Vec<Issue>,
    pub warnings_json: String,
    pub by: Submitter,
}

/// Who vouches for a form version.
#[derive(Debug)]
pub enum Submitter {
    /// An officer's session: the entry records the role and region (no
    /// name, no user id: entries hold no personal data).
    Session { role: Role, region: RegionCode },
    /// A KPPS device's signed statement, already verified by the handler;
    /// the sequencer checks the key against the chain, the version and
    /// `prev`.
    Signed {
        signed: Box<Signed<FormStatement>>,
        /// The parsed signer key, for the chain's checks.
        signer: Box<Verifier>,
    },
}

/// An officer's key registration or revocation, its signature verified by
/// the handler.
#[derive(Debug)]
pub struct KeyFact {
    pub signed: Signed<KeyStatement>,
    pub signer: Verifier,
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
    /// The log key (receipts) and whether the log may grow.
    pub log: Arc<LogPublisher>,
    pub max_batch: usize,
    /// The next log index to assign: the log's size as stored.
    pub next_index: u64,
    /// What the sequencer knows without asking the store.
    pub known: Known,
    /// The key chain as of the last assigned index.
    pub registry: Registry,
    /// The pinned root keys, to rebuild `registry` from the store when a
    /// batch that changed it fails to commit.
    pub roots: Vec<Verifier>,
    /// A batch whose commit failed. It may still have been written (a
    /// connection lost during COMMIT leaves the outcome unknown), so it is
    /// kept until the store's log size says which: nothing is decided
    /// before then.
    pub uncertain: Option<Uncertain>,
    /// The writer lease every batch is fenced with (`None`: no lease).
    pub lease: Option<Arc<WriterLease>>,
}

/// A batch whose commit failed, kept until the store says whether it was
/// written.
pub(crate) struct Uncertain {
    pending: Pending,
    now: UnixTime,
}

/// The metadata key a degraded sequencer writes to see whether the
/// database takes writes again.
const PROBE_KEY: &str = "write_probe";

/// How often a degraded sequencer asks the store whether it is back.
const SETTLE_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// What the sequencer keeps in memory so that the common case (a first
/// version, a fresh idempotency key) needs no read from the store: the
/// current version of every form (2 bytes a form: 8 MB for a nation) and a
/// 64-bit fingerprint of every idempotency key ever recorded. A fingerprint
/// hit only means "ask the store", so a collision costs a read, never a
/// wrong answer.
#[derive(Debug, Default)]
pub struct Known {
    /// `versions[(tps - first_tps) * 5 + contest]`.
    versions: Vec<u16>,
    first_tps: usize,
    keys: std::collections::HashSet<u64>,
}

impl Known {
    /// Room for every form of `election`.
    pub fn new(election: &Election) -> Known {
        let first_tps = election.tree.upper_len();
        Known {
            versions: vec![0; (election.tree.len() - first_tps) * Contest::ALL.len()],
            first_tps,
            keys: Default::default(),
        }
    }

    fn slot(&self, tps: RegionId, contest: Contest) -> Option<usize> {
        let i = tps.index().checked_sub(self.first_tps)?;
        Some(i * Contest::ALL.len() + contest.index())
    }

    /// Records a stored version.
    pub fn set_version(&mut self, tps: RegionId, contest: Contest, version: u32) {
        if let Some(slot) = self.slot(tps, contest).filter(|s| *s < self.versions.len()) {
            self.versions[slot] = u16::try_from(version).unwrap_or(u16::MAX);
        }
    }

    /// True if a version of this form is stored (or may be).
    fn has_version(&self, tps: RegionId, contest: Contest) -> bool {
        self.slot(tps, contest)
            .and_then(|s| self.versions.get(s))
            .is_none_or(|v| *v > 0)
    }

    /// Records an idempotency key as (possibly) stored.
    pub fn add_key(&mut self, principal: &str, key: &str) {
        self.keys.insert(fingerprint(principal, key));
    }

    fn may_have_key(&self, principal: &str, key: &str) -> bool {
        self.keys.contains(&fingerprint(principal, key))
    }
}

/// A 64-bit fingerprint of (principal, key): the first 8 bytes of SHA-256
/// over both, separated, so no crafted key can aim at another's.
fn fingerprint(principal: &str, key: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(principal.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().expect("SHA-256 has 32 bytes"))
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

    /// Decides, commits, applies and answers one batch.
    fn process(&mut self, commands: Vec<Command>) {
        let refusal = match self.lease.as_ref().and_then(|l| l.refusal()) {
            Some(lost) => Some(lost),
            None => match self.settle() {
                Err(err) => Some(err),
                Ok(()) => self.log.refusal().map(|r| r.error()),
            },
        };
        if let Some(refusal) = refusal {
            self.metrics.outcomes(0, 0, commands.len() as u64);
            for c in commands {
                let _ = c.reply.send(Outcome::Refused(refusal.clone_for_reply()));
            }
            return;
        }
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
        // A read that found the database gone degrades the server as a
        // failed commit does, so health says so and recovery is probed.
        if answers.iter().any(
            |(_, o)| matches!(o, Outcome::Refused(e) if e.code() == codes::STORE_UNAVAILABLE.code),
        ) {
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
                    let error = lease::lost_error();
                    for (reply, _) in after_commit.drain(..) {
                        answers.push((reply, Outcome::Refused(error.clone_for_reply())));
                    }
                    self.metrics.outcomes(0, replayed, refused);
                    send_all(answers);
                    return;
                }
                Err(err) => {
                    tracing::error!(error = %crate::error::DisplayChain(&err), commands = size, "group commit failed");
                    self.metrics.commit_failed();
                    let unavailable = err.is_unavailable();
                    self.metrics.set_store_degraded(unavailable);
                    self.uncertain = Some(Uncertain { pending, now });
                    // Settled at once if the store answers (a refused
                    // write); otherwise before the next batch.
                    let _ = self.settle();
                    refused += after_commit.len() as u64;
                    let error = ApiError::from(err);
                    for (reply, _) in after_commit.drain(..) {
                        answers.push((reply, Outcome::Refused(error.clone_for_reply())));
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
        for (reply, body) in after_commit {
            answers.push((reply, Outcome::Answer { status: 201, body }));
        }
        send_all(answers);
    }

    /// Integrates a durable batch: the versions it stored, the tallies,
    /// the tree and the next index.
    fn integrate(&mut self, pending: &Pending, now: UnixTime) {
        for a in &pending.applied {
            self.known.set_version(a.tps, a.contest, a.version);
        }
        self.apply(pending, now);
        self.next_index += pending.batch.entries.len() as u64;
    }

    /// Before deciding anything after a failed write: settles the batch
    /// whose commit failed ([`Sequencer::resolve`]), then, while degraded,
    /// probes with a small write (a full disk still answers reads) and
    /// clears the degraded state once it succeeds. Any failure refuses the
    /// batch at hand with 503.
    fn settle(&mut self) -> Result<(), ApiError> {
        if let Some(uncertain) = self.uncertain.take() {
            self.resolve(uncertain)?;
        }
        if self.metrics.store_degraded() {
            self.store
                .set_meta(PROBE_KEY, &self.clock.now().to_string())?;
            self.metrics.set_store_degraded(false);
            tracing::info!("the database takes writes again");
        }
        Ok(())
    }

    /// Settles a batch whose commit failed, from the store's log size: not
    /// written (the batch's key changes, applied to the registry as they
    /// were decided, are read back from the store), or written (integrated
    /// as if the commit had answered). While the store cannot say, it stays
    /// uncertain; a size that is neither is a store changed behind the
    /// server's back, refused until a restart.
    fn resolve(&mut self, uncertain: Uncertain) -> Result<(), ApiError> {
        let Uncertain { pending, now } = uncertain;
        let written = self.next_index + pending.batch.entries.len() as u64;
        let size = match self.store.log_size() {
            Ok(size) => size,
            Err(err) => {
                self.uncertain = Some(Uncertain { pending, now });
                return Err(err.into());
            }
        };
        if size == written && written > self.next_index {
            tracing::warn!(size, "the failed commit was written after all; integrated");
            self.integrate(&pending, now);
        } else if size == self.next_index {
            if !pending.batch.keys.is_empty() || !pending.batch.revocations.is_empty() {
                match registry_from_store(&self.roots, self.store.as_ref()) {
                    Ok(registry) => self.registry = registry,
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot read the keys back yet");
                        self.uncertain = Some(Uncertain { pending, now });
                        return Err(match err {
                            KeyLoadError::Store(e) => e.into(),
                            corrupt => ApiError::internal(corrupt),
                        });
                    }
                }
            }
        } else {
            tracing::error!(
                size,
                expected = self.next_index,
                "the store's log size changed behind the server; restart it"
            );
            self.uncertain = Some(Uncertain { pending, now });
            return Err(ApiError::internal(format!(
                "the store holds {size} log entries, expected {} or {written}",
                self.next_index
            )));
        }
        Ok(())
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
        }
        for e in &pending.batch.entries {
            live.tree.append(e.leaf_hash);
        }
        live.last_updated = Some(now);
    }

    fn decide(&mut self, command: Command, now: UnixTime, pending: &mut Pending) -> Decided {
        let Command {
            principal,
            key,
            request_hash,
            fact,
            reply,
        } = command;
        let id_key = (principal, key);
        // Idempotency: earlier in this batch, then the store.
        if let Some((hash, body)) = pending.keys.get(&id_key) {
            return if *hash == request_hash {
                Decided::AfterCommit(reply, body.clone())
            } else {
                Decided::Now(reply, Outcome::Refused(key_reused()))
            };
        }
        let (principal, key) = &id_key;
        let stored = if self.known.may_have_key(principal, key) {
            self.store.idempotency(principal, key)
        } else {
            Ok(None)
        };
        match stored {
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
        let log_index = self.next_index + pending.batch.entries.len() as u64;
        let decided = match fact {
            Fact::Form(fact) => {
                self.decide_form(*fact, log_index, now, &id_key, request_hash, pending)
            }
            Fact::Key(fact) => self.decide_key(*fact, log_index, now, pending),
        };
        let body = match decided {
            Ok(body) => body,
            Err(err) => return Decided::Now(reply, Outcome::Refused(err)),
        };
        // Before the commit: if it fails, the fingerprint only costs a read.
        self.known.add_key(principal, key);
        pending.batch.idempotency.push(IdempotencyRecord {
            principal: principal.clone(),
            key: key.clone(),
            request_hash: request_hash.to_vec(),
            response_status: 201,
            response_body: body.clone(),
            created_at: now,
        });
        let body = Bytes::from(body);
        pending.keys.insert(id_key, (request_hash, body.clone()));
        Decided::AfterCommit(reply, body)
    }

    /// Decides a form version: its place after the current version, and
    /// for a signed statement its key, version and `prev`. Returns the
    /// answer's body.
    fn decide_form(
        &mut self,
        fact: FormFact,
        log_index: u64,
        now: UnixTime,
        (principal, key): &(String, String),
        request_hash: [u8; 32],
        pending: &mut Pending,
    ) -> Result<String, ApiError> {
        let FormFact {
            tps,
            tps_code,
            contest,
            form,
            form_json,
            form_canonical,
            warnings,
            warnings_json,
            by,
        } = fact;
        // Version order: the current version, earlier in this batch or stored.
        let (current, old, prev) = match pending.forms.get(&(tps, contest)) {
            Some((version, form, prev)) => (*version, Some(form.clone()), Some(*prev)),
            None if !self.known.has_version(tps, contest) => (0, None, None),
            None => match self.stored_current(tps_code, contest)? {
                Some((version, form, prev)) => (version, Some(form), Some(prev)),
                None => (0, None, None),
            },
        };
        let version = current + 1;
        let (data, digest, statement_sha256) = match &by {
            Submitter::Session { role, region } => {
                let data = FormEntryV1 {
                    tps: tps_code,
                    contest,
                    version,
                    prev,
                    form: form.clone(),
                    form_bytes: form_canonical,
                    role: *role,
                    region: *region,
                    submitted_at: now,
                }
                .encode();
                let digest = saksi_statement::entry::entry_sha256(&data);
                (data, digest, None)
            }
            Submitter::Signed { signed, signer } => {
                let stated = &signed.statement.version;
                let stated_prev = &signed.statement.prev;
                self.registry
                    .check_form_signer(signer, tps_code, now)
                    .map_err(refusal_error)?;
                if *stated != version {
                    return Err(ApiError::new(
                        codes::STATEMENT_VERSION_NOT_NEXT,
                        format!("the statement is version {stated}; the next version of this form is {version}"),
                    )
                    .with_details(json!({"current_version": current})));
                }
                if *stated_prev != prev {
                    return Err(ApiError::new(
                        codes::STATEMENT_PREV_MISMATCH,
                        "`prev` is not the digest of the form's current version",
                    )
                    .with_details(json!({"expected_prev": prev.map(hex::encode)})));
                }
                let sha256 = signed.sha256();
                (signed.entry(now), sha256, Some(sha256))
            }
        };
        let leaf = leaf_hash(&data);
        let header = ReceiptHeader {
            form: Some((tps_code.to_string(), contest.id().to_owned(), version)),
            time: now.to_string(),
            statement_sha256,
        };
        let receipt = receipt::unsigned_receipt(log_index, &header, &data, &leaf);
        let body = json!({
            "version": version,
            "warnings": warnings,
            "receipt": receipt,
        })
        .to_string();
        let submitted_by = match &by {
            Submitter::Session { .. } => principal.clone(),
            Submitter::Signed { signed, .. } => format!("key:{}", signed.signer),
        };
        pending.batch.versions.push(StoredVersion {
            tps: tps_code,
            contest,
            version,
            log_index,
            form_json,
            warnings_json,
            submitted_by,
            submitted_at: now,
            request: Some(RequestKey {
                key: key.clone(),
                request_hash: request_hash.to_vec(),
            }),
        });
        pending
            .forms
            .insert((tps, contest), (version, form.clone(), digest));
        pending.batch.entries.push(LogEntry {
            index: log_index,
            data,
            leaf_hash: leaf,
        });
        pending.applied.push(Applied {
            tps,
            contest,
            version,
            old,
            new: form,
        });
        Ok(body)
    }

    /// Decides a key statement against the chain and applies it to the
    /// registry at once, so later commands of the batch see it.
    fn decide_key(
        &mut self,
        fact: KeyFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<String, ApiError> {
        let KeyFact { signed, signer } = fact;
        let statement = &signed.statement;
        let tree = &self.election.tree;
        self.registry
            .check_key_statement(&signer, statement, now, &|code| tree.find(code).is_some())
            .map_err(refusal_error)?;
        let data = signed.entry(now);
        let leaf = leaf_hash(&data);
        let key_text = statement.key.to_string();
        let action = match &statement.action {
            KeyAction::Register {
                role,
                region,
                valid_from,
                valid_until,
            } => {
                pending.batch.keys.push(StoredKey {
                    key: key_text.clone(),
                    role: role.id().to_owned(),
                    region: *region,
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                    registered_at: log_index,
                    revoked_at: None,
                });
                "register"
            }
            KeyAction::Revoke => {
                pending.batch.revocations.push(KeyRevocation {
                    key: key_text.clone(),
                    log_index,
                });
                "revoke"
            }
        };
        self.registry.apply(statement, log_index);
        let header = ReceiptHeader {
            form: None,
            time: now.to_string(),
            statement_sha256: Some(signed.sha256()),
        };
        let receipt = receipt::unsigned_receipt(log_index, &header, &data, &leaf);
        pending.batch.entries.push(LogEntry {
            index: log_index,
            data,
            leaf_hash: leaf,
        });
        Ok(json!({
            "log_index": log_index,
            "action": action,
            "key": key_text,
            "receipt": receipt,
        })
        .to_string())
    }

    /// The stored current version of a form, the form itself and its
    /// digest (the next version's `prev`).
    fn stored_current(
        &self,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<Option<(u32, CHasil, [u8; 32])>, ApiError> {
        let Some(stored) = self.store.current_form(tps, contest)? else {
            return Ok(None);
        };
        let form = form::parse(contest, stored.form_json.as_bytes()).map_err(|e| {
            ApiError::internal(format!(
                "stored form {tps}/{contest} v{} does not parse: {e}",
                stored.version
            ))
        })?;
        let index = stored.log_index;
        let entry = self.store.log_entries(index, index + 1)?;
        let digest = entry
            .first()
            .filter(|e| e.index == index)
            .and_then(|e| {
                let decoded = Entry::decode(&e.data).ok()?;
                version_digest(&decoded, &e.data)
            })
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "stored form {tps}/{contest} v{} has no readable log entry at {index}",
                    stored.version
                ))
            })?;
        Ok(Some((stored.version, form, digest)))
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
    version: u32,
    old: Option<CHasil>,
    new: CHasil,
}

/// What the commands decided so far in one batch have changed.
#[derive(Default)]
struct Pending {
    batch: Batch,
    /// (principal, key) -> (request hash, answer).
    keys: HashMap<(String, String), ([u8; 32], Bytes)>,
    /// (tps, contest) -> (version, form, digest) accepted in this batch.
    forms: HashMap<(RegionId, Contest), (u32, CHasil, [u8; 32])>,
    applied: Vec<Applied>,
}
