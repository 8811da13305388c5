//! Forms for the agreement tests of the C.Hasil rules as data
//! (`saksi_core::form::rules`): the Rust test checks that the data rules
//! and the validator find the same errors and warnings on them, and the
//! browser test that `/static/js/rules.js` does too. Valid and broken forms
//! of every contest shape, deterministic in the seed so a disagreement is
//! reproducible.

use std::collections::BTreeSet;

use saksi_core::form::rules::RULES;
use saksi_core::form::{
    CHasil, Disabilitas, FIELDS, MAX_COUNT, OptionVotes, Options, PartyVotes, SuratSuara, Triple,
    codes, validate,
};
use saksi_core::{Contest, Election, RegionId};

use crate::rng::Rng;

/// The stream label of these draws (`Rng::stream`).
const AGREEMENT: u64 = 0x6167_7265_656d_656e;

/// A number in `0..n` (`0` when `n` is 0); below a u32, so it fits one.
fn below(rng: &mut Rng, n: u32) -> u32 {
    rng.below(u64::from(n)) as u32
}

/// What the validator, the authority, says of `form` on the rules the
/// data covers (and R9's range): its errors if it refuses the form, else
/// its warnings, as sorted `(code, field)`. Each agreement test compares
/// its evaluator's findings with this.
pub fn expected(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    form: &CHasil,
) -> Vec<(String, String)> {
    let covered: BTreeSet<&str> = RULES
        .iter()
        .map(|r| r.code)
        .chain([codes::INVALID_NUMBER.code])
        .collect();
    let issues = match validate(election, tps, contest, form) {
        Ok(w) | Err(w) => w,
    };
    let mut out: Vec<(String, String)> = issues
        .into_iter()
        .filter(|i| covered.contains(i.code))
        .map(|i| (i.code.to_owned(), i.field.unwrap_or_default()))
        .collect();
    out.sort();
    out
}

/// The codes of the rules (and R9's) that none of `seen` is: an
/// agreement test whose forms reach every rule is not vacuous.
pub fn unreached(seen: &BTreeSet<String>) -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.code)
        .chain([codes::INVALID_NUMBER.code])
        .filter(|c| !seen.contains(*c))
        .collect()
}

/// The count at `FIELDS[i]`, creating an absent section on demand.
fn slot(form: &mut CHasil, i: usize) -> &mut u32 {
    fn of(t: &mut Triple, k: usize) -> &mut u32 {
        match k {
            0 => &mut t.l,
            1 => &mut t.p,
            _ => &mut t.j,
        }
    }
    match i {
        0..=2 => of(&mut form.pemilih_dpt, i),
        3..=5 => of(&mut form.pengguna_dpt, i - 3),
        6..=8 => of(&mut form.pengguna_dptb, i - 6),
        9..=11 => of(&mut form.pengguna_non_dpt, i - 9),
        12..=14 => of(&mut form.pengguna_total, i - 12),
        15..=17 => of(
            &mut form.disabilitas.get_or_insert_default().pemilih,
            i - 15,
        ),
        18..=20 => of(
            &mut form.disabilitas.get_or_insert_default().pengguna,
            i - 18,
        ),
        21 => &mut form.surat_suara.get_or_insert_default().diterima,
        22 => &mut form.surat_suara.get_or_insert_default().digunakan,
        23 => &mut form.surat_suara.get_or_insert_default().tidak_digunakan,
        24 => &mut form.surat_suara.get_or_insert_default().rusak,
        25 => &mut form.suara_sah,
        26 => &mut form.suara_tidak_sah,
        _ => &mut form.suara_total,
    }
}

/// Every box of the options, mutably.
fn boxes_mut(options: &mut Options) -> Vec<&mut u32> {
    match options {
        Options::Paslon(v) | Options::Candidates(v) => v.iter_mut().map(|o| &mut o.votes).collect(),
        Options::Parties(p) => p
            .iter_mut()
            .flat_map(|p| {
                std::iter::once(&mut p.votes).chain(p.candidates.iter_mut().map(|c| &mut c.votes))
            })
            .collect(),
    }
}

/// `n` forms for every contest of `election` (at the first TPS holding
/// it), each with every option of that TPS's ballot: about a third
/// consistent (warnings may still arise), the rest broken by changing one
/// or two numbers (now and then beyond R9's range, or by adding an optional
/// section half filled). The agreement tests of the rules as data, in
/// Rust and in JavaScript, run on these. Deterministic in `seed`.
pub fn forms(election: &Election, seed: u64, n: usize) -> Vec<(RegionId, Contest, CHasil)> {
    let mut rng = Rng::stream(seed, &[AGREEMENT]);
    let mut out = Vec::new();
    for contest in Contest::ALL {
        let Some(tps) = election
            .tree
            .tps_ids()
            .find(|t| election.holds(*t, contest))
        else {
            continue;
        };
        for _ in 0..n {
            let mut options = ballot(election, tps, contest);
            for v in boxes_mut(&mut options) {
                *v = below(&mut rng, 21);
            }
            let mut form = consistent(&mut rng, options);
            let breaks = below(&mut rng, 3);
            for _ in 0..breaks {
                let boxes = boxes_mut(&mut form.options).len() as u32;
                let target = below(&mut rng, FIELDS.len() as u32 + 4);
                let v: &mut u32 = if target >= FIELDS.len() as u32 && boxes > 0 {
                    let i = below(&mut rng, boxes) as usize;
                    boxes_mut(&mut form.options).swap_remove(i)
                } else {
                    slot(&mut form, (target as usize).min(FIELDS.len() - 1))
                };
                *v = match below(&mut rng, 8) {
                    0 => MAX_COUNT + 1 + below(&mut rng, 3),
                    1 => 0,
                    2 => v.saturating_sub(1 + below(&mut rng, 3)),
                    _ => *v + 1 + below(&mut rng, 3),
                };
            }
            out.push((tps, contest, form));
        }
    }
    out
}

/// The options of `contest`'s ballot at `tps`, every box zero.
fn ballot(election: &Election, tps: RegionId, contest: Contest) -> Options {
    let zero = |number| OptionVotes { number, votes: 0 };
    match contest {
        Contest::Ppwp => Options::Paslon(
            election
                .paslon
                .iter()
                .map(|p| zero(u16::from(p.number)))
                .collect(),
        ),
        _ => {
            let Some(dapil) = election.dapil_of(tps, contest) else {
                return Options::empty(contest);
            };
            if contest == Contest::Dpd {
                return Options::Candidates(
                    dapil.candidates.iter().map(|c| zero(c.number)).collect(),
                );
            }
            let mut parties = dapil.parties.clone();
            parties.sort_unstable();
            Options::Parties(
                parties
                    .into_iter()
                    .map(|party| PartyVotes {
                        party,
                        votes: 0,
                        candidates: dapil
                            .candidates
                            .iter()
                            .filter(|c| c.party == Some(party))
                            .map(|c| zero(c.number))
                            .collect(),
                    })
                    .collect(),
            )
        }
    }
}

/// A form over `options` that satisfies every error rule, with random
/// voters and optional sections; some warnings arise by chance.
fn consistent(rng: &mut Rng, options: Options) -> CHasil {
    let sah = options.sum() as u32;
    let tidak_sah = below(rng, 30);
    let total = sah + tidak_sah;
    // Voters who used their right: mostly exactly the ballots counted (R3).
    let voted = if below(rng, 4) == 0 {
        total + below(rng, 5)
    } else {
        total
    };
    let dptb = Triple::of(below(rng, 3), below(rng, 3));
    let non_dpt = Triple::of(below(rng, 3), below(rng, 3));
    let dpt_j = voted.saturating_sub(dptb.j + non_dpt.j);
    let dpt = Triple::of(dpt_j / 2, dpt_j - dpt_j / 2);
    let pengguna_total = Triple::of(dpt.l + dptb.l + non_dpt.l, dpt.p + dptb.p + non_dpt.p);
    // Registered voters: mostly more than voted (R6, R7).
    let pemilih_dpt = if below(rng, 5) == 0 {
        Triple::of(
            dpt.l.saturating_sub(below(rng, 10)),
            dpt.p.saturating_sub(below(rng, 10)),
        )
    } else {
        Triple::of(dpt.l + below(rng, 100), dpt.p + below(rng, 100))
    };
    let disabilitas = (below(rng, 2) == 0).then(|| Disabilitas {
        pemilih: Triple::of(below(rng, 10), below(rng, 10)),
        pengguna: Triple::of(below(rng, 5), below(rng, 5)),
    });
    let surat_suara = (below(rng, 2) == 0).then(|| {
        let digunakan = if below(rng, 4) == 0 { total + 1 } else { total };
        let (tidak_digunakan, rusak) = (below(rng, 50), below(rng, 3));
        SuratSuara {
            diterima: digunakan + tidak_digunakan + rusak + u32::from(below(rng, 5) == 0),
            digunakan,
            tidak_digunakan,
            rusak,
        }
    });
    CHasil {
        pemilih_dpt,
        pengguna_dpt: dpt,
        pengguna_dptb: dptb,
        pengguna_non_dpt: non_dpt,
        pengguna_total,
        disabilitas,
        surat_suara,
        suara_sah: sah,
        suara_tidak_sah: tidak_sah,
        suara_total: total,
        options,
    }
}
