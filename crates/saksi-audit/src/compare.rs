//! Which published results to compare, and the comparison of one with the
//! recount ([`crate::recount`]).

use std::collections::{BTreeMap, HashSet};

use saksi_core::{Contest, Level, RegionCode};

use crate::forms::Forms;
use crate::recount::{self, Totals, Unit};
use crate::report::Discrepancy;

/// How many results to compare.
#[derive(Debug, Clone, Copy)]
pub enum Selection {
    /// Every region with a report, in every contest.
    Full,
    /// National, every province and kab/kota, and the path of `tps`
    /// randomly drawn reported TPS (drawn from `seed`).
    Sample {
        /// TPS to draw.
        tps: u32,
        /// The draw's seed: a re-run with the same seed compares the same.
        seed: u64,
    },
}

/// The units to compare among the `reported` ones, sorted.
pub fn select(selection: Selection, reported: &HashSet<Unit>, forms: &Forms) -> Vec<Unit> {
    let mut chosen: HashSet<Unit> = match selection {
        Selection::Full => reported.clone(),
        Selection::Sample { .. } => reported
            .iter()
            .filter(|(_, c)| c.level() <= Level::Kabkota)
            .copied()
            .collect(),
    };
    if let Selection::Sample {
        tps: sample,
        mut seed,
    } = selection
        && forms.counted().next().is_some()
    {
        let mut drawn = 0;
        // Draws among every form with a counting version; one whose TPS
        // left the count (not in the region list) is drawn again, a bounded
        // number of times.
        for _ in 0..u64::from(sample).saturating_mul(100) {
            if drawn >= sample {
                break;
            }
            let n = splitmix(&mut seed) % forms.len() as u64;
            let Some(f) = forms.get(n as usize).filter(|f| !f.excluded) else {
                continue;
            };
            for code in recount::path(f.tps) {
                chosen.insert((f.contest, code));
            }
            drawn += 1;
        }
    }
    let mut units: Vec<Unit> = chosen.into_iter().collect();
    units.sort_unstable_by_key(|(c, code)| (c.index(), *code));
    units
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Compares one published `totals` (from a response stating `log_size` =
/// `size`) with the recount at that size; each difference is one
/// discrepancy naming the field. `dpt` and `tps_expected` are not in the
/// log, so not compared.
pub fn compare(
    unit: Unit,
    size: u64,
    expected: &Totals,
    published: &saksi_api::Totals,
    found: &mut Vec<Discrepancy>,
) {
    let (contest, code) = unit;
    let mut report = |field: String, expected: u64, published: Option<u64>| {
        found.push(Discrepancy::Result {
            region: code.to_string(),
            contest: contest.id().to_owned(),
            field,
            expected: expected.to_string(),
            published: published.map_or("absent".to_owned(), |n| n.to_string()),
            log_size: size,
        });
    };
    let [
        pengguna_total_j,
        suara_sah,
        suara_tidak_sah,
        suara_total,
        tps_reported,
    ] = expected.counts;
    for (name, want, got) in [
        (
            "pengguna_total_j",
            pengguna_total_j,
            published.pengguna_total_j,
        ),
        ("suara_sah", suara_sah, published.suara_sah),
        (
            "suara_tidak_sah",
            suara_tidak_sah,
            published.suara_tidak_sah,
        ),
        ("suara_total", suara_total, published.suara_total),
        ("tps_reported", tps_reported, published.tps_reported),
    ] {
        if got != want {
            report(name.into(), want, Some(got));
        }
    }
    // DPD candidates are numbered per province: above it their numbers
    // name different people, and results publish no DPD options there.
    if contest == Contest::Dpd && code == RegionCode::NASIONAL {
        return;
    }
    let options: BTreeMap<&str, u64> = published
        .options
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    let mut keys: Vec<&str> = expected.options.keys().map(String::as_str).collect();
    keys.extend(
        options
            .keys()
            .filter(|k| !expected.options.contains_key(**k)),
    );
    for k in keys {
        let want = expected.options.get(k).copied().unwrap_or(0);
        let got = options.get(k).copied();
        if got != Some(want) {
            report(format!("options.{k}"), want, got);
        }
    }
}
