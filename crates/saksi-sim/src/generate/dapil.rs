//! Electoral districts (dapil) of the four legislative contests, built over
//! any region tree (generated or imported) from its regions and their DPT.
//!
//! At the whole nation the totals are the 2024 ones: 84 DPR dapil with 580
//! seats (each province's real dapil count and seats per dapil), 38 DPD
//! dapil of 4 seats, 301 DPRD Provinsi dapil with 2,372 seats and 2,325 DPRD
//! Kabupaten/Kota dapil with 17,510 seats. A dapil is a run of neighbouring
//! regions in code order, balanced by DPT:
//! - DPR: kab/kota of one province; DKI JAKARTA II (`31-02`) also holds all
//!   of province `99`, the overseas voters.
//! - DPRD Provinsi: kab/kota, where a kab/kota too large for one dapil (or a
//!   province with fewer kab/kota than dapil) is split into its kecamatan.
//! - DPRD Kabupaten/Kota: kecamatan of one kab/kota, none in DKI Jakarta
//!   (it has no such assembly) and none abroad. Each kab/kota's seats (20 to
//!   55, by the square root of its DPT) and dapil count are shared out so
//!   that the national totals hold.
//!
//! A dapil has 3 to 12 seats (DPR 3 to 10). On a smaller tree (`--scale`
//! below 1) a province has at most as many dapil as it has regions to form
//! them (`min(real count, regions)`), its seats are the real ones bounded by
//! `3 x dapil ..= max x dapil`, and the DPRD Kabupaten/Kota totals are the
//! national ones times the share of the nation's 508 kab/kota present.

use std::ops::Range;

use saksi_core::{Contest, Dapil, DapilCode, Level, RegionCode, RegionId, RegionTree};

use super::names::roman;
use super::parties::on_ballot;
use super::split::{Share, apportion, contiguous, shares};
use super::table::{self, DPRD_KABKOTA_DAPIL, DPRD_KABKOTA_REGIONS, DPRD_KABKOTA_SEATS};

/// Seats of the DPD in every province.
const DPD_SEATS: u16 = 4;
/// DKI Jakarta, whose DPR dapil II also covers the overseas voters.
const DKI_JAKARTA: u32 = 31;
/// Seats and dapil of a province missing from the 2024 table (only an
/// imported list could have one): the smallest real province's.
const FALLBACK_DPR: &[u16] = &[3];
const FALLBACK_DPRD_PROV: (u16, u16) = (35, 4);

/// A region a dapil can be made of, weighed by its DPT.
#[derive(Debug, Clone, Copy)]
struct Unit {
    id: RegionId,
    code: RegionCode,
    weight: u64,
}

fn units(tree: &RegionTree, id: RegionId) -> Vec<Unit> {
    tree.children(id)
        .map(|id| {
            let r = tree.get(id);
            Unit {
                id,
                code: r.code,
                weight: u64::from(r.dpt.total()),
            }
        })
        .collect()
}

/// A dapil with its ballot's parties but no candidates yet.
fn dapil(
    contest: Contest,
    code: String,
    name: String,
    seats: u64,
    regions: Vec<RegionCode>,
    with_aceh_local: bool,
) -> Dapil {
    Dapil {
        contest,
        code: DapilCode::parse(&code).expect("generated dapil codes are digits, dots and dashes"),
        name,
        seats: seats as u16,
        regions,
        parties: if contest == Contest::Dpd {
            Vec::new()
        } else {
            on_ballot(with_aceh_local)
        },
        candidates: Vec::new(),
    }
}

/// Every dapil of the four legislative contests, without candidates.
pub(crate) fn build(tree: &RegionTree) -> Vec<Dapil> {
    let (mut dpr, mut dpd, mut prov) = (Vec::new(), Vec::new(), Vec::new());
    let mut kabkota = Vec::new();
    for id in tree.children(tree.root()) {
        let province = tree.get(id);
        if province.code == RegionCode::LUAR_NEGERI {
            continue;
        }
        let number = province.code.number();
        let upper = province.name.to_uppercase();
        let real = table::province(number as u8);
        let units = units(tree, id);
        if units.is_empty() {
            continue;
        }
        let dpr_seats = real.map_or(FALLBACK_DPR, |p| p.dpr_seats);
        dpr.extend(dpr_of_province(number, &upper, &units, dpr_seats));
        dpd.push(dapil(
            Contest::Dpd,
            province.code.to_string(),
            upper.clone(),
            DPD_SEATS.into(),
            vec![province.code],
            false,
        ));
        let (seats, count) = real.map_or(FALLBACK_DPRD_PROV, |p| {
            (p.dprd_prov_seats, p.dprd_prov_dapil)
        });
        prov.extend(dprd_prov(tree, number, &upper, units.clone(), seats, count));
        if number != DKI_JAKARTA {
            kabkota.extend(units);
        }
    }
    attach_overseas(tree, &mut dpr);
    let kab = dprd_kabkota(tree, &kabkota);
    [dpr, dpd, prov, kab].concat()
}

/// The total weight of each group.
fn group_weights(units: &[Unit], groups: &[Range<usize>]) -> Vec<u64> {
    groups
        .iter()
        .map(|g| units[g.clone()].iter().map(|u| u.weight).sum())
        .collect()
}

/// The codes of each group's regions.
fn group_regions(units: &[Unit], group: &Range<usize>) -> Vec<RegionCode> {
    units[group.clone()].iter().map(|u| u.code).collect()
}

/// A province's DPR dapil: its real seats per dapil when it has enough
/// kab/kota, otherwise fewer dapil sharing its seats (at most 10 each).
fn dpr_of_province(province: u32, upper: &str, units: &[Unit], real: &[u16]) -> Vec<Dapil> {
    let n = real.len().min(units.len());
    let weights: Vec<u64> = units.iter().map(|u| u.weight).collect();
    let (groups, seats) = if n == real.len() {
        let targets: Vec<u64> = real.iter().map(|s| u64::from(*s)).collect();
        (contiguous(&weights, &targets), targets)
    } else {
        let groups = contiguous(&weights, &vec![1; n]);
        let total: u64 = real.iter().map(|s| u64::from(*s)).sum();
        let seats = apportion(total, &shares(&group_weights(units, &groups), 3, 10));
        (groups, seats)
    };
    groups
        .iter()
        .zip(seats)
        .enumerate()
        .map(|(j, (group, seats))| {
            let name = if n == 1 {
                upper.to_owned()
            } else {
                format!("{upper} {}", roman(j as u32 + 1))
            };
            dapil(
                Contest::Dpr,
                format!("{province:02}-{:02}", j + 1),
                name,
                seats,
                group_regions(units, group),
                false,
            )
        })
        .collect()
}

/// Puts province `99` into DKI JAKARTA II (or DKI's only dapil); makes that
/// dapil if the tree has no DKI Jakarta.
fn attach_overseas(tree: &RegionTree, dpr: &mut Vec<Dapil>) {
    if tree.find(RegionCode::LUAR_NEGERI).is_none() {
        return;
    }
    let dki = format!("{DKI_JAKARTA}-");
    let in_dki: Vec<usize> = (0..dpr.len())
        .filter(|i| dpr[*i].code.as_str().starts_with(&dki))
        .collect();
    match in_dki.get(1).or(in_dki.first()) {
        Some(i) => dpr[*i].regions.push(RegionCode::LUAR_NEGERI),
        None => dpr.push(dapil(
            Contest::Dpr,
            format!("{DKI_JAKARTA}-02"),
            "DKI JAKARTA II".to_owned(),
            7,
            vec![RegionCode::LUAR_NEGERI],
            false,
        )),
    }
}

/// A province's DPRD Provinsi dapil. Kab/kota are split into their
/// kecamatan while the province has fewer regions than dapil, or while one
/// kab/kota alone would need more than 12 seats.
fn dprd_prov(
    tree: &RegionTree,
    province: u32,
    upper: &str,
    mut units: Vec<Unit>,
    seats: u16,
    count: u16,
) -> Vec<Dapil> {
    let seats = u64::from(seats);
    loop {
        let total: u64 = units.iter().map(|u| u.weight).sum();
        let splittable =
            |u: &Unit| u.code.level() == Level::Kabkota && tree.children(u.id).len() > 1;
        let heaviest = (0..units.len())
            .filter(|i| splittable(&units[*i]))
            .max_by_key(|i| (units[*i].weight, std::cmp::Reverse(*i)));
        let Some(i) = heaviest else { break };
        let too_few = units.len() < usize::from(count);
        let too_heavy = units[i].weight * seats > 12 * total;
        if !too_few && !too_heavy {
            break;
        }
        let kecamatan = self::units(tree, units[i].id);
        units.splice(i..=i, kecamatan);
    }
    let n = usize::from(count).min(units.len());
    let weights: Vec<u64> = units.iter().map(|u| u.weight).collect();
    let groups = contiguous(&weights, &vec![1; n]);
    let seats = apportion(
        seats.clamp(3 * n as u64, 12 * n as u64),
        &shares(&group_weights(&units, &groups), 3, 12),
    );
    groups
        .iter()
        .zip(seats)
        .enumerate()
        .map(|(j, (group, seats))| {
            dapil(
                Contest::DprdProv,
                format!("{province:02}-{:02}", j + 1),
                format!("{upper} {}", j + 1),
                seats,
                group_regions(&units, group),
                province == 11,
            )
        })
        .collect()
}

/// The DPRD Kabupaten/Kota dapil of every kab/kota in `kabkota`.
fn dprd_kabkota(tree: &RegionTree, kabkota: &[Unit]) -> Vec<Dapil> {
    let present = kabkota.len() as u64;
    let share_of =
        |total: u64| (total * present * 2 + DPRD_KABKOTA_REGIONS) / (2 * DPRD_KABKOTA_REGIONS);
    let kecamatan: Vec<Vec<Unit>> = kabkota.iter().map(|k| units(tree, k.id)).collect();
    let seat_shares: Vec<Share> = kabkota
        .iter()
        .zip(&kecamatan)
        .map(|(k, kec)| {
            let most = 12 * kec.len() as u64;
            Share {
                weight: k.weight.isqrt(),
                min: most.min(20),
                max: most.min(55),
            }
        })
        .collect();
    let seats = apportion(share_of(DPRD_KABKOTA_SEATS), &seat_shares);
    let count_shares: Vec<Share> = seats
        .iter()
        .zip(&kecamatan)
        .map(|(s, kec)| Share {
            weight: *s,
            min: s.div_ceil(12),
            max: (s / 3).min(kec.len() as u64),
        })
        .collect();
    let counts = apportion(share_of(DPRD_KABKOTA_DAPIL), &count_shares);
    let mut out = Vec::with_capacity(counts.iter().sum::<u64>() as usize);
    for (((k, kec), seats), count) in kabkota.iter().zip(&kecamatan).zip(seats).zip(counts) {
        if count == 0 {
            // A kab/kota without kecamatan (only a partial import has one).
            continue;
        }
        let weights: Vec<u64> = kec.iter().map(|u| u.weight).collect();
        let groups = contiguous(&weights, &vec![1; count as usize]);
        let per_dapil = apportion(seats, &shares(&group_weights(kec, &groups), 3, 12));
        let upper = tree.get(k.id).name.to_uppercase();
        let aceh = k
            .code
            .ancestor_at(Level::Provinsi)
            .is_some_and(|p| p.number() == 11);
        for (j, (group, seats)) in groups.iter().zip(per_dapil).enumerate() {
            out.push(dapil(
                Contest::DprdKabkota,
                format!("{}-{:02}", k.code, j + 1),
                format!("{upper} {}", j + 1),
                seats,
                group_regions(kec, group),
                aceh,
            ));
        }
    }
    out
}
