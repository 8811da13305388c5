//! The counting rule replayed over the log (docs/log-entries.md): for each
//! (TPS, contest) the highest version among the entries below a log size
//! counts, and a region's totals are the sums over the TPS below it, a TPS's
//! ancestors being its code's prefixes up to the national root `0`. No
//! election frame is needed, so `dpt` and `tps_expected` are not recounted.

use std::collections::{BTreeMap, HashMap, HashSet};

use saksi_core::{Contest, RegionCode};

use super::entry::FormEntry;

/// The recounted fields of `totals`, in order.
pub const FIELDS: [&str; 5] = [
    "pengguna_total_j",
    "suara_sah",
    "suara_tidak_sah",
    "suara_total",
    "tps_reported",
];

/// A region's recounted totals for one contest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// The [`FIELDS`], in order.
    pub counts: [u64; 5],
    /// Votes per option key.
    pub options: BTreeMap<String, u64>,
}

/// A region of one contest.
pub type Unit = (Contest, RegionCode);

/// The code and every ancestor of `code`, up to and including national.
pub fn path(code: RegionCode) -> impl Iterator<Item = RegionCode> {
    std::iter::successors(Some(code), |c| {
        (*c != RegionCode::NASIONAL).then(|| c.parent().unwrap_or(RegionCode::NASIONAL))
    })
}

/// Every unit with at least one reported TPS among `forms`.
pub fn reported(forms: &[FormEntry]) -> HashSet<Unit> {
    let mut out = HashSet::new();
    for f in forms {
        for code in path(f.tps) {
            if !out.insert((f.contest, code)) {
                break;
            }
        }
    }
    out
}

/// The totals of the `wanted` units as of log size `size` (`forms` in log
/// order). Units without a counting entry are absent (all zero).
pub fn recount(forms: &[FormEntry], size: u64, wanted: &HashSet<Unit>) -> HashMap<Unit, Totals> {
    let mut latest: HashMap<(RegionCode, Contest), &FormEntry> = HashMap::new();
    for f in forms.iter().take_while(|f| f.index < size) {
        let slot = latest.entry((f.tps, f.contest)).or_insert(f);
        if f.version >= slot.version {
            *slot = f;
        }
    }
    let mut out: HashMap<Unit, Totals> = HashMap::new();
    for f in latest.values() {
        for code in path(f.tps) {
            let unit = (f.contest, code);
            if !wanted.contains(&unit) {
                continue;
            }
            let t = out.entry(unit).or_default();
            for (cell, v) in t.counts.iter_mut().zip(f.counts) {
                *cell = cell.saturating_add(v);
            }
            t.counts[4] += 1;
            for (key, votes) in &f.options {
                let cell = t.options.entry(key.clone()).or_default();
                *cell = cell.saturating_add(*votes);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(index: u64, tps: &str, version: u64, sah: u64) -> FormEntry {
        FormEntry {
            index,
            tps: RegionCode::parse(tps).unwrap(),
            contest: Contest::Ppwp,
            version,
            counts: [sah + 1, sah, 1, sah + 1],
            options: vec![("01".into(), sah)],
        }
    }

    #[test]
    fn a_tps_path_runs_up_to_national() {
        let p: Vec<String> = path(RegionCode::parse("11.01.01.2001.001").unwrap())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            p,
            [
                "11.01.01.2001.001",
                "11.01.01.2001",
                "11.01.01",
                "11.01",
                "11",
                "0"
            ]
        );
    }

    #[test]
    fn the_latest_version_below_the_size_counts() {
        let forms = [
            form(0, "11.01.01.2001.001", 1, 10),
            form(1, "11.01.01.2001.002", 1, 5),
            form(2, "11.01.01.2001.001", 2, 20),
        ];
        let wanted = reported(&forms);
        let nat = (Contest::Ppwp, RegionCode::NASIONAL);
        assert_eq!(recount(&forms, 2, &wanted)[&nat].counts[1], 15);
        assert_eq!(recount(&forms, 3, &wanted)[&nat].counts[1], 25);
        assert_eq!(recount(&forms, 3, &wanted)[&nat].counts[4], 2);
        assert_eq!(recount(&forms, 3, &wanted)[&nat].options["01"], 25);
    }
}
