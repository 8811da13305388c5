//! The sequencer: the one writer, deciding what depends on state.
//!
//! Handlers parse and validate concurrently, then queue a [`Command`]. One
//! dedicated thread (the store is synchronous) drains the queue into
//! batches (group commit), decides each command against the store *and*
//! the earlier commands of its batch (idempotency keys, version order),
//! assigns log indexes from its own counter, writes the batch in one
//! durable transaction, applies the accepted versions to the live tallies
//! under one write lock, and only then answers each request with an
//! [`Outcome`]. A refused command does not abort its batch. It decides and
//! says why in types; what an outcome looks like on the wire is the
//! controllers' business.
//!
//! The transparency log: each accepted fact (a form version, a key
//! registration or revocation) becomes one log entry
//! (`docs/log-entries.md`) written in the same transaction as the fact,
//! and its receipt is made before the commit (stored with the idempotency
//! record, so a retry gets the same receipt). Signed statements are checked
//! here against the key chain as it stands at their place in the log: a
//! revocation decided earlier in the same batch already counts. After the
//! commit the leaves are appended to the Merkle tree under the same write
//! lock that applies the tallies. While the store is behind the highest
//! signed checkpoint, every command is refused (nothing may be promised at
//! an index a signed checkpoint already covers). Under a writer lease each
//! batch carries its fencing token, checked by the store in the batch's
//! transaction; once the store says another server took the lease over,
//! every command is refused.
//!
//! - `run`: the queue, the loop and one batch from decisions to answers;
//! - `decide`: each command against the store, the chain and the batch;
//! - `admit`: whether a new form version says something new and keeps
//!   to the hourly limit;
//! - `decision`: what the sequencer answers;
//! - `settle`: a batch whose commit outcome is unknown;
//! - `incident`: an incident's filing or event against the book;
//! - `review`: an objection or a ruling against the review;
//! - `logistics`: a shipment or a delivery against the logistics chain's
//!   stocks;
//! - `reload`: reading back what is kept of the facts marked in an index
//!   table;
//! - `signoff`: a commissioner's confirmation of a sign-off, and the locks
//!   final sign-offs put on what is below them;
//! - `sweep`: the thread that queues the server's own escalations when
//!   deadlines fall due;
//! - `memory`: what it remembers without asking the store (idempotency
//!   fingerprints, current versions).

mod admit;
mod decide;
mod decision;
mod incident;
mod logistics;
mod memory;
mod reload;
mod review;
mod run;
mod settle;
mod signoff;
mod sweep;

use std::sync::{Arc, RwLock};

use saksi_core::form::{CHasil, Issue};
use saksi_core::incident::Deadlines;
use saksi_core::{Contest, Election, RegionCode, RegionId};
use saksi_log::Verifier;
use saksi_statement::{FormStatement, KeyStatement, Logistics, Registry, Review, Signed, Signoffs};
use saksi_store::Store;
use tokio::sync::{mpsc, oneshot};

pub(crate) use admit::Pace;
pub use admit::VERSIONS_PER_HOUR;
pub use decision::{Accepted, Outcome, Refused, Replayed};
pub use incident::{Filing, IncidentFact, IncidentRefusal};
pub use logistics::{DeliveryFact, ShipmentFact, logistics_from_store, received_from};
pub use memory::{IdempotencyKey, Known};
pub use reload::ReloadError;
pub use review::{ObjectionFact, RulingFact, review_from_store};
pub(crate) use settle::Uncertain;
pub use signoff::{NoFormFact, ReopenFact, SignoffFact};
pub(crate) use sweep::Sweep;

use crate::clock::Clock;
use crate::lease::WriterLease;
use crate::live::Live;
use crate::log::LogPublisher;
use crate::metrics::Metrics;
use crate::notify::Notifier;

/// A validated request waiting to be sequenced: a fact to log, with the
/// idempotency scope that makes a retry return the first answer.
#[derive(Debug)]
pub struct Command {
    /// Who asks and under which idempotency key: a session's user and its
    /// `Idempotency-Key` header, or a signed statement and its digest.
    pub request: IdempotencyKey,
    /// SHA-256 of what was asked, so a reused idempotency key with another
    /// request is refused.
    pub request_hash: [u8; 32],
    pub fact: Fact,
    pub reply: oneshot::Sender<Outcome>,
}

/// What a command asks to log.
#[derive(Debug)]
pub enum Fact {
    Form(Box<FormFact>),
    Key(Box<KeyFact>),
    Incident(Box<IncidentFact>),
    Objection(Box<ObjectionFact>),
    Ruling(Box<RulingFact>),
    Signoff(Box<SignoffFact>),
    Reopen(Box<ReopenFact>),
    NoForm(Box<NoFormFact>),
    Shipment(Box<ShipmentFact>),
    Delivery(Box<DeliveryFact>),
}

/// A validated C.Hasil version.
#[derive(Debug)]
pub struct FormFact {
    pub tps: RegionId,
    pub tps_code: RegionCode,
    pub contest: Contest,
    pub form: CHasil,
    /// The form as stored (its JSON), made by the handler.
    pub form_json: String,
    pub warnings: Vec<Issue>,
    pub warnings_json: String,
    /// The signed statement, already verified by the handler; the
    /// sequencer checks its signer against the chain, the version, `prev`
    /// and whether it may supersede the current version.
    pub signed: Box<Signed<FormStatement>>,
    /// The parsed signer key, for the chain's checks.
    pub signer: Box<Verifier>,
}

/// An officer's key registration or revocation, its signature verified by
/// the handler.
#[derive(Debug)]
pub struct KeyFact {
    pub signed: Signed<KeyStatement>,
    pub signer: Verifier,
}

/// The queue into the sequencer. Cheap to clone; the thread stops when
/// every handle is dropped.
#[derive(Debug, Clone)]
pub struct SequencerHandle {
    tx: mpsc::Sender<Command>,
}

impl SequencerHandle {
    /// Queues a command, or refuses at once when the queue is full or the
    /// sequencer has stopped.
    pub fn submit(&self, command: Command) -> Result<(), Refused> {
        self.tx.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Refused::Overloaded,
            mpsc::error::TrySendError::Closed(_) => Refused::Stopped,
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
    /// The objections of the log and what became of them: a correction
    /// is decided against it.
    pub review: Review,
    /// The sign-offs: a confirmation is decided against them, and a final
    /// region locks the forms below it.
    pub signoffs: Signoffs,
    /// The shipments and every office's stock: a shipment and a delivery
    /// are decided against them.
    pub logistics: Logistics,
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
    /// The times of recent versions of forms near the hourly limit.
    pub pace: Pace,
    /// How long an incident's owner has to acknowledge and to resolve.
    pub deadlines: Deadlines,
    /// Told of every incident event once it is durable (webhooks, the
    /// live stream).
    pub notifier: Notifier,
}
