//! Which published results to compare, and the comparison of one with the
//! recount ([`crate::recount`]).

use std::collections::HashSet;

use saksi_core::{Contest, Level, RegionCode};
use serde_json::Value;

use crate::forms::Forms;
use crate::recount::{self, FIELDS, Totals, Unit};
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

/// Compares one published `totals` (`value`, from a response stating
/// `log_size` = `size`) with the recount at that size; each difference is
/// one discrepancy naming the field.
pub fn compare(
    unit: Unit,
    size: u64,
    expected: &Totals,
    value: &Value,
    found: &mut Vec<Discrepancy>,
) {
    let (contest, code) = unit;
    let mut report = |field: String, expected: String, published: String| {
        found.push(Discrepancy::Result {
            region: code.to_string(),
            contest: contest.id().to_owned(),
            field,
            expected,
            published,
            log_size: size,
        });
    };
    let Some(totals) = value.as_object() else {
        report("totals".into(), "an object".into(), "none".into());
        return;
    };
    let shown = |v: Option<&Value>| v.map_or("absent".to_owned(), Value::to_string);
    for (name, want) in FIELDS.iter().zip(expected.counts) {
        let got = totals.get(*name);
        if got.and_then(Value::as_u64) != Some(want) {
            report((*name).into(), want.to_string(), shown(got));
        }
    }
    // DPD candidates are numbered per province: above it their numbers
    // name different people, and results publish no DPD options there.
    if contest == Contest::Dpd && code == RegionCode::NASIONAL {
        return;
    }
    let empty = serde_json::Map::new();
    let options = match totals.get("options") {
        Some(Value::Object(o)) => o,
        None if expected.options.is_empty() => &empty,
        other => {
            report("options".into(), "an object".into(), shown(other));
            return;
        }
    };
    let mut keys: Vec<&String> = expected.options.keys().collect();
    keys.extend(
        options
            .keys()
            .filter(|k| !expected.options.contains_key(*k)),
    );
    for k in keys {
        let want = expected.options.get(k).copied().unwrap_or(0);
        let got = options.get(k);
        if got.and_then(Value::as_u64) != Some(want) {
            report(format!("options.{k}"), want.to_string(), shown(got));
        }
    }
}
