//! The default allocation over a generated election: each unit's kit as
//! docs/logistics.md states it, and every region's allocation the sum of
//! its children's.

use saksi_core::logistics::{Allocation, AllocationTable};
use saksi_core::{Contest, Election, RegionCode, RegionId, VotingMethod};
use saksi_sim::generate::{GenerateOptions, generate};

fn election() -> Election {
    generate(&GenerateOptions {
        seed: 7,
        scale: 0.002,
    })
    .unwrap()
}

fn get(kit: &[(&str, u64)], item: &str) -> u64 {
    kit.iter()
        .find(|(name, _)| *name == item)
        .map_or(0, |(_, n)| *n)
}

#[test]
fn every_tps_gets_ballots_for_its_dpt_and_reserve_and_a_box_per_contest_held() {
    let election = election();
    let allocation = Allocation::compute(&election, &AllocationTable::default());
    let mut seen = [0usize; 4];
    for tps in election.tree.tps_ids() {
        let region = election.tree.get(tps);
        let kit = allocation.named(&election, tps);
        let dpt = u64::from(region.dpt.total());
        let held: Vec<Contest> = Contest::ALL
            .into_iter()
            .filter(|c| election.holds(tps, *c))
            .collect();
        let method = VotingMethod::of(region.code).unwrap();
        seen[VotingMethod::ALL.iter().position(|m| *m == method).unwrap()] += 1;
        for contest in Contest::ALL {
            let ballots = get(&kit, &format!("ballot-{}", contest.id()));
            let expected = if held.contains(&contest) {
                (dpt * 102).div_ceil(100)
            } else {
                0
            };
            assert_eq!(ballots, expected, "{} {contest}", region.code);
            let forms = get(&kit, &format!("form-{}", contest.id()));
            assert_eq!(forms, if held.contains(&contest) { 2 } else { 0 });
        }
        let boxes = if method == VotingMethod::Ksk {
            "ksk-box"
        } else {
            "box"
        };
        assert_eq!(get(&kit, boxes), held.len() as u64, "{}", region.code);
        assert_eq!(get(&kit, "seal"), held.len() as u64);
        match method {
            VotingMethod::Tps => {
                assert_eq!(get(&kit, "booth"), 4);
                assert_eq!(get(&kit, "ink"), 2);
                assert_eq!(get(&kit, "braille-ppwp"), 1);
                let jakarta = region.code.ancestor_at(saksi_core::Level::Provinsi)
                    == Some(RegionCode::parse("31").unwrap());
                assert_eq!(held.len(), if jakarta { 4 } else { 5 }, "{}", region.code);
                assert_eq!(get(&kit, "braille-dpd"), 1);
            }
            VotingMethod::Tpsln => {
                assert_eq!(held, [Contest::Ppwp, Contest::Dpr]);
                assert_eq!(get(&kit, "booth"), 4);
                assert_eq!(get(&kit, "braille-dpd"), 0);
            }
            VotingMethod::Ksk => {
                assert_eq!(get(&kit, "booth"), 0);
                assert_eq!(get(&kit, "box"), 0);
            }
            VotingMethod::Pos => {
                assert_eq!(get(&kit, "pos-envelope"), (dpt * 102).div_ceil(100));
                assert_eq!(get(&kit, "pos-return-envelope"), (dpt * 102).div_ceil(100));
                assert_eq!(get(&kit, "booth"), 0);
                assert_eq!(get(&kit, "ink"), 0);
            }
        }
    }
    assert!(
        seen.iter().all(|n| *n > 0),
        "every method is generated: {seen:?}"
    );
}

#[test]
fn every_regions_allocation_is_the_sum_of_its_childrens() {
    let election = election();
    let allocation = Allocation::compute(&election, &AllocationTable::default());
    let tree = &election.tree;
    for (id, _) in tree.iter().take(tree.upper_len()) {
        let mut sum = vec![0u64; allocation.items().len()];
        for child in tree.children(id) {
            for (s, n) in sum.iter_mut().zip(allocation.of(&election, child)) {
                *s += n;
            }
        }
        assert_eq!(allocation.of(&election, id), sum, "{}", tree.get(id).code);
    }
    let national = allocation.named(&election, RegionId(0));
    let dpt = u64::from(tree.get(tree.root()).dpt.total());
    assert!(get(&national, "ballot-ppwp") >= dpt * 102 / 100);
}

#[test]
fn an_overriding_table_changes_the_quantities_it_names() {
    let election = election();
    let table = AllocationTable::parse(&saksi_core::logistics::DEFAULT_TABLE.replacen(
        r#"{ "item": "ink", "fixed": 2 }"#,
        r#"{ "item": "ink", "fixed": 3 }"#,
        1,
    ))
    .unwrap();
    let allocation = Allocation::compute(&election, &table);
    let tps = election
        .tree
        .tps_ids()
        .find(|t| VotingMethod::of(election.tree.get(*t).code) == Some(VotingMethod::Tps))
        .unwrap();
    assert_eq!(get(&allocation.named(&election, tps), "ink"), 3);
}
