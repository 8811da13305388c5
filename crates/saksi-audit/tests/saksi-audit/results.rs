//! Published results against the recount of the log: an honest server's
//! totals match at every level; a vote count changed behind the log's back
//! (in the database, say) is a discrepancy naming the region, the contest
//! and the field, at the `log_size` the response stated.

use std::collections::HashSet;

use saksi_api::{OrderedMap, Totals};
use saksi_audit::compare::{Selection, compare, select};
use saksi_audit::recount::{self, Unit};
use saksi_audit::{Discrepancy, Replay};
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::KeyRole;

use crate::build::{code, entry, form, register, run};

const TPS_A: &str = "11.01.01.2001.001";
const TPS_B: &str = "11.01.02.2001.001";

/// Two TPS of kab/kota 11.01, each form signed by its KPPS phone: 100 and
/// 60 votes, all for paslon 01.
fn two_signed_tps() -> Replay {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let a = Signer::generate("kpps-a").unwrap();
    let b = Signer::generate("kpps-b").unwrap();
    let replay = run(
        vec![
            register(&prov, KeyRole::KpuProv, "11", &root),
            register(&kab, KeyRole::KpuKabkota, "11.01", &prov),
            register(&a, KeyRole::Kpps, TPS_A, &kab),
            register(&b, KeyRole::Kpps, TPS_B, &kab),
            entry("form", form(TPS_A, 1, None, 100).0, &a),
            entry("form", form(TPS_B, 1, None, 60).0, &b),
        ],
        &root,
    );
    assert!(replay.found.is_empty(), "{:#?}", replay.found);
    replay
}

/// The `totals` an honest server publishes for `votes` over `tps` TPS.
fn honest(votes: u64, tps: u64) -> Totals {
    Totals {
        dpt: 400,
        pengguna_total_j: votes,
        suara_sah: votes,
        suara_tidak_sah: 0,
        suara_total: votes,
        tps_expected: 9,
        tps_reported: tps,
        options: OrderedMap(vec![("01".into(), votes), ("02".into(), 0)]),
    }
}

fn compared(replay: &Replay, unit: Unit, published: &Totals) -> Vec<Discrepancy> {
    let totals = recount::recount(&replay.ledger.forms, &HashSet::from([unit]));
    let expected = totals.get(&unit).cloned().unwrap_or_default();
    let mut found = Vec::new();
    compare(unit, 6, &expected, published, &mut found);
    found
}

#[test]
fn an_honest_servers_totals_match_at_every_level() {
    let replay = two_signed_tps();
    for (region, votes, tps) in [
        (TPS_A, 100, 1),
        ("11.01.02", 60, 1),
        ("11.01", 160, 2),
        ("11", 160, 2),
        ("0", 160, 2),
    ] {
        let unit = (Contest::Ppwp, code(region));
        assert_eq!(compared(&replay, unit, &honest(votes, tps)), [], "{region}");
    }
}

#[test]
fn a_vote_count_changed_behind_the_log_is_a_results_discrepancy() {
    let replay = two_signed_tps();
    let mut published = honest(160, 2);
    published.options = OrderedMap(vec![("01".into(), 150), ("02".into(), 10)]);
    let found = compared(&replay, (Contest::Ppwp, code("11.01")), &published);
    let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 2, "{shown:#?}");
    assert_eq!(
        found[0],
        Discrepancy::Result {
            region: "11.01".into(),
            contest: "ppwp".into(),
            field: "options.01".into(),
            expected: "160".into(),
            published: "150".into(),
            log_size: 6,
        }
    );
    assert!(shown[1].contains("options.02"), "{shown:#?}");
}

#[test]
fn a_count_changed_or_an_option_dropped_or_added_is_named_by_field() {
    let replay = two_signed_tps();
    let unit = (Contest::Ppwp, RegionCode::NASIONAL);
    let mut published = honest(160, 2);
    published.tps_reported = 3;
    published.suara_sah = 170;
    published.options = OrderedMap(vec![("01".into(), 160), ("03".into(), 5)]);
    let fields: Vec<(String, String)> = compared(&replay, unit, &published)
        .into_iter()
        .map(|d| match d {
            Discrepancy::Result {
                field, published, ..
            } => (field, published),
            Discrepancy::Log { message, .. } => (message, String::new()),
        })
        .collect();
    let expect = [
        ("suara_sah", "170"),
        ("tps_reported", "3"),
        ("options.02", "absent"),
        ("options.03", "5"),
    ];
    assert_eq!(fields, expect.map(|(f, p)| (f.to_owned(), p.to_owned())),);
}

#[test]
fn a_sample_takes_the_upper_levels_and_the_path_of_each_drawn_tps() {
    let replay = two_signed_tps();
    let forms = &replay.ledger.forms;
    let reported = recount::reported(forms);
    let full = select(Selection::Full, &reported, forms);
    assert_eq!(full.len(), 9, "{full:?}");
    let sample = select(Selection::Sample { tps: 1, seed: 7 }, &reported, forms);
    let tps: Vec<&Unit> = sample
        .iter()
        .filter(|(_, c)| c.level() == Level::Tps)
        .collect();
    assert_eq!(tps.len(), 1, "{sample:?}");
    let (_, drawn) = tps[0];
    for ancestor in recount::path(*drawn) {
        assert!(sample.contains(&(Contest::Ppwp, ancestor)), "{ancestor}");
    }
    for upper in ["0", "11", "11.01"] {
        assert!(sample.contains(&(Contest::Ppwp, code(upper))), "{upper}");
    }
    assert_eq!(
        sample,
        select(Selection::Sample { tps: 1, seed: 7 }, &reported, forms),
        "the same seed draws the same"
    );
}
