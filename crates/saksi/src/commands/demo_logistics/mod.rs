//! The demo's logistics, alongside the count: simulated suppliers ship
//! each kab/kota its whole allocation, each KPU Kab/Kota warehouse ships
//! its kecamatan theirs, each PPK its desa, each PPS its TPS, and each
//! receiver signs its proof of delivery (at a TPS, its KPPS device), all
//! through the public API as signed statements, on a compressed clock
//! ([`plan`]). A few TPS reject part of their kit (a damaged box, ballots
//! of another contest or dapil, ink that never came), and the missing
//! quantity is sent again from the supplier down to them, the PPS's
//! follow-up last; a few legs arrive after their deadline. A newcomer so
//! sees national readiness climb to every TPS ready within two minutes.
//!
//! It signs with keys derived like the demo's others: the kab/kota
//! officers' and KPPS devices' it already holds, and a supplier, PPK and
//! PPS key per office, registered by the kab/kota officer above
//! (`crate::client::demo_keys::OfficeKeys`). It acts only on the
//! shipments it made itself, and never stops the demo: a failure is
//! printed once per kind and leaves that leg (and what waits for it)
//! undone. The forms run on their own task; at most [`AT_ONCE`] logistics
//! requests are in flight, so the server's group commit takes them in
//! batches beside the forms.

mod plan;
mod statements;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use saksi_api::RecapAccepted;
use saksi_core::Election;
use saksi_core::logistics::Allocation;
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::plan::Plan;
use self::statements::signed;
use super::demo_incidents::{Failure, Reported, post_statement};
use crate::client::Client;
use crate::client::demo_keys::{DemoKeys, OfficeKeys};

/// Requests in flight at once: enough for the server's group commit to
/// take many in a transaction, few enough to leave the forms their pace.
const AT_ONCE: usize = 32;

/// Tries of a leg's shipment or delivery the server did not answer (or
/// was overloaded for) before the leg is left.
const TRIES: u32 = 5;

/// The wait before such a try again.
const RETRY: Duration = Duration::from_secs(5);

/// How often the progress line is printed, when it moved.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// The demo's logistics, to run.
pub struct LogisticsSimulation {
    pub election: Arc<Election>,
    /// The server's own allocation: what each unit and office is sent.
    pub allocation: Arc<Allocation>,
    /// The demo's keys, the KPPS devices' and kab/kota officers'
    /// registered.
    pub keys: Arc<DemoKeys>,
    pub client: Client,
    pub seed: u64,
    /// When the demo started, for the times it prints.
    pub started: Instant,
}

/// What the legs in flight share.
struct Chain {
    election: Arc<Election>,
    allocation: Arc<Allocation>,
    keys: Arc<DemoKeys>,
    offices: OfficeKeys,
    plan: Plan,
    client: Client,
}

/// A leg's two steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Act {
    Ship,
    Deliver,
}

/// A step due at `at` (milliseconds of the compressed clock), its
/// `tries`th.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    at: u64,
    leg: usize,
    act: Act,
    tries: u32,
}

impl Event {
    fn at(second: f64, leg: usize, act: Act) -> Event {
        Event {
            at: (second * 1000.0) as u64,
            leg,
            act,
            tries: 0,
        }
    }
}

/// What the simulation did, for its lines.
#[derive(Debug, Default)]
struct Tally {
    shipments: u64,
    deliveries: u64,
    rejecting: u64,
    late: u64,
    ready: usize,
    /// Legs left after a failure.
    left: u64,
    /// `ready` when the progress line was last printed.
    printed: usize,
}

impl LogisticsSimulation {
    /// Registers the offices' keys, then ships and delivers every leg of
    /// the plan in its time, until done or `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut reported = Reported::new("logistics");
        let chain = match self.prepare().await {
            Ok(chain) => Arc::new(chain),
            Err(failure) => return reported.failed("register the offices' keys", &failure),
        };
        let legs = &chain.plan.legs;
        let mut released: Vec<Vec<usize>> = vec![Vec::new(); legs.len()];
        let mut queue: BinaryHeap<Reverse<Event>> = BinaryHeap::new();
        for (i, leg) in legs.iter().enumerate() {
            match leg.after {
                Some(after) => released[after].push(i),
                None => queue.push(Reverse(Event::at(leg.dispatch, i, Act::Ship))),
            }
        }
        let clock = tokio::time::Instant::now();
        let mut shipped: HashMap<usize, Vec<u64>> = HashMap::new();
        let mut working: JoinSet<(Event, Result<Vec<u64>, Failure>)> = JoinSet::new();
        let mut tally = Tally::default();
        let mut progress = tokio::time::interval(PROGRESS_EVERY);
        loop {
            if *stop.borrow() {
                return;
            }
            let now = clock.elapsed().as_millis() as u64;
            while working.len() < AT_ONCE {
                let Some(Reverse(event)) = queue.peek().copied().filter(|e| e.0.at <= now) else {
                    break;
                };
                queue.pop();
                let ids = shipped.get(&event.leg).cloned().unwrap_or_default();
                let chain = Arc::clone(&chain);
                working.spawn(async move {
                    let result = match event.act {
                        Act::Ship => chain.ship(event.leg).await,
                        Act::Deliver => chain.deliver(event.leg, &ids).await.map(|()| ids),
                    };
                    (event, result)
                });
            }
            if queue.is_empty() && working.is_empty() {
                break;
            }
            let next = queue
                .peek()
                .filter(|_| working.len() < AT_ONCE)
                .map(|e| clock + Duration::from_millis(e.0.at));
            tokio::select! {
                Some(done) = working.join_next(), if !working.is_empty() => {
                    let Ok((event, result)) = done else { continue };
                    let leg = &legs[event.leg];
                    match result {
                        Ok(ids) if event.act == Act::Ship => {
                            tally.shipments += ids.len() as u64;
                            shipped.insert(event.leg, ids);
                            queue.push(Reverse(Event::at(leg.received, event.leg, Act::Deliver)));
                        }
                        Ok(ids) => {
                            shipped.remove(&event.leg);
                            tally.deliveries += ids.len() as u64;
                            tally.rejecting += u64::from(leg.reject.is_some());
                            tally.late += u64::from(leg.late());
                            for &next in &released[event.leg] {
                                queue.push(Reverse(Event::at(legs[next].dispatch, next, Act::Ship)));
                            }
                            if leg.completes_tps(chain.election.tree.get(leg.to).level()) {
                                tally.ready += 1;
                                // Half and all ready are news: said at once.
                                if tally.ready == chain.plan.tps.div_ceil(2) || tally.ready == chain.plan.tps {
                                    self.progress(&mut tally, chain.plan.tps);
                                }
                            }
                        }
                        Err(failure) => {
                            let what = match event.act {
                                Act::Ship => "ship a kit",
                                Act::Deliver => "confirm a delivery",
                            };
                            reported.failed(what, &failure);
                            let refused = matches!(failure, Failure::Refused { .. });
                            if refused || event.tries + 1 >= TRIES {
                                tally.left += 1;
                            } else {
                                let at = clock.elapsed() + RETRY;
                                queue.push(Reverse(Event {
                                    at: at.as_millis() as u64,
                                    tries: event.tries + 1,
                                    ..event
                                }));
                            }
                        }
                    }
                }
                () = tokio::time::sleep_until(next.unwrap_or(clock)), if next.is_some() => {}
                _ = progress.tick() => self.progress(&mut tally, chain.plan.tps),
                _ = stop.changed() => return,
            }
        }
        self.progress(&mut tally, chain.plan.tps);
        eprintln!(
            "simulated logistics finished: {} shipments and {} deliveries signed, {} deliveries \
             rejecting items (each replaced from the supplier down), {} late; {} of {} TPS ready; \
             {} legs left after a failure",
            tally.shipments,
            tally.deliveries,
            tally.rejecting,
            tally.late,
            tally.ready,
            chain.plan.tps,
            tally.left
        );
    }

    /// The progress line, when readiness moved since the last.
    fn progress(&self, tally: &mut Tally, tps: usize) {
        if tally.ready == tally.printed {
            return;
        }
        tally.printed = tally.ready;
        eprintln!(
            "logistics: {} of {tps} TPS ready after {:.0} s ({} shipments and {} deliveries signed, \
             {} with items rejected, {} late)",
            tally.ready,
            self.started.elapsed().as_secs_f64(),
            tally.shipments,
            tally.deliveries,
            tally.rejecting,
            tally.late
        );
    }

    /// The offices' keys, derived and registered, and the plan.
    async fn prepare(&self) -> Result<Chain, Failure> {
        let (election, allocation, keys) = (
            Arc::clone(&self.election),
            Arc::clone(&self.allocation),
            Arc::clone(&self.keys),
        );
        let seed = self.seed;
        let (offices, plan) = tokio::task::spawn_blocking(move || {
            (
                keys.office_keys(&election),
                plan::plan(&election, &allocation, seed),
            )
        })
        .await
        .map_err(|e| Failure::Local(e.into()))?;
        self.keys
            .register_offices(&offices, &self.client)
            .await
            .map_err(Failure::Local)?;
        Ok(Chain {
            election: Arc::clone(&self.election),
            allocation: Arc::clone(&self.allocation),
            keys: Arc::clone(&self.keys),
            offices,
            plan,
            client: self.client.clone(),
        })
    }
}

impl Chain {
    /// Ships leg `i`: the log indexes of its shipments.
    async fn ship(&self, i: usize) -> Result<Vec<u64>, Failure> {
        let (shipments, key) = self.shipments(&self.plan.legs[i])?;
        let mut ids = Vec::with_capacity(shipments.len());
        for shipment in shipments {
            let body = signed(shipment.to_object(), key)?;
            let logged: RecapAccepted =
                post_statement(&self.client, "/api/v1/logistics/shipments", body).await?;
            ids.push(logged.log_index);
        }
        Ok(ids)
    }

    /// Delivers leg `i`, whose shipments are logged at `ids`.
    async fn deliver(&self, i: usize, ids: &[u64]) -> Result<(), Failure> {
        let (deliveries, key) = self.deliveries(&self.plan.legs[i], ids)?;
        for delivery in deliveries {
            let path = format!("/api/v1/logistics/shipments/{}/delivery", delivery.shipment);
            let body = signed(delivery.to_object(), key)?;
            post_statement::<RecapAccepted>(&self.client, &path, body).await?;
        }
        Ok(())
    }
}
