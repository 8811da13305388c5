//! Live tallies: every contest's totals at every region above TPS, kept in
//! memory as dense arrays and updated incrementally (docs/architecture.md, "What the code relies on").
//!
//! A region's row is [`FIXED`] counts followed by one slot per ballot
//! option (paslon, party, or DPD candidate, by number). Applying a new
//! version of a TPS form adds `new - old` to the rows of the TPS's
//! ancestors and to its dapil, so national = sum of provinces = ... = sum
//! of TPS holds after every update, without ever re-summing.
//!
//! TPS themselves have no row: a TPS's totals are its current form's
//! ([`Totals::of_form`]), which the store holds. At national scale that
//! keeps the arrays to about 92,000 rows instead of 912,000.
//!
//! The tallies also carry the anomaly flags ([`crate::anomaly::Index`]):
//! they change with the same `new - old` of each version, so a batch's
//! flags and counts become visible with its totals, under the same lock.
//! That costs 16 bytes per TPS and contest (about 66 MB for the nation).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::anomaly;
use crate::form::{CHasil, OptionId};
use crate::{Contest, Election, Level, RegionId};

/// The counts every row starts with, in order. Each adds up over children.
pub const FIXED: [&str; 7] = [
    "dpt",
    "pengguna_total_j",
    "suara_sah",
    "suara_tidak_sah",
    "suara_total",
    "tps_expected",
    "tps_reported",
];
const DPT: usize = 0;
const TPS_EXPECTED: usize = 5;
const TPS_REPORTED: usize = 6;
const NF: usize = FIXED.len();
const NO_DAPIL: u32 = u32::MAX;

/// Why tallies cannot be laid out for an election.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    #[error("contest {contest} has option number {number}, above the supported {max}")]
    TooManyOptions {
        contest: Contest,
        number: u32,
        max: u32,
    },
}

/// The most option slots one contest may have (a bit each in a `u128`).
const MAX_SLOTS: u32 = 128;

/// The totals of one contest: rows of upper regions and one row per dapil.
#[derive(Debug, Clone)]
struct ContestTally {
    /// Option slots per row.
    slots: usize,
    /// `upper_len * (NF + slots)` counts.
    rows: Vec<u64>,
    /// Per upper region: which slots are on a ballot somewhere inside it.
    ballot: Vec<u128>,
    /// Per upper region: the dapil (index into `Election::dapil`) the whole
    /// region votes in, or `NO_DAPIL`.
    dapil_of: Vec<u32>,
}

/// Per dapil: fixed counts and every box of its ballot (party-only boxes
/// and candidates), for candidate-level results.
#[derive(Debug, Clone, Default)]
struct DapilTally {
    fixed: [u64; NF],
    /// `(party, first box, candidates)`: party box at `first`, candidate n
    /// at `first + n`. One group with party `None` for DPD.
    groups: Vec<(Option<u8>, usize, u16)>,
    boxes: Vec<u64>,
}

/// All live tallies of an election.
#[derive(Debug, Clone)]
pub struct Tallies {
    upper: usize,
    contests: Vec<ContestTally>,
    /// Parallel to `Election::dapil`.
    dapil: Vec<DapilTally>,
    anomalies: anomaly::Index,
}

impl Tallies {
    /// Empty tallies (nothing reported) laid out for `election`, with DPT
    /// and the count of TPS expected per contest already in place.
    pub fn new(election: &Election) -> Result<Tallies, TallyError> {
        let tree = &election.tree;
        let upper = tree.upper_len();
        let mut contests = Vec::with_capacity(Contest::ALL.len());
        for contest in Contest::ALL {
            contests.push(ContestTally::new(election, contest, upper)?);
        }
        let dapil = election
            .dapil
            .iter()
            .map(|d| {
                let mut groups = Vec::new();
                let mut next = 0usize;
                let parties: Vec<Option<u8>> = if d.contest.is_party_list() {
                    d.parties.iter().copied().map(Some).collect()
                } else {
                    vec![None]
                };
                for party in parties {
                    let max = d
                        .candidates
                        .iter()
                        .filter(|c| c.party == party)
                        .map(|c| c.number)
                        .max()
                        .unwrap_or(0);
                    groups.push((party, next, max));
                    next += 1 + usize::from(max);
                }
                DapilTally {
                    fixed: [0; NF],
                    groups,
                    boxes: vec![0; next],
                }
            })
            .collect();
        let mut tallies = Tallies {
            upper,
            contests,
            dapil,
            anomalies: anomaly::Index::new(tree),
        };
        for (tps, region) in tree.iter().skip(upper) {
            let dpt = u64::from(region.dpt.total());
            for contest in Contest::ALL {
                let Some(dapil) = tallies.tps_dapil(election, tps, contest) else {
                    continue;
                };
                let mut delta = [0i64; NF];
                delta[DPT] = dpt as i64;
                delta[TPS_EXPECTED] = 1;
                tallies.add_fixed(election, tps, contest, dapil, &delta);
            }
        }
        Ok(tallies)
    }

    /// The dapil a TPS votes in for `contest`: `Some(None)` for PPWP (held
    /// everywhere, no dapil), `None` where the contest is not held.
    fn tps_dapil(
        &self,
        election: &Election,
        tps: RegionId,
        contest: Contest,
    ) -> Option<Option<usize>> {
        if contest == Contest::Ppwp {
            return Some(None);
        }
        let own = election.dapil_covering(tps, contest).map(|d| d as u32);
        let parent = election.tree.get(tps).parent?;
        let d = own.unwrap_or(self.contests[contest.index()].dapil_of[parent.index()]);
        (d != NO_DAPIL).then_some(Some(d as usize))
    }

    fn add_fixed(
        &mut self,
        election: &Election,
        tps: RegionId,
        contest: Contest,
        dapil: Option<usize>,
        delta: &[i64; NF],
    ) {
        let ct = &mut self.contests[contest.index()];
        let width = NF + ct.slots;
        for region in election.tree.ancestors(tps) {
            let row = &mut ct.rows[region.index() * width..][..NF];
            add(row, delta);
        }
        if let Some(d) = dapil {
            add(&mut self.dapil[d].fixed, delta);
        }
    }

    /// Replaces a TPS's form for `contest`: subtracts `old` (the version it
    /// succeeds, `None` for a first version) and adds `new` everywhere the
    /// TPS counts, and settles the anomaly flags of its kecamatan and
    /// kab/kota. Forms reaching here have passed validation, so every
    /// option is on the TPS's ballot.
    pub fn apply(
        &mut self,
        election: &Election,
        tps: RegionId,
        contest: Contest,
        old: Option<&CHasil>,
        new: &CHasil,
    ) {
        self.add_form(election, tps, contest, old, new);
        self.anomalies.settle(&election.tree);
    }

    /// Enters a stored current form at start-up: [`Tallies::apply`] of a
    /// first version, except that the anomaly flags wait for
    /// [`Tallies::settle`] after the last form. Settling a kecamatan takes
    /// time in its size, so settling it once per form would take time in
    /// the square of its size.
    pub fn restore(&mut self, election: &Election, tps: RegionId, contest: Contest, form: &CHasil) {
        self.add_form(election, tps, contest, None, form);
    }

    /// Settles the anomaly flags of every form entered by
    /// [`Tallies::restore`].
    pub fn settle(&mut self, election: &Election) {
        self.anomalies.settle(&election.tree);
    }

    /// The flags of a TPS's current forms, every contest, with reasons.
    pub fn flags(&self, election: &Election, tps: RegionId) -> Vec<anomaly::Flag> {
        self.anomalies.flags(&election.tree, tps)
    }

    /// TPS at or under `region` (a TPS too) carrying each anomaly flag for
    /// `contest`, in [`anomaly::FlagCode::ALL`] order.
    pub fn flag_counts(&self, election: &Election, contest: Contest, region: RegionId) -> [u64; 5] {
        let ct = &self.contests[contest.index()];
        let width = NF + ct.slots;
        self.anomalies.counts(&election.tree, contest, region, |r| {
            ct.rows[r.index() * width + TPS_REPORTED]
        })
    }

    /// The totals and the anomaly index's share of [`Tallies::apply`].
    fn add_form(
        &mut self,
        election: &Election,
        tps: RegionId,
        contest: Contest,
        old: Option<&CHasil>,
        new: &CHasil,
    ) {
        let Some(dapil) = self.tps_dapil(election, tps, contest) else {
            return;
        };
        self.anomalies.enter(tps, contest, old, new);
        let mut fixed = fixed_of(new);
        fixed[TPS_REPORTED] = 1;
        if let Some(old) = old {
            let before = fixed_of(old);
            for (f, b) in fixed.iter_mut().zip(before) {
                *f -= b;
            }
            fixed[TPS_REPORTED] = 0;
        }
        self.add_fixed(election, tps, contest, dapil, &fixed);

        let ct = &mut self.contests[contest.index()];
        let width = NF + ct.slots;
        let mut slot_delta: Vec<(usize, i64)> = Vec::with_capacity(32);
        for (id, votes) in new.options.totals() {
            if let Some(slot) = slot_of(id) {
                slot_delta.push((slot, votes as i64));
            }
        }
        for (id, votes) in old.iter().flat_map(|o| o.options.totals()) {
            if let Some(slot) = slot_of(id) {
                slot_delta.push((slot, -(votes as i64)));
            }
        }
        for region in election.tree.ancestors(tps) {
            let row = &mut ct.rows[region.index() * width + NF..][..ct.slots];
            for (slot, d) in &slot_delta {
                if let Some(cell) = row.get_mut(*slot) {
                    *cell = cell.wrapping_add_signed(*d);
                }
            }
        }
        if let Some(d) = dapil {
            let tally = &mut self.dapil[d];
            let boxes = new.options.boxes().map(|(id, v)| (id, i64::from(v))).chain(
                old.iter()
                    .flat_map(|o| o.options.boxes())
                    .map(|(id, v)| (id, -i64::from(v))),
            );
            for (id, votes) in boxes {
                if let Some(b) = tally.box_of(id) {
                    tally.boxes[b] = tally.boxes[b].wrapping_add_signed(votes);
                }
            }
        }
    }

    /// The totals of `contest` at an upper region (not a TPS; see
    /// [`Totals::of_form`]). Options are those on a ballot inside it.
    pub fn region(&self, contest: Contest, region: RegionId) -> Totals {
        debug_assert!(region.index() < self.upper, "TPS have no row");
        let ct = &self.contests[contest.index()];
        let width = NF + ct.slots;
        let row = &ct.rows[region.index() * width..][..width];
        let mask = ct.ballot[region.index()];
        let options = (0..ct.slots)
            .filter(|s| mask & (1u128 << s) != 0)
            .map(|s| (option_key(contest, s), row[NF + s]))
            .collect();
        Totals {
            fixed: row[..NF].try_into().expect("row starts with NF counts"),
            options,
        }
    }

    /// The totals of one dapil. Options are parties (party-only plus
    /// candidate votes) for DPR and DPRD, candidates for DPD.
    pub fn dapil(&self, election: &Election, dapil: usize) -> Totals {
        let tally = &self.dapil[dapil];
        let contest = election.dapil[dapil].contest;
        let options = tally
            .groups
            .iter()
            .flat_map(|(party, first, max)| {
                let boxes = &tally.boxes[*first..=*first + usize::from(*max)];
                match party {
                    Some(p) => vec![(p.to_string(), boxes.iter().sum())],
                    None => (1..boxes.len())
                        .map(|n| (option_key(contest, n - 1), boxes[n]))
                        .collect(),
                }
            })
            .collect();
        Totals {
            fixed: tally.fixed,
            options,
        }
    }

    /// Votes of every box of a dapil's ballot: `(party, number, votes)` with
    /// number 0 for a party's own box; party `None` for DPD candidates.
    pub fn dapil_boxes(&self, dapil: usize) -> impl Iterator<Item = (Option<u8>, u16, u64)> + '_ {
        let tally = &self.dapil[dapil];
        tally.groups.iter().flat_map(move |(party, first, max)| {
            let start = if party.is_some() { 0 } else { 1 };
            (start..=*max).map(move |n| (*party, n, tally.boxes[first + usize::from(n)]))
        })
    }
}

impl DapilTally {
    fn box_of(&self, id: OptionId) -> Option<usize> {
        let (party, number) = match id {
            OptionId::Candidate(n) => (None, n),
            OptionId::Party(p) => (Some(p), 0),
            OptionId::PartyCandidate(p, n) => (Some(p), n),
            OptionId::Paslon(_) => return None,
        };
        let (_, first, max) = self.groups.iter().find(|(p, _, _)| *p == party)?;
        (number <= *max).then_some(first + usize::from(number))
    }
}

impl ContestTally {
    fn new(
        election: &Election,
        contest: Contest,
        upper: usize,
    ) -> Result<ContestTally, TallyError> {
        let tree = &election.tree;
        let numbers: Vec<u32> = match contest {
            Contest::Ppwp => election
                .paslon
                .iter()
                .map(|p| u32::from(p.number))
                .collect(),
            Contest::Dpd => election
                .dapil_of_contest(contest)
                .flat_map(|d| d.candidates.iter().map(|c| u32::from(c.number)))
                .collect(),
            _ => election
                .parties
                .iter()
                .map(|p| u32::from(p.number))
                .collect(),
        };
        let slots = numbers.iter().copied().max().unwrap_or(0);
        if slots > MAX_SLOTS {
            return Err(TallyError::TooManyOptions {
                contest,
                number: slots,
                max: MAX_SLOTS,
            });
        }
        // Dapil of each upper region, inherited top-down (parents first).
        let mut dapil_of = vec![NO_DAPIL; upper];
        let mut ballot = vec![0u128; upper];
        for i in 0..upper {
            let id = RegionId(i as u32);
            let inherited = tree
                .get(id)
                .parent
                .map_or(NO_DAPIL, |p| dapil_of[p.index()]);
            dapil_of[i] = election
                .dapil_covering(id, contest)
                .map_or(inherited, |d| d as u32);
            if let Some(d) = election.dapil.get(dapil_of[i] as usize) {
                ballot[i] = if contest.is_party_list() {
                    d.parties.iter().fold(0, |m, p| m | bit(u32::from(*p)))
                } else {
                    d.candidates
                        .iter()
                        .fold(0, |m, c| m | bit(u32::from(c.number)))
                };
            }
        }
        if contest == Contest::Ppwp {
            let all = numbers.iter().fold(0, |m, n| m | bit(*n));
            ballot.iter_mut().for_each(|b| *b = all);
        } else {
            // Children before parents: a region offers what any child does.
            for i in (1..upper).rev() {
                let parent = tree
                    .get(RegionId(i as u32))
                    .parent
                    .expect("not the root")
                    .index();
                ballot[parent] |= ballot[i];
            }
            if contest == Contest::Dpd {
                // DPD candidates are numbered per province: above one,
                // "candidate 3" means nothing. Results there go by dapil.
                for (i, b) in ballot.iter_mut().enumerate() {
                    if tree.get(RegionId(i as u32)).level() < Level::Provinsi {
                        *b = 0;
                    }
                }
            }
        }
        Ok(ContestTally {
            slots: slots as usize,
            rows: vec![0; upper * (NF + slots as usize)],
            ballot,
            dapil_of,
        })
    }
}

fn bit(number: u32) -> u128 {
    number.checked_sub(1).map_or(0, |s| 1u128 << s)
}

/// The row slot of a total from [`crate::form::Options::totals`].
fn slot_of(id: OptionId) -> Option<usize> {
    let number = match id {
        OptionId::Paslon(n) | OptionId::Candidate(n) => n,
        OptionId::Party(p) => u16::from(p),
        OptionId::PartyCandidate(..) => return None,
    };
    usize::from(number).checked_sub(1)
}

/// The key of slot `s` in results: `01` for paslon, plain numbers else.
fn option_key(contest: Contest, slot: usize) -> String {
    if contest == Contest::Ppwp {
        format!("{:02}", slot + 1)
    } else {
        (slot + 1).to_string()
    }
}

/// The ballot number of an option key (`01` or `7`); keys are numbers.
pub fn option_number(key: &str) -> u32 {
    key.parse().unwrap_or(u32::MAX)
}

fn fixed_of(form: &CHasil) -> [i64; NF] {
    let mut f = [0i64; NF];
    f[1] = i64::from(form.pengguna_total.j);
    f[2] = i64::from(form.suara_sah);
    f[3] = i64::from(form.suara_tidak_sah);
    f[4] = i64::from(form.suara_total);
    f
}

fn add<const N: usize>(row: &mut [u64], delta: &[i64; N]) {
    for (cell, d) in row.iter_mut().zip(delta) {
        *cell = cell.wrapping_add_signed(*d);
    }
}

/// The totals object `T` of the results API: the [`FIXED`] counts and the
/// votes per option, every number a count that adds up over children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub fixed: [u64; NF],
    /// `(option key, votes)` in ballot order.
    pub options: Vec<(String, u64)>,
}

impl Totals {
    /// The totals of one TPS: its DPT, and its current form if it has one.
    pub fn of_form(
        election: &Election,
        tps: RegionId,
        contest: Contest,
        form: Option<&CHasil>,
    ) -> Totals {
        let mut fixed = [0u64; NF];
        if !election.holds(tps, contest) {
            return Totals {
                fixed,
                options: Vec::new(),
            };
        }
        fixed[DPT] = u64::from(election.tree.get(tps).dpt.total());
        fixed[TPS_EXPECTED] = 1;
        let mut options = Vec::new();
        if let Some(form) = form {
            for (i, v) in fixed_of(form).iter().enumerate().skip(1).take(4) {
                fixed[i] = *v as u64;
            }
            fixed[TPS_REPORTED] = 1;
            options = form
                .options
                .totals()
                .filter_map(|(id, v)| slot_of(id).map(|s| (option_key(contest, s), v)))
                .collect();
        }
        Totals { fixed, options }
    }

    /// Adds `other` in: fixed counts and votes per option, options kept in
    /// ballot order (by number), so a region's totals can be checked as
    /// the sum of its children's.
    pub fn add(&mut self, other: &Totals) {
        for (a, b) in self.fixed.iter_mut().zip(other.fixed) {
            *a = a.saturating_add(b);
        }
        for (key, votes) in &other.options {
            match self.options.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = v.saturating_add(*votes),
                None => self.options.push((key.clone(), *votes)),
            }
        }
        self.options.sort_by_key(|(k, _)| option_number(k));
    }

    /// A fixed count by its name in [`FIXED`].
    pub fn get(&self, name: &str) -> Option<u64> {
        FIXED.iter().position(|f| *f == name).map(|i| self.fixed[i])
    }
}

impl Serialize for Totals {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Options<'a>(&'a [(String, u64)]);
        impl Serialize for Options<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(NF + 1))?;
        for (name, value) in FIXED.iter().zip(self.fixed) {
            map.serialize_entry(name, &value)?;
        }
        map.serialize_entry("options", &Options(&self.options))?;
        map.end()
    }
}
