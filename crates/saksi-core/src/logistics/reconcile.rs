//! Every ballot accounted for after the count: per TPS and contest, the
//! ballots the TPS received (the `accepted` counts of the deliveries of
//! `ballot-<contest>` into it) against what its C.Hasil says became of
//! them (docs/logistics.md, "Reconciliation").
//!
//! A TPS's contest is checked once both sides are there: its current form
//! carries the ballot section (`surat_suara_*`, optional on the form) and
//! it accepted ballots of the contest (a TPS that never got any logged was
//! not supplied through the log, and its form has nothing to be held
//! against). It is mismatched when any of these differ:
//! - received, and used + unused + damaged (`surat_suara_digunakan` +
//!   `_tidak_digunakan` + `_rusak`);
//! - received, and `surat_suara_diterima` as written on the form;
//! - used (`surat_suara_digunakan`), and the voters who used their right
//!   (`pengguna_total_j`);
//!
//! and reconciled otherwise. [`Reconciliation`] keeps both sides and the
//! counts of every region, changed by each form and each delivery in time
//! in the depth of the tree, so a region's counts are read, never
//! computed, and its mismatched TPS are a range of an ordered set.

use std::collections::{BTreeMap, HashMap};

use crate::form::CHasil;
use crate::{Contest, Level, RegionCode, RegionId, RegionTree};

/// The contest a `ballot-<contest>` item is the ballots of.
pub fn ballot_contest(item: &str) -> Option<Contest> {
    item.strip_prefix("ballot-").and_then(Contest::parse)
}

/// What a C.Hasil says became of its ballots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// `surat_suara_diterima`.
    pub diterima: u32,
    /// `surat_suara_digunakan`.
    pub used: u32,
    /// `surat_suara_tidak_digunakan`.
    pub unused: u32,
    /// `surat_suara_rusak`.
    pub damaged: u32,
    /// `pengguna_total_j`.
    pub pengguna_total_j: u32,
}

impl Counted {
    /// The form's numbers; `None` for a form without the ballot section,
    /// which cannot be reconciled.
    pub fn of(form: &CHasil) -> Option<Counted> {
        form.surat_suara.map(|s| Counted {
            diterima: s.diterima,
            used: s.digunakan,
            unused: s.tidak_digunakan,
            damaged: s.rusak,
            pengguna_total_j: form.pengguna_total.j,
        })
    }
}

/// A checked TPS's two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballots {
    pub tps: RegionId,
    pub contest: Contest,
    /// Accepted deliveries of the contest's ballots into the TPS.
    pub received: u64,
    pub counted: Counted,
}

impl Ballots {
    /// What does not add up, one English clause each; empty when the
    /// ballots are accounted for.
    pub fn mismatches(&self) -> Vec<String> {
        let c = &self.counted;
        let received = self.received;
        let mut why = Vec::new();
        let accounted = u64::from(c.used) + u64::from(c.unused) + u64::from(c.damaged);
        if accounted != received {
            why.push(format!(
                "{received} received but used + unused + damaged = {} + {} + {} = {accounted}",
                c.used, c.unused, c.damaged
            ));
        }
        if u64::from(c.diterima) != received {
            why.push(format!(
                "{received} received but surat_suara_diterima is {}",
                c.diterima
            ));
        }
        if c.used != c.pengguna_total_j {
            why.push(format!(
                "{} used but pengguna_total_j is {}",
                c.used, c.pengguna_total_j
            ));
        }
        why
    }

    pub fn is_mismatch(&self) -> bool {
        !self.mismatches().is_empty()
    }
}

/// TPS reconciled and mismatched at or under a region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub reconciled: u64,
    pub mismatched: u64,
}

/// Both sides of every TPS's ballots and the counts of every region.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    upper: usize,
    counted: HashMap<(RegionId, Contest), Counted>,
    received: HashMap<(RegionId, Contest), u64>,
    /// Per upper region and contest (`region * 5 + contest`).
    counts: Vec<Counts>,
    /// Every mismatched TPS, by contest and code: a region's are one
    /// range (its TPS codes are contiguous).
    mismatched: BTreeMap<(Contest, RegionCode), RegionId>,
}

impl Reconciliation {
    /// Nothing received, no form counted.
    pub fn new(tree: &RegionTree) -> Reconciliation {
        let upper = tree.upper_len();
        Reconciliation {
            upper,
            counted: HashMap::new(),
            received: HashMap::new(),
            counts: vec![Counts::default(); upper * Contest::ALL.len()],
            mismatched: BTreeMap::new(),
        }
    }

    /// A TPS's current form of `contest` became `form`.
    pub fn set_form(&mut self, tree: &RegionTree, tps: RegionId, contest: Contest, form: &CHasil) {
        self.change(tree, tps, contest, |r| match Counted::of(form) {
            Some(c) => r.counted.insert((tps, contest), c),
            None => r.counted.remove(&(tps, contest)),
        });
    }

    /// `n` more ballots of `contest` were accepted at a TPS.
    pub fn add_received(&mut self, tree: &RegionTree, tps: RegionId, contest: Contest, n: u64) {
        self.change(tree, tps, contest, |r| {
            *r.received.entry((tps, contest)).or_default() += n;
        });
    }

    /// A TPS's ballots of `contest`, if it is checked: its form counted
    /// them and it received some.
    pub fn ballots(&self, tps: RegionId, contest: Contest) -> Option<Ballots> {
        let counted = *self.counted.get(&(tps, contest))?;
        let received = self.received.get(&(tps, contest)).copied()?;
        (received > 0).then_some(Ballots {
            tps,
            contest,
            received,
            counted,
        })
    }

    /// The counts at or under `region` (a TPS counts itself).
    pub fn counts(&self, region: RegionId, contest: Contest) -> Counts {
        if region.index() < self.upper {
            return self.counts[self.slot(region, contest)];
        }
        match self.ballots(region, contest) {
            None => Counts::default(),
            Some(b) if b.is_mismatch() => Counts {
                reconciled: 0,
                mismatched: 1,
            },
            Some(_) => Counts {
                reconciled: 1,
                mismatched: 0,
            },
        }
    }

    /// The first `limit` mismatched TPS at or under `region`, in code
    /// order.
    pub fn mismatches(
        &self,
        tree: &RegionTree,
        region: RegionId,
        contest: Contest,
        limit: usize,
    ) -> Vec<Ballots> {
        let code = tree.get(region).code;
        let level = code.level();
        let mut first = code;
        while first.level() != Level::Tps {
            match first.child(1) {
                Some(child) => first = child,
                None => return Vec::new(),
            }
        }
        self.mismatched
            .range((contest, first)..)
            .take_while(|((c, tps), _)| *c == contest && tps.ancestor_at(level) == Some(code))
            .filter_map(|(_, id)| self.ballots(*id, contest))
            .take(limit)
            .collect()
    }

    fn slot(&self, region: RegionId, contest: Contest) -> usize {
        region.index() * Contest::ALL.len() + contest.index()
    }

    /// Applies `edit` to a TPS's sides and moves the TPS between the
    /// counts of its ancestors as its state changed.
    fn change<T>(
        &mut self,
        tree: &RegionTree,
        tps: RegionId,
        contest: Contest,
        edit: impl FnOnce(&mut Self) -> T,
    ) {
        let state = |r: &Self| r.ballots(tps, contest).map(|b| b.is_mismatch());
        let before = state(self);
        edit(self);
        let after = state(self);
        if before == after {
            return;
        }
        let code = tree.get(tps).code;
        match after {
            Some(true) => {
                self.mismatched.insert((contest, code), tps);
            }
            _ => {
                self.mismatched.remove(&(contest, code));
            }
        }
        for region in tree.ancestors(tps) {
            let slot = self.slot(region, contest);
            let counts = &mut self.counts[slot];
            for (state, sign) in [(before, -1i64), (after, 1)] {
                let cell = match state {
                    None => continue,
                    Some(true) => &mut counts.mismatched,
                    Some(false) => &mut counts.reconciled,
                };
                *cell = cell.wrapping_add_signed(sign);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionInput;
    use crate::form::SuratSuara;

    fn tree() -> RegionTree {
        let codes = [
            "11",
            "11.01",
            "11.01.01",
            "11.01.01.2001",
            "11.01.01.2001.001",
            "11.01.01.2001.002",
            "11.01.02",
            "11.01.02.2001",
            "11.01.02.2001.001",
        ];
        let inputs = codes
            .iter()
            .map(|c| RegionInput {
                code: RegionCode::parse(c).unwrap(),
                name: (*c).to_owned(),
                dpt: Default::default(),
            })
            .collect();
        RegionTree::build("Indonesia", inputs).unwrap()
    }

    fn form(diterima: u32, used: u32, unused: u32, damaged: u32, voters: u32) -> CHasil {
        let mut form = CHasil::example_ppwp();
        form.surat_suara = Some(SuratSuara {
            diterima,
            digunakan: used,
            tidak_digunakan: unused,
            rusak: damaged,
        });
        form.pengguna_total.j = voters;
        form
    }

    #[test]
    fn counts_follow_forms_and_deliveries_up_the_tree_and_list_the_mismatched() {
        let t = tree();
        let id = |c: &str| t.find(RegionCode::parse(c).unwrap()).unwrap();
        let (a, b, c) = (
            id("11.01.01.2001.001"),
            id("11.01.01.2001.002"),
            id("11.01.02.2001.001"),
        );
        let p = Contest::Ppwp;
        let mut r = Reconciliation::new(&t);
        let at = |r: &Reconciliation, code: &str| r.counts(id(code), p);
        // No ballot section, or no ballots received: not checked.
        let mut plain = CHasil::example_ppwp();
        plain.surat_suara = None;
        r.add_received(&t, a, p, 255);
        r.set_form(&t, a, p, &plain);
        r.set_form(&t, b, p, &form(255, 200, 55, 0, 200));
        assert_eq!(at(&r, "0"), Counts::default());

        r.set_form(&t, a, p, &form(255, 200, 50, 5, 200));
        r.add_received(&t, b, p, 250);
        r.add_received(&t, c, p, 99);
        r.set_form(&t, c, p, &form(100, 90, 10, 0, 91));
        assert_eq!(
            at(&r, "0"),
            Counts {
                reconciled: 1,
                mismatched: 2
            }
        );
        assert_eq!(at(&r, "11.01.02").mismatched, 1);
        assert_eq!(at(&r, "11.01.01.2001.002").mismatched, 1);
        assert_eq!(at(&r, "11.01.01.2001.001").reconciled, 1);
        let listed = |r: &Reconciliation, code: &str, limit| -> Vec<RegionId> {
            r.mismatches(&t, id(code), p, limit)
                .iter()
                .map(|b| b.tps)
                .collect()
        };
        assert_eq!(listed(&r, "0", 100), [b, c]);
        assert_eq!(listed(&r, "11.01.01", 100), [b]);
        assert_eq!(listed(&r, "11.01.02.2001.001", 100), [c]);
        assert_eq!(listed(&r, "0", 1), [b]);
        assert!(r.mismatches(&t, t.root(), Contest::Dpr, 100).is_empty());
        let why = r.ballots(c, p).unwrap().mismatches();
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(why[0].contains("99 received but used + unused + damaged = 90 + 10 + 0 = 100"));
        assert!(why[1].contains("99 received but surat_suara_diterima is 100"));
        assert!(why[2].contains("90 used but pengguna_total_j is 91"));

        // The rest of b's ballots arrive; c's form is corrected and its
        // last ballot delivered.
        r.add_received(&t, b, p, 5);
        r.set_form(&t, c, p, &form(100, 91, 9, 0, 91));
        assert_eq!(
            at(&r, "0"),
            Counts {
                reconciled: 2,
                mismatched: 1
            }
        );
        r.add_received(&t, c, p, 1);
        assert_eq!(
            at(&r, "0"),
            Counts {
                reconciled: 3,
                mismatched: 0
            }
        );
        assert!(listed(&r, "0", 100).is_empty());
    }

    #[test]
    fn ballot_items_name_their_contest() {
        for contest in Contest::ALL {
            let item = format!("ballot-{}", contest.id());
            assert_eq!(ballot_contest(&item), Some(contest));
        }
        assert_eq!(ballot_contest("box"), None);
        assert_eq!(ballot_contest("ballot-x"), None);
    }
}
