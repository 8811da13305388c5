//! Server settings, resolved once by the caller (the CLI) and passed in.

use std::sync::Arc;
use std::time::Duration;

use saksi_core::incident::Deadlines;
use saksi_core::logistics::{self, AllocationTable, PollingDay};
use saksi_statement::Quorum;
use saksi_store::BlobStore;

use crate::credentials::totp_key::TotpKey;
use crate::lease::WriterLease;

/// Settings of one server. `Default` gives the production values.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Submissions waiting for the sequencer before new ones get 503.
    pub queue_capacity: usize,
    /// The most submissions one group commit takes.
    pub max_batch: usize,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// How long a connection may take to send a request's headers before
    /// it is closed: a client sending half its headers must not hold a
    /// connection (and its memory) for long.
    pub header_read_timeout: Duration,
    /// The most connections served at once; beyond it new connections wait
    /// in the system's accept queue until one closes, instead of
    /// accumulating in the server.
    pub max_connections: usize,
    /// Who may read `/metrics` on the main address.
    pub metrics: MetricsAccess,
    /// The shortest time between two signed checkpoints: the publisher
    /// signs when the tree grew, at most this often (C2SP witnesses and
    /// auditors poll; a second keeps checkpoints fresh and cheap).
    pub checkpoint_interval: Duration,
    /// The writer lease this server took ([`crate::lease::acquire`]): its
    /// token fences every batch and checkpoint, and a stop releases it.
    /// `None` (the default, for tests and tools) writes without a lease.
    pub lease: Option<Arc<WriterLease>>,
    /// Passwords checked (Argon2) at once; a login beyond this is answered
    /// 503 at once rather than queued, so that logins can never take the
    /// cores the write path needs. The default is the number of cores.
    pub max_password_checks: usize,
    /// The key that seals TOTP secrets in the store (the data directory's
    /// `totp.key`). `None` (the default, for tools that never check a
    /// second factor) makes every TOTP enrolment or check a 500: a server
    /// that serves staff logins is always given one.
    pub totp_key: Option<TotpKey>,
    /// Where photos are kept (the data directory's `photos/`; README:
    /// Photos). `None` (the default, for tools that serve no photo) makes
    /// every upload or download a 500 and lists every photo as not stored:
    /// a server that serves the public is always given one.
    pub photos: Option<Arc<dyn BlobStore>>,
    /// How long an incident's owner has to acknowledge and to resolve it,
    /// per severity (`--incident-deadlines`), before it escalates.
    pub incident_deadlines: Deadlines,
    /// How many commissioners confirm a sign-off at each level
    /// (`--signoff-quorum`; never more than are registered for a region).
    pub signoff_quorum: Quorum,
    /// What each kind of polling unit is sent (`--allocation`; the
    /// built-in 2024 table by default, docs/logistics.md).
    pub allocation: Arc<AllocationTable>,
    /// Polling day (`--polling-day`; 14 February 2024 by default): the
    /// logistics deadlines are counted from it.
    pub polling_day: PollingDay,
    /// By when each receiving level of the logistics chain must have its
    /// shipments delivered (`--logistics-deadlines`): past it, a shipment
    /// not delivered is overdue.
    pub logistics_deadlines: logistics::Deadlines,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            session_ttl: Duration::from_secs(12 * 60 * 60),
            queue_capacity: 10_000,
            max_batch: 1000,
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            metrics: MetricsAccess::Hidden,
            checkpoint_interval: Duration::from_secs(1),
            lease: None,
            max_password_checks: std::thread::available_parallelism().map_or(1, |n| n.get()),
            totp_key: None,
            photos: None,
            incident_deadlines: Deadlines::default(),
            signoff_quorum: Quorum::default(),
            allocation: Arc::new(AllocationTable::default()),
            polling_day: PollingDay::default(),
            logistics_deadlines: logistics::Deadlines::default(),
        }
    }
}

/// How `/metrics` is served. Its counters (queue depth, refusals, the
/// writer lease) help whoever floods or probes the server, so it is never
/// public by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Not served: `/metrics` on the main address is 404.
    Hidden,
    /// On the main address, to requests bearing this token.
    Token(String),
    /// Not on the main address (404) but on another listener serving
    /// [`crate::App::metrics_router`], to requests bearing the token if
    /// there is one (that address may be reachable by more than Prometheus).
    Separate { token: Option<String> },
}

impl MetricsAccess {
    /// The token a request for `/metrics` must bear, if any.
    pub fn token(&self) -> Option<&str> {
        match self {
            MetricsAccess::Hidden => None,
            MetricsAccess::Token(token) => Some(token),
            MetricsAccess::Separate { token } => token.as_deref(),
        }
    }
}
