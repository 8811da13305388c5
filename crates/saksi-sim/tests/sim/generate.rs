//! The generator against the facts in the README: the 2024 per-province
//! counts, the national totals, the contests held at every TPS, the dapil
//! totals, determinism by seed, and every province at every scale.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use saksi_core::{Contest, Election, Level, RegionCode, RegionTree};
use saksi_sim::generate::{
    GenerateError, GenerateOptions, MAX_DPT_PER_TPS, generate, generate_tree,
};

/// The 2024 table: code, kab/kota, kecamatan, desa, TPS.
const TABLE: [(u32, u32, u32, u32, u32); 38] = [
    (11, 23, 290, 6499, 16046),
    (12, 33, 455, 6110, 45875),
    (13, 19, 179, 1265, 17569),
    (14, 12, 172, 1862, 19366),
    (15, 11, 144, 1585, 11160),
    (16, 17, 241, 3249, 25985),
    (17, 10, 129, 1513, 6210),
    (18, 15, 229, 2651, 25825),
    (19, 7, 47, 393, 4116),
    (21, 7, 80, 419, 5914),
    (31, 6, 44, 267, 30766),
    (32, 27, 627, 5957, 140457),
    (33, 35, 576, 8563, 117299),
    (34, 5, 78, 438, 11932),
    (35, 38, 666, 8494, 120666),
    (36, 8, 155, 1552, 33324),
    (51, 9, 57, 716, 12809),
    (52, 10, 117, 1166, 16243),
    (53, 22, 315, 3442, 16746),
    (61, 14, 174, 2145, 17626),
    (62, 14, 136, 1571, 7830),
    (63, 13, 156, 2016, 13584),
    (64, 10, 105, 1038, 11441),
    (65, 5, 55, 482, 2295),
    (71, 15, 171, 1839, 8240),
    (72, 13, 175, 2017, 9462),
    (73, 24, 313, 3059, 26357),
    (74, 17, 221, 2285, 8154),
    (75, 6, 77, 729, 3539),
    (76, 6, 69, 648, 4219),
    (81, 11, 118, 1234, 5622),
    (82, 10, 118, 1185, 4192),
    (91, 9, 105, 993, 3109),
    (92, 7, 86, 824, 1923),
    (93, 4, 82, 690, 1770),
    (94, 8, 131, 1197, 4484),
    (95, 8, 252, 2625, 5850),
    (96, 6, 132, 1013, 2156),
];

const SEED: u64 = 2024;

/// The whole nation, generated once for every test of this file.
fn nation() -> &'static Election {
    static NATION: OnceLock<Election> = OnceLock::new();
    NATION.get_or_init(|| generate(&opts(SEED, 1.0)).expect("the nation generates"))
}

fn opts(seed: u64, scale: f64) -> GenerateOptions {
    GenerateOptions { seed, scale }
}

/// Regions per (province, level).
fn counts_by_province(tree: &RegionTree) -> BTreeMap<(RegionCode, Level), u32> {
    let mut counts = BTreeMap::new();
    for (_, r) in tree.iter() {
        if let Some(province) = r.code.ancestor_at(Level::Provinsi) {
            *counts.entry((province, r.level())).or_default() += 1;
        }
    }
    counts
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

#[test]
fn every_province_has_the_real_2024_counts() {
    let counts = counts_by_province(&nation().tree);
    for (province, kabkota, kecamatan, desa, tps) in TABLE {
        let p = RegionCode::NASIONAL.child(province).unwrap();
        let at = |level| counts.get(&(p, level)).copied().unwrap_or(0);
        assert_eq!(
            [
                at(Level::Kabkota),
                at(Level::Kecamatan),
                at(Level::Desa),
                at(Level::Tps)
            ],
            [kabkota, kecamatan, desa, tps],
            "province {p}"
        );
    }
}

#[test]
fn the_nation_has_the_real_totals_and_voters() {
    let tree = &nation().tree;
    let domestic = |level| {
        tree.iter()
            .filter(|(_, r)| r.level() == level && !r.code.is_luar_negeri())
            .count()
    };
    assert_eq!(tree.children(tree.root()).len(), 39);
    assert_eq!(domestic(Level::Kabkota), 514);
    assert_eq!(domestic(Level::Kecamatan), 7_277);
    assert_eq!(domestic(Level::Desa), 83_731);
    assert_eq!(domestic(Level::Tps), 820_161);
    let root = tree.get(tree.root());
    assert_eq!(root.dpt.total(), 204_807_222);
    let share_l = f64::from(root.dpt.l) / f64::from(root.dpt.total());
    assert!((0.48..0.52).contains(&share_l), "{share_l}");

    let overseas = tree.get(tree.find(RegionCode::LUAR_NEGERI).unwrap());
    assert_eq!(overseas.name, "Luar Negeri");
    assert_eq!(overseas.dpt.total(), 1_750_474);
    let mut units = BTreeMap::<u32, u32>::new();
    let mut missions = 0;
    for (_, r) in tree.iter().filter(|(_, r)| r.code.is_luar_negeri()) {
        match r.level() {
            Level::Kecamatan => missions += 1,
            Level::Tps => *units.entry(r.code.parent().unwrap().number()).or_default() += 1,
            _ => {}
        }
    }
    assert_eq!(missions, 128);
    assert_eq!(
        units,
        BTreeMap::from([(1000, 808), (2000, 1708), (3000, 689)])
    );
}

#[test]
fn no_domestic_tps_serves_more_than_300_voters_except_special_locations() {
    let tree = &nation().tree;
    let mut special = 0;
    for (_, r) in tree.iter().filter(|(_, r)| r.level() == Level::Tps) {
        assert!(r.dpt.total() > 0, "{} has no voters", r.code);
        if r.code.number() >= 900 {
            special += 1;
        } else if !r.code.is_luar_negeri() {
            assert!(
                r.dpt.total() <= MAX_DPT_PER_TPS,
                "{} has {:?}",
                r.code,
                r.dpt
            );
        }
    }
    assert!((700..3000).contains(&special), "{special} special TPS");
}

#[test]
fn every_tps_holds_the_contests_of_its_place() {
    let election = nation();
    for (id, r) in election
        .tree
        .iter()
        .filter(|(_, r)| r.level() == Level::Tps)
    {
        let held: Vec<Contest> = Contest::ALL
            .into_iter()
            .filter(|c| election.holds(id, *c))
            .collect();
        let expected: &[Contest] = if r.code.is_luar_negeri() {
            &[Contest::Ppwp, Contest::Dpr]
        } else if code("31").contains(r.code) {
            &Contest::ALL[..4]
        } else {
            &Contest::ALL
        };
        assert_eq!(held, expected, "{}", r.code);
    }
}

#[test]
fn dapil_and_seats_have_the_2024_totals() {
    let election = nation();
    let totals = |contest| {
        let dapil: Vec<_> = election.dapil_of_contest(contest).collect();
        let seats: u32 = dapil.iter().map(|d| u32::from(d.seats)).sum();
        (dapil.len(), seats)
    };
    assert_eq!(totals(Contest::Dpr), (84, 580));
    assert_eq!(totals(Contest::Dpd), (38, 152));
    assert_eq!(totals(Contest::DprdProv), (301, 2_372));
    assert_eq!(totals(Contest::DprdKabkota), (2_325, 17_510));

    let dki2 = election
        .find_dapil(
            Contest::Dpr,
            &saksi_core::DapilCode::parse("31-02").unwrap(),
        )
        .unwrap();
    assert_eq!(dki2.name, "DKI JAKARTA II");
    assert!(dki2.regions.contains(&RegionCode::LUAR_NEGERI));
    let jabar = election
        .dapil_of_contest(Contest::Dpr)
        .filter(|d| d.code.as_str().starts_with("32-"));
    assert_eq!(jabar.map(|d| u32::from(d.seats)).sum::<u32>(), 91);
}

#[test]
fn every_ballot_is_well_formed() {
    let election = nation();
    for d in &election.dapil {
        let most = if d.contest == Contest::Dpr { 10 } else { 12 };
        if d.contest == Contest::Dpd {
            assert_eq!(d.seats, 4);
            assert!((10..=50).contains(&d.candidates.len()), "{}", d.code);
            assert!(d.candidates.iter().all(|c| c.party.is_none()));
            continue;
        }
        assert!(
            (3..=most).contains(&d.seats),
            "{} {} has {} seats",
            d.contest,
            d.code,
            d.seats
        );
        let aceh_dprd = d.contest != Contest::Dpr && d.code.as_str().starts_with("11");
        let parties = if aceh_dprd { 24 } else { 18 };
        assert_eq!(d.parties.len(), parties, "{} {}", d.contest, d.code);
        for party in &d.parties {
            let numbers: Vec<u16> = d
                .candidates
                .iter()
                .filter(|c| c.party == Some(*party))
                .map(|c| c.number)
                .collect();
            let k = numbers.len() as u16;
            assert!(
                (d.seats.div_ceil(2)..=d.seats).contains(&k),
                "{} {}",
                d.code,
                party
            );
            assert_eq!(numbers, (1..=k).collect::<Vec<_>>());
        }
    }
    let candidates: usize = election.dapil.iter().map(|d| d.candidates.len()).sum();
    assert!(candidates > 250_000, "{candidates} candidates");
}

#[test]
fn the_same_seed_gives_the_same_election_and_another_seed_another() {
    let names_and_dpt = |seed| {
        let regions = generate_tree(&opts(seed, 0.01)).unwrap();
        regions
            .into_iter()
            .map(|r| (r.code, r.name, r.dpt.l, r.dpt.p))
            .collect::<Vec<_>>()
    };
    let a = names_and_dpt(7);
    assert_eq!(a, names_and_dpt(7));
    let b = names_and_dpt(8);
    assert_ne!(a, b);
    let candidates = |seed| {
        let e = generate(&opts(seed, 0.01)).unwrap();
        e.dapil
            .into_iter()
            .flat_map(|d| d.candidates)
            .map(|c| c.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(candidates(7), candidates(7));
    assert_ne!(candidates(7), candidates(8));
}

#[test]
fn every_province_is_present_at_every_scale() {
    for scale in [0.01, 0.001, 0.000_001] {
        let election = generate(&opts(SEED, scale)).unwrap();
        let tree = &election.tree;
        assert_eq!(tree.children(tree.root()).len(), 39, "scale {scale}");
        for p in tree.children(tree.root()) {
            let leaves = tree
                .iter()
                .filter(|(_, r)| r.level() == Level::Tps && tree.get(p).code.contains(r.code))
                .count();
            assert!(
                leaves > 0,
                "{} has no TPS at scale {scale}",
                tree.get(p).code
            );
        }
        // Every TPS still votes in every contest of its place.
        for (id, r) in tree.iter().filter(|(_, r)| r.level() == Level::Tps) {
            let dprd_kabkota = !r.code.is_luar_negeri() && !code("31").contains(r.code);
            assert!(election.holds(id, Contest::Dpr));
            assert_eq!(
                election.holds(id, Contest::DprdKabkota),
                dprd_kabkota,
                "{}",
                r.code
            );
        }
    }
}

#[test]
fn one_percent_is_about_eight_thousand_tps() {
    let election = generate(&opts(SEED, 0.01)).unwrap();
    let tps = election.tree.count_by_level()[Level::Tps.depth()];
    assert!((8_000..8_600).contains(&tps), "{tps} TPS");
}

#[test]
fn a_scale_outside_zero_to_one_is_refused() {
    for scale in [0.0, -1.0, 1.5, f64::NAN] {
        assert!(matches!(
            generate(&opts(SEED, scale)),
            Err(GenerateError::Scale(_))
        ));
    }
}
