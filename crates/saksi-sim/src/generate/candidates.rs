//! Candidate lists: party lists in DPR and DPRD dapil, individuals in DPD.
//!
//! A party lists between half and all of a dapil's seats (a party may
//! nominate up to 100% of the seats); the large parties usually fill their
//! lists. A DPD ballot has 10 to 50 individuals, more in populous provinces.
//! Candidates are numbered 1.. within their list; names are synthetic.

use saksi_core::{Candidate, Contest, Dapil, RegionTree};

use super::names;
use crate::rng::Rng;

/// Stream label of the candidate draws.
const STREAM: u64 = 5;
/// Parties that won DPR seats in 2019 and usually fill their lists.
const LARGE_PARTIES: [u8; 9] = [1, 2, 3, 4, 5, 8, 12, 14, 17];

/// Fills in every dapil's candidates, deterministically by `seed`.
pub(crate) fn fill(dapil: &mut [Dapil], tree: &RegionTree, seed: u64) {
    let mut rng = Rng::stream(seed, &[STREAM]);
    for d in dapil {
        let mut candidates = Vec::new();
        if d.contest == Contest::Dpd {
            let dpt: u64 = d
                .regions
                .iter()
                .filter_map(|code| tree.find(*code))
                .map(|id| u64::from(tree.get(id).dpt.total()))
                .sum();
            let count = (10 + dpt / 1_200_000 + rng.below(5)).clamp(10, 50);
            for number in 1..=count as u16 {
                candidates.push(Candidate {
                    party: None,
                    number,
                    name: names::person(&mut rng),
                });
            }
        } else {
            let seats = u64::from(d.seats);
            for party in &d.parties {
                let full = LARGE_PARTIES.contains(party) && rng.chance(900);
                let count = if full {
                    seats
                } else {
                    rng.between(seats.div_ceil(2), seats)
                };
                for number in 1..=count as u16 {
                    candidates.push(Candidate {
                        party: Some(*party),
                        number,
                        name: names::person(&mut rng),
                    });
                }
            }
        }
        d.candidates = candidates;
    }
}
