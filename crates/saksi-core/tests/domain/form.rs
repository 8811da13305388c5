//! The C.Hasil form against the election: each rule triggered and not
//! triggered, the two real Sirekap records, and property tests for the
//! arithmetic and for parsing hostile input.

use proptest::prelude::*;
use saksi_core::form::{
    self, CHasil, Disabilitas, Issue, OptionVotes, Options, PartyVotes, SuratSuara, Triple, parse,
    validate,
};
use saksi_core::{Contest, Election, RegionId};

use crate::fixture;

fn setup(tps: &str, contest: Contest) -> (Election, RegionId, CHasil) {
    let election = fixture::election();
    let id = fixture::tps(&election, tps);
    let form = fixture::clean_form(&election, id, contest);
    (election, id, form)
}

fn codes(issues: &[Issue]) -> Vec<&'static str> {
    issues.iter().map(|i| i.code).collect()
}

/// The error codes of a form that must be refused.
fn errors(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    form: &CHasil,
) -> Vec<&'static str> {
    match validate(election, tps, contest, form) {
        Ok(warnings) => panic!("accepted, with warnings {warnings:?}"),
        Err(errors) => codes(&errors),
    }
}

/// The warning codes of a form that must be accepted.
fn warnings(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    form: &CHasil,
) -> Vec<&'static str> {
    match validate(election, tps, contest, form) {
        Ok(warnings) => codes(&warnings),
        Err(errors) => panic!("refused: {errors:?}"),
    }
}

fn first_paslon(form: &mut CHasil) -> &mut OptionVotes {
    match &mut form.options {
        Options::Paslon(v) => &mut v[0],
        _ => panic!("not a PPWP form"),
    }
}

fn parties(form: &mut CHasil) -> &mut Vec<PartyVotes> {
    match &mut form.options {
        Options::Parties(p) => p,
        _ => panic!("not a legislative form"),
    }
}

#[test]
fn clean_forms_pass_every_contest_where_it_is_held() {
    let election = fixture::election();
    for (tps, contests) in [
        (fixture::TPS_A, &Contest::ALL[..]),
        (
            fixture::TPS_B,
            &[Contest::Ppwp, Contest::Dpr, Contest::Dpd, Contest::DprdProv][..],
        ),
        (fixture::TPS_LN, &[Contest::Ppwp, Contest::Dpr][..]),
    ] {
        let id = fixture::tps(&election, tps);
        for contest in contests {
            let form = fixture::clean_form(&election, id, *contest);
            assert_eq!(
                validate(&election, id, *contest, &form),
                Ok(vec![]),
                "{tps} {contest}"
            );
        }
    }
}

#[test]
fn r1_valid_votes_must_equal_the_sum_of_the_options() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    first_paslon(&mut form).votes -= 1;
    let refused = validate(&election, tps, Contest::Ppwp, &form).unwrap_err();
    assert_eq!(codes(&refused), ["form.options_sum_mismatch"]);
    assert_eq!(refused[0].rule, Some("R1"));
    assert_eq!(refused[0].field.as_deref(), Some("suara_sah"));
    assert_eq!(
        refused[0].message,
        "suara_sah is 190 but the options add up to 189"
    );
}

#[test]
fn r1_counts_party_only_and_candidate_votes() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Dpr);
    parties(&mut form)[3].candidates[5].votes += 1;
    assert_eq!(
        errors(&election, tps, Contest::Dpr, &form),
        ["form.options_sum_mismatch"]
    );
    parties(&mut form)[7].votes -= 1;
    assert_eq!(validate(&election, tps, Contest::Dpr, &form), Ok(vec![]));
}

#[test]
fn r2_valid_plus_invalid_must_equal_total_votes() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.suara_tidak_sah += 1;
    let refused = validate(&election, tps, Contest::Ppwp, &form).unwrap_err();
    assert_eq!(codes(&refused), ["form.votes_sum_mismatch"]);
    assert_eq!(
        refused[0].message,
        "suara_total is 195 but suara_sah + suara_tidak_sah = 190 + 6 = 196"
    );
}

#[test]
fn r4_voters_by_list_must_add_up_for_each_sex() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.pengguna_dptb.p += 1;
    form.pengguna_dptb.j += 1;
    let refused = validate(&election, tps, Contest::Ppwp, &form).unwrap_err();
    assert_eq!(
        codes(&refused),
        ["form.voters_sum_mismatch", "form.voters_sum_mismatch"]
    );
    let fields: Vec<_> = refused
        .iter()
        .map(|i| i.field.as_deref().unwrap())
        .collect();
    assert_eq!(fields, ["pengguna_total_p", "pengguna_total_j"]);
}

#[test]
fn r5_every_total_is_male_plus_female_disabled_voters_included() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.pemilih_dpt.j += 1;
    assert_eq!(
        errors(&election, tps, Contest::Ppwp, &form),
        ["form.sex_sum_mismatch"]
    );
    form.pemilih_dpt.j -= 1;
    form.disabilitas = Some(Disabilitas {
        pemilih: Triple::of(3, 2),
        pengguna: Triple { l: 2, p: 1, j: 4 },
    });
    let refused = validate(&election, tps, Contest::Ppwp, &form).unwrap_err();
    assert_eq!(codes(&refused), ["form.sex_sum_mismatch"]);
    assert_eq!(refused[0].field.as_deref(), Some("pengguna_disabilitas_j"));
    form.disabilitas = Some(Disabilitas {
        pemilih: Triple::of(3, 2),
        pengguna: Triple::of(2, 1),
    });
    assert_eq!(validate(&election, tps, Contest::Ppwp, &form), Ok(vec![]));
}

#[test]
fn r9_counts_above_9999_are_refused_even_when_built_in_code() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Dpr);
    form.suara_tidak_sah = 10_000;
    form.suara_total = 10_190;
    form.pengguna_total = Triple::of(93, 10_097);
    form.pengguna_non_dpt = Triple::of(1, 9_996);
    let refused = validate(&election, tps, Contest::Dpr, &form).unwrap_err();
    let fields: Vec<_> = refused
        .iter()
        .map(|i| (i.code, i.field.as_deref().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("form.invalid_number", "pengguna_total_p"),
            ("form.invalid_number", "pengguna_total_j"),
            ("form.invalid_number", "suara_tidak_sah"),
            ("form.invalid_number", "suara_total"),
        ]
    );
    let (_, _, mut form) = setup(fixture::TPS_A, Contest::Dpr);
    parties(&mut form)[0].candidates[0].votes = 20_000;
    let refused = validate(&election, tps, Contest::Dpr, &form).unwrap_err();
    assert_eq!(refused[0].field.as_deref(), Some("options.1.candidates.1"));
}

#[test]
fn unknown_options_are_refused_in_every_contest() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    first_paslon(&mut form).number = 4;
    let refused = validate(&election, tps, Contest::Ppwp, &form).unwrap_err();
    assert_eq!(codes(&refused), ["form.unknown_option"]);
    assert_eq!(refused[0].field.as_deref(), Some("options.04"));

    let (_, _, mut form) = setup(fixture::TPS_A, Contest::Dpd);
    if let Options::Candidates(v) = &mut form.options {
        v.push(OptionVotes {
            number: 13,
            votes: 0,
        });
    }
    assert_eq!(
        errors(&election, tps, Contest::Dpd, &form),
        ["form.unknown_option"]
    );

    let (_, _, mut form) = setup(fixture::TPS_A, Contest::Dpr);
    parties(&mut form).push(PartyVotes {
        party: 30,
        votes: 0,
        candidates: vec![],
    });
    parties(&mut form)[0].candidates.push(OptionVotes {
        number: 9,
        votes: 0,
    });
    let refused = validate(&election, tps, Contest::Dpr, &form).unwrap_err();
    let fields: Vec<_> = refused
        .iter()
        .map(|i| (i.code, i.field.as_deref().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("form.unknown_option", "options.1.candidates.9"),
            ("form.unknown_option", "options.30"),
        ]
    );
}

#[test]
fn options_of_another_dapil_are_refused() {
    let election = fixture::election();
    let b = fixture::tps(&election, fixture::TPS_B);
    // Dapil 11-02 lists candidates 1-4 only; 11-01 has 1-8.
    let mut form = fixture::clean_form(&election, b, Contest::Dpr);
    parties(&mut form)[0].candidates.push(OptionVotes {
        number: 6,
        votes: 0,
    });
    // Party 24 stands in 11-01, not in 11-02.
    parties(&mut form).push(PartyVotes {
        party: 24,
        votes: 0,
        candidates: vec![],
    });
    let refused = validate(&election, b, Contest::Dpr, &form).unwrap_err();
    let fields: Vec<_> = refused
        .iter()
        .map(|i| (i.code, i.field.as_deref().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("form.option_other_dapil", "options.1.candidates.6"),
            ("form.option_other_dapil", "options.24"),
        ]
    );
    assert!(
        refused[0].message.contains("dapil 11-02"),
        "{}",
        refused[0].message
    );
    // DPD candidate 11 stands in province 12 only.
    let a = fixture::tps(&election, fixture::TPS_A);
    let mut form = fixture::clean_form(&election, a, Contest::Dpd);
    if let Options::Candidates(v) = &mut form.options {
        v.push(OptionVotes {
            number: 11,
            votes: 0,
        });
    }
    assert_eq!(
        errors(&election, a, Contest::Dpd, &form),
        ["form.option_other_dapil"]
    );
}

#[test]
fn a_contest_not_held_at_the_tps_is_refused() {
    let election = fixture::election();
    let ln = fixture::tps(&election, fixture::TPS_LN);
    let a = fixture::tps(&election, fixture::TPS_A);
    let b = fixture::tps(&election, fixture::TPS_B);
    for (tps, contest) in [
        (ln, Contest::Dpd),
        (ln, Contest::DprdProv),
        (b, Contest::DprdKabkota),
    ] {
        let form = fixture::clean_form(&election, a, contest);
        assert_eq!(
            errors(&election, tps, contest, &form),
            ["form.contest_not_held"],
            "{contest}"
        );
    }
}

#[test]
fn options_of_another_contests_shape_are_refused() {
    let (election, tps, form) = setup(fixture::TPS_A, Contest::Ppwp);
    assert_eq!(
        errors(&election, tps, Contest::Dpd, &form),
        ["form.options_shape"]
    );
}

#[test]
fn r3_total_votes_against_voters_who_voted_is_a_warning() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.suara_tidak_sah += 1;
    form.suara_total += 1;
    let warned = validate(&election, tps, Contest::Ppwp, &form).unwrap();
    assert_eq!(codes(&warned), ["warning.votes_vs_voters"]);
    assert_eq!(warned[0].rule, Some("R3"));
    assert_eq!(
        warned[0].message,
        "suara_total is 196 but pengguna_total_j is 195"
    );
}

#[test]
fn r6_more_dpt_voters_than_registered_is_a_warning() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.pemilih_dpt = Triple::of(89, 130);
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        ["warning.voters_above_dpt"]
    );
    form.pemilih_dpt = Triple::of(90, 130);
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        Vec::<&str>::new()
    );
}

#[test]
fn r7_votes_above_dpt_plus_two_percent_is_a_warning() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    // 195 votes: DPT 192 allows 195.84, DPT 191 allows 194.82.
    form.pemilih_dpt = Triple::of(90, 102);
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        Vec::<&str>::new()
    );
    form.pemilih_dpt = Triple::of(90, 101);
    let warned = validate(&election, tps, Contest::Ppwp, &form).unwrap();
    assert_eq!(codes(&warned), ["warning.votes_above_dpt"]);
    assert_eq!(
        warned[0].message,
        "suara_total is 195, more than pemilih_dpt_j x 1.02 = 191 x 1.02 = 194.82"
    );
}

#[test]
fn r10_ballot_checks_run_only_when_the_section_is_given() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    let good = SuratSuara {
        diterima: 260,
        digunakan: 195,
        tidak_digunakan: 60,
        rusak: 5,
    };
    form.surat_suara = Some(good);
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        Vec::<&str>::new()
    );
    form.surat_suara = Some(SuratSuara { rusak: 6, ..good });
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        ["warning.ballots_sum_mismatch"]
    );
    form.surat_suara = Some(SuratSuara {
        digunakan: 194,
        tidak_digunakan: 61,
        ..good
    });
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        ["warning.ballots_used_vs_votes"]
    );
    form.surat_suara = None;
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        Vec::<&str>::new()
    );
}

#[test]
fn r12_no_valid_votes_while_votes_were_cast_is_a_warning() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.options = Options::Paslon(vec![]);
    form.suara_sah = 0;
    form.suara_tidak_sah = 195;
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        ["warning.no_valid_votes"]
    );
    form.suara_tidak_sah = 0;
    form.suara_total = 0;
    form.pengguna_total = Triple::default();
    form.pengguna_dpt = Triple::default();
    form.pengguna_dptb = Triple::default();
    form.pengguna_non_dpt = Triple::default();
    assert_eq!(
        warnings(&election, tps, Contest::Ppwp, &form),
        Vec::<&str>::new()
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let (election, tps, mut form) = setup(fixture::TPS_A, Contest::Ppwp);
    form.suara_sah += 1;
    form.pemilih_dpt.l += 1;
    first_paslon(&mut form).number = 9;
    assert_eq!(
        errors(&election, tps, Contest::Ppwp, &form),
        [
            "form.options_sum_mismatch",
            "form.votes_sum_mismatch",
            "form.sex_sum_mismatch",
            "form.unknown_option"
        ]
    );
}

/// The two real Sirekap PPWP records of `../shared/data`.
#[test]
fn the_real_sirekap_records_validate_without_error_or_warning() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/sirekap_ppwp_tps_samples.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{path} not found"
        );
        println!("skipped: {path} not found");
        return;
    };
    let samples: serde_json::Value = serde_json::from_str(&text).unwrap();
    let records = samples["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let election = fixture::election();
    let tps = fixture::tps(&election, fixture::TPS_A);
    for record in records {
        let mut body = record["administrasi"].as_object().unwrap().clone();
        let chart = &record["chart"];
        let options: serde_json::Map<_, _> = [("01", "100025"), ("02", "100026"), ("03", "100027")]
            .into_iter()
            .map(|(key, id)| (key.to_owned(), chart[id].clone()))
            .collect();
        body.insert("options".to_owned(), options.into());
        let json = serde_json::to_vec(&body).unwrap();
        let form = parse(Contest::Ppwp, &json).unwrap();
        assert_eq!(
            validate(&election, tps, Contest::Ppwp, &form),
            Ok(vec![]),
            "{body:?}"
        );
    }
}

/// A random form that satisfies every error rule (it may carry warnings).
fn consistent_form(contest: Contest) -> impl Strategy<Value = CHasil> {
    let options = match contest {
        Contest::Ppwp => prop::collection::vec(0u32..=300, 3)
            .prop_map(|v| {
                Options::Paslon(
                    v.into_iter()
                        .zip(1..)
                        .map(|(votes, number)| OptionVotes { number, votes })
                        .collect(),
                )
            })
            .boxed(),
        _ => prop::collection::vec((0u32..=20, prop::collection::vec(0u32..=15, 8)), 18)
            .prop_map(|parties| {
                let numbers = [
                    1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24,
                ];
                Options::Parties(
                    parties
                        .into_iter()
                        .zip(numbers)
                        .map(|((votes, candidates), party)| PartyVotes {
                            party,
                            votes,
                            candidates: candidates
                                .into_iter()
                                .zip(1..)
                                .map(|(votes, number)| OptionVotes { number, votes })
                                .collect(),
                        })
                        .collect(),
                )
            })
            .boxed(),
    };
    let voters = prop::array::uniform6(0u32..=400);
    let registered = (0u32..=600, 0u32..=600);
    let sections = (
        prop::option::of(prop::array::uniform4(0u32..=200)),
        prop::option::of(prop::array::uniform4(0u32..=2000)),
    );
    (options, 0u32..=50, voters, registered, sections).prop_map(
        |(options, tidak_sah, v, (dl, dp), (dis, ballots))| {
            let sah = options.sum() as u32;
            CHasil {
                pemilih_dpt: Triple::of(dl, dp),
                pengguna_dpt: Triple::of(v[0], v[1]),
                pengguna_dptb: Triple::of(v[2], v[3]),
                pengguna_non_dpt: Triple::of(v[4], v[5]),
                pengguna_total: Triple::of(v[0] + v[2] + v[4], v[1] + v[3] + v[5]),
                disabilitas: dis.map(|d| Disabilitas {
                    pemilih: Triple::of(d[0], d[1]),
                    pengguna: Triple::of(d[2], d[3]),
                }),
                surat_suara: ballots.map(|b| SuratSuara {
                    diterima: b[0],
                    digunakan: b[1],
                    tidak_digunakan: b[2],
                    rusak: b[3],
                }),
                suara_sah: sah,
                suara_tidak_sah: tidak_sah,
                suara_total: sah + tidak_sah,
                options,
            }
        },
    )
}

/// The numbers one can nudge, and the error codes a nudge of +-1 must
/// produce: exactly the identities the number takes part in.
const NUDGES: &[(&str, &[&str])] = &[
    ("option", &["form.options_sum_mismatch"]),
    (
        "suara_sah",
        &["form.options_sum_mismatch", "form.votes_sum_mismatch"],
    ),
    ("suara_tidak_sah", &["form.votes_sum_mismatch"]),
    ("suara_total", &["form.votes_sum_mismatch"]),
    ("pemilih_dpt_l", &["form.sex_sum_mismatch"]),
    ("pemilih_dpt_j", &["form.sex_sum_mismatch"]),
    (
        "pengguna_dpt_p",
        &["form.voters_sum_mismatch", "form.sex_sum_mismatch"],
    ),
    (
        "pengguna_dptb_j",
        &["form.voters_sum_mismatch", "form.sex_sum_mismatch"],
    ),
    (
        "pengguna_non_dpt_l",
        &["form.voters_sum_mismatch", "form.sex_sum_mismatch"],
    ),
    (
        "pengguna_total_p",
        &["form.voters_sum_mismatch", "form.sex_sum_mismatch"],
    ),
    ("pengguna_disabilitas_j", &["form.sex_sum_mismatch"]),
];

fn nudge(form: &mut CHasil, what: &str, up: bool) {
    let n = |v: &mut u32| *v = if up || *v == 0 { *v + 1 } else { *v - 1 };
    match what {
        "option" => match &mut form.options {
            Options::Paslon(v) => n(&mut v[1].votes),
            Options::Parties(p) => n(&mut p[4].candidates[2].votes),
            Options::Candidates(v) => n(&mut v[0].votes),
        },
        "suara_sah" => n(&mut form.suara_sah),
        "suara_tidak_sah" => n(&mut form.suara_tidak_sah),
        "suara_total" => n(&mut form.suara_total),
        "pemilih_dpt_l" => n(&mut form.pemilih_dpt.l),
        "pemilih_dpt_j" => n(&mut form.pemilih_dpt.j),
        "pengguna_dpt_p" => n(&mut form.pengguna_dpt.p),
        "pengguna_dptb_j" => n(&mut form.pengguna_dptb.j),
        "pengguna_non_dpt_l" => n(&mut form.pengguna_non_dpt.l),
        "pengguna_total_p" => n(&mut form.pengguna_total.p),
        "pengguna_disabilitas_j" => {
            let d = form.disabilitas.get_or_insert_with(Disabilitas::default);
            n(&mut d.pengguna.j);
        }
        other => unreachable!("no nudge {other}"),
    }
}

/// Arbitrary JSON that looks enough like a form to reach every branch of
/// the parser: real field names, every kind of number, nested objects.
fn jsonish() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(form::FIELDS.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec![
            "options",
            "party",
            "candidates",
            "01",
            "1",
            "24",
            "007",
            ""
        ])
        .prop_map(str::to_owned),
        "[a-z0-9_]{0,6}",
    ];
    let leaf = prop_oneof![
        (0u64..12_000).prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "-1",
            "-0",
            "1.0",
            "1.5",
            "1e2",
            "1e400",
            "99999999999999999999",
            "null",
            "true",
            "\"12\"",
            "\"\\u0000\"",
            "[]",
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop::collection::vec((key.clone(), inner), 0..8).prop_map(|entries| {
            let body: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).unwrap()))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn consistent_forms_have_no_errors_and_survive_a_json_round_trip(
        form in prop_oneof![consistent_form(Contest::Ppwp), consistent_form(Contest::Dpr)]
    ) {
        let election = fixture::election();
        let tps = fixture::tps(&election, fixture::TPS_A);
        let contest = if matches!(form.options, Options::Paslon(_)) { Contest::Ppwp } else { Contest::Dpr };
        prop_assert!(validate(&election, tps, contest, &form).is_ok());
        let json = serde_json::to_vec(&form).unwrap();
        prop_assert_eq!(parse(contest, &json).unwrap(), form);
    }

    #[test]
    fn nudging_one_number_of_an_identity_gives_exactly_its_errors(
        form in prop_oneof![consistent_form(Contest::Ppwp), consistent_form(Contest::Dpr)],
        which in 0..NUDGES.len(),
        up in any::<bool>(),
    ) {
        let election = fixture::election();
        let tps = fixture::tps(&election, fixture::TPS_A);
        let contest = if matches!(form.options, Options::Paslon(_)) { Contest::Ppwp } else { Contest::Dpr };
        let (what, expected) = NUDGES[which];
        let mut form = form;
        nudge(&mut form, what, up);
        let mut got = match validate(&election, tps, contest, &form) {
            Ok(w) => panic!("{what} nudged but accepted with {w:?}"),
            Err(e) => codes(&e),
        };
        got.dedup();
        prop_assert_eq!(got, expected.to_vec(), "nudged {}", what);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        for contest in Contest::ALL {
            let _ = parse(contest, &bytes);
        }
    }

    #[test]
    fn parse_never_panics_on_arbitrary_json_and_every_issue_is_documented(json in jsonish()) {
        for contest in Contest::ALL {
            if let Err(e) = parse(contest, json.as_bytes()) {
                prop_assert!(!e.0.is_empty());
                for issue in &e.0 {
                    prop_assert!(form::codes::ALL.iter().any(|c| c.code == issue.code));
                }
            }
        }
    }
}
