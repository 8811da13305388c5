//! The live tallies against a recount, after random submissions and
//! corrections anywhere in the tree, overseas (99) included: at every
//! region and for every contest, the row equals the sum over its children
//! (TPS counted from their current form), so national = sum of provinces =
//! ... = sum of TPS at all times; a TPS's totals equal its form's raw
//! fields; and the incrementally updated tallies equal tallies rebuilt from
//! the current forms alone.

use std::collections::HashMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use saksi_core::form::{CHasil, validate};
use saksi_core::tally::{Tallies, Totals};
use saksi_core::{Contest, Election, Level, RegionId};
use saksi_sim::forms::draw_form;
use saksi_sim::generate::{GenerateOptions, generate};
use saksi_sim::rng::Rng;

fn election() -> &'static Election {
    static ELECTION: OnceLock<Election> = OnceLock::new();
    ELECTION.get_or_init(|| {
        generate(&GenerateOptions {
            seed: 11,
            scale: 0.0005,
        })
        .expect("a small election generates")
    })
}

fn tps_ids(e: &Election) -> Vec<RegionId> {
    e.tree
        .iter()
        .filter(|(_, r)| r.level() == Level::Tps)
        .map(|(id, _)| id)
        .collect()
}

/// The totals a region's children add up to.
fn children_sum(
    e: &Election,
    t: &Tallies,
    forms: &HashMap<(RegionId, Contest), CHasil>,
    contest: Contest,
    region: RegionId,
) -> Totals {
    let mut fixed = [0u64; 7];
    let mut options: HashMap<String, u64> = HashMap::new();
    for child in e.tree.children(region) {
        let totals = if e.tree.get(child).level() == Level::Tps {
            Totals::of_form(e, child, contest, forms.get(&(child, contest)))
        } else {
            t.region(contest, child)
        };
        for (f, v) in fixed.iter_mut().zip(totals.fixed) {
            *f += v;
        }
        for (k, v) in totals.options {
            *options.entry(k).or_default() += v;
        }
    }
    let mut options: Vec<(String, u64)> = options.into_iter().collect();
    options.sort();
    Totals { fixed, options }
}

fn check_every_region(e: &Election, t: &Tallies, forms: &HashMap<(RegionId, Contest), CHasil>) {
    for (id, region) in e.tree.iter().take(e.tree.upper_len()) {
        for contest in Contest::ALL {
            let mut row = t.region(contest, id);
            let mut sum = children_sum(e, t, forms, contest, id);
            // A region lists every option on its ballot, zeros included; the
            // children's sum lists only what they list. Compare non-zeros.
            row.options.retain(|(_, v)| *v > 0);
            row.options.sort();
            sum.options.retain(|(_, v)| *v > 0);
            if contest == Contest::Dpd && region.level() == Level::Nasional {
                // DPD options above a province are not published (numbers
                // are per province); the counts still add up.
                sum.options.clear();
            }
            assert_eq!(row, sum, "{contest} at {}", region.code);
        }
    }
}

/// Each TPS's totals are its current form's own fields, and its options
/// add up to its valid votes.
fn check_tps_against_raw_fields(e: &Election, forms: &HashMap<(RegionId, Contest), CHasil>) {
    for (&(tps, contest), form) in forms {
        let t = Totals::of_form(e, tps, contest, Some(form));
        let at = format!("{contest} at {}", e.tree.get(tps).code);
        for (field, raw) in [
            ("pengguna_total_j", form.pengguna_total.j),
            ("suara_sah", form.suara_sah),
            ("suara_tidak_sah", form.suara_tidak_sah),
            ("suara_total", form.suara_total),
            ("tps_reported", 1),
        ] {
            assert_eq!(t.get(field), Some(u64::from(raw)), "{field}, {at}");
        }
        let options: u64 = t.options.iter().map(|(_, v)| v).sum();
        assert_eq!(options, u64::from(form.suara_sah), "options, {at}");
    }
}

/// The tallies rebuilt from the current forms alone equal `t` everywhere.
fn check_rebuilt(e: &Election, t: &Tallies, forms: &HashMap<(RegionId, Contest), CHasil>) {
    let mut rebuilt = Tallies::new(e).unwrap();
    for (&(tps, contest), form) in forms {
        rebuilt.apply(e, tps, contest, None, form);
    }
    for (id, region) in e.tree.iter().take(e.tree.upper_len()) {
        for contest in Contest::ALL {
            assert_eq!(
                t.region(contest, id),
                rebuilt.region(contest, id),
                "{contest} at {}",
                region.code
            );
        }
    }
}

#[test]
fn every_drawn_form_is_valid_without_warnings() {
    let e = election();
    let mut rng = Rng::new(5);
    for tps in tps_ids(e) {
        for contest in Contest::ALL {
            if let Some(form) = draw_form(e, tps, contest, &mut rng) {
                assert_eq!(
                    validate(e, tps, contest, &form),
                    Ok(vec![]),
                    "{contest} at {}",
                    e.tree.get(tps).code
                );
            }
        }
    }
}

#[test]
fn expected_tps_and_dpt_add_up_before_anything_is_reported() {
    let e = election();
    let t = Tallies::new(e).unwrap();
    check_every_region(e, &t, &HashMap::new());
    let national = t.region(Contest::Ppwp, e.tree.root());
    assert_eq!(national.get("tps_expected"), Some(tps_ids(e).len() as u64));
    assert_eq!(
        national.get("dpt"),
        Some(u64::from(e.tree.get(e.tree.root()).dpt.total()))
    );
    assert_eq!(national.get("tps_reported"), Some(0));
}

proptest! {
    // Regressions beside this file: by default proptest would look in
    // `tests/proptest-regressions/` once the binary has a `main.rs`.
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn tallies_equal_a_recount_after_random_submissions_and_corrections(seed in any::<u64>(), count in 1usize..300) {
        let e = election();
        let tps = tps_ids(e);
        let overseas: Vec<RegionId> = tps
            .iter()
            .copied()
            .filter(|id| e.tree.get(*id).code.to_string().starts_with("99."))
            .collect();
        prop_assert!(!overseas.is_empty());
        let mut rng = Rng::new(seed);
        // A small pool of TPS from the whole tree and from overseas, so that
        // corrections (second versions) are common.
        let mut pool: Vec<RegionId> = (0..30).map(|_| *rng.pick(&tps)).collect();
        pool.extend((0..10).map(|_| *rng.pick(&overseas)));
        let mut t = Tallies::new(e).unwrap();
        let mut forms: HashMap<(RegionId, Contest), CHasil> = HashMap::new();
        for _ in 0..count {
            let at = *rng.pick(&pool);
            let contest = *rng.pick(&Contest::ALL);
            let Some(form) = draw_form(e, at, contest, &mut rng) else { continue };
            let old = forms.get(&(at, contest));
            t.apply(e, at, contest, old, &form);
            forms.insert((at, contest), form);
        }
        check_every_region(e, &t, &forms);
        check_tps_against_raw_fields(e, &forms);
        check_rebuilt(e, &t, &forms);
        let national = t.region(Contest::Ppwp, e.tree.root());
        let reported = forms.keys().filter(|(_, c)| *c == Contest::Ppwp).count() as u64;
        prop_assert_eq!(national.get("tps_reported"), Some(reported));
    }
}
