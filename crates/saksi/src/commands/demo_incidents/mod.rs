//! The demo's simulated incidents: now and then a simulated
//! KPPS device of a random TPS files an incident with its signed envelope
//! (`report`), and simulated KPU officers (`officers`) handle it through
//! the API: most are acknowledged and resolved in time, some are left to
//! escalate, to the KPU Provinsi or up to the KPU RI, where one is marked
//! overdue (`fate`). A newcomer so sees, within a few minutes of the
//! demo's deadlines, escalation happen in the workspace and in the public
//! statistics.
//!
//! The officers act only on the incidents this run filed, kept in memory:
//! one filed by a person, by a script, or by the demo before a restart is
//! left alone and escalates on its deadlines. A failure (the server
//! refused, the network) is printed once per kind and never stops the
//! demo nor its forms simulation, which runs on its own task.

mod fate;
mod officers;
mod report;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use saksi_api::IncidentAccepted;
use saksi_core::Election;
use saksi_core::incident::Action;
use saksi_sim::rng::Rng;
use saksi_statement::IncidentId;
use tokio::sync::watch;

use self::fate::{Fate, Next, Seen};
use self::officers::seen;
pub use self::officers::{Failure, Officers, parse, post_statement};
use crate::client::Client;
use crate::client::demo_keys::DemoKeys;
use crate::support::now;

/// After this many failed steps in a row, an incident is left alone.
const GIVE_UP: u32 = 5;

/// How long after a failed step the incident is read again.
const RETRY: f64 = 3.0;

/// A simulation to run.
pub struct IncidentSimulation {
    pub election: Arc<Election>,
    /// The simulated KPPS device keys, registered with the server.
    pub keys: Arc<DemoKeys>,
    pub client: Client,
    pub officers: Officers,
    pub seed: u64,
    /// The mean time between two filings (each is drawn between half and
    /// one and a half of it).
    pub every: Duration,
}

/// An incident this run filed.
struct Tracked {
    id: IncidentId,
    fate: Fate,
    seen: Seen,
    next: Next,
    /// What its owner writes on resolving it.
    resolution: &'static str,
    /// Its own draws (when its officers act), so one incident's failure
    /// does not shift another's.
    rng: Rng,
    failures: u32,
}

/// Failures already printed: one line per step and kind, so a server
/// refusing every request does not flood the demo's terminal.
pub struct Reported {
    /// Which simulation: "incidents", "recap".
    simulation: &'static str,
    said: HashSet<(&'static str, String)>,
}

impl Reported {
    pub fn new(simulation: &'static str) -> Reported {
        Reported {
            simulation,
            said: HashSet::new(),
        }
    }

    pub fn failed(&mut self, what: &'static str, failure: &Failure) {
        if self.said.insert((what, failure.kind())) {
            eprintln!(
                "the demo's simulated {} could not {what}: {failure} (said once; the demo goes on)",
                self.simulation
            );
        }
    }
}

/// Unix seconds now, with their fraction.
fn clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A share of the time left before a deadline, 0.2 to 0.6: well before
/// it, never at once.
fn share(rng: &mut Rng) -> f64 {
    0.2 + rng.below(400) as f64 / 1000.0
}

impl IncidentSimulation {
    /// Files and handles incidents until `stop` turns true.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut rng = Rng::stream(self.seed, &[0x1c1d]);
        let mut fates: Vec<Fate> = Vec::new();
        let mut tracked: Vec<Tracked> = Vec::new();
        let mut reported = Reported::new("incidents");
        let mut filed: u64 = 0;
        let mut filing = clock() + self.pause(&mut rng);
        loop {
            if *stop.borrow() {
                return;
            }
            let now = clock();
            let wake = tracked
                .iter()
                .filter_map(|t| match t.next {
                    Next::Act { at, .. } | Next::Look { at } => Some(at),
                    Next::Done => None,
                })
                .fold(filing, f64::min);
            if wake > now {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs_f64(wake - now)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            if filing <= now {
                if fates.is_empty() {
                    fates = fate::deal(&mut rng);
                }
                let fate = fates.pop().unwrap_or(Fate::Handled);
                filed += 1;
                match self.file(&mut rng, fate, filed).await {
                    Ok(t) => tracked.push(t),
                    Err(e) => reported.failed("file an incident", &e),
                }
                filing = clock() + self.pause(&mut rng);
            }
            for t in tracked.iter_mut() {
                if matches!(t.next, Next::Act { at, .. } | Next::Look { at } if at <= now) {
                    self.step(t, &mut reported).await;
                }
            }
            tracked.retain(|t| t.next != Next::Done);
        }
    }

    /// The time until the next filing.
    fn pause(&self, rng: &mut Rng) -> f64 {
        self.every.as_secs_f64() * (0.5 + rng.below(1000) as f64 / 1000.0)
    }

    /// A simulated KPPS device of a random TPS files an incident, the
    /// `filed`th of this run, whose fate is `fate`.
    async fn file(&self, rng: &mut Rng, fate: Fate, filed: u64) -> Result<Tracked, Failure> {
        let tps: Vec<_> = self.election.tree.tps_ids().collect();
        let id = *rng.pick(&tps);
        let key = self
            .keys
            .kpps(id)
            .ok_or_else(|| Failure::Local(anyhow::anyhow!("no simulated key for a TPS")))?;
        let report = report::draw(rng, self.election.tree.get(id).code);
        let (body, incident) = report
            .seal(key, self.keys.origin(), now())
            .map_err(Failure::Local)?;
        let answer = self.client.post_json("/api/v1/incidents", body).await?;
        let accepted: IncidentAccepted = officers::parse(answer)?;
        let seen = seen(
            &accepted.owner,
            &accepted.status,
            &accepted.ack_due,
            &accepted.resolve_due,
        )?;
        let mut rng = Rng::stream(self.seed, &[0x1c1d, filed]);
        Ok(Tracked {
            id: incident,
            fate,
            seen,
            next: fate::next(fate, &seen, clock(), share(&mut rng)),
            resolution: report.resolution,
            rng,
            failures: 0,
        })
    }

    /// Takes an incident's next step: its owner acts, or it is read again.
    async fn step(&mut self, t: &mut Tracked, reported: &mut Reported) {
        let outcome = match t.next {
            Next::Act { action, .. } => {
                let text = (action == Action::Resolve).then_some(t.resolution);
                let what = match action {
                    Action::Acknowledge => "acknowledge an incident",
                    _ => "resolve an incident",
                };
                self.officers
                    .act(t.seen.owner, t.id, action, text)
                    .await
                    .map_err(|e| (what, e))
            }
            Next::Look { .. } => self
                .officers
                .look(t.id)
                .await
                .map_err(|e| ("read an incident", e)),
            Next::Done => return,
        };
        match outcome {
            Ok(seen) => {
                t.failures = 0;
                t.seen = seen;
                t.next = fate::next(t.fate, &seen, clock(), share(&mut t.rng));
            }
            Err((what, e)) => {
                reported.failed(what, &e);
                t.failures += 1;
                // Read again: the server may have escalated it meanwhile,
                // and its new owner then acts.
                t.next = if t.failures >= GIVE_UP {
                    Next::Done
                } else {
                    Next::Look {
                        at: clock() + RETRY,
                    }
                };
            }
        }
    }
}
