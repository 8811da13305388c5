//! The plan of the demo's logistics: every leg a kit travels (a supplier
//! to each kab/kota, each kab/kota to its kecamatan, each PPK to its desa,
//! each PPS to its TPS), when on the compressed clock it is dispatched,
//! due and received, which TPS deliveries reject some items and why,
//! which legs arrive late, and the replacement that makes a short TPS
//! whole. Pure and deterministic by seed: a restarted demo plans the very
//! same legs, signs the same bytes and gets the server's first answers.
//!
//! The compressed clock: demo second `s` (counted from when the logistics
//! start) is [`calendar`]`(s)`, three simulated hours a second, reading
//! polling day 07:00 WIB at second 96. Each level is dispatched in a
//! window of demo seconds and due by its level's deadline (the
//! commission's defaults: the kab/kota warehouses 10 days before polling
//! day, the PPK 3 days, the PPS 1 day, the TPS 07:00 on polling day), and
//! no leg leaves an office before the office's own kit is in.

use std::collections::HashMap;

use saksi_core::logistics::Allocation;
use saksi_core::time::UnixTime;
use saksi_core::{Election, Level, RegionId};
use saksi_sim::rng::Rng;
use saksi_statement::logistics::RejectReason;

/// Polling day, 07:00 WIB (00:00 UTC): the TPS open, every kit is due.
const POLLING_DAY: UnixTime = UnixTime(1_707_868_800);

/// Simulated seconds a demo second.
const COMPRESSION: f64 = 3.0 * 3600.0;

/// The demo second at which the clock reads polling day 07:00.
const POLLING_SECOND: f64 = 96.0;

/// The simulated time of demo second `second`.
pub fn calendar(second: f64) -> UnixTime {
    POLLING_DAY.plus(((second - POLLING_SECOND) * COMPRESSION).round() as i64)
}

/// One level of the chain, by its receivers' level: the window of demo
/// seconds its legs are dispatched in, spread evenly in a drawn order,
/// and the deadline they are due by.
struct Step {
    level: Level,
    window: (f64, f64),
    /// 16 is 10 days before polling day, 72 three days, 88 one day.
    due: f64,
}

const STEPS: [Step; 4] = [
    Step {
        level: Level::Kabkota,
        window: (0.0, 6.0),
        due: 16.0,
    },
    Step {
        level: Level::Kecamatan,
        window: (6.0, 24.0),
        due: 72.0,
    },
    Step {
        level: Level::Desa,
        window: (24.0, 44.0),
        due: 88.0,
    },
    Step {
        level: Level::Tps,
        window: (44.0, 90.0),
        due: POLLING_SECOND,
    },
];

/// Demo seconds an office takes, once its kit is in, before it ships on
/// (an hour and a half).
const HANDLING: f64 = 0.5;

/// Legs in a thousand that arrive after their deadline, at every level.
const LATE_PER_MILLE: u64 = 20;

/// TPS deliveries in a thousand that reject some of what arrived.
const REJECT_PER_MILLE: u64 = 25;

/// A replacement's time on the road, each hop: it is sent at once and
/// carried by hand.
const RUSHED: f64 = 0.5;

/// What a leg carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cargo {
    /// The receiver's whole allocation.
    Kit,
    /// What a TPS rejected, sent again from the supplier down to it
    /// (`hop` 1, to the kab/kota, to 4, the PPS's follow-up to the TPS).
    Replacement { item: usize, quantity: u64, hop: u8 },
}

/// What a receiver rejects of a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject {
    /// The item's column in [`Allocation::items`].
    pub item: usize,
    pub quantity: u64,
    pub reason: RejectReason,
}

/// One shipment down the chain and its delivery: the sender is the
/// receiver's parent office, or for a kab/kota its supplier.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    pub to: RegionId,
    pub cargo: Cargo,
    /// The leg whose delivery it waits for: the kit of its sender, or the
    /// replacement's previous hop; `None` for a supplier's kit.
    pub after: Option<usize>,
    /// Demo seconds: dispatched, due and received.
    pub dispatch: f64,
    pub due: f64,
    pub received: f64,
    pub reject: Option<Reject>,
}

impl Leg {
    pub fn late(&self) -> bool {
        self.received > self.due
    }

    /// Whether its delivery is the last its TPS waits for: a kit taken
    /// whole, or the replacement's last hop.
    pub fn completes_tps(&self, level: Level) -> bool {
        level == Level::Tps
            && match self.cargo {
                Cargo::Kit => self.reject.is_none(),
                Cargo::Replacement { .. } => true,
            }
    }
}

/// Every leg, each after the leg it waits for.
#[derive(Debug, PartialEq)]
pub struct Plan {
    pub legs: Vec<Leg>,
    /// TPS with a kit to send.
    pub tps: usize,
}

/// Plans the logistics of `election`, level by level.
pub fn plan(election: &Election, allocation: &Allocation, seed: u64) -> Plan {
    let tree = &election.tree;
    let mut legs: Vec<Leg> = Vec::new();
    // The kit leg into each office, for the legs out of it.
    let mut into: HashMap<RegionId, usize> = HashMap::new();
    let mut tps = 0;
    for (n, step) in STEPS.iter().enumerate() {
        let mut regions: Vec<RegionId> = tree
            .iter()
            .filter(|(_, r)| r.level() == step.level)
            .map(|(id, _)| id)
            .collect();
        Rng::stream(seed, &[0x1061, n as u64]).shuffle(&mut regions);
        let count = regions.len() as f64;
        let (start, end) = step.window;
        for (rank, id) in regions.into_iter().enumerate() {
            let after = tree.get(id).parent.and_then(|p| into.get(&p).copied());
            if step.level != Level::Kabkota && after.is_none() {
                continue;
            }
            let ready = after.map_or(0.0, |a| legs[a].received + HANDLING);
            let dispatch = (start + (end - start) * rank as f64 / count).max(ready);
            let mut rng = Rng::stream(seed, &[0x1062, u64::from(id.0)]);
            let mut received = dispatch + 0.5 + rng.below(1500) as f64 / 1000.0;
            if rng.chance(LATE_PER_MILLE) {
                received = received.max(step.due + 1.0 + rng.below(3000) as f64 / 1000.0);
            }
            let reject = (step.level == Level::Tps && rng.chance(REJECT_PER_MILLE))
                .then(|| draw_reject(allocation, &allocation.of(election, id), &mut rng))
                .flatten();
            into.insert(id, legs.len());
            legs.push(Leg {
                to: id,
                cargo: Cargo::Kit,
                after,
                dispatch,
                due: step.due,
                received,
                reject,
            });
            if step.level == Level::Tps {
                tps += 1;
                if let Some(reject) = reject {
                    replace(election, &mut legs, reject);
                }
            }
        }
    }
    Plan { legs, tps }
}

/// The replacement of what the last leg's TPS rejected: the supplier
/// ships it to the kab/kota and each office forwards it at once, the PPS
/// last.
fn replace(election: &Election, legs: &mut Vec<Leg>, reject: Reject) {
    let tree = &election.tree;
    let tps = legs.len() - 1;
    let code = tree.get(legs[tps].to).code;
    let hops = [Level::Kabkota, Level::Kecamatan, Level::Desa, Level::Tps]
        .map(|level| code.ancestor_at(level).and_then(|c| tree.find(c)));
    let mut after = tps;
    for (hop, to) in (1..).zip(hops) {
        let Some(to) = to else { return };
        let dispatch = legs[after].received + HANDLING;
        legs.push(Leg {
            to,
            cargo: Cargo::Replacement {
                item: reject.item,
                quantity: reject.quantity,
                hop,
            },
            after: Some(after),
            dispatch,
            due: dispatch + 2.0 * RUSHED,
            received: dispatch + RUSHED,
            reject: None,
        });
        after = legs.len() - 1;
    }
}

/// What a KPPS rejects of its kit (`kit`: a quantity per item column):
/// a damaged box, ballots of another contest in a contest's package,
/// DPR ballots of another dapil, or a bottle of ink that never came.
fn draw_reject(allocation: &Allocation, kit: &[u64], rng: &mut Rng) -> Option<Reject> {
    let column = |name: &str| {
        allocation
            .items()
            .iter()
            .position(|i| i == name)
            .filter(|c| kit[*c] > 0)
    };
    let reject = |name: &str, most: u64, reason| {
        column(name).map(|item| Reject {
            item,
            quantity: most.clamp(1, kit[item]),
            reason,
        })
    };
    let drawn = match rng.below(4) {
        0 => reject("box", 1, RejectReason::Damaged),
        1 => reject(
            "ballot-dpd",
            rng.between(10, 50),
            RejectReason::WrongContest,
        ),
        2 => reject("ballot-dpr", rng.between(5, 25), RejectReason::WrongDapil),
        _ => reject("ink", 1, RejectReason::Short),
    };
    // Overseas kits have neither box nor DPD ballots: a damaged first item.
    drawn.or_else(|| {
        let item = kit.iter().position(|n| *n > 0)?;
        Some(Reject {
            item,
            quantity: 1,
            reason: RejectReason::Damaged,
        })
    })
}

#[cfg(test)]
mod tests {
    use saksi_core::logistics::AllocationTable;
    use saksi_sim::generate::{GenerateOptions, generate};

    use super::*;

    fn election() -> (Election, Allocation) {
        let e = generate(&GenerateOptions {
            seed: 4,
            scale: 0.001,
        })
        .unwrap();
        let a = Allocation::compute(&e, &AllocationTable::default());
        (e, a)
    }

    #[test]
    fn the_clock_reads_each_level_s_deadline_at_its_second() {
        let day = 86_400;
        assert_eq!(calendar(96.0), POLLING_DAY);
        assert_eq!(calendar(88.0), POLLING_DAY.plus(-day));
        assert_eq!(calendar(72.0), POLLING_DAY.plus(-3 * day));
        assert_eq!(calendar(16.0), POLLING_DAY.plus(-10 * day));
        assert_eq!(calendar(0.5), calendar(0.0).plus(5400));
    }

    #[test]
    fn every_unit_gets_one_kit_after_its_sender_s_and_every_rejection_is_replaced_down_to_it() {
        let (e, a) = election();
        let plan = plan(&e, &a, 4);
        assert_eq!(plan, self::plan(&e, &a, 4), "deterministic by seed");
        assert_eq!(plan.tps, e.tree.tps_ids().len());
        let kits: Vec<&Leg> = plan.legs.iter().filter(|l| l.cargo == Cargo::Kit).collect();
        let units = e
            .tree
            .iter()
            .filter(|(_, r)| r.level() >= Level::Kabkota)
            .count();
        assert_eq!(kits.len(), units);
        for leg in &plan.legs {
            assert!(leg.dispatch <= leg.due && leg.dispatch < leg.received);
            let Some(after) = leg.after else {
                assert_eq!(e.tree.get(leg.to).level(), Level::Kabkota);
                continue;
            };
            let before = &plan.legs[after];
            assert!(before.received < leg.dispatch);
            if leg.cargo == Cargo::Kit {
                assert_eq!(e.tree.get(leg.to).parent, Some(before.to));
            }
        }
        let rejected: Vec<&Leg> = plan.legs.iter().filter(|l| l.reject.is_some()).collect();
        assert!(!rejected.is_empty());
        assert!(plan.legs.iter().any(Leg::late));
        for leg in &rejected {
            let reject = leg.reject.unwrap();
            assert!(reject.quantity <= a.of(&e, leg.to)[reject.item]);
        }
        let last_hops = plan
            .legs
            .iter()
            .filter(|l| matches!(l.cargo, Cargo::Replacement { hop: 4, .. }))
            .count();
        assert_eq!(last_hops, rejected.len());
        // Every TPS is made whole once, by its kit or its replacement.
        let completing = plan
            .legs
            .iter()
            .filter(|l| l.completes_tps(e.tree.get(l.to).level()))
            .count();
        assert_eq!(completing, plan.tps);
        // Within the compressed clock's first two minutes, late ones
        // and replacements included.
        let last = plan.legs.iter().map(|l| l.received).fold(0.0, f64::max);
        assert!(last < 120.0, "{last}");
    }
}
