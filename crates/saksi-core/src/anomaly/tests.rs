use proptest::prelude::*;

use super::*;
use crate::form::{OptionVotes, Options, Triple};
use crate::{Dpt, RegionCode, RegionId, RegionInput, RegionTree};

/// One kab/kota (11.01) of two kecamatan: 11.01.01 with `first` TPS and
/// 11.01.02 with `second`, every TPS of DPT 200, ten to a desa.
fn tree(first: u32, second: u32) -> RegionTree {
    let mut codes = vec!["11".to_owned(), "11.01".to_owned()];
    for (kec, n) in [(1, first), (2, second)] {
        codes.push(format!("11.01.{kec:02}"));
        for i in 0..n {
            let desa = format!("11.01.{kec:02}.{}", 2001 + i / 10);
            if i % 10 == 0 {
                codes.push(desa.clone());
            }
            codes.push(format!("{desa}.{:03}", i % 10 + 1));
        }
    }
    let inputs = codes
        .into_iter()
        .map(|c| {
            let code = RegionCode::parse(&c).unwrap();
            let dpt = if code.level() == crate::Level::Tps {
                Dpt { l: 100, p: 100 }
            } else {
                Dpt::default()
            };
            RegionInput { code, name: c, dpt }
        })
        .collect();
    RegionTree::build("Indonesia", inputs).unwrap()
}

/// A consistent PPWP form: `voters` voted, `votes` for paslon 01-03, the
/// rest invalid.
fn ppwp(voters: u32, votes: [u32; 3]) -> CHasil {
    let valid: u32 = votes.iter().sum();
    assert!(valid <= voters);
    let t = Triple::of(voters / 2, voters - voters / 2);
    CHasil {
        pengguna_dpt: t,
        pengguna_total: t,
        pengguna_dptb: Triple::default(),
        pengguna_non_dpt: Triple::default(),
        suara_sah: valid,
        suara_tidak_sah: voters - valid,
        suara_total: voters,
        options: Options::Paslon(
            (1..=3)
                .zip(votes)
                .map(|(number, votes)| OptionVotes { number, votes })
                .collect(),
        ),
        ..CHasil::example_ppwp()
    }
}

fn id(tree: &RegionTree, code: &str) -> RegionId {
    tree.find(RegionCode::parse(code).unwrap()).unwrap()
}

fn codes(flags: &[Flag]) -> Vec<&'static str> {
    flags.iter().map(|f| f.code.id()).collect()
}

/// Enters `forms` one by one as the sequencer does, settling each.
fn applied(tree: &RegionTree, forms: &[(RegionId, CHasil)]) -> Index {
    let mut index = Index::new(tree);
    for (tps, form) in forms {
        index.enter(*tps, Contest::Ppwp, None, form);
        index.settle(tree);
    }
    index
}

#[test]
fn a_tps_with_more_votes_than_its_dpt_allows_is_flagged_with_its_numbers() {
    let tree = tree(3, 0);
    let tps = id(&tree, "11.01.01.2001.001");
    // DPT 200 plus 2% is 204: 204 votes pass, 205 do not.
    let mut index = applied(&tree, &[(tps, ppwp(204, [60, 70, 70]))]);
    assert!(index.flags(&tree, tps).is_empty());
    index.enter(
        tps,
        Contest::Ppwp,
        Some(&ppwp(204, [60, 70, 70])),
        &ppwp(205, [60, 70, 70]),
    );
    index.settle(&tree);
    let flags = index.flags(&tree, tps);
    assert_eq!(codes(&flags), ["above_dpt"]);
    assert_eq!(
        flags[0].message,
        "205 votes were cast against a DPT of 200, 2.5% above it (more than 2%)."
    );
    assert_eq!(flags[0].contest, Contest::Ppwp);
}

#[test]
fn every_valid_vote_for_one_option_is_flagged_from_fifty_votes() {
    let tree = tree(3, 0);
    let a = id(&tree, "11.01.01.2001.001");
    let b = id(&tree, "11.01.01.2001.002");
    let index = applied(
        &tree,
        &[(a, ppwp(150, [0, 50, 0])), (b, ppwp(150, [0, 49, 0]))],
    );
    let flags = index.flags(&tree, a);
    assert_eq!(codes(&flags), ["unanimous"]);
    assert_eq!(flags[0].message, "All 50 valid votes went to paslon 02.");
    assert!(index.flags(&tree, b).is_empty());
}

#[test]
fn the_same_votes_at_two_tps_of_one_kecamatan_flag_both_but_not_across_kecamatan() {
    let tree = tree(3, 3);
    let a = id(&tree, "11.01.01.2001.001");
    let b = id(&tree, "11.01.01.2001.003");
    let other_kecamatan = id(&tree, "11.01.02.2001.001");
    let same = [40, 70, 30];
    let small = [10, 20, 10];
    let index = applied(
        &tree,
        &[
            (a, ppwp(150, same)),
            // Different invalid votes, same valid ones: still the same.
            (b, ppwp(145, same)),
            (other_kecamatan, ppwp(150, same)),
            // Fewer than 50 valid votes never match.
            (id(&tree, "11.01.01.2001.002"), ppwp(150, small)),
            (id(&tree, "11.01.02.2001.002"), ppwp(150, small)),
        ],
    );
    let flags = index.flags(&tree, a);
    assert_eq!(codes(&flags), ["same_votes"]);
    assert_eq!(
        flags[0].message,
        "The same votes in every box (140 valid, at least 50 needed) were reported at 1 other TPS of this kecamatan: 11.01.01.2001.003."
    );
    assert_eq!(codes(&index.flags(&tree, b)), ["same_votes"]);
    for code in [
        "11.01.02.2001.001",
        "11.01.01.2001.002",
        "11.01.02.2001.002",
    ] {
        assert!(index.flags(&tree, id(&tree, code)).is_empty(), "{code}");
    }
}

/// Twelve TPS of one kecamatan with turnouts of 70% to 75.5%, except the
/// first at `first` voters of 200; every vote vector different.
fn turnout_forms(tree: &RegionTree, first: u32) -> Vec<(RegionId, CHasil)> {
    (0..12)
        .map(|i| {
            let voters = if i == 0 { first } else { 140 + i };
            let tps = id(
                tree,
                &format!("11.01.01.{}.{:03}", 2001 + i / 10, i % 10 + 1),
            );
            (tps, ppwp(voters, [30 + i, 60, 40]))
        })
        .collect()
}

#[test]
fn a_turnout_far_from_its_kecamatan_median_is_flagged_with_its_robust_z_score() {
    let tree = tree(12, 0);
    let index = applied(&tree, &turnout_forms(&tree, 194));
    let first = id(&tree, "11.01.01.2001.001");
    let flags = index.flags(&tree, first);
    assert_eq!(codes(&flags), ["turnout_outlier"]);
    // Median of 141..=151 and 194 voters: 146.5 (73.25%); MAD 3 voters
    // (1.5%); z = 0.6745 * (97 - 73.25) / 1.5 = 10.7.
    assert_eq!(
        flags[0].message,
        "Turnout 97.0% is far from its kecamatan's median 73.2% (robust z-score 10.7)."
    );
    for tps in turnout_forms(&tree, 194).iter().skip(1).map(|(t, _)| *t) {
        assert!(index.flags(&tree, tps).is_empty());
    }
    // Within reach of the others, nothing is flagged; nor with fewer than
    // ten TPS.
    let index = applied(&tree, &turnout_forms(&tree, 152));
    assert!(index.flags(&tree, first).is_empty());
    let index = applied(&tree, &turnout_forms(&tree, 194)[..9]);
    assert!(index.flags(&tree, first).is_empty());
}

#[test]
fn last_digits_far_from_uniform_flag_every_reporting_tps_of_the_kabkota() {
    let tree = tree(100, 100);
    let tps: Vec<RegionId> = tree.tps_ids().collect();
    // 200 TPS whose one total of 100 votes or more ends in 0 or 5 (the
    // others are below 100 and do not count).
    let forms: Vec<(RegionId, CHasil)> = tps
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let k = i as u32 % 6;
            (*t, ppwp(199, [100 + 5 * k, 35 + k, 30]))
        })
        .collect();
    let index = applied(&tree, &forms);
    let flags = index.flags(&tree, tps[3]);
    let digits = flags
        .iter()
        .find(|f| f.code == FlagCode::LastDigits)
        .expect("flagged");
    // 100 totals end in 0 and 100 in 5, against 20 expected of each digit:
    // a chi-square of 800, less 97.0 (linear) and 15.2 (quadratic); the
    // p-value checked with mpmath.
    assert_eq!(
        digits.message,
        "The last digits of 200 option totals of at least 100 votes across kab/kota 11.01 are far from uniform (chi-square 687.9 with 7 degrees of freedom, p = 2.8e-144)."
    );
    let counts = index.counts(&tree, Contest::Ppwp, id(&tree, "11.01"), |_| 200);
    assert_eq!(counts[4], 200);
    // A smooth slope alone (fewer totals the higher the digit, as small
    // numbers give) is not flagged however many totals there are.
    let slope = [1300, 1250, 1200, 1150, 1100, 1050, 1000, 950, 900, 850];
    let test = index::ChiSquare::of(&slope).expect("enough totals");
    assert!(!test.flags(), "p = {}", test.p);
}

#[test]
fn counts_follow_flags_as_forms_are_corrected() {
    let tree = tree(3, 3);
    let a = id(&tree, "11.01.01.2001.001");
    let kecamatan = id(&tree, "11.01.01");
    let province = id(&tree, "11");
    let mut index = applied(&tree, &[(a, ppwp(205, [0, 100, 0]))]);
    let counts = |index: &Index, region| index.counts(&tree, Contest::Ppwp, region, |_| 1);
    assert_eq!(counts(&index, province), [1, 1, 0, 0, 0]);
    assert_eq!(counts(&index, kecamatan), [1, 1, 0, 0, 0]);
    assert_eq!(counts(&index, a), [1, 1, 0, 0, 0]);
    assert_eq!(counts(&index, id(&tree, "11.01.02")), [0; 5]);
    index.enter(
        a,
        Contest::Ppwp,
        Some(&ppwp(205, [0, 100, 0])),
        &ppwp(180, [30, 70, 0]),
    );
    index.settle(&tree);
    assert_eq!(counts(&index, province), [0; 5]);
    assert_eq!(counts(&index, RegionId(0)), [0; 5]);
}

/// A sequence of (TPS number, voters, votes) entries over two kecamatan of
/// twelve TPS: replacements included, turnouts and vote vectors in ranges
/// where every flag can fire.
fn submissions() -> impl Strategy<Value = Vec<(usize, u32, [u32; 3])>> {
    prop::collection::vec(
        (
            0usize..24,
            150u32..=215,
            prop::array::uniform3(prop::sample::select(vec![0u32, 10, 25, 50])),
        ),
        0..80,
    )
}

/// Every TPS's flags and every region's counts.
fn outcome(tree: &RegionTree, index: &Index) -> Vec<(Vec<Flag>, [u64; 5])> {
    tree.iter()
        .map(|(id, r)| {
            let flags = if r.level() == crate::Level::Tps {
                index.flags(tree, id)
            } else {
                Vec::new()
            };
            (flags, index.counts(tree, Contest::Ppwp, id, |_| 0))
        })
        .collect()
}

proptest! {
    #[test]
    fn flags_depend_on_the_current_forms_only_not_on_their_order_or_history(
        entries in submissions(),
        seed in any::<u64>(),
    ) {
        let tree = tree(12, 12);
        let tps: Vec<RegionId> = tree.tps_ids().collect();
        // As the sequencer applies them: each entry replaces its TPS's
        // current form, and settles.
        let mut current: Vec<Option<CHasil>> = vec![None; tps.len()];
        let mut live = Index::new(&tree);
        for (t, voters, votes) in &entries {
            let form = ppwp(*voters, *votes);
            live.enter(tps[*t], Contest::Ppwp, current[*t].as_ref(), &form);
            live.settle(&tree);
            current[*t] = Some(form);
        }
        // At start-up: only the current forms, in another order, settled
        // once.
        let mut order: Vec<usize> = (0..tps.len()).collect();
        let mut state = seed;
        for i in (1..order.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        let mut restored = Index::new(&tree);
        for i in order {
            if let Some(form) = &current[i] {
                restored.enter(tps[i], Contest::Ppwp, None, form);
            }
        }
        restored.settle(&tree);
        prop_assert_eq!(outcome(&tree, &live), outcome(&tree, &restored));
    }

    #[test]
    fn digits_within_one_standard_deviation_of_uniform_are_not_flagged(
        // Ten deviations of at most one standard deviation, each rounded
        // (at n = 300: 5.2 and 0.5 each), take at most 57 from the total,
        // which so stays above the fewest digits the test is run on.
        n in (MIN_DIGITS + 100)..100_000,
        deviations in prop::array::uniform10(-1.0f64..=1.0),
    ) {
        let expected = n as f64 / 10.0;
        let sd = (expected * 0.9).sqrt();
        let counts = deviations.map(|d| (expected + d * sd).round().max(0.0) as u32);
        let test = index::ChiSquare::of(&counts).expect("enough totals");
        prop_assert!(!test.flags(), "{counts:?}: p = {}", test.p);
    }
}
