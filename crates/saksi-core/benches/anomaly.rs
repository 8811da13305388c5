//! The anomaly flags of one kab/kota of 2,000 TPS (20 kecamatan of 100):
//! judging every form from scratch (what start-up does), one new version
//! settled (what the sequencer does per form), a TPS page's flags and a
//! region's counts (what readers do). Run with `cargo bench -p saksi-core
//! --bench anomaly`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use saksi_core::anomaly::Index;
use saksi_core::form::{CHasil, OptionVotes, Options, PartyVotes, Triple};
use saksi_core::{Contest, Dpt, RegionCode, RegionId, RegionInput, RegionTree};

const KECAMATAN: u32 = 20;
const TPS_PER_KECAMATAN: u32 = 100;

fn tree() -> RegionTree {
    let mut codes = vec!["11".to_owned(), "11.01".to_owned()];
    for k in 1..=KECAMATAN {
        codes.push(format!("11.01.{k:02}"));
        for i in 0..TPS_PER_KECAMATAN {
            let desa = format!("11.01.{k:02}.{}", 2001 + i / 10);
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
            let dpt = if code.level() == saksi_core::Level::Tps {
                Dpt { l: 140, p: 140 }
            } else {
                Dpt::default()
            };
            RegionInput { code, name: c, dpt }
        })
        .collect();
    RegionTree::build("Indonesia", inputs).unwrap()
}

/// A form whose numbers vary with `seed`: 190-230 voters, the valid votes
/// spread over `boxes` options (PPWP: the three paslon; DPR: 18 parties
/// with 8 candidates each).
fn form(contest: Contest, seed: u64) -> CHasil {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n) as u32
    };
    let voters = 190 + next(40);
    let invalid = next(6);
    let valid = voters - invalid;
    let boxes = if contest == Contest::Ppwp { 3 } else { 18 * 9 };
    let mut votes = vec![0u32; boxes];
    for _ in 0..valid {
        votes[next(boxes as u64) as usize] += 1;
    }
    let options = if contest == Contest::Ppwp {
        Options::Paslon(
            (1..=3)
                .zip(votes)
                .map(|(number, votes)| OptionVotes { number, votes })
                .collect(),
        )
    } else {
        Options::Parties(
            votes
                .chunks(9)
                .zip(1..=18)
                .map(|(v, party)| PartyVotes {
                    party,
                    votes: v[0],
                    candidates: (1..=8)
                        .zip(&v[1..])
                        .map(|(number, votes)| OptionVotes {
                            number,
                            votes: *votes,
                        })
                        .collect(),
                })
                .collect(),
        )
    };
    let t = Triple::of(voters / 2, voters - voters / 2);
    CHasil {
        pemilih_dpt: Triple::of(140, 140),
        pengguna_dpt: t,
        pengguna_dptb: Triple::default(),
        pengguna_non_dpt: Triple::default(),
        pengguna_total: t,
        disabilitas: None,
        surat_suara: None,
        suara_sah: valid,
        suara_tidak_sah: invalid,
        suara_total: voters,
        options,
    }
}

fn bench(c: &mut Criterion) {
    let tree = tree();
    let tps: Vec<RegionId> = tree.tps_ids().collect();
    let kabkota = tree.find(RegionCode::parse("11.01").unwrap()).unwrap();
    let mut group = c.benchmark_group("anomaly_kabkota_2000_tps");
    for (name, contest) in [("ppwp", Contest::Ppwp), ("dpr_18x8", Contest::Dpr)] {
        let forms: Vec<CHasil> = (0..tps.len() as u64).map(|s| form(contest, s)).collect();
        let full = || {
            let mut index = Index::new(&tree);
            for (t, f) in tps.iter().zip(&forms) {
                index.enter(*t, contest, None, f);
            }
            index.settle(&tree);
            index
        };
        group.bench_function(format!("every_form_from_scratch/{name}"), |b| {
            b.iter(|| black_box(full()))
        });
        let mut index = full();
        let target = tps[1234];
        let versions = [form(contest, 1_000_000), forms[1234].clone()];
        let mut current = 1;
        group.bench_function(format!("one_new_version_settled/{name}"), |b| {
            b.iter(|| {
                let next = 1 - current;
                index.enter(target, contest, Some(&versions[current]), &versions[next]);
                index.settle(&tree);
                current = next;
            })
        });
        group.bench_function(format!("tps_page_flags/{name}"), |b| {
            b.iter(|| black_box(index.flags(&tree, black_box(target))))
        });
        group.bench_function(format!("kabkota_counts/{name}"), |b| {
            b.iter(|| black_box(index.counts(&tree, contest, black_box(kabkota), |_| 2000)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
