//! What the simulated officers do with an incident the simulation filed:
//! its fate, drawn at filing, and the next step it asks for given what
//! the server last said of the incident. Pure: no I/O, no clock (the
//! caller passes the time), so the rules are tested alone.
//!
//! Times are Unix seconds with a fraction: the server's due times are
//! whole seconds, and a test's deadlines are a few seconds long.

use saksi_core::Level;
use saksi_core::incident::{Action, Owner, Status};
use saksi_core::time::UnixTime;
use saksi_sim::rng::Rng;

/// How an incident is handled. A level names the office from which the
/// owner acts: the incident's owner once it is at that level or above
/// (an office late to act has lost the incident to the one above, which
/// then acts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Acknowledged and resolved by the KPU Kabupaten/Kota in time.
    Handled,
    /// Not acknowledged in time: it escalates to the KPU Provinsi, which
    /// acknowledges and resolves it.
    AcknowledgedLate,
    /// Acknowledged in time but not resolved: it escalates, acknowledged,
    /// to the KPU Provinsi, which resolves it.
    ResolvedLate,
    /// Left to climb to the KPU RI, which acknowledges and resolves it.
    RescuedByRi,
    /// Never acted on: it climbs to the KPU RI and is marked overdue.
    Abandoned,
}

/// Fates in every ten filings: most handled in time, and each way of
/// escalating at least once, so a newcomer sees escalation within ten
/// filings, whatever the seed.
const DECK: [Fate; 10] = [
    Fate::Handled,
    Fate::Handled,
    Fate::Handled,
    Fate::Handled,
    Fate::Handled,
    Fate::Handled,
    Fate::AcknowledgedLate,
    Fate::ResolvedLate,
    Fate::RescuedByRi,
    Fate::Abandoned,
];

/// The fates of the next ten filings, shuffled.
pub fn deal(rng: &mut Rng) -> Vec<Fate> {
    let mut deck = DECK.to_vec();
    rng.shuffle(&mut deck);
    deck
}

impl Fate {
    /// The level from which the owner acknowledges, if ever.
    fn acknowledges_from(self) -> Option<Level> {
        match self {
            Fate::Handled | Fate::ResolvedLate => Some(Level::Kabkota),
            Fate::AcknowledgedLate => Some(Level::Provinsi),
            Fate::RescuedByRi => Some(Level::Nasional),
            Fate::Abandoned => None,
        }
    }

    /// The level from which the owner resolves, if ever.
    fn resolves_from(self) -> Option<Level> {
        match self {
            Fate::Handled => Some(Level::Kabkota),
            Fate::AcknowledgedLate | Fate::ResolvedLate => Some(Level::Provinsi),
            Fate::RescuedByRi => Some(Level::Nasional),
            Fate::Abandoned => None,
        }
    }
}

/// What the server last said of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The owning office.
    pub owner: Owner,
    pub status: Status,
    pub ack_due: Option<UnixTime>,
    pub resolve_due: Option<UnixTime>,
}

/// The next step for an incident.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// The owner takes `action` at time `at`.
    Act { action: Action, at: f64 },
    /// Read the incident again at `at`: a deadline the owner lets pass
    /// falls due then, and the server escalates it.
    Look { at: f64 },
    /// Nothing more to do.
    Done,
}

/// How long after a deadline the incident is read again: the server's
/// sweep escalates within a second of it.
const AFTER_DUE: f64 = 1.5;

/// Never read an incident again sooner than this: a server late to
/// escalate is asked again, not in a loop.
const LOOK_AGAIN: f64 = 1.0;

/// The next step for an incident of `fate` last `seen` at `now`. An
/// action comes at `share` (in 0..1) of the time left before its
/// deadline; one already missed (overdue at the KPU RI) a second later.
pub fn next(fate: Fate, seen: &Seen, now: f64, share: f64) -> Next {
    let (action, from, due) = match seen.status {
        Status::Open => (Action::Acknowledge, fate.acknowledges_from(), seen.ack_due),
        Status::Acknowledged => (Action::Resolve, fate.resolves_from(), seen.resolve_due),
        Status::Resolved | Status::Closed => return Next::Done,
    };
    if from.is_some_and(|from| seen.owner.level <= from) {
        let at = match due {
            Some(due) => now + share * (due.0 as f64 - now).max(0.0),
            None => now + LOOK_AGAIN,
        };
        return Next::Act { action, at };
    }
    let running = [seen.ack_due, seen.resolve_due].into_iter().flatten().min();
    match running {
        Some(due) => Next::Look {
            at: (due.0 as f64 + AFTER_DUE).max(now + LOOK_AGAIN),
        },
        // Missed at the KPU RI and marked overdue: nothing is left to fall
        // due, and this fate never acts.
        None => Next::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(level: Level, status: Status, ack: Option<i64>, resolve: Option<i64>) -> Seen {
        Seen {
            owner: Owner {
                level,
                region: saksi_core::RegionCode::NASIONAL,
            },
            status,
            ack_due: ack.map(UnixTime),
            resolve_due: resolve.map(UnixTime),
        }
    }

    #[test]
    fn a_handled_incident_is_acknowledged_then_resolved_before_each_deadline() {
        let filed = seen(Level::Kabkota, Status::Open, Some(160), Some(400));
        assert_eq!(
            next(Fate::Handled, &filed, 100.0, 0.5),
            Next::Act {
                action: Action::Acknowledge,
                at: 130.0
            }
        );
        let acked = seen(Level::Kabkota, Status::Acknowledged, None, Some(400));
        assert_eq!(
            next(Fate::Handled, &acked, 130.0, 0.5),
            Next::Act {
                action: Action::Resolve,
                at: 265.0
            }
        );
        let resolved = seen(Level::Kabkota, Status::Resolved, None, None);
        assert_eq!(next(Fate::Handled, &resolved, 265.0, 0.5), Next::Done);
    }

    #[test]
    fn an_incident_left_alone_is_read_again_after_its_deadline_then_acted_on_above() {
        let filed = seen(Level::Kabkota, Status::Open, Some(160), Some(400));
        assert_eq!(
            next(Fate::AcknowledgedLate, &filed, 100.0, 0.5),
            Next::Look { at: 161.5 }
        );
        // The server has not escalated yet: asked again, not in a loop.
        assert_eq!(
            next(Fate::AcknowledgedLate, &filed, 170.0, 0.5),
            Next::Look { at: 171.0 }
        );
        let escalated = seen(Level::Provinsi, Status::Open, Some(222), Some(462));
        assert!(matches!(
            next(Fate::AcknowledgedLate, &escalated, 162.0, 0.5),
            Next::Act {
                action: Action::Acknowledge,
                ..
            }
        ));
        // Acknowledged in time, resolved only once the province owns it.
        let acked = seen(Level::Kabkota, Status::Acknowledged, None, Some(400));
        assert_eq!(
            next(Fate::ResolvedLate, &acked, 130.0, 0.5),
            Next::Look { at: 401.5 }
        );
        let above = seen(Level::Provinsi, Status::Acknowledged, None, Some(700));
        assert!(matches!(
            next(Fate::ResolvedLate, &above, 402.0, 0.5),
            Next::Act {
                action: Action::Resolve,
                ..
            }
        ));
    }

    #[test]
    fn an_office_that_lost_the_incident_leaves_it_to_the_one_above() {
        // Meant for the kab/kota, found at the province (the simulation
        // was late): the province acts.
        let late = seen(Level::Provinsi, Status::Open, Some(300), Some(500));
        assert!(matches!(
            next(Fate::Handled, &late, 200.0, 0.5),
            Next::Act { .. }
        ));
    }

    #[test]
    fn an_abandoned_incident_climbs_to_the_kpu_ri_and_is_left_overdue() {
        let at_ri = seen(Level::Nasional, Status::Open, Some(300), Some(500));
        assert_eq!(
            next(Fate::Abandoned, &at_ri, 200.0, 0.5),
            Next::Look { at: 301.5 }
        );
        let overdue = seen(Level::Nasional, Status::Open, None, None);
        assert_eq!(next(Fate::Abandoned, &overdue, 600.0, 0.5), Next::Done);
        // The KPU RI rescues one even after a deadline it missed.
        assert_eq!(
            next(Fate::RescuedByRi, &overdue, 600.0, 0.5),
            Next::Act {
                action: Action::Acknowledge,
                at: 601.0
            }
        );
    }

    #[test]
    fn every_ten_filings_hold_each_fate() {
        let mut rng = Rng::new(4);
        let hand = deal(&mut rng);
        for fate in DECK {
            assert!(hand.contains(&fate), "{fate:?}");
        }
        assert_eq!(hand.len(), DECK.len());
    }
}
