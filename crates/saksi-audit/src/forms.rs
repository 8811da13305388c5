//! The counting state, compact: for each (TPS, contest) only its current
//! counting version, i.e. the version number, the digest the next version's
//! `prev` must name, and its tallies as `u32`s. A whole nation's 4.1
//! million forms take about 72 bytes each here, plus 4 bytes per option in
//! one shared vector and an index of 16 bytes per form, instead of every
//! decoded entry.

use std::collections::HashMap;

use saksi_core::form::OptionId;
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::SignedBy;

/// What one form version adds to its TPS's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// `pengguna_total_j`, `suara_sah`, `suara_tidak_sah`, `suara_total`.
    pub counts: [u32; 4],
    /// Votes per option ([`option_key`]); a party's are its party-only
    /// votes plus its candidates'.
    pub options: Vec<(u32, u32)>,
}

/// An option of results, packed: the kind in the high bits, the ballot
/// number in the low 16.
pub fn option_key(id: OptionId) -> Option<u32> {
    match id {
        OptionId::Paslon(n) => Some(u32::from(n)),
        OptionId::Candidate(n) => Some((1 << 16) | u32::from(n)),
        OptionId::Party(p) => Some((2 << 16) | u32::from(p)),
        OptionId::PartyCandidate(..) => None,
    }
}

/// The key results use for a packed option: `01` for a paslon, `7` for a
/// DPD candidate or a party.
pub fn option_name(key: u32) -> String {
    let n = key & 0xffff;
    if key >> 16 == 0 {
        format!("{n:02}")
    } else {
        n.to_string()
    }
}

/// One form's current counting version.
#[derive(Debug, Clone)]
pub struct Slot {
    pub tps: RegionCode,
    /// What the next version's `prev` must be.
    pub digest: [u8; 32],
    pub counts: [u32; 4],
    pub version: u32,
    votes_at: u32,
    layout: u32,
    pub contest: Contest,
    /// Who vouches for it, which decides what may supersede it.
    pub signed_by: SignedBy,
    /// Its TPS is not in the published region list: not counted.
    pub excluded: bool,
}

/// Every form's current counting version.
#[derive(Debug, Default)]
pub struct Forms {
    index: HashMap<u64, u32>,
    slots: Vec<Slot>,
    votes: Vec<u32>,
    /// Option lists, each stored once (one per ballot, in practice).
    layouts: Vec<Box<[u32]>>,
    layout_ids: HashMap<Box<[u32]>, u32>,
}

/// (TPS, contest) as one integer: the TPS's five segment numbers (each
/// below its segment's width: 2, 2, 2, 4 and 3 digits) and the contest.
fn pack(tps: RegionCode, contest: Contest) -> u64 {
    debug_assert_eq!(tps.level(), Level::Tps);
    let mut key = contest.index() as u64;
    let mut code = tps;
    for bits in [10, 14, 7, 7, 7] {
        key = (key << bits) | u64::from(code.number());
        code = code.parent().unwrap_or(RegionCode::NASIONAL);
    }
    key
}

impl Forms {
    /// The current version of a form.
    pub fn current(&self, tps: RegionCode, contest: Contest) -> Option<&Slot> {
        self.index
            .get(&pack(tps, contest))
            .map(|i| &self.slots[*i as usize])
    }

    /// Makes `version` the current version of (`tps`, `contest`). `Err` if
    /// the votes no longer fit (over 4 billion option cells).
    pub fn set(
        &mut self,
        tps: RegionCode,
        contest: Contest,
        version: u32,
        digest: [u8; 32],
        signed_by: SignedBy,
        tally: &Tally,
    ) -> Result<(), &'static str> {
        let keys: Vec<u32> = tally.options.iter().map(|(k, _)| *k).collect();
        let layout = match self.layout_ids.get(keys.as_slice()) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.layouts.len()).map_err(|_| "too many option lists")?;
                let keys: Box<[u32]> = keys.into();
                self.layouts.push(keys.clone());
                self.layout_ids.insert(keys, id);
                id
            }
        };
        let key = pack(tps, contest);
        let existing = self.index.get(&key).copied();
        // A new version with the same options overwrites the old votes.
        let reuse = existing
            .map(|i| &self.slots[i as usize])
            .filter(|s| self.layouts[s.layout as usize].len() == tally.options.len())
            .map(|s| s.votes_at);
        let votes_at = match reuse {
            Some(at) => {
                let at_usize = at as usize;
                for (cell, (_, v)) in self.votes[at_usize..].iter_mut().zip(&tally.options) {
                    *cell = *v;
                }
                at
            }
            None => {
                let at = u32::try_from(self.votes.len())
                    .ok()
                    .filter(|at| at.checked_add(tally.options.len() as u32).is_some())
                    .ok_or("over 4 billion option cells")?;
                self.votes.extend(tally.options.iter().map(|(_, v)| *v));
                at
            }
        };
        let slot = Slot {
            tps,
            digest,
            counts: tally.counts,
            version,
            votes_at,
            layout,
            contest,
            signed_by,
            excluded: false,
        };
        match existing {
            Some(i) => self.slots[i as usize] = slot,
            None => {
                let i = u32::try_from(self.slots.len()).map_err(|_| "over 4 billion forms")?;
                self.slots.push(slot);
                self.index.insert(key, i);
            }
        }
        Ok(())
    }

    /// Stops counting every form of `tps`; returns how many there were.
    pub fn exclude(&mut self, tps: RegionCode) -> u32 {
        let mut n = 0;
        for contest in Contest::ALL {
            if let Some(i) = self.index.get(&pack(tps, contest)) {
                self.slots[*i as usize].excluded = true;
                n += 1;
            }
        }
        n
    }

    /// Every counting form, in the order they first appeared.
    pub fn counted(&self) -> impl Iterator<Item = &Slot> + '_ {
        self.slots.iter().filter(|s| !s.excluded)
    }

    /// A counting form's votes per option.
    pub fn options<'a>(&'a self, slot: &Slot) -> impl Iterator<Item = (u32, u32)> + 'a {
        let keys = &self.layouts[slot.layout as usize];
        let at = slot.votes_at as usize;
        keys.iter()
            .copied()
            .zip(self.votes[at..at + keys.len()].iter().copied())
    }

    /// Forms with a counting version.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no form has a counting version yet.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The `n`th form (for drawing a sample).
    pub fn get(&self, n: usize) -> Option<&Slot> {
        self.slots.get(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(sah: u32, options: &[(u32, u32)]) -> Tally {
        Tally {
            counts: [sah + 1, sah, 1, sah + 1],
            options: options.to_vec(),
        }
    }

    #[test]
    fn a_new_version_replaces_the_current_one() {
        let mut forms = Forms::default();
        let a = RegionCode::parse("11.01.01.2001.001").unwrap();
        let b = RegionCode::parse("99.01.01.1000.001").unwrap();
        forms
            .set(
                a,
                Contest::Ppwp,
                1,
                [1; 32],
                SignedBy::Kpps,
                &tally(10, &[(1, 4), (2, 6)]),
            )
            .unwrap();
        forms
            .set(
                a,
                Contest::Dpr,
                1,
                [2; 32],
                SignedBy::Kpps,
                &tally(3, &[(2 << 16 | 7, 3)]),
            )
            .unwrap();
        forms
            .set(
                b,
                Contest::Ppwp,
                1,
                [3; 32],
                SignedBy::Kpps,
                &tally(5, &[(1, 5), (2, 0)]),
            )
            .unwrap();
        forms
            .set(
                a,
                Contest::Ppwp,
                2,
                [4; 32],
                SignedBy::Kpps,
                &tally(12, &[(1, 2), (2, 10)]),
            )
            .unwrap();
        assert_eq!(forms.len(), 3);
        let current = forms.current(a, Contest::Ppwp).unwrap();
        assert_eq!((current.version, current.digest), (2, [4; 32]));
        assert_eq!(
            forms.options(current).collect::<Vec<_>>(),
            [(1, 2), (2, 10)]
        );
        let other = forms.current(b, Contest::Ppwp).unwrap();
        assert_eq!(forms.options(other).collect::<Vec<_>>(), [(1, 5), (2, 0)]);
        // Another shape of options is stored anew.
        forms
            .set(
                a,
                Contest::Ppwp,
                3,
                [5; 32],
                SignedBy::Kpps,
                &tally(1, &[(1, 1)]),
            )
            .unwrap();
        let current = forms.current(a, Contest::Ppwp).unwrap();
        assert_eq!(forms.options(current).collect::<Vec<_>>(), [(1, 1)]);
        assert_eq!(forms.exclude(a), 2);
        assert_eq!(forms.counted().count(), 1);
        assert_eq!(option_name(1), "01");
        assert_eq!(option_name((2 << 16) | 7), "7");
        assert_eq!(option_name((1 << 16) | 12), "12");
        assert_ne!(pack(a, Contest::Ppwp), pack(a, Contest::Dpr));
        assert_ne!(pack(a, Contest::Ppwp), pack(b, Contest::Ppwp));
    }
}
