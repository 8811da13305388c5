//! The live flags of a whole election: what every current form contributes
//! to them, the flags settled per kecamatan and kab/kota, and counts per
//! region, kept up to date one form at a time.
//!
//! A new version changes its own sample and its kab/kota's digit counts at
//! once and marks its kecamatan and kab/kota to settle; settling one
//! re-judges its TPS (a kecamatan has a few hundred) and adds the change
//! of each TPS's flags to the counts of the regions above it, so reading a
//! count never walks the forms.

use std::ops::Range;

use super::{
    DIGITS_P, Flag, FlagCode, MIN_DIGITS, MIN_SAME_VOTES_VALID, Sample, Spread, last_digits,
    option_name, settle_kecamatan, stats,
};
use crate::form::CHasil;
use crate::{Contest, Level, RegionId, RegionTree};

/// The per-TPS codes, those counted in [`ContestFlags::counts`].
const PER_TPS: [FlagCode; 4] = [
    FlagCode::AboveDpt,
    FlagCode::Unanimous,
    FlagCode::SameVotes,
    FlagCode::TurnoutOutlier,
];
const NO_GROUP: u32 = u32::MAX;

/// The chi-square test of a kab/kota's last digits against uniform, less
/// the components of a smooth trend ([`super::DIGITS_P`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ChiSquare {
    /// Totals counted.
    pub(super) n: u64,
    pub(super) statistic: f64,
    /// With 7 degrees of freedom: 9, less the two trend components.
    pub(super) p: f64,
}

/// The orthogonal polynomial contrasts of the digits 0-9 of degree one
/// (`d - 4.5`) and two (`(d - 4.5)^2 - 8.25`): the shapes a smooth slope of
/// the totals' distribution gives their last digits.
const LINEAR: [f64; 10] = [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5];
const QUADRATIC: [f64; 10] = [12.0, 4.0, -2.0, -6.0, -8.0, -8.0, -6.0, -2.0, 4.0, 12.0];

impl ChiSquare {
    /// The test of digit counts, if there are enough of them: the
    /// standardized residuals' sum of squares less their projections on
    /// [`LINEAR`] and [`QUADRATIC`].
    pub(super) fn of(counts: &[u32; 10]) -> Option<ChiSquare> {
        let n: u64 = counts.iter().map(|c| u64::from(*c)).sum();
        if n < MIN_DIGITS {
            return None;
        }
        let expected = n as f64 / 10.0;
        let residual: Vec<f64> = counts
            .iter()
            .map(|c| (f64::from(*c) - expected) / expected.sqrt())
            .collect();
        let mut statistic: f64 = residual.iter().map(|r| r * r).sum();
        for (contrast, norm) in [
            (&LINEAR, LINEAR.iter().map(|c| c * c).sum::<f64>()),
            (&QUADRATIC, QUADRATIC.iter().map(|c| c * c).sum::<f64>()),
        ] {
            let along: f64 = contrast.iter().zip(&residual).map(|(c, r)| c * r).sum();
            statistic -= along * along / norm;
        }
        let statistic = statistic.max(0.0);
        Some(ChiSquare {
            n,
            statistic,
            p: stats::chi_square_p(statistic, 7),
        })
    }

    pub(super) fn flags(&self) -> bool {
        self.p < DIGITS_P
    }
}

/// A kecamatan: its TPS (contiguous in the tree, offsets from the first
/// TPS) and its kab/kota (an index into [`Index::kabkota`]).
#[derive(Debug, Clone)]
struct Kecamatan {
    tps: Range<u32>,
    kabkota: u32,
}

/// One contest's flags.
#[derive(Debug, Clone)]
struct ContestFlags {
    /// Per TPS offset.
    samples: Vec<Sample>,
    /// Per kecamatan, as last settled.
    spread: Vec<Option<Spread>>,
    /// Per kab/kota: how many totals end in each digit.
    digits: Vec<[u32; 10]>,
    /// Per kab/kota, as last settled.
    tests: Vec<Option<ChiSquare>>,
    /// Per region above TPS: its TPS carrying each of [`PER_TPS`].
    counts: Vec<[u32; 4]>,
    /// Kecamatan and kab/kota changed since they were last settled, each
    /// once.
    dirty_kecamatan: Vec<u32>,
    dirty_kabkota: Vec<u32>,
    kecamatan_dirty: Vec<bool>,
    kabkota_dirty: Vec<bool>,
}

/// Every contest's flags over one region tree. Pure data: what a
/// [`crate::tally::Tallies`] updates with each form version, beside its
/// totals.
#[derive(Debug, Clone)]
pub struct Index {
    /// The id of the first TPS: TPS offsets count from it.
    first_tps: usize,
    /// Per TPS offset: its registered voters.
    dpt: Vec<u32>,
    /// Per TPS offset: its kecamatan.
    kecamatan_of: Vec<u32>,
    kecamatan: Vec<Kecamatan>,
    /// Per kab/kota: its region.
    kabkota: Vec<RegionId>,
    /// Per region above TPS: its index into `kabkota` if it is one.
    kabkota_group: Vec<u32>,
    contests: Vec<ContestFlags>,
}

impl Index {
    /// Nothing reported yet. TPS are laid out last in the tree, in code
    /// order, so each kecamatan's TPS are contiguous.
    pub fn new(tree: &RegionTree) -> Index {
        let first_tps = tree.upper_len();
        let mut dpt = Vec::with_capacity(tree.len() - first_tps);
        let mut kecamatan_of = Vec::with_capacity(tree.len() - first_tps);
        let mut kecamatan: Vec<Kecamatan> = Vec::new();
        let mut kabkota: Vec<RegionId> = Vec::new();
        let mut kabkota_group = vec![NO_GROUP; first_tps];
        let mut last: Option<RegionId> = None;
        for (offset, tps) in tree.tps_ids().enumerate() {
            let region = tree.get(tps);
            dpt.push(region.dpt.total());
            let kec = tree
                .ancestors(tps)
                .find(|a| tree.get(*a).level() == Level::Kecamatan)
                .expect("a TPS lies in a kecamatan");
            if last != Some(kec) {
                let kab = tree
                    .get(kec)
                    .parent
                    .expect("a kecamatan lies in a kab/kota");
                if kabkota_group[kab.index()] == NO_GROUP {
                    kabkota_group[kab.index()] = kabkota.len() as u32;
                    kabkota.push(kab);
                }
                kecamatan.push(Kecamatan {
                    tps: offset as u32..offset as u32,
                    kabkota: kabkota_group[kab.index()],
                });
                last = Some(kec);
            }
            let current = kecamatan.last_mut().expect("pushed above");
            current.tps.end = offset as u32 + 1;
            kecamatan_of.push(kecamatan.len() as u32 - 1);
        }
        let contest = ContestFlags {
            samples: vec![Sample::default(); dpt.len()],
            spread: vec![None; kecamatan.len()],
            digits: vec![[0; 10]; kabkota.len()],
            tests: vec![None; kabkota.len()],
            counts: vec![[0; 4]; first_tps],
            dirty_kecamatan: Vec::new(),
            dirty_kabkota: Vec::new(),
            kecamatan_dirty: vec![false; kecamatan.len()],
            kabkota_dirty: vec![false; kabkota.len()],
        };
        Index {
            first_tps,
            dpt,
            kecamatan_of,
            kecamatan,
            kabkota,
            kabkota_group,
            contests: vec![contest; Contest::ALL.len()],
        }
    }

    /// Enters a TPS's new current form for `contest` in place of `old`
    /// (the version it succeeds, `None` for a first version) and marks its
    /// kecamatan and kab/kota to settle. Flags and counts change only when
    /// [`Index::settle`] runs.
    pub fn enter(&mut self, tps: RegionId, contest: Contest, old: Option<&CHasil>, new: &CHasil) {
        let offset = tps.index() - self.first_tps;
        let kecamatan = self.kecamatan_of[offset];
        let kabkota = self.kecamatan[kecamatan as usize].kabkota;
        let cf = &mut self.contests[contest.index()];
        let settled = cf.samples[offset].bits;
        cf.samples[offset] = Sample {
            bits: settled | super::REPORTED,
            ..Sample::of(new)
        };
        let digits = &mut cf.digits[kabkota as usize];
        for d in old.into_iter().flat_map(last_digits) {
            digits[d] = digits[d].saturating_sub(1);
        }
        for d in last_digits(new) {
            digits[d] += 1;
        }
        if !std::mem::replace(&mut cf.kecamatan_dirty[kecamatan as usize], true) {
            cf.dirty_kecamatan.push(kecamatan);
        }
        if !std::mem::replace(&mut cf.kabkota_dirty[kabkota as usize], true) {
            cf.dirty_kabkota.push(kabkota);
        }
    }

    /// Re-judges every kecamatan and kab/kota entered into since the last
    /// settle and brings the counts up to date.
    pub fn settle(&mut self, tree: &RegionTree) {
        for cf in &mut self.contests {
            for k in std::mem::take(&mut cf.dirty_kecamatan) {
                cf.kecamatan_dirty[k as usize] = false;
                let range = self.kecamatan[k as usize].tps.clone();
                let range = range.start as usize..range.end as usize;
                let before: Vec<u8> = cf.samples[range.clone()].iter().map(|s| s.bits).collect();
                cf.spread[k as usize] =
                    settle_kecamatan(&mut cf.samples[range.clone()], &self.dpt[range.clone()]);
                for (i, old) in before.into_iter().enumerate() {
                    let new = cf.samples[range.start + i].bits;
                    if old == new {
                        continue;
                    }
                    let tps = RegionId((self.first_tps + range.start + i) as u32);
                    for region in tree.ancestors(tps) {
                        let row = &mut cf.counts[region.index()];
                        for (slot, code) in PER_TPS.iter().enumerate() {
                            let bit = code.bit();
                            // Saturating: the sequencer applies under its
                            // write lock and must not panic there.
                            match (old & bit != 0, new & bit != 0) {
                                (false, true) => row[slot] = row[slot].saturating_add(1),
                                (true, false) => row[slot] = row[slot].saturating_sub(1),
                                _ => {}
                            }
                        }
                    }
                }
            }
            for g in std::mem::take(&mut cf.dirty_kabkota) {
                cf.kabkota_dirty[g as usize] = false;
                cf.tests[g as usize] = ChiSquare::of(&cf.digits[g as usize]);
            }
        }
    }

    /// The chi-square test of a kab/kota's last digits for `contest`, as
    /// last settled; `None` for a region that is no kab/kota or too few
    /// totals.
    fn last_digits(&self, contest: Contest, kabkota: RegionId) -> Option<ChiSquare> {
        let group = *self.kabkota_group.get(kabkota.index())?;
        let cf = &self.contests[contest.index()];
        cf.tests.get(group as usize).copied().flatten()
    }

    /// TPS at or under `region` carrying each flag for `contest`, in
    /// [`FlagCode::ALL`] order. `reported` gives the TPS at or under an
    /// upper region with a current form for `contest` (the tallies count
    /// them): `last_digits` counts every reporting TPS of each flagged
    /// kab/kota, the others the TPS whose own flag is up.
    pub fn counts(
        &self,
        tree: &RegionTree,
        contest: Contest,
        region: RegionId,
        reported: impl Fn(RegionId) -> u64,
    ) -> [u64; 5] {
        let level = tree.get(region).level();
        let flagged = |kabkota: RegionId| {
            self.last_digits(contest, kabkota)
                .is_some_and(|t| t.flags())
        };
        let kabkota_of = |r: RegionId| {
            std::iter::once(r)
                .chain(tree.ancestors(r))
                .find(|a| tree.get(*a).level() == Level::Kabkota)
        };
        let mut out = [0u64; 5];
        if level == Level::Tps {
            let sample = self.sample(contest, region);
            for (slot, code) in PER_TPS.iter().enumerate() {
                out[slot] = u64::from(sample.has(*code));
            }
            out[4] = u64::from(sample.reported() && kabkota_of(region).is_some_and(flagged));
            return out;
        }
        let row = self.contests[contest.index()].counts[region.index()];
        for (slot, n) in row.iter().enumerate() {
            out[slot] = u64::from(*n);
        }
        out[4] = if level >= Level::Kabkota {
            if kabkota_of(region).is_some_and(flagged) {
                reported(region)
            } else {
                0
            }
        } else {
            let code = tree.get(region).code;
            self.kabkota
                .iter()
                .filter(|k| code.contains(tree.get(**k).code) && flagged(**k))
                .map(|k| reported(*k))
                .sum()
        };
        out
    }

    fn sample(&self, contest: Contest, tps: RegionId) -> Sample {
        self.contests[contest.index()].samples[tps.index() - self.first_tps]
    }

    /// Every flag on a TPS's current forms, contest by contest in ballot
    /// order, each with its reason.
    pub fn flags(&self, tree: &RegionTree, tps: RegionId) -> Vec<Flag> {
        let offset = tps.index() - self.first_tps;
        let kecamatan = &self.kecamatan[self.kecamatan_of[offset] as usize];
        let kabkota = self.kabkota[kecamatan.kabkota as usize];
        let mut out = Vec::new();
        for contest in Contest::ALL {
            let cf = &self.contests[contest.index()];
            let s = cf.samples[offset];
            if !s.reported() {
                continue;
            }
            let mut flag = |code: FlagCode, message: String| {
                out.push(Flag {
                    contest,
                    code,
                    message,
                })
            };
            let dpt = self.dpt[offset];
            if s.has(FlagCode::AboveDpt) {
                let above = (f64::from(s.votes) / f64::from(dpt.max(1)) - 1.0) * 100.0;
                flag(
                    FlagCode::AboveDpt,
                    format!(
                        "{} votes were cast against a DPT of {dpt}, {above:.1}% above it (more than {}%).",
                        s.votes,
                        super::DPT_MARGIN_PERCENT
                    ),
                );
            }
            if s.has(FlagCode::Unanimous) {
                flag(
                    FlagCode::Unanimous,
                    format!(
                        "All {} valid votes went to {}.",
                        s.valid,
                        option_name(contest, s.sole)
                    ),
                );
            }
            if s.has(FlagCode::SameVotes) {
                let range = kecamatan.tps.start as usize..kecamatan.tps.end as usize;
                let others: Vec<String> = range
                    .filter(|o| *o != offset)
                    .filter(|o| {
                        let other = cf.samples[*o];
                        other.comparable() && other.fingerprint == s.fingerprint
                    })
                    .map(|o| {
                        tree.get(RegionId((self.first_tps + o) as u32))
                            .code
                            .to_string()
                    })
                    .collect();
                flag(
                    FlagCode::SameVotes,
                    format!(
                        "The same votes in every box ({} valid, at least {MIN_SAME_VOTES_VALID} needed) were reported at {} other TPS of this kecamatan: {}.",
                        s.valid,
                        others.len(),
                        others.join(", ")
                    ),
                );
            }
            if s.has(FlagCode::TurnoutOutlier)
                && let Some(spread) = cf.spread[self.kecamatan_of[offset] as usize]
            {
                let turnout = f64::from(s.voters) / f64::from(dpt.max(1));
                let z = stats::robust_z(turnout, spread.median, spread.mad);
                flag(
                    FlagCode::TurnoutOutlier,
                    format!(
                        "Turnout {:.1}% is far from its kecamatan's median {:.1}% (robust z-score {z:.1}).",
                        turnout * 100.0,
                        spread.median * 100.0
                    ),
                );
            }
            if let Some(test) = self.last_digits(contest, kabkota).filter(ChiSquare::flags) {
                flag(
                    FlagCode::LastDigits,
                    format!(
                        "The last digits of {} option totals of at least {} votes across kab/kota {} are far from uniform (chi-square {:.1} with 7 degrees of freedom, p = {:.1e}).",
                        test.n,
                        super::MIN_DIGIT_VOTES,
                        tree.get(kabkota).code,
                        test.statistic,
                        test.p
                    ),
                );
            }
        }
        out
    }
}
