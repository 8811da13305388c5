//! The overseas province `99` ("Luar Negeri"): Indonesians voting abroad.
//!
//! It keeps the five-level grammar of a domestic province: country `99.CC`
//! (kab/kota level), mission `99.CC.MM` (kecamatan level: an embassy, KBRI,
//! or consulate, KJRI), one pseudo-desa per voting method the mission runs
//! (`.1000` TPSLN polling stations, `.2000` KSK mobile ballot boxes, `.3000`
//! Pos postal voting) and the polling units under it (`.1000.001`). At scale
//! 1.0 there are the real 2024 numbers: 128 missions in 96 countries, 808
//! TPSLN, 1,708 KSK and 689 Pos units; every mission runs TPSLN, 67 run KSK
//! and 109 Pos, as in 2024. Country and mission names are synthetic.

use saksi_core::{RegionCode, RegionInput, VotingMethod};

use super::GenerateOptions;
use super::names;
use super::split::{apportion, shares, skewed};
use super::table::{COUNTRIES, LUAR_NEGERI_NAME, MISSIONS, MISSIONS_WITH, OVERSEAS_UNITS};
use super::tree::{child, input, scaled};
use crate::rng::Rng;

/// Stream label of the overseas draws.
const STREAM: u64 = 2;

/// The regions of province `99` at `opts.scale` (at least one mission and
/// one unit of each method at any scale), without DPT: draw it with
/// [`super::assign_dpt`] together with the domestic TPS. The importer adds
/// these to a real domestic tree, whose desa list has no overseas part.
pub fn overseas_regions(opts: &GenerateOptions) -> Vec<RegionInput> {
    let mut rng = Rng::stream(opts.seed, &[STREAM]);
    let units = OVERSEAS_UNITS.map(|n| scaled(n, opts.scale));
    // Every mission runs a TPSLN, so there are no more missions than TPSLN.
    let missions = scaled(MISSIONS, opts.scale).min(units[0]);
    let countries = scaled(COUNTRIES, opts.scale).min(missions);
    let with = [0, 1, 2].map(|m| {
        let share = (MISSIONS_WITH[m] * missions * 2 + MISSIONS) / (2 * MISSIONS);
        share.clamp(1, missions.min(units[m])) as usize
    });

    // Which missions run which method, and how many units each.
    let mut per_method: Vec<Vec<u64>> = Vec::with_capacity(3);
    for (m, total) in units.iter().enumerate() {
        let mut order: Vec<usize> = (0..missions as usize).collect();
        for i in 0..with[m] {
            let j = i + rng.below((order.len() - i) as u64) as usize;
            order.swap(i, j);
        }
        let runs = &order[..with[m]];
        let weights: Vec<u64> = runs.iter().map(|_| skewed(&mut rng, 30)).collect();
        let max = 560u64.max(u64::from(*total).div_ceil(runs.len() as u64));
        let counts = apportion(u64::from(*total), &shares(&weights, 1, max.min(999)));
        let mut by_mission = vec![0; missions as usize];
        for (mission, n) in runs.iter().zip(counts) {
            by_mission[*mission] = n;
        }
        per_method.push(by_mission);
    }

    let weights: Vec<u64> = (0..countries).map(|_| skewed(&mut rng, 8)).collect();
    let per_country = apportion(u64::from(missions), &shares(&weights, 1, 6));

    let root = RegionCode::LUAR_NEGERI;
    let mut out = vec![input(root, LUAR_NEGERI_NAME.to_owned())];
    let mut mission_index = 0;
    for (c, n_missions) in (1..).zip(&per_country) {
        let country = child(root, c);
        out.push(input(country, format!("Negara {}", names::place(&mut rng))));
        for m in 1..=*n_missions as u32 {
            let mission = child(country, m);
            let kind = if m == 1 { "KBRI" } else { "KJRI" };
            let city = names::place(&mut rng);
            out.push(input(mission, format!("{kind} {city}")));
            for ((number, method), counts) in VotingMethod::OVERSEAS.iter().zip(&per_method) {
                let name = method.id().to_uppercase();
                let n_units = counts[mission_index] as u32;
                if n_units == 0 {
                    continue;
                }
                let desa = child(mission, *number);
                out.push(input(desa, format!("{name} {city}")));
                for u in 1..=n_units {
                    out.push(input(child(desa, u), format!("{name} {u:03}")));
                }
            }
            mission_index += 1;
        }
    }
    out
}
