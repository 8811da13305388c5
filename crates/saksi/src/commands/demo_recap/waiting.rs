//! What each region's recap waits for: the demo signs a region off once
//! every child it sums is in (a kecamatan's TPS at the last version the
//! simulation sends of their form; a region's children signed off
//! finally), so it never asks the server for the state of a region that
//! cannot be ready.

use std::collections::HashMap;

use saksi_core::{Contest, Election, Level, RegionCode};

/// Children not yet in, per region and contest.
pub struct Waiting {
    left: HashMap<(RegionCode, Contest), usize>,
}

impl Waiting {
    /// Every region of a recap level and contest held below it, waiting
    /// for all its children.
    pub fn new(election: &Election) -> Waiting {
        let mut left: HashMap<(RegionCode, Contest), usize> = HashMap::new();
        for id in election.tree.tps_ids() {
            let code = election.tree.get(id).code;
            let Some(kecamatan) = code.ancestor_at(Level::Kecamatan) else {
                continue;
            };
            for contest in Contest::ALL {
                if election.holds(id, contest) {
                    *left.entry((kecamatan, contest)).or_default() += 1;
                }
            }
        }
        // Each region with something to sum is one child of its parent,
        // where the contest's recap goes on that high.
        for level in [Level::Kecamatan, Level::Kabkota, Level::Provinsi] {
            let regions: Vec<(RegionCode, Contest)> = left
                .keys()
                .filter(|(code, _)| code.level() == level)
                .copied()
                .collect();
            for (code, contest) in regions {
                if let Some(parent) = code.parent().filter(|p| contest.has_recap_at(p.level())) {
                    *left.entry((parent, contest)).or_default() += 1;
                }
            }
        }
        Waiting { left }
    }

    /// One child of `region` is in: `true` when it was the last.
    pub fn child_in(&mut self, region: RegionCode, contest: Contest) -> bool {
        match self.left.get_mut(&(region, contest)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                *n == 0
            }
            _ => false,
        }
    }

    /// The regions of `contest` waiting at `level`.
    #[cfg(test)]
    pub fn regions(&self, contest: Contest, level: Level) -> usize {
        self.left
            .keys()
            .filter(|(code, c)| *c == contest && code.level() == level)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use saksi_sim::generate::{GenerateOptions, generate};

    use super::*;

    #[test]
    fn a_region_is_ready_once_its_last_child_is_in_and_dpd_stops_at_the_province() {
        let e = generate(&GenerateOptions {
            seed: 4,
            scale: 0.001,
        })
        .unwrap();
        let mut waiting = Waiting::new(&e);
        let kecamatan = e
            .tree
            .iter()
            .filter(|(_, r)| r.level() == Level::Kecamatan)
            .count();
        assert_eq!(waiting.regions(Contest::Ppwp, Level::Kecamatan), kecamatan);
        assert_eq!(waiting.regions(Contest::Ppwp, Level::Nasional), 1);
        assert_eq!(waiting.regions(Contest::Dpd, Level::Nasional), 0);
        assert_eq!(waiting.regions(Contest::DprdKabkota, Level::Provinsi), 0);

        // Every PPWP form of one kecamatan in: ready at its last, not before.
        let (id, region) = e
            .tree
            .iter()
            .find(|(_, r)| r.level() == Level::Kecamatan)
            .unwrap();
        let tps: Vec<_> = e
            .tree
            .tps_ids()
            .filter(|t| region.code.contains(e.tree.get(*t).code))
            .collect();
        assert!(!tps.is_empty(), "{id:?}");
        let readiness: Vec<bool> = tps
            .iter()
            .map(|_| waiting.child_in(region.code, Contest::Ppwp))
            .collect();
        assert_eq!(readiness.iter().filter(|r| **r).count(), 1);
        assert_eq!(readiness.last(), Some(&true));
        // Nothing more to wait for.
        assert!(!waiting.child_in(region.code, Contest::Ppwp));
    }
}
