//! The counting rule replayed over the log (docs/log-entries.md): for each
//! (TPS, contest) the current counting version ([`Forms`]) counts, and a
//! region's totals are the sums over the TPS below it, a TPS's ancestors
//! being its code's prefixes up to the national root `0`. No election
//! frame is needed, so `dpt` and `tps_expected` are not recounted.

use std::collections::{BTreeMap, HashMap, HashSet};

use saksi_core::{Contest, RegionCode};

use crate::forms::{Forms, option_name};

/// A region's recounted totals for one contest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// `pengguna_total_j`, `suara_sah`, `suara_tidak_sah`, `suara_total`
    /// and `tps_reported`, in that order.
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

/// Every unit with at least one counting form.
pub fn reported(forms: &Forms) -> HashSet<Unit> {
    let mut out = HashSet::new();
    for f in forms.counted() {
        for code in path(f.tps) {
            if !out.insert((f.contest, code)) {
                break;
            }
        }
    }
    out
}

/// The totals of the `wanted` units over the counting forms as they stand.
/// Units without a counting form are absent (all zero).
pub fn recount(forms: &Forms, wanted: &HashSet<Unit>) -> HashMap<Unit, Totals> {
    #[derive(Default)]
    struct Sums {
        counts: [u64; 5],
        options: HashMap<u32, u64>,
    }
    let mut sums: HashMap<Unit, Sums> = HashMap::new();
    for f in forms.counted() {
        for code in path(f.tps) {
            let unit = (f.contest, code);
            if !wanted.contains(&unit) {
                continue;
            }
            let t = sums.entry(unit).or_default();
            for (cell, v) in t.counts.iter_mut().zip(f.counts) {
                *cell += u64::from(v);
            }
            t.counts[4] += 1;
            for (key, votes) in forms.options(f) {
                *t.options.entry(key).or_default() += u64::from(votes);
            }
        }
    }
    sums.into_iter()
        .map(|(unit, s)| {
            let options = s
                .options
                .into_iter()
                .map(|(k, v)| (option_name(k), v))
                .collect();
            (
                unit,
                Totals {
                    counts: s.counts,
                    options,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Tally;

    fn set(forms: &mut Forms, tps: &str, version: u32, sah: u32) {
        let tally = Tally {
            counts: [sah + 1, sah, 1, sah + 1],
            options: vec![(1, sah)],
        };
        forms
            .set(
                RegionCode::parse(tps).unwrap(),
                Contest::Ppwp,
                version,
                [0; 32],
                saksi_statement::SignedBy::Kpps,
                &tally,
            )
            .unwrap();
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
    fn the_current_versions_add_up() {
        let mut forms = Forms::default();
        set(&mut forms, "11.01.01.2001.001", 1, 10);
        set(&mut forms, "11.01.01.2001.002", 1, 5);
        let wanted = reported(&forms);
        let nat = (Contest::Ppwp, RegionCode::NASIONAL);
        assert_eq!(recount(&forms, &wanted)[&nat].counts[1], 15);
        set(&mut forms, "11.01.01.2001.001", 2, 20);
        let totals = recount(&forms, &wanted);
        assert_eq!(totals[&nat].counts[1], 25);
        assert_eq!(totals[&nat].counts[4], 2);
        assert_eq!(totals[&nat].options["01"], 25);
        let only: HashSet<Unit> = [nat].into();
        assert_eq!(recount(&forms, &only).len(), 1);
    }
}
