//! The election's allocation: every polling unit's kit from the table, and
//! the sums for every region above, computed once at start-up so that any
//! region's answer is a lookup.

use crate::{Contest, Election, RegionId, VotingMethod};

use super::table::{AllocationTable, Quantity};

/// One rule of a kit, its items resolved to columns.
#[derive(Debug, Clone)]
struct Line {
    quantity: Quantity,
    /// The rule's contests, one bit per contest (`1 << contest as u8`).
    contests: u8,
    columns: Columns,
}

#[derive(Debug, Clone)]
enum Columns {
    /// One item, whatever the contests held.
    One(usize),
    /// One item per contest, by `contest as usize` (unused where the rule
    /// is not for that contest).
    PerContest([usize; 5]),
}

/// Every polling unit's kit and every region's sum of them.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// Every item any kit gives, sorted by name: the columns of a kit.
    items: Vec<String>,
    /// Per voting method (in [`VotingMethod::ALL`] order), its kit.
    kits: [Vec<Line>; 4],
    /// Per region, the contests held there (a TPS's: those it votes in).
    held: Vec<u8>,
    /// Per region above TPS (ids `0..upper_len`), the sum of its units'
    /// kits: `items.len()` columns a region.
    sums: Vec<u64>,
}

fn bit(contest: Contest) -> u8 {
    1 << contest as u8
}

impl Allocation {
    /// Allocates the whole election: one pass over the TPS, then one up
    /// the regions above (each added to its parent, children first).
    pub fn compute(election: &Election, table: &AllocationTable) -> Allocation {
        let mut items: Vec<String> = VotingMethod::ALL
            .iter()
            .flat_map(|m| table.rules(*m))
            .flat_map(|rule| rule.names())
            .collect();
        items.sort();
        items.dedup();
        let column = |name: &str| {
            items
                .binary_search_by(|item| item.as_str().cmp(name))
                .expect("every rule's names are among the items")
        };
        let kits = VotingMethod::ALL.map(|method| {
            table
                .rules(method)
                .iter()
                .map(|rule| Line {
                    quantity: rule.quantity,
                    contests: rule.contests.iter().fold(0, |bits, c| bits | bit(*c)),
                    columns: if rule.per_contest_item() {
                        let mut per = [usize::MAX; 5];
                        for c in &rule.contests {
                            per[*c as usize] = column(&rule.name_for(*c));
                        }
                        Columns::PerContest(per)
                    } else {
                        Columns::One(column(&rule.item))
                    },
                })
                .collect()
        });
        let held = contests_held(election);
        let mut allocation = Allocation {
            items,
            kits,
            held,
            sums: Vec::new(),
        };
        allocation.sum_up(election);
        allocation
    }

    fn sum_up(&mut self, election: &Election) {
        let tree = &election.tree;
        let n = self.items.len();
        let upper = tree.upper_len();
        let mut sums = vec![0u64; upper * n];
        let mut kit = vec![0u64; n];
        for tps in tree.tps_ids() {
            kit.fill(0);
            self.add_unit(election, tps, &mut kit);
            let parent = tree.get(tps).parent.expect("a TPS has a desa").index();
            for (sum, k) in sums[parent * n..(parent + 1) * n].iter_mut().zip(&kit) {
                *sum += k;
            }
        }
        // Regions are in level order: a parent's id is below its children's.
        for id in (1..upper).rev() {
            let Some(parent) = tree.get(RegionId(id as u32)).parent else {
                continue;
            };
            let (head, tail) = sums.split_at_mut(id * n);
            let parent = parent.index();
            for (sum, child) in head[parent * n..(parent + 1) * n]
                .iter_mut()
                .zip(&tail[..n])
            {
                *sum += child;
            }
        }
        self.sums = sums;
    }

    /// Adds the kit of the TPS `tps` to `kit` (one column per item).
    fn add_unit(&self, election: &Election, tps: RegionId, kit: &mut [u64]) {
        let region = election.tree.get(tps);
        let method = VotingMethod::of(region.code).unwrap_or(VotingMethod::Tps);
        let lines = &self.kits[VotingMethod::ALL
            .iter()
            .position(|m| *m == method)
            .unwrap_or(0)];
        let dpt = region.dpt.total();
        let held = self.held[tps.index()];
        for line in lines {
            let applies = held & line.contests;
            if applies == 0 {
                continue;
            }
            match &line.columns {
                Columns::One(column) => {
                    kit[*column] += line.quantity.of(dpt, applies.count_ones());
                }
                Columns::PerContest(columns) => {
                    for contest in Contest::ALL {
                        if applies & bit(contest) != 0 {
                            kit[columns[contest as usize]] += line.quantity.of(dpt, 1);
                        }
                    }
                }
            }
        }
    }

    /// Every item any kit gives, sorted by name.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// The kit of a TPS, or the sum of the kits of every unit under a
    /// region: one quantity per item of [`Allocation::items`].
    pub fn of(&self, election: &Election, id: RegionId) -> Vec<u64> {
        let n = self.items.len();
        if id.index() < election.tree.upper_len() {
            self.sums[id.index() * n..(id.index() + 1) * n].to_vec()
        } else {
            let mut kit = vec![0; n];
            self.add_unit(election, id, &mut kit);
            kit
        }
    }

    /// The items a region or TPS gets, by name, leaving out those it gets
    /// none of.
    pub fn named(&self, election: &Election, id: RegionId) -> Vec<(&str, u64)> {
        self.items
            .iter()
            .map(String::as_str)
            .zip(self.of(election, id))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// Per region, the contests held there: PPWP everywhere, and each contest
/// whose dapil covers the region or an ancestor, as [`Election::holds`]
/// says for a TPS, in one pass down the tree instead of a walk up per TPS.
fn contests_held(election: &Election) -> Vec<u8> {
    let tree = &election.tree;
    let mut own = vec![0u8; tree.len()];
    for dapil in &election.dapil {
        for code in &dapil.regions {
            if let Some(id) = tree.find(*code) {
                own[id.index()] |= bit(dapil.contest);
            }
        }
    }
    let mut held = own;
    for (id, region) in tree.iter() {
        held[id.index()] |= match region.parent {
            Some(parent) => held[parent.index()],
            None => bit(Contest::Ppwp),
        };
    }
    held
}
