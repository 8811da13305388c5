//! Anomaly flags: forms whose arithmetic is fine but whose numbers are odd
//! beside their neighbours', raised for the reviewers with a one-sentence
//! reason. A flag informs; it never refuses, blocks or changes anything
//! (the warnings of docs/form-codes.md are the form's own arithmetic; these
//! look across TPS).
//!
//! Five flags, each with a stable code ([`FlagCode::id`]) and its threshold
//! as a constant below:
//! - `above_dpt`: more votes cast than the TPS's DPT plus 2%;
//! - `unanimous`: one option has every valid vote, at least 50 of them;
//! - `same_votes`: the same votes in every box at another TPS of the same
//!   kecamatan, with at least 50 valid votes;
//! - `turnout_outlier`: turnout far from its kecamatan's (robust z-score
//!   over the median and the MAD beyond 3.5, among at least 10 TPS);
//! - `last_digits`: the last digits of the option totals of a kab/kota far
//!   from uniform (chi-square with the smooth trends removed, p below
//!   0.001, at least 200 totals of at least 100 votes); every reporting TPS
//!   of that kab/kota carries it.
//!
//! Flags are per contest: each contest's forms are compared with the same
//! contest's. [`Index`] keeps what they need of every current form and
//! settles them incrementally as forms change; [`stats`] holds the
//! statistics.

mod index;
pub mod stats;

use std::hash::{DefaultHasher, Hash, Hasher};

pub use index::Index;

use crate::Contest;
use crate::form::{CHasil, OptionId};

/// A flag's kind. Its [`id`](FlagCode::id) is a public contract (API,
/// pages), never renamed or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagCode {
    AboveDpt,
    Unanimous,
    SameVotes,
    TurnoutOutlier,
    LastDigits,
}

impl FlagCode {
    /// Every code, in the order counts and pages list them.
    pub const ALL: [FlagCode; 5] = [
        FlagCode::AboveDpt,
        FlagCode::Unanimous,
        FlagCode::SameVotes,
        FlagCode::TurnoutOutlier,
        FlagCode::LastDigits,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            FlagCode::AboveDpt => "above_dpt",
            FlagCode::Unanimous => "unanimous",
            FlagCode::SameVotes => "same_votes",
            FlagCode::TurnoutOutlier => "turnout_outlier",
            FlagCode::LastDigits => "last_digits",
        }
    }

    /// The bit of a TPS's own flags (`last_digits` is its kab/kota's and
    /// has none).
    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// `above_dpt`: votes cast (`suara_total`) above the TPS's DPT by more
/// than this many percent, the reserve of ballots a TPS receives. The DPT
/// is the election's register, not the number the form repeats.
pub const DPT_MARGIN_PERCENT: u64 = 2;
/// `unanimous`: the fewest valid votes for one option's clean sweep to be
/// odd (a tiny TPS voting as one family is not).
pub const MIN_UNANIMOUS_VALID: u16 = 50;
/// `same_votes`: the fewest valid votes for a repeated vote vector to be
/// odd, so that empty and tiny TPS do not all match one another.
pub const MIN_SAME_VOTES_VALID: u16 = 50;
/// `turnout_outlier`: the fewest reporting TPS (with a DPT) of a
/// kecamatan for its median and MAD to mean anything.
pub const MIN_TURNOUT_TPS: usize = 10;
/// `turnout_outlier`: the robust z-score beyond which a turnout is an
/// outlier (Iglewicz and Hoaglin's 3.5).
pub const TURNOUT_Z: f64 = 3.5;
/// `last_digits`: only totals of at least this many votes count. Where
/// most totals are small, as for DPD candidates and most parties at a
/// TPS, the numbers just above any floor are more common than those a
/// little higher, so 0 beats 9 as a last digit without anyone inventing
/// anything: on the simulator's honest forms, a floor of 10 flagged the
/// kab/kota of nearly half the nation's TPS for DPD even with the trend
/// removed ([`DIGITS_P`]). With three-digit totals only, the test speaks
/// of the paslon and the large parties, where it is sound.
pub const MIN_DIGIT_VOTES: u32 = 100;
/// `last_digits`: the fewest totals for the test (20 expected per digit).
pub const MIN_DIGITS: u64 = 200;
/// `last_digits`: the p-value below which the digits are flagged. One
/// kab/kota in a thousand with honest digits is flagged by chance.
/// The statistic is the chi-square against uniform less its linear and
/// quadratic components (7 degrees of freedom): those are what a smooth
/// slope of the totals' distribution gives, while invented numbers show
/// as spikes (too many 0s and 5s) that survive.
pub const DIGITS_P: f64 = 0.001;

/// A flag on one contest's current form at a TPS.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub contest: Contest,
    pub code: FlagCode,
    /// One English sentence naming the numbers.
    pub message: String,
}

/// The TPS has a current form for the contest.
const REPORTED: u8 = 0x80;

/// What the flags need of one current form, in 16 bytes: the index keeps
/// one per TPS and contest, never the forms themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sample {
    /// A hash of every box with votes (zero boxes left out, however the
    /// form wrote them): equal vote vectors have equal fingerprints.
    fingerprint: u64,
    /// `pengguna_total_j`: the voters who used their right.
    voters: u16,
    /// `suara_total`.
    votes: u16,
    /// `suara_sah`.
    valid: u16,
    /// The number of the option with every valid vote (paslon, DPD
    /// candidate or party), 0 for none.
    sole: u8,
    /// [`REPORTED`] and the settled [`FlagCode::bit`]s.
    bits: u8,
}

impl Sample {
    /// Counts are at most 9999 (R9), so `u16` holds them.
    fn of(form: &CHasil) -> Sample {
        let mut hasher = DefaultHasher::new();
        for (id, votes) in form.options.boxes().filter(|(_, v)| *v > 0) {
            (id, votes).hash(&mut hasher);
        }
        let valid = u64::from(form.suara_sah);
        let sole = form
            .options
            .totals()
            .find(|(_, v)| valid > 0 && *v == valid)
            .and_then(|(id, _)| match id {
                OptionId::Paslon(n) | OptionId::Candidate(n) => u8::try_from(n).ok(),
                OptionId::Party(p) => Some(p),
                OptionId::PartyCandidate(..) => None,
            })
            .unwrap_or(0);
        let narrow = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
        Sample {
            fingerprint: hasher.finish(),
            voters: narrow(form.pengguna_total.j),
            votes: narrow(form.suara_total),
            valid: narrow(form.suara_sah),
            sole,
            bits: REPORTED,
        }
    }

    fn reported(self) -> bool {
        self.bits & REPORTED != 0
    }

    fn has(self, code: FlagCode) -> bool {
        self.bits & code.bit() != 0
    }

    /// Eligible for `same_votes`.
    fn comparable(self) -> bool {
        self.reported() && self.valid >= MIN_SAME_VOTES_VALID
    }
}

/// The totals whose last digit the `last_digits` test counts: every
/// option's total (paslon, DPD candidate, or party with its candidates) of
/// at least [`MIN_DIGIT_VOTES`].
fn last_digits(form: &CHasil) -> impl Iterator<Item = usize> + '_ {
    form.options
        .totals()
        .filter(|(_, v)| *v >= u64::from(MIN_DIGIT_VOTES))
        .map(|(_, v)| (v % 10) as usize)
}

/// A kecamatan's turnout: the median and MAD the outliers were judged by.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spread {
    median: f64,
    mad: f64,
}

/// Settles the flags of one kecamatan's TPS for one contest from their
/// samples and DPT (parallel slices): `above_dpt` and `unanimous` from
/// each form alone, `same_votes` and `turnout_outlier` among them. Returns
/// the turnout spread when there were enough TPS to judge it.
fn settle_kecamatan(samples: &mut [Sample], dpt: &[u32]) -> Option<Spread> {
    for (s, d) in samples.iter_mut().zip(dpt) {
        s.bits &= REPORTED;
        if !s.reported() {
            continue;
        }
        if u64::from(s.votes) * 100 > u64::from(*d) * (100 + DPT_MARGIN_PERCENT) {
            s.bits |= FlagCode::AboveDpt.bit();
        }
        if s.valid >= MIN_UNANIMOUS_VALID && s.sole != 0 {
            s.bits |= FlagCode::Unanimous.bit();
        }
    }
    let mut comparable: Vec<(u64, usize)> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.comparable())
        .map(|(i, s)| (s.fingerprint, i))
        .collect();
    comparable.sort_unstable();
    for run in comparable.chunk_by(|a, b| a.0 == b.0) {
        if run.len() >= 2 {
            for (_, i) in run {
                samples[*i].bits |= FlagCode::SameVotes.bit();
            }
        }
    }
    let turnouts: Vec<(usize, f64)> = samples
        .iter()
        .zip(dpt)
        .enumerate()
        .filter(|(_, (s, d))| s.reported() && **d > 0)
        .map(|(i, (s, d))| (i, f64::from(s.voters) / f64::from(*d)))
        .collect();
    if turnouts.len() < MIN_TURNOUT_TPS {
        return None;
    }
    let mut values: Vec<f64> = turnouts.iter().map(|(_, t)| *t).collect();
    let (median, mad) = stats::median_and_mad(&mut values)?;
    // All but a few TPS alike (MAD 0): no scale to judge the rest by.
    if mad > 0.0 {
        for (i, t) in turnouts {
            if stats::robust_z(t, median, mad).abs() > TURNOUT_Z {
                samples[i].bits |= FlagCode::TurnoutOutlier.bit();
            }
        }
    }
    Some(Spread { median, mad })
}

/// How a flag's message names an option of `contest`.
fn option_name(contest: Contest, number: u8) -> String {
    match contest {
        Contest::Ppwp => format!("paslon {number:02}"),
        Contest::Dpd => format!("candidate {number}"),
        Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota => format!("party {number}"),
    }
}

#[cfg(test)]
mod tests;
