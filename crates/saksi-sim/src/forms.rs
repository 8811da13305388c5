//! Plausible C.Hasil forms for simulated TPS: what `saksi simulate`,
//! `saksi demo` and `saksi loadgen` submit, and what tests drive the
//! tallies with.
//!
//! A drawn form passes validation with no error and no warning: turnout
//! between 60% and 90% of the TPS's DPT, a few DPTb and DPK voters, about
//! 2% invalid ballots, valid votes spread over the TPS's own ballot with
//! per-contest leanings, and (on some forms) the ballot section with a 2%
//! reserve. Counts stay within a form box's 9999 at every TPS size.

use saksi_core::form::{CHasil, MAX_COUNT, OptionVotes, Options, PartyVotes, SuratSuara, Triple};
use saksi_core::{Contest, Election, RegionId};

use crate::rng::Rng;

/// Draws a valid form for `contest` at `tps`, or `None` if the contest is
/// not held there.
pub fn draw_form(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    rng: &mut Rng,
) -> Option<CHasil> {
    if !election.holds(tps, contest) {
        return None;
    }
    let dpt = election.tree.get(tps).dpt;
    let pemilih_dpt = Triple::of(dpt.l.min(MAX_COUNT / 2), dpt.p.min(MAX_COUNT / 2));
    let turnout = rng.between(600, 900);
    let voted =
        |n: u32, rng: &mut Rng| (u64::from(n) * (turnout + rng.between(0, 20)) / 1000) as u32;
    let pengguna_dpt = Triple::of(voted(pemilih_dpt.l, rng), voted(pemilih_dpt.p, rng));
    // DPTb and DPK voters: a few, never enough to push turnout past 100%.
    let extra_max = u64::from(pemilih_dpt.j / 200);
    let extra = |rng: &mut Rng| rng.between(0, extra_max) as u32;
    let pengguna_dptb = Triple::of(extra(rng), extra(rng));
    let pengguna_non_dpt = Triple::of(extra(rng), extra(rng));
    let pengguna_total = Triple::of(
        pengguna_dpt.l + pengguna_dptb.l + pengguna_non_dpt.l,
        pengguna_dpt.p + pengguna_dptb.p + pengguna_non_dpt.p,
    );
    let suara_total = pengguna_total.j;
    let suara_tidak_sah = (u64::from(suara_total) * rng.between(5, 40) / 1000) as u32;
    let suara_sah = suara_total - suara_tidak_sah;
    let options = draw_options(election, tps, contest, suara_sah, rng);
    let surat_suara = rng.chance(500).then(|| {
        let diterima = (pemilih_dpt.j + pemilih_dpt.j.div_ceil(50)).min(MAX_COUNT);
        let rusak = (rng.below(3) as u32).min(diterima - suara_total);
        SuratSuara {
            diterima,
            digunakan: suara_total,
            tidak_digunakan: diterima - suara_total - rusak,
            rusak,
        }
    });
    Some(CHasil {
        pemilih_dpt,
        pengguna_dpt,
        pengguna_dptb,
        pengguna_non_dpt,
        pengguna_total,
        disabilitas: None,
        surat_suara,
        suara_sah,
        suara_tidak_sah,
        suara_total,
        options,
    })
}

/// Spreads `valid` votes over the TPS's ballot for `contest`.
fn draw_options(
    election: &Election,
    tps: RegionId,
    contest: Contest,
    valid: u32,
    rng: &mut Rng,
) -> Options {
    match contest {
        Contest::Ppwp => {
            // Roughly the national shape of 2024, with local noise.
            let weights: Vec<u64> = [25u64, 58, 17]
                .iter()
                .map(|w| w * 10 + rng.below(150))
                .collect();
            let numbers: Vec<u16> = election
                .paslon
                .iter()
                .map(|p| u16::from(p.number))
                .collect();
            Options::Paslon(numbered(&numbers, split(valid, &weights, rng)))
        }
        Contest::Dpd => {
            let dapil = election
                .dapil_of(tps, contest)
                .expect("held, so it has a dapil");
            let numbers: Vec<u16> = dapil.candidates.iter().map(|c| c.number).collect();
            let weights: Vec<u64> = numbers.iter().map(|_| 1 + rng.below(100)).collect();
            Options::Candidates(numbered(&numbers, split(valid, &weights, rng)))
        }
        Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota => {
            let dapil = election
                .dapil_of(tps, contest)
                .expect("held, so it has a dapil");
            let weights: Vec<u64> = dapil
                .parties
                .iter()
                .map(|p| 5 + u64::from(*p % 7) * 20 + rng.below(100))
                .collect();
            let per_party = split(valid, &weights, rng);
            Options::Parties(
                dapil
                    .parties
                    .iter()
                    .zip(per_party)
                    .map(|(party, total)| {
                        let numbers: Vec<u16> = dapil
                            .candidates
                            .iter()
                            .filter(|c| c.party == Some(*party))
                            .map(|c| c.number)
                            .collect();
                        // About a third of a party's votes go to the party
                        // box, the rest to its candidates, the first favoured.
                        let mut weights = vec![40u64];
                        weights.extend(
                            numbers
                                .iter()
                                .map(|n| 10 + 60 / u64::from(*n) + rng.below(20)),
                        );
                        let mut boxes = split(total, &weights, rng);
                        let votes = boxes.remove(0);
                        PartyVotes {
                            party: *party,
                            votes,
                            candidates: numbered(&numbers, boxes),
                        }
                    })
                    .collect(),
            )
        }
    }
}

/// Ballot numbers paired with their votes.
fn numbered(numbers: &[u16], votes: Vec<u32>) -> Vec<OptionVotes> {
    numbers
        .iter()
        .zip(votes)
        .map(|(number, votes)| OptionVotes {
            number: *number,
            votes,
        })
        .collect()
}

/// Splits `total` into parts proportional to `weights` (which must not be
/// all zero), handing the rounding remainder out at random: the parts sum
/// to `total` exactly.
fn split(total: u32, weights: &[u64], rng: &mut Rng) -> Vec<u32> {
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut parts: Vec<u32> = weights
        .iter()
        .map(|w| (u64::from(total) * w / sum) as u32)
        .collect();
    let weighted: Vec<usize> = (0..weights.len()).filter(|i| weights[*i] > 0).collect();
    let mut rest = total - parts.iter().sum::<u32>();
    while rest > 0 && !weighted.is_empty() {
        parts[*rng.pick(&weighted)] += 1;
        rest -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_hands_out_every_vote() {
        let mut rng = Rng::new(7);
        for total in [0, 1, 17, 9999] {
            let parts = split(total, &[3, 0, 5, 1], &mut rng);
            assert_eq!(parts.iter().sum::<u32>(), total);
            assert_eq!(parts[1], 0);
        }
    }
}
