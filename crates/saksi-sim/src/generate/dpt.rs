//! Registered voters (DPT) per TPS, drawn so that the nation adds up.
//!
//! A domestic TPS serves at most 300 voters (the commission's rule); most
//! are near that, a few remote ones are small, and special-location TPS
//! (numbered 901 and up) take 301 to 800. Overseas units are larger. The
//! totals are exact: 203,056,748 at home over 820,161 TPS and 1,750,474
//! abroad over 3,205 units, 204,807,222 in all; a tree with fewer TPS gets
//! the same mean per TPS. Voters are split by sex close to the national
//! 49.9 / 50.1.

use saksi_core::{Dpt, Level, RegionInput, VotingMethod};

use super::split::{Share, apportion};
use super::table::{DOMESTIC_DPT, DOMESTIC_TPS, OVERSEAS_DPT, OVERSEAS_UNITS};
use super::tree::FIRST_SPECIAL_TPS;
use crate::rng::Rng;

/// Stream label of the DPT draws.
const STREAM: u64 = 3;
/// The most voters one domestic TPS may serve.
pub const MAX_DPT_PER_TPS: u32 = 300;

/// Sets the DPT of every TPS in `regions`, deterministically by `seed` and
/// the set of TPS codes (not their order in the slice); regions above TPS
/// are left alone (their DPT is the sum, computed by the tree). Use it on an
/// imported tree, whose TPS come without voters.
pub fn assign_dpt(regions: &mut [RegionInput], seed: u64) {
    let mut domestic = Vec::new();
    let mut overseas = Vec::new();
    for (i, r) in regions.iter().enumerate() {
        if r.code.level() == Level::Tps {
            if r.code.is_luar_negeri() {
                overseas.push(i);
            } else {
                domestic.push(i);
            }
        }
    }
    for (list, stream) in [(&mut domestic, 0), (&mut overseas, 1)] {
        list.sort_unstable_by_key(|i| regions[*i].code);
        let mut rng = Rng::stream(seed, &[STREAM, stream]);
        let (target, bounds): (u64, Vec<(u32, u32)>) = if stream == 0 {
            let target = per_tps(DOMESTIC_DPT, DOMESTIC_TPS, list.len());
            (
                target,
                list.iter().map(|i| domestic_bounds(&regions[*i])).collect(),
            )
        } else {
            let units: u32 = OVERSEAS_UNITS.iter().sum();
            let target = per_tps(OVERSEAS_DPT, u64::from(units), list.len());
            (
                target,
                list.iter().map(|i| overseas_bounds(&regions[*i])).collect(),
            )
        };
        let totals = draw(&bounds, target, &mut rng, stream == 0);
        for (i, total) in list.iter().zip(totals) {
            let l = (u64::from(total) * rng.between(4790, 5190) / 10_000) as u32;
            regions[*i].dpt = Dpt { l, p: total - l };
        }
    }
}

/// The national total scaled to `count` TPS, rounded.
fn per_tps(total: u64, of: u64, count: usize) -> u64 {
    (total * count as u64 * 2 + of) / (2 * of)
}

/// Where a domestic TPS's DPT may lie.
fn domestic_bounds(tps: &RegionInput) -> (u32, u32) {
    if tps.code.number() >= FIRST_SPECIAL_TPS {
        (301, 800)
    } else {
        (1, MAX_DPT_PER_TPS)
    }
}

/// Where an overseas unit's DPT may lie, by its voting method; postal units
/// serve the most voters, mobile boxes the fewest.
fn overseas_bounds(unit: &RegionInput) -> (u32, u32) {
    match VotingMethod::of(unit.code) {
        Some(VotingMethod::Tpsln) => (100, 1800),
        Some(VotingMethod::Ksk) => (30, 900),
        _ => (150, 4000),
    }
}

/// Draws one DPT per TPS within its bounds, then spreads the difference to
/// `target` over the TPS in proportion to their room, so the sum is exact.
fn draw(bounds: &[(u32, u32)], target: u64, rng: &mut Rng, domestic: bool) -> Vec<u32> {
    let raw: Vec<u32> = bounds
        .iter()
        .map(|&(lo, hi)| {
            if domestic && hi == MAX_DPT_PER_TPS {
                if rng.chance(20) {
                    // A remote TPS: a hamlet, an island.
                    rng.between(20, 150) as u32
                } else {
                    // Most TPS are filled close to the limit.
                    let u = rng.below(1000);
                    hi - (200 * u * u * u / 1_000_000_000) as u32
                }
            } else {
                // Uniform over the lower half of the range.
                lo + (u64::from(hi - lo) * rng.below(1000) / 2000) as u32
            }
        })
        .collect();
    let sum: u64 = raw.iter().map(|v| u64::from(*v)).sum();
    let up = target >= sum;
    let room: Vec<Share> = raw
        .iter()
        .zip(bounds)
        .map(|(v, (lo, hi))| {
            let room = u64::from(if up { hi - v } else { v - lo });
            Share {
                weight: room,
                min: 0,
                max: room,
            }
        })
        .collect();
    let moves = apportion(target.abs_diff(sum), &room);
    raw.iter()
        .zip(moves)
        .map(|(v, m)| if up { v + m as u32 } else { v - m as u32 })
        .collect()
}
