//! Telling people about incident events (README: Webhooks, and the live
//! stream `GET /api/v1/incidents/stream`).
//!
//! [`Notifier::publish`] is called once per event worth telling (by the
//! incident sequencer, after the event's batch is durable). It never
//! blocks and never fails its caller: it hands the notice to the live
//! stream's subscribers (a broadcast channel) and to the dispatcher
//! thread, which stores one delivery per subscribed webhook and POSTs
//! them apart from the server's requests ([`dispatch`]), so a dead
//! endpoint slows nothing but its own retries.

mod dispatch;

use std::sync::Arc;

use saksi_core::RegionCode;
use saksi_core::incident::Severity;
use saksi_core::incident::book::Record;
use saksi_core::time::UnixTime;
use saksi_store::Store;
use tokio::sync::{broadcast, mpsc, watch};

use crate::clock::Clock;
use crate::credentials::totp_key::TotpKey;

pub use saksi_core::incident::notice::NoticeEvent;

/// One incident event worth telling someone about.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub event: NoticeEvent,
    /// The incident's public fields (never its private content): what a
    /// webhook's payload and the stream carry as `incident`.
    pub incident: serde_json::Value,
    /// The owning office's region, and where the incident was filed: who
    /// hears of it live (saksi_core::incident::notice::reaches).
    pub owner: RegionCode,
    pub region: RegionCode,
    pub critical: bool,
    /// When the event happened (its log entry's time).
    pub at: UnixTime,
    /// Its webhook deliveries are stored already, with its logged event
    /// (`IncidentWrite::outgoing`): the dispatcher only sends them.
    pub stored: bool,
}

impl Notice {
    /// The notice of `event` about incident `id` as the book has it
    /// (`record`, read at `now`), happening `at`.
    pub fn of(
        event: NoticeEvent,
        id: saksi_statement::IncidentId,
        record: &Record,
        at: UnixTime,
        now: UnixTime,
    ) -> Notice {
        let p = &record.public;
        let summary = saksi_api::IncidentSummary::of(id.to_string(), record, now);
        Notice {
            event,
            incident: serde_json::to_value(summary).expect("an API shape serialises"),
            owner: p.owner.region,
            region: p.region,
            critical: p.severity == Severity::Critical,
            at,
            stored: false,
        }
    }

    /// What the live stream sends as an event's `data`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "event": self.event.id(),
            "incident": self.incident,
            "at": self.at.to_string(),
        })
    }
}

/// Notices already sent to the live stream that a slow subscriber may
/// still read; one further behind skips what it missed.
const STREAM_BACKLOG: usize = 1024;

/// The handle every part of the server publishes through; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    live: broadcast::Sender<Arc<Notice>>,
    deliveries: mpsc::UnboundedSender<Arc<Notice>>,
    /// Set when the server stops: open streams end, so that its graceful
    /// shutdown does not wait for them forever.
    closing: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("subscribers", &self.live.receiver_count())
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier with its dispatcher thread, which delivers to the
    /// webhooks of `store` on `clock`'s time (their secrets opened with
    /// `key`, the data directory's), resuming the deliveries a
    /// previous run left pending. The thread ends once every clone of the
    /// notifier is dropped and what was published is stored.
    pub fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        key: Option<TotpKey>,
    ) -> std::io::Result<(Notifier, std::thread::JoinHandle<()>)> {
        let (live, _) = broadcast::channel(STREAM_BACKLOG);
        let (deliveries, queue) = mpsc::unbounded_channel();
        let thread = dispatch::spawn(store, clock, key, queue)?;
        let notifier = Notifier {
            live,
            deliveries,
            closing: Arc::new(watch::channel(false).0),
        };
        Ok((notifier, thread))
    }

    /// Tells the live stream's subscribers at once, and queues the
    /// webhooks' deliveries. Never blocks, never fails.
    pub fn publish(&self, notice: Notice) {
        let notice = Arc::new(notice);
        // No subscriber is not an error: nobody is watching.
        let _ = self.live.send(Arc::clone(&notice));
        if self.deliveries.send(notice).is_err() {
            tracing::error!("the webhook dispatcher has stopped; a notice was not delivered");
        }
    }

    /// A live subscription to every notice published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notice>> {
        self.live.subscribe()
    }

    /// Resolves when the server starts stopping (at once if it has).
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every open stream: the server is stopping.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }
}
