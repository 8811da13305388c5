//! The C.Hasil form as data, and its JSON shape.
//!
//! Field names are the commission's (Sirekap's `administrasi` block), so a
//! form reads the same on paper, in the API and in the store. The JSON is
//! flat: every count at the top level, the votes under `options`. A form
//! serializes in one fixed order (the order of [`FIELDS`], then `options`
//! sorted by ballot number), so equal forms give equal bytes.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::Contest;

/// The largest count a box of the paper form can hold (3-4 digits; R9).
pub const MAX_COUNT: u32 = 9999;

/// Male, female and total (`_l`, `_p`, `_j`), the way the form counts voters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Triple {
    pub l: u32,
    pub p: u32,
    pub j: u32,
}

impl Triple {
    /// A triple whose total is the sum of its parts (R5 holds).
    pub fn of(l: u32, p: u32) -> Triple {
        Triple { l, p, j: l + p }
    }
}

/// The optional disabled-voter section: given whole or not at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Disabilitas {
    /// `pemilih_disabilitas_*`: registered voters with a disability.
    pub pemilih: Triple,
    /// `pengguna_disabilitas_*`: those of them who voted.
    pub pengguna: Triple,
}

/// The optional ballot section: given whole or not at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuratSuara {
    /// `surat_suara_diterima`: ballots received, reserve included.
    pub diterima: u32,
    /// `surat_suara_digunakan`: ballots used (cast).
    pub digunakan: u32,
    /// `surat_suara_tidak_digunakan`: ballots left unused.
    pub tidak_digunakan: u32,
    /// `surat_suara_rusak`: ballots damaged or spoilt and returned.
    pub rusak: u32,
}

/// Votes for one numbered option: a paslon, a DPD candidate, or a candidate
/// within a party list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionVotes {
    /// The ballot number.
    pub number: u16,
    pub votes: u32,
}

/// One party's column on a legislative form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyVotes {
    pub party: u8,
    /// Votes for the party alone (the party's box).
    pub votes: u32,
    /// Votes for its candidates, by ballot number, ascending.
    pub candidates: Vec<OptionVotes>,
}

impl PartyVotes {
    /// The party's total: its own box plus every candidate's (docs/form-codes.md).
    pub fn total(&self) -> u64 {
        u64::from(self.votes)
            + self
                .candidates
                .iter()
                .map(|c| u64::from(c.votes))
                .sum::<u64>()
    }
}

/// The votes of a form, in the shape of its contest's ballot. Entries are
/// sorted by number and unique (as [`crate::form::parse`] makes them); an
/// option absent from the form has no votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Options {
    /// PPWP: paslon keyed `"01"`, `"02"`, `"03"`.
    Paslon(Vec<OptionVotes>),
    /// DPD: individual candidates keyed by plain ballot number (`"7"`).
    Candidates(Vec<OptionVotes>),
    /// DPR and DPRD: `{"<party>": {"party": n, "candidates": {"<no>": n}}}`.
    Parties(Vec<PartyVotes>),
}

impl Options {
    /// Empty options of the shape `contest` uses.
    pub fn empty(contest: Contest) -> Options {
        match contest {
            Contest::Ppwp => Options::Paslon(Vec::new()),
            Contest::Dpd => Options::Candidates(Vec::new()),
            Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota => Options::Parties(Vec::new()),
        }
    }

    /// True if these options have the shape of `contest`'s ballot.
    pub fn fits(&self, contest: Contest) -> bool {
        matches!(
            (self, contest),
            (Options::Paslon(_), Contest::Ppwp)
                | (Options::Candidates(_), Contest::Dpd)
                | (
                    Options::Parties(_),
                    Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota
                )
        )
    }

    /// The sum of every box: what `suara_sah` must equal (R1).
    pub fn sum(&self) -> u64 {
        match self {
            Options::Paslon(v) | Options::Candidates(v) => {
                v.iter().map(|o| u64::from(o.votes)).sum()
            }
            Options::Parties(parties) => parties.iter().map(PartyVotes::total).sum(),
        }
    }

    /// Every box of the form once (a party's own box and each of its
    /// candidates' separately): for candidate-level results.
    pub fn boxes(&self) -> impl Iterator<Item = (OptionId, u32)> + '_ {
        let (flat, parties): (&[OptionVotes], &[PartyVotes]) = match self {
            Options::Paslon(v) | Options::Candidates(v) => (v, &[]),
            Options::Parties(p) => (&[], p),
        };
        let paslon = matches!(self, Options::Paslon(_));
        let flat = flat.iter().map(move |o| {
            let id = if paslon {
                OptionId::Paslon(o.number)
            } else {
                OptionId::Candidate(o.number)
            };
            (id, o.votes)
        });
        let parties = parties.iter().flat_map(|p| {
            std::iter::once((OptionId::Party(p.party), p.votes)).chain(
                p.candidates
                    .iter()
                    .map(move |c| (OptionId::PartyCandidate(p.party, c.number), c.votes)),
            )
        });
        flat.chain(parties)
    }

    /// One total per ballot option: each paslon, each DPD candidate, or each
    /// party with its candidates' votes included. What results above a
    /// dapil add up.
    pub fn totals(&self) -> impl Iterator<Item = (OptionId, u64)> + '_ {
        let (flat, parties): (&[OptionVotes], &[PartyVotes]) = match self {
            Options::Paslon(v) | Options::Candidates(v) => (v, &[]),
            Options::Parties(p) => (&[], p),
        };
        let paslon = matches!(self, Options::Paslon(_));
        flat.iter()
            .map(move |o| {
                let id = if paslon {
                    OptionId::Paslon(o.number)
                } else {
                    OptionId::Candidate(o.number)
                };
                (id, u64::from(o.votes))
            })
            .chain(
                parties
                    .iter()
                    .map(|p| (OptionId::Party(p.party), p.total())),
            )
    }
}

/// Names one box of a form. `Display` gives the key results use: `01` for
/// a paslon, `7` for a DPD candidate or a party, `7.3` for candidate 3 of
/// party 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OptionId {
    Paslon(u16),
    /// A DPD candidate.
    Candidate(u16),
    /// A party: its own box in [`Options::boxes`], its total in
    /// [`Options::totals`].
    Party(u8),
    PartyCandidate(u8, u16),
}

impl OptionId {
    /// The path of this box in the form's JSON, for error messages.
    pub fn field(self) -> String {
        match self {
            OptionId::Paslon(n) => format!("options.{n:02}"),
            OptionId::Candidate(n) => format!("options.{n}"),
            OptionId::Party(p) => format!("options.{p}.party"),
            OptionId::PartyCandidate(p, n) => format!("options.{p}.candidates.{n}"),
        }
    }
}

impl fmt::Display for OptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionId::Paslon(n) => write!(f, "{n:02}"),
            OptionId::Candidate(n) => write!(f, "{n}"),
            OptionId::Party(p) => write!(f, "{p}"),
            OptionId::PartyCandidate(p, n) => write!(f, "{p}.{n}"),
        }
    }
}

/// One C.Hasil form for one contest at one TPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CHasil {
    /// `pemilih_dpt_*`: voters registered on the DPT.
    pub pemilih_dpt: Triple,
    /// `pengguna_dpt_*`: DPT voters who voted.
    pub pengguna_dpt: Triple,
    /// `pengguna_dptb_*`: voters who moved in (DPTb) and voted.
    pub pengguna_dptb: Triple,
    /// `pengguna_non_dpt_*`: voters on no list (DPK) who voted.
    pub pengguna_non_dpt: Triple,
    /// `pengguna_total_*`: everyone who voted.
    pub pengguna_total: Triple,
    pub disabilitas: Option<Disabilitas>,
    pub surat_suara: Option<SuratSuara>,
    pub suara_sah: u32,
    pub suara_tidak_sah: u32,
    pub suara_total: u32,
    pub options: Options,
}

/// Number of count fields a form can carry.
pub const FIELD_COUNT: usize = 28;

/// Every count field, in serialization order: the one list of names that
/// parsing, serialization and validation messages share.
pub const FIELDS: [&str; FIELD_COUNT] = [
    "pemilih_dpt_l",
    "pemilih_dpt_p",
    "pemilih_dpt_j",
    "pengguna_dpt_l",
    "pengguna_dpt_p",
    "pengguna_dpt_j",
    "pengguna_dptb_l",
    "pengguna_dptb_p",
    "pengguna_dptb_j",
    "pengguna_non_dpt_l",
    "pengguna_non_dpt_p",
    "pengguna_non_dpt_j",
    "pengguna_total_l",
    "pengguna_total_p",
    "pengguna_total_j",
    "pemilih_disabilitas_l",
    "pemilih_disabilitas_p",
    "pemilih_disabilitas_j",
    "pengguna_disabilitas_l",
    "pengguna_disabilitas_p",
    "pengguna_disabilitas_j",
    "surat_suara_diterima",
    "surat_suara_digunakan",
    "surat_suara_tidak_digunakan",
    "surat_suara_rusak",
    "suara_sah",
    "suara_tidak_sah",
    "suara_total",
];

/// Indices into [`FIELDS`] of the optional sections.
pub(crate) const DISABILITAS: std::ops::Range<usize> = 15..21;
pub(crate) const SURAT_SUARA: std::ops::Range<usize> = 21..25;

impl CHasil {
    /// Every count field the form carries, as `(name, value)` in
    /// [`FIELDS`] order (absent sections are skipped).
    pub fn counts(&self) -> impl Iterator<Item = (&'static str, u32)> + '_ {
        let flat = self.to_flat();
        FIELDS
            .into_iter()
            .zip(flat)
            .filter_map(|(name, value)| value.map(|v| (name, v)))
    }

    /// Whether `name` names a box a C.Hasil of `contest` can carry: a
    /// count of [`FIELDS`], or an option's box as [`OptionId::field`]
    /// writes it for this contest's ballot (`options.01` for a pair,
    /// `options.7` for a DPD candidate, `options.7.party` and
    /// `options.7.candidates.3` on a party ballot). What an objection may
    /// dispute, checked from the objection alone, so the server and every
    /// auditor decide it the same way.
    pub fn is_box_name(contest: Contest, name: &str) -> bool {
        if FIELDS.contains(&name) {
            return true;
        }
        let Some(path) = name.strip_prefix("options.") else {
            return false;
        };
        let number = |s: &str, max: u16| {
            !s.is_empty()
                && !s.starts_with('0')
                && s.parse::<u16>().is_ok_and(|n| (1..=max).contains(&n))
        };
        match contest {
            Contest::Ppwp => {
                path.len() == 2 && path.bytes().all(|b| b.is_ascii_digit()) && path != "00"
            }
            Contest::Dpd => number(path, 999),
            Contest::Dpr | Contest::DprdProv | Contest::DprdKabkota => {
                match path.split('.').collect::<Vec<_>>().as_slice() {
                    [party, "party"] => number(party, 99),
                    [party, "candidates", n] => number(party, 99) && number(n, 999),
                    _ => false,
                }
            }
        }
    }

    /// Every box the form carries by its field name (the counts of
    /// [`FIELDS`], then each option's box by [`OptionId::field`]): what a
    /// diff between two versions compares, box by box.
    pub fn named_boxes(&self) -> Vec<(String, u32)> {
        self.counts()
            .map(|(name, v)| (name.to_owned(), v))
            .chain(self.options.boxes().map(|(id, v)| (id.field(), v)))
            .collect()
    }

    /// The counts as one array indexed like [`FIELDS`], `None` for a field
    /// of an absent section.
    pub(crate) fn to_flat(&self) -> [Option<u32>; FIELD_COUNT] {
        let mut out = [None; FIELD_COUNT];
        let triples = [
            Some(self.pemilih_dpt),
            Some(self.pengguna_dpt),
            Some(self.pengguna_dptb),
            Some(self.pengguna_non_dpt),
            Some(self.pengguna_total),
            self.disabilitas.map(|d| d.pemilih),
            self.disabilitas.map(|d| d.pengguna),
        ];
        for (i, t) in triples.into_iter().enumerate() {
            if let Some(t) = t {
                out[3 * i..3 * i + 3].copy_from_slice(&[Some(t.l), Some(t.p), Some(t.j)]);
            }
        }
        if let Some(s) = self.surat_suara {
            out[SURAT_SUARA].copy_from_slice(&[
                Some(s.diterima),
                Some(s.digunakan),
                Some(s.tidak_digunakan),
                Some(s.rusak),
            ]);
        }
        out[25..].copy_from_slice(&[
            Some(self.suara_sah),
            Some(self.suara_tidak_sah),
            Some(self.suara_total),
        ]);
        out
    }

    /// The largest count field, in a few instructions: validation checks
    /// this before looking for which field is out of range.
    pub(crate) fn max_count(&self) -> u32 {
        let d = self.disabilitas.unwrap_or_default();
        let s = self.surat_suara.unwrap_or_default();
        [
            self.pemilih_dpt,
            self.pengguna_dpt,
            self.pengguna_dptb,
            self.pengguna_non_dpt,
            self.pengguna_total,
            d.pemilih,
            d.pengguna,
        ]
        .iter()
        .map(|t| t.l.max(t.p).max(t.j))
        .chain([
            s.diterima,
            s.digunakan,
            s.tidak_digunakan,
            s.rusak,
            self.suara_sah,
            self.suara_tidak_sah,
            self.suara_total,
        ])
        .fold(0, u32::max)
    }

    /// Builds a form from counts indexed like [`FIELDS`]. Sections are
    /// present as `has_disabilitas` and `has_surat_suara` say.
    pub(crate) fn from_flat(
        v: &[u32; FIELD_COUNT],
        has_disabilitas: bool,
        has_surat_suara: bool,
        options: Options,
    ) -> CHasil {
        let t = |i: usize| Triple {
            l: v[i],
            p: v[i + 1],
            j: v[i + 2],
        };
        CHasil {
            pemilih_dpt: t(0),
            pengguna_dpt: t(3),
            pengguna_dptb: t(6),
            pengguna_non_dpt: t(9),
            pengguna_total: t(12),
            disabilitas: has_disabilitas.then(|| Disabilitas {
                pemilih: t(15),
                pengguna: t(18),
            }),
            surat_suara: has_surat_suara.then_some(SuratSuara {
                diterima: v[21],
                digunakan: v[22],
                tidak_digunakan: v[23],
                rusak: v[24],
            }),
            suara_sah: v[25],
            suara_tidak_sah: v[26],
            suara_total: v[27],
            options,
        }
    }
}

impl Serialize for CHasil {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.counts() {
            map.serialize_entry(name, &value)?;
        }
        map.serialize_entry("options", &self.options)?;
        map.end()
    }
}

impl Serialize for Options {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Options::Paslon(v) => {
                let mut map = serializer.serialize_map(Some(v.len()))?;
                for o in v {
                    map.serialize_entry(&format_args!("{:02}", o.number), &o.votes)?;
                }
                map.end()
            }
            Options::Candidates(v) => serialize_numbered(v, serializer),
            Options::Parties(parties) => {
                let mut map = serializer.serialize_map(Some(parties.len()))?;
                for p in parties {
                    map.serialize_entry(&p.party, p)?;
                }
                map.end()
            }
        }
    }
}

impl Serialize for PartyVotes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Candidates<'a>(&'a [OptionVotes]);
        impl Serialize for Candidates<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize_numbered(self.0, serializer)
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("party", &self.votes)?;
        map.serialize_entry("candidates", &Candidates(&self.candidates))?;
        map.end()
    }
}

/// `{"<number>": votes}` with plain decimal keys.
fn serialize_numbered<S: Serializer>(v: &[OptionVotes], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(v.len()))?;
    for o in v {
        map.serialize_entry(&o.number, &o.votes)?;
    }
    map.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legislative() -> Options {
        Options::Parties(vec![
            PartyVotes {
                party: 3,
                votes: 5,
                candidates: vec![
                    OptionVotes {
                        number: 1,
                        votes: 7,
                    },
                    OptionVotes {
                        number: 2,
                        votes: 1,
                    },
                ],
            },
            PartyVotes {
                party: 24,
                votes: 2,
                candidates: vec![],
            },
        ])
    }

    #[test]
    fn boxes_list_every_box_once_and_totals_add_candidates_to_their_party() {
        let options = legislative();
        let boxes: Vec<_> = options.boxes().map(|(id, v)| (id.to_string(), v)).collect();
        assert_eq!(
            boxes,
            [
                ("3".to_owned(), 5),
                ("3.1".to_owned(), 7),
                ("3.2".to_owned(), 1),
                ("24".to_owned(), 2)
            ]
        );
        let totals: Vec<_> = options.totals().collect();
        assert_eq!(totals, [(OptionId::Party(3), 13), (OptionId::Party(24), 2)]);
        assert_eq!(options.sum(), 15);
        assert!(options.fits(Contest::DprdKabkota) && !options.fits(Contest::Dpd));
    }

    #[test]
    fn option_ids_name_their_field_and_key() {
        assert_eq!(OptionId::Paslon(2).to_string(), "02");
        assert_eq!(OptionId::Paslon(2).field(), "options.02");
        assert_eq!(OptionId::Candidate(12).field(), "options.12");
        assert_eq!(OptionId::Party(7).field(), "options.7.party");
        assert_eq!(
            OptionId::PartyCandidate(7, 3).field(),
            "options.7.candidates.3"
        );
    }
}
