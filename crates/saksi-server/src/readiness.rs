//! Readiness (docs/logistics.md, "Readiness"): per region, how many of
//! its TPS hold their whole kit, what its TPS lack, and how many
//! shipments to it or below are not delivered yet. Kept as counters that
//! each shipment and delivery the readers' state takes moves by a few
//! steps up the tree, so a question about any region, the nation
//! included, looks at that region and its children and never walks over
//! its TPS (about 820,000 for the nation).

use std::sync::Arc;

use saksi_core::logistics::{Allocation, Deadlines};
use saksi_core::{Election, Level, RegionCode, RegionId};
use saksi_statement::Logistics;

/// The readiness counters of every region.
#[derive(Debug, Clone)]
pub struct Readiness {
    election: Arc<Election>,
    allocation: Arc<Allocation>,
    /// Per region above TPS (ids `0..upper_len`), one column per item of
    /// the allocation: the sum over its TPS of what each lacks of its kit.
    shortfall: Vec<u64>,
    /// Per region above TPS, its TPS.
    expected: Vec<u32>,
    /// Per region above TPS, its TPS that hold their whole kit.
    ready: Vec<u32>,
    /// Per region (TPS too), the shipments to it or to a region under it
    /// not delivered yet, by receiving level ([`Deadlines::LEVELS`]).
    undelivered: Vec<[u32; 4]>,
}

/// A region's or a TPS's readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts<'a> {
    pub tps_ready: u64,
    pub tps_expected: u64,
    /// Per item, the sum over its TPS of what each lacks; items no TPS
    /// lacks are left out.
    pub shortfall: Vec<(&'a str, u64)>,
    /// Shipments to it or below, not delivered, whose level's deadline
    /// has passed.
    pub overdue: u64,
}

impl Readiness {
    /// The counters of `logistics` as it stands: every TPS short of its
    /// whole kit (but one whose kit is empty), then every stock held and
    /// every shipment not delivered applied.
    pub fn new(
        election: Arc<Election>,
        allocation: Arc<Allocation>,
        logistics: &Logistics,
    ) -> Readiness {
        let tree = &election.tree;
        let (upper, n) = (tree.upper_len(), allocation.items().len());
        let mut shortfall = Vec::with_capacity(upper * n);
        for id in 0..upper {
            shortfall.extend(allocation.of(&election, RegionId(id as u32)));
        }
        let mut expected = vec![0u32; upper];
        let mut ready = vec![0u32; upper];
        for tps in tree.tps_ids() {
            let empty = allocation.of(&election, tps).iter().all(|n| *n == 0);
            for region in tree.ancestors(tps) {
                expected[region.index()] += 1;
                ready[region.index()] += u32::from(empty);
            }
        }
        let mut readiness = Readiness {
            undelivered: vec![[0; 4]; tree.len()],
            election,
            allocation,
            shortfall,
            expected,
            ready,
        };
        for to in logistics.undelivered() {
            readiness.shipped(to);
        }
        let zero = vec![0; n];
        for (code, items) in logistics.stocks() {
            if let Some(tps) = readiness.tps(code) {
                let held = readiness.columns(items);
                readiness.restock(tps, &zero, &held);
            }
        }
        readiness
    }

    /// A shipment to `to` was logged.
    pub fn shipped(&mut self, to: RegionCode) {
        self.count_undelivered(to, |n| *n += 1);
    }

    /// What the TPS `to` holds of each item of the allocation, before a
    /// delivery into it; `None` when `to` is an office, whose stock no
    /// kit is held against.
    pub fn held_before(&self, logistics: &Logistics, to: RegionCode) -> Option<Vec<u64>> {
        self.tps(to).map(|_| self.columns(logistics.stock(to)))
    }

    /// A shipment to `to` was delivered, and `logistics` holds its
    /// accepted items; `before` is [`Readiness::held_before`] it.
    pub fn delivered(&mut self, logistics: &Logistics, to: RegionCode, before: Option<&[u64]>) {
        self.count_undelivered(to, |n| *n = n.saturating_sub(1));
        if let (Some(tps), Some(before)) = (self.tps(to), before) {
            let after = self.columns(logistics.stock(to));
            self.restock(tps, before, &after);
        }
    }

    /// The readiness of region `id` (a TPS too), with `passed` saying per
    /// receiving level whether its deadline has passed
    /// ([`Deadlines::passed`]).
    pub fn counts(&self, logistics: &Logistics, id: RegionId, passed: [bool; 4]) -> Counts<'_> {
        let undelivered = &self.undelivered[id.index()];
        let overdue = passed
            .iter()
            .zip(undelivered)
            .filter(|(passed, _)| **passed)
            .map(|(_, n)| u64::from(*n))
            .sum();
        let items = self.allocation.items().iter().map(String::as_str);
        let n = items.len();
        if id.index() < self.expected.len() {
            let shortfall = &self.shortfall[id.index() * n..(id.index() + 1) * n];
            return Counts {
                tps_ready: u64::from(self.ready[id.index()]),
                tps_expected: u64::from(self.expected[id.index()]),
                shortfall: items
                    .zip(shortfall.iter().copied())
                    .filter(|(_, n)| *n > 0)
                    .collect(),
                overdue,
            };
        }
        let lacks = self.tps_lacks(logistics, id);
        Counts {
            tps_ready: u64::from(lacks.iter().all(|n| *n == 0)),
            tps_expected: 1,
            shortfall: items.zip(lacks).filter(|(_, n)| *n > 0).collect(),
            overdue,
        }
    }

    /// Whether the TPS `tps` holds at least its allocation of every item.
    pub fn is_ready(&self, logistics: &Logistics, tps: RegionId) -> bool {
        self.tps_lacks(logistics, tps).iter().all(|n| *n == 0)
    }

    /// What the TPS `tps` lacks of its kit, per item of the allocation.
    fn tps_lacks(&self, logistics: &Logistics, tps: RegionId) -> Vec<u64> {
        let code = self.election.tree.get(tps).code;
        self.lacks(tps, &self.columns(logistics.stock(code)))
    }

    /// The TPS of `code`, if it is one of the election.
    fn tps(&self, code: RegionCode) -> Option<RegionId> {
        (code.level() == Level::Tps)
            .then(|| self.election.tree.find(code))
            .flatten()
    }

    /// `stock` as one quantity per item of the allocation (an item no kit
    /// gives is left out: nothing is held against it).
    fn columns<'a>(&self, stock: impl Iterator<Item = (&'a str, u64)>) -> Vec<u64> {
        let items = self.allocation.items();
        let mut columns = vec![0; items.len()];
        for (item, n) in stock {
            if let Ok(i) = items.binary_search_by(|known| known.as_str().cmp(item)) {
                columns[i] = n;
            }
        }
        columns
    }

    /// What the TPS `tps` lacks of its kit, holding `held`.
    fn lacks(&self, tps: RegionId, held: &[u64]) -> Vec<u64> {
        let kit = self.allocation.of(&self.election, tps);
        kit.iter()
            .zip(held)
            .map(|(k, h)| k.saturating_sub(*h))
            .collect()
    }

    /// Moves the counters above the TPS `tps` from what it lacked holding
    /// `before` to what it lacks holding `after`.
    fn restock(&mut self, tps: RegionId, before: &[u64], after: &[u64]) {
        let (was, is) = (self.lacks(tps, before), self.lacks(tps, after));
        let ready = |lacks: &[u64]| lacks.iter().all(|n| *n == 0);
        let (was_ready, is_ready) = (ready(&was), ready(&is));
        let n = was.len();
        for region in self.election.tree.ancestors(tps) {
            let i = region.index();
            for ((sum, was), is) in self.shortfall[i * n..(i + 1) * n]
                .iter_mut()
                .zip(&was)
                .zip(&is)
            {
                *sum = (*sum + is).saturating_sub(*was);
            }
            match (was_ready, is_ready) {
                (false, true) => self.ready[i] += 1,
                (true, false) => self.ready[i] = self.ready[i].saturating_sub(1),
                _ => {}
            }
        }
    }

    /// Applies `step` to the undelivered count of `to`'s level at `to`
    /// and every region above it.
    fn count_undelivered(&mut self, to: RegionCode, step: impl Fn(&mut u32)) {
        let tree = &self.election.tree;
        let (Some(id), Some(level)) = (
            tree.find(to),
            Deadlines::LEVELS.iter().position(|l| *l == to.level()),
        ) else {
            return;
        };
        for region in std::iter::once(id).chain(tree.ancestors(id)) {
            step(&mut self.undelivered[region.index()][level]);
        }
    }
}
