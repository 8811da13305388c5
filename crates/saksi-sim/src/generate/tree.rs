//! The synthetic domestic region tree: 38 provinces down to TPS, with the
//! real 2024 count of kab/kota, kecamatan, desa and TPS in every province.
//!
//! Within a province the counts are shared out with skewed weights (a few
//! large kab/kota and crowded urban kelurahan, many small rural desa), so
//! sizes look real while the province totals stay exact. Codes follow the
//! Ministry's numbering: kabupaten `01..`, kota `71..`, kecamatan `01..`,
//! kelurahan `1001..`, desa `2001..`, TPS `001..`, and special-location TPS
//! (hospitals, prisons, campuses) `901..` in a few desa.

use saksi_core::{Dpt, RegionCode, RegionInput};

use super::names;
use super::split::{Share, apportion, shares, skewed};
use super::table::{DESA_WITH_SPECIAL_TPS, DOMESTIC_TPS, Province};
use crate::rng::Rng;

/// Stream label of the domestic tree's draws.
const STREAM: u64 = 1;
/// Largest number of regular TPS in one desa (the real 2024 maximum).
const MAX_TPS_PER_DESA: u64 = 451;
/// First number of a special-location TPS.
pub(crate) const FIRST_SPECIAL_TPS: u32 = 901;

/// A province's region counts at some scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub kabkota: u32,
    pub kota: u32,
    pub kecamatan: u32,
    pub desa: u32,
    pub tps: u32,
}

impl Counts {
    /// The province's counts at `scale`: exact at 1.0; below, each count is
    /// scaled and rounded, and raised so that every level keeps at least one
    /// region per parent (so every province is present at every scale). DKI
    /// Jakarta keeps at least two kab/kota, so that its DPR dapil II, which
    /// also holds the overseas voters, exists at every scale.
    pub(crate) fn scaled(p: &Province, scale: f64) -> Counts {
        if scale >= 1.0 {
            return Counts {
                kabkota: p.kabkota,
                kota: p.kota,
                kecamatan: p.kecamatan,
                desa: p.desa,
                tps: p.tps,
            };
        }
        let kabkota = scaled(p.kabkota, scale).max(if p.code == 31 { 2 } else { 1 });
        let kota = ((p.kota * kabkota * 2 + p.kabkota) / (2 * p.kabkota)).min(kabkota);
        let kecamatan = scaled(p.kecamatan, scale).max(kabkota);
        let desa = scaled(p.desa, scale).max(kecamatan);
        let tps = scaled(p.tps, scale).max(desa);
        Counts {
            kabkota,
            kota,
            kecamatan,
            desa,
            tps,
        }
    }
}

/// `count` times `scale`, rounded, at least 1.
pub(crate) fn scaled(count: u32, scale: f64) -> u32 {
    ((f64::from(count) * scale.min(1.0)).round() as u32).max(1)
}

/// The upper bound of a split: a realistic cap, raised when the total needs
/// it, never above what the code segment can number.
fn cap(total: u32, parts: usize, realistic: u64, code_limit: u64) -> u64 {
    realistic
        .max(u64::from(total).div_ceil(parts as u64))
        .min(code_limit)
}

/// The child code numbered `number`; the caps above keep every number
/// within its segment.
pub(crate) fn child(code: RegionCode, number: u32) -> RegionCode {
    code.child(number)
        .expect("generated numbers fit their code segment")
}

/// A region without voters of its own (DPT is drawn later, per TPS).
pub(crate) fn input(code: RegionCode, name: String) -> RegionInput {
    RegionInput {
        code,
        name,
        dpt: Dpt::default(),
    }
}

/// One desa as planned before its regions are written out.
struct Desa {
    kelurahan: bool,
    tps: u64,
    special: u64,
}

/// Appends one province's regions, in code order, to `out`.
pub(crate) fn province(p: &Province, scale: f64, seed: u64, out: &mut Vec<RegionInput>) {
    let counts = Counts::scaled(p, scale);
    let mut rng = Rng::stream(seed, &[STREAM, u64::from(p.code)]);
    let code = child(RegionCode::NASIONAL, u32::from(p.code));
    out.push(input(code, p.name.to_owned()));

    let kabupaten = counts.kabkota - counts.kota;
    let kabkota: Vec<(u32, bool)> = (1..=kabupaten)
        .map(|n| (n, false))
        .chain((71..71 + counts.kota).map(|n| (n, true)))
        .collect();

    // Kecamatan per kab/kota: cities have fewer.
    let weights: Vec<u64> = kabkota
        .iter()
        .map(|(_, kota)| skewed(&mut rng, 6) / if *kota { 2 } else { 1 })
        .collect();
    let min = if counts.kecamatan >= 2 * counts.kabkota {
        2
    } else {
        1
    };
    let max = cap(counts.kecamatan, kabkota.len(), 60, 99);
    let kecamatan = apportion(u64::from(counts.kecamatan), &shares(&weights, min, max));
    let kec_is_kota: Vec<bool> = kabkota
        .iter()
        .zip(&kecamatan)
        .flat_map(|((_, kota), n)| std::iter::repeat_n(*kota, *n as usize))
        .collect();

    // Desa per kecamatan: city kecamatan have fewer, larger kelurahan.
    let weights: Vec<u64> = kec_is_kota
        .iter()
        .map(|kota| skewed(&mut rng, 5) / if *kota { 3 } else { 1 })
        .collect();
    let max = cap(counts.desa, kec_is_kota.len(), 150, 999);
    let desa_per_kec = apportion(u64::from(counts.desa), &shares(&weights, 1, max));
    let mut desa: Vec<Desa> = Vec::with_capacity(counts.desa as usize);
    for (kota, n) in kec_is_kota.iter().zip(&desa_per_kec) {
        for _ in 0..*n {
            let kelurahan = *kota || rng.chance(80);
            desa.push(Desa {
                kelurahan,
                tps: 0,
                special: 0,
            });
        }
    }

    // TPS per desa: kelurahan are denser.
    let tps_shares: Vec<Share> = desa
        .iter()
        .map(|d| Share {
            weight: skewed(&mut rng, 20) * if d.kelurahan { 5 } else { 1 },
            min: 1,
            max: cap(counts.tps, desa.len(), MAX_TPS_PER_DESA, 899),
        })
        .collect();
    for (d, n) in desa
        .iter_mut()
        .zip(apportion(u64::from(counts.tps), &tps_shares))
    {
        d.tps = n;
    }
    mark_special_tps(&mut desa, counts.tps, &mut rng);

    let mut desa = desa.into_iter();
    let mut kec_counts = desa_per_kec.iter();
    for ((number, kota), n_kec) in kabkota.iter().zip(&kecamatan) {
        let kab_code = child(code, *number);
        let prefix = if *kota { "Kota" } else { "Kab." };
        out.push(input(
            kab_code,
            format!("{prefix} {}", names::place(&mut rng)),
        ));
        for k in 1..=*n_kec as u32 {
            let kec_code = child(kab_code, k);
            out.push(input(kec_code, names::place(&mut rng)));
            let n_desa = *kec_counts.next().expect("one desa count per kecamatan");
            let planned: Vec<Desa> = desa.by_ref().take(n_desa as usize).collect();
            write_desa(kec_code, &planned, &mut rng, out);
        }
    }
}

/// Picks the desa that carry special-location TPS: as many as in 2024 per
/// TPS, each with one to three, taken out of its TPS count (a desa keeps at
/// least three regular TPS).
fn mark_special_tps(desa: &mut [Desa], tps: u32, rng: &mut Rng) {
    let wanted = (u64::from(tps) * DESA_WITH_SPECIAL_TPS * 2 + DOMESTIC_TPS) / (2 * DOMESTIC_TPS);
    let mut marked = 0;
    for _ in 0..wanted * 20 {
        if marked == wanted {
            break;
        }
        let d = &mut desa[rng.below(desa.len() as u64) as usize];
        if d.special == 0 && d.tps >= 4 {
            d.special = rng.between(1, 3).min(d.tps - 3);
            marked += 1;
        }
    }
}

/// Writes a kecamatan's desa (kelurahan numbered from 1001, desa from 2001)
/// and their TPS.
fn write_desa(kec: RegionCode, planned: &[Desa], rng: &mut Rng, out: &mut Vec<RegionInput>) {
    let (mut next_kelurahan, mut next_desa) = (1001, 2001);
    let mut ordered: Vec<&Desa> = planned.iter().filter(|d| d.kelurahan).collect();
    ordered.extend(planned.iter().filter(|d| !d.kelurahan));
    for d in ordered {
        let number = if d.kelurahan {
            next_kelurahan += 1;
            next_kelurahan - 1
        } else {
            next_desa += 1;
            next_desa - 1
        };
        let desa_code = child(kec, number);
        out.push(input(desa_code, names::place(rng)));
        let regular = (d.tps - d.special) as u32;
        let special = FIRST_SPECIAL_TPS..FIRST_SPECIAL_TPS + d.special as u32;
        for t in (1..=regular).chain(special) {
            out.push(input(child(desa_code, t), format!("TPS {t:03}")));
        }
    }
}
