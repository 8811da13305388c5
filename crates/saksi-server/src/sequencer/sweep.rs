//! The escalation sweep: a thread that, several times a second, reads the
//! book's deadlines that fell due on the injected clock, earliest first,
//! and queues the server's own event for each (`escalate`, or `overdue` at
//! the KPU RI) as an ordinary command. The sequencer decides them like any
//! other, so an incident acknowledged a moment before is simply not due
//! any more, and what fell due while the server was down (the book is
//! loaded from the store) escalates on the first round, in due order.
//!
//! Each round also tells the owners (the live stream, webhooks) of every
//! deadline falling due within [`DUE_SOON_SECONDS`], once per deadline
//! while the server runs (after a restart, once more).
//!
//! It never stalls the write path: each round queues at most [`ROUND`]
//! commands and waits for their answers before the next, so ingest always
//! finds room in the queue, and a full queue ends the round early.

use std::collections::HashSet;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use saksi_core::incident::notice::{DUE_SOON_SECONDS, NoticeEvent};
use saksi_core::time::UnixTime;
use saksi_statement::IncidentId;
use tokio::sync::oneshot;

use super::{Command, Fact, IdempotencyKey, IncidentFact, Outcome, SequencerHandle};
use crate::clock::Clock;
use crate::live::{Live, read_live};
use crate::metrics::Metrics;
use crate::notify::{Notice, Notifier};

/// How often the sweep looks: well within the second an escalation may
/// lag its deadline.
const TICK: Duration = Duration::from_millis(200);

/// At most this many of the server's events in flight at once.
const ROUND: usize = 256;

/// The principal of the server's own events: their idempotency key is the
/// incident and the event it follows, so one deadline is acted on once.
const SYSTEM_PRINCIPAL: &str = "system";

/// The running sweep; [`Sweep::stop`] ends it.
pub(crate) struct Sweep {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Sweep {
    pub(crate) fn spawn(
        sequencer: SequencerHandle,
        live: Arc<RwLock<Live>>,
        clock: Arc<dyn Clock>,
        notifier: Notifier,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Sweep> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("saksi-sweep".into())
            .spawn(move || {
                let mut warned = HashSet::new();
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    let started = Instant::now();
                    let mut logged = 0;
                    loop {
                        let round = sweep(&sequencer, &live, clock.as_ref());
                        logged += round;
                        // Full rounds that all went through: more may be due.
                        if round < ROUND {
                            break;
                        }
                    }
                    warn_due_soon(&live, clock.as_ref(), &notifier, &mut warned);
                    metrics.sweep(started.elapsed(), logged);
                }
            })?;
        Ok(Sweep { stop, thread })
    }

    /// Ends the sweep (before the sequencer, whose queue it holds).
    pub(crate) fn stop(self) {
        drop(self.stop);
        if self.thread.join().is_err() {
            tracing::error!("the escalation sweep ended abnormally");
        }
    }
}

/// One round: queues the server's event for up to [`ROUND`] incidents
/// whose deadline fell due, earliest first, and waits for the answers.
/// Returns how many were logged.
fn sweep(sequencer: &SequencerHandle, live: &RwLock<Live>, clock: &dyn Clock) -> usize {
    let now = clock.now();
    let due: Vec<_> = read_live(live)
        .incidents
        .fallen_due(now)
        .take(ROUND)
        .map(|(id, r)| (IncidentId(*id), r.seq, r.public.due_action()))
        .collect();
    let mut answers = Vec::with_capacity(due.len());
    for (id, seq, action) in due {
        let (reply, answer) = oneshot::channel();
        let command = Command {
            request: IdempotencyKey {
                principal: SYSTEM_PRINCIPAL.to_owned(),
                key: format!("{id}:{seq}"),
            },
            request_hash: [0; 32],
            fact: Fact::Incident(Box::new(IncidentFact::due(id, action))),
            reply,
        };
        if sequencer.submit(command).is_err() {
            break;
        }
        answers.push(answer);
    }
    let mut logged = 0;
    for answer in answers {
        match answer.blocking_recv() {
            Ok(Outcome::Accepted(_)) => logged += 1,
            Ok(Outcome::Replayed(_)) => {}
            Ok(Outcome::Refused(refused)) => {
                tracing::warn!(
                    ?refused,
                    "an escalation on a deadline was refused; retried next round"
                );
            }
            Err(_) => {}
        }
    }
    logged
}

/// Publishes `due_soon` for each running deadline falling due within
/// [`DUE_SOON_SECONDS`] not warned of yet; `warned` holds the deadlines
/// told (incident and time), forgotten once fallen due.
fn warn_due_soon(
    live: &RwLock<Live>,
    clock: &dyn Clock,
    notifier: &Notifier,
    warned: &mut HashSet<(UnixTime, IncidentId)>,
) {
    let now = clock.now();
    warned.retain(|(due, _)| *due > now);
    let live = read_live(live);
    let until = UnixTime(now.0.saturating_add(DUE_SOON_SECONDS));
    for (due, id, record) in live.incidents.falling_due(now, until) {
        let id = IncidentId(*id);
        if warned.insert((due, id)) {
            notifier.publish(Notice::of(NoticeEvent::DueSoon, id, record, now, now));
        }
    }
}
