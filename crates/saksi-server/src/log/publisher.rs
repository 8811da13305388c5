//! The checkpoint publisher: signs a C2SP tlog-checkpoint over the
//! integrated tree when it grew, at most once per
//! [`Config::checkpoint_interval`](crate::Config::checkpoint_interval).
//!
//! It reads the size and root under the live lock, which only ever reflects
//! committed batches, so it never signs over an entry that is not durable.
//! Before a checkpoint is published its note is recorded in `log.highest`
//! ([`saksi_store::highest`]). A store that is behind that record (a restored
//! backup), or that holds another history at a signed size, makes the
//! publisher refuse: it signs nothing more and says why ([`Refusal`]).
//! Under a writer lease it also checks the lease's fencing token with the
//! store before each signature, so a server another took over from signs
//! nothing more ([`PublishError::LeaseLost`]).

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use saksi_log::{Checkpoint, CheckpointError, Signer, Verifier, root_at};
use saksi_store::StoreError;
use saksi_store::highest;

use crate::codes::{self, ErrorCode};
use crate::error::ApiError;
use crate::lease::WriterLease;
use crate::live::Live;
use crate::metrics::Metrics;

pub use saksi_store::highest::Published;

/// Why the server refuses to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The store holds fewer entries than a checkpoint already signed.
    Behind { stored: u64, signed: u64 },
    /// The store's first `size` entries are not those a signed checkpoint
    /// covers.
    Diverged { size: u64 },
}

impl Refusal {
    /// The stable code (`/healthz` reason, 503 answers).
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Behind { .. } => codes::LOG_BEHIND_SIGNED,
            Refusal::Diverged { .. } => codes::LOG_DIVERGED,
        }
    }

    /// What an operator reads.
    pub fn message(&self) -> String {
        match self {
            Refusal::Behind { stored, signed } => format!(
                "the store holds {stored} log entries but a checkpoint of size {signed} was \
                 already signed (log.highest): the database is older than the log (a restored \
                 backup?); refusing to sign until the missing entries are restored"
            ),
            Refusal::Diverged { size } => format!(
                "the store's first {size} log entries do not have the root of the checkpoint \
                 of size {size} already signed (log.highest): refusing to sign another history"
            ),
        }
    }

    /// A 503 answer saying why.
    pub fn error(&self) -> ApiError {
        ApiError::new(self.code(), self.message()).retry_after(60)
    }
}

/// Why a checkpoint was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("refusing to sign: {}", .0.message())]
    Refused(Refusal),
    #[error("cannot sign the checkpoint")]
    Sign(#[from] CheckpointError),
    #[error("cannot record the highest signed checkpoint")]
    Record(#[from] std::io::Error),
    /// Another server took the writer lease over: this one signs no more.
    #[error("not signing: another server took over writing this election")]
    LeaseLost,
    /// The lease's token could not be checked (the database did not
    /// answer): nothing is signed until it can be.
    #[error("not signing: cannot check the writer lease")]
    Fence(#[source] StoreError),
}

/// What readers see: the latest checkpoint, or why there is none.
#[derive(Debug, Default)]
struct View {
    latest: Option<Arc<Published>>,
    refusal: Option<Refusal>,
}

/// Signs and holds the log's checkpoints. Shared by the publisher thread,
/// the sequencer (which signs receipts only while the log is healthy) and
/// the handlers.
#[derive(Debug)]
pub struct LogPublisher {
    signer: Signer,
    verifier: Verifier,
    highest_path: PathBuf,
    live: Arc<RwLock<Live>>,
    metrics: Arc<Metrics>,
    /// The highest checkpoint signed; held while signing, so two attempts
    /// never interleave.
    highest: Mutex<Option<Published>>,
    view: RwLock<View>,
    /// The writer lease whose token is checked before each signature.
    lease: Option<Arc<WriterLease>>,
}

impl LogPublisher {
    /// A publisher that knows the highest checkpoint signed so far.
    pub(crate) fn new(
        signer: Signer,
        highest_path: PathBuf,
        highest: Option<Published>,
        live: Arc<RwLock<Live>>,
        metrics: Arc<Metrics>,
        lease: Option<Arc<WriterLease>>,
    ) -> LogPublisher {
        LogPublisher {
            verifier: signer.verifier(),
            signer,
            highest_path,
            live,
            metrics,
            highest: Mutex::new(highest),
            view: RwLock::new(View::default()),
            lease,
        }
    }

    /// The log's origin (the key name).
    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// The log's verifier key.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The log key, for receipts.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The latest published checkpoint, or the refusal (503) that keeps
    /// the server from publishing one.
    pub fn latest(&self) -> Result<Arc<Published>, ApiError> {
        let view = self.view.read().unwrap_or_else(|e| e.into_inner());
        match (&view.refusal, &view.latest) {
            (Some(r), _) => Err(r.error()),
            (None, Some(p)) => Ok(Arc::clone(p)),
            (None, None) => Err(ApiError::new(
                codes::UNAVAILABLE,
                "no checkpoint is published yet; retry",
            )
            .retry_after(1)),
        }
    }

    /// Why the server refuses to sign, if it does.
    pub fn refusal(&self) -> Option<Refusal> {
        let view = self.view.read().unwrap_or_else(|e| e.into_inner());
        view.refusal.clone()
    }

    /// Signs a checkpoint if the tree grew since the last one; returns
    /// whether it signed. The first call also publishes the recorded
    /// checkpoint when the tree has not grown since (after a restart).
    pub fn publish(&self) -> Result<bool, PublishError> {
        let mut highest = self.highest.lock().unwrap_or_else(|e| e.into_inner());
        let (size, root, refusal) = {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            let tree = &live.tree;
            let size = tree.len();
            let refusal = match &*highest {
                Some(h) if size < h.checkpoint.size => Some(Refusal::Behind {
                    stored: size,
                    signed: h.checkpoint.size,
                }),
                Some(h) => match root_at(tree, h.checkpoint.size) {
                    Ok(root) if root == h.checkpoint.root => None,
                    _ => Some(Refusal::Diverged {
                        size: h.checkpoint.size,
                    }),
                },
                None => None,
            };
            (size, tree.root(), refusal)
        };
        if let Some(refusal) = refusal {
            let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
            if view.refusal.as_ref() != Some(&refusal) {
                tracing::error!(code = refusal.code().code, "{}", refusal.message());
            }
            view.refusal = Some(refusal.clone());
            view.latest = None;
            self.metrics.log_refusing(true);
            return Err(PublishError::Refused(refusal));
        }
        if let Some(h) = &*highest
            && h.checkpoint.size == size
        {
            let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
            if view.latest.is_none() {
                view.latest = Some(Arc::new(h.clone()));
                self.metrics.checkpoint(size);
            }
            view.refusal = None;
            self.metrics.log_refusing(false);
            return Ok(false);
        }
        if let Some(lease) = &self.lease {
            match lease.check_fence() {
                Ok(()) => {}
                Err(StoreError::Fenced { .. }) => return Err(PublishError::LeaseLost),
                Err(err) => return Err(PublishError::Fence(err)),
            }
        }
        let checkpoint = Checkpoint::new(self.signer.name(), size, root);
        let note = checkpoint.sign(&self.signer)?;
        highest::write(&self.highest_path, &note)?;
        let published = Published { checkpoint, note };
        *highest = Some(published.clone());
        let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
        view.latest = Some(Arc::new(published));
        view.refusal = None;
        self.metrics.checkpoint(size);
        self.metrics.log_refusing(false);
        tracing::debug!(size, "checkpoint signed");
        Ok(true)
    }

    /// Starts the thread that publishes every `interval` until the returned
    /// sender is dropped.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        interval: Duration,
    ) -> std::io::Result<(mpsc::Sender<()>, std::thread::JoinHandle<()>)> {
        let (stop, stopped) = mpsc::channel::<()>();
        let me = Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name("saksi-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    match me.publish() {
                        // Said once, where it was found.
                        Ok(_) | Err(PublishError::Refused(_) | PublishError::LeaseLost) => {}
                        Err(err) => {
                            tracing::error!(error = %crate::error::DisplayChain(&err), "checkpoint not published; will retry");
                        }
                    }
                }
            })?;
        Ok((stop, thread))
    }
}
