//! The arithmetic rules of the C.Hasil (R1-R7, R10 and R9's range) as data.
//!
//! The phone checks each number as the officer types it, and it must check
//! with the server's own rules, not a copy that drifts: so the rules are
//! published as data ([`RULES`], served at `GET /api/v1/forms/rules`) and a
//! small evaluator ([`evaluate`] here, `rules.js` in the browser) applies
//! them. [`super::validate`] stays the authority that accepts or refuses a
//! form; tests check on many generated forms that the data and it agree on
//! every arithmetic error and warning.
//!
//! A rule holds when `scale[0] * sum(left) op scale[1] * sum(right)`; a term
//! is a count field of the form's JSON (`pengguna_dpt_l`) or
//! `options_total`, the sum of every option box (for legislative contests
//! party-only and candidate votes alike). When a rule does not hold, it
//! reports its `code` on its `field`, as the validator does.

use serde::Serialize;

use super::codes::{self, Severity};
use super::types::{
    CHasil, Disabilitas, FIELDS, MAX_COUNT, OptionVotes, Options, PartyVotes, SuratSuara, Triple,
};
use crate::{Contest, Election, RegionId};

/// Version of the published rules document: bumped when the meaning of a
/// field changes, so an old page can tell it no longer understands them.
pub const VERSION: u32 = 1;

/// How the two sides of a rule compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Equal.
    Eq,
    /// Left at most right.
    Le,
}

/// When a rule applies: the optional sections are checked only when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The form carries the four `surat_suara_*` counts.
    BallotsGiven,
    /// The form carries the six `*_disabilitas_*` counts.
    DisabilitasGiven,
}

/// One arithmetic rule of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The stable code reported when the rule does not hold.
    pub code: &'static str,
    /// The rule of the issue (`R1`...) it enforces.
    pub rule: &'static str,
    pub severity: Severity,
    /// The field the finding is about, as the validator names it.
    pub field: &'static str,
    pub left: &'static [&'static str],
    pub op: Op,
    pub right: &'static [&'static str],
    /// Multipliers of the left and the right sum (R7's 2 % margin in
    /// integers); absent means `[1, 1]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<[u32; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
}

/// The rules document served at `GET /api/v1/forms/rules`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Document {
    pub version: u32,
    /// R9: every count is a whole number from 0 to this; a larger one is
    /// `form.invalid_number` on its field.
    pub max_count: u32,
    pub rules: &'static [Rule],
}

/// The document: [`VERSION`], [`MAX_COUNT`] and [`RULES`].
pub const DOCUMENT: Document = Document {
    version: VERSION,
    max_count: MAX_COUNT,
    rules: RULES,
};

const fn rule(
    code: &codes::Code,
    field: &'static str,
    left: &'static [&'static str],
    op: Op,
    right: &'static [&'static str],
) -> Rule {
    Rule {
        code: code.code,
        rule: match code.rule {
            Some(r) => r,
            None => "",
        },
        severity: code.severity,
        field,
        left,
        op,
        right,
        scale: None,
        when: None,
    }
}

const fn when(mut r: Rule, w: When) -> Rule {
    r.when = Some(w);
    r
}

const fn scaled(mut r: Rule, left: u32, right: u32) -> Rule {
    r.scale = Some([left, right]);
    r
}

use When::{BallotsGiven, DisabilitasGiven};

/// Every arithmetic rule, errors first, each `_l/_p/_j` written out.
pub const RULES: &[Rule] = &[
    // R1
    rule(
        &codes::OPTIONS_SUM_MISMATCH,
        "suara_sah",
        &["suara_sah"],
        Op::Eq,
        &["options_total"],
    ),
    // R2
    rule(
        &codes::VOTES_SUM_MISMATCH,
        "suara_total",
        &["suara_total"],
        Op::Eq,
        &["suara_sah", "suara_tidak_sah"],
    ),
    // R4
    rule(
        &codes::VOTERS_SUM_MISMATCH,
        "pengguna_total_l",
        &["pengguna_total_l"],
        Op::Eq,
        &["pengguna_dpt_l", "pengguna_dptb_l", "pengguna_non_dpt_l"],
    ),
    rule(
        &codes::VOTERS_SUM_MISMATCH,
        "pengguna_total_p",
        &["pengguna_total_p"],
        Op::Eq,
        &["pengguna_dpt_p", "pengguna_dptb_p", "pengguna_non_dpt_p"],
    ),
    rule(
        &codes::VOTERS_SUM_MISMATCH,
        "pengguna_total_j",
        &["pengguna_total_j"],
        Op::Eq,
        &["pengguna_dpt_j", "pengguna_dptb_j", "pengguna_non_dpt_j"],
    ),
    // R5
    rule(
        &codes::SEX_SUM_MISMATCH,
        "pemilih_dpt_j",
        &["pemilih_dpt_j"],
        Op::Eq,
        &["pemilih_dpt_l", "pemilih_dpt_p"],
    ),
    rule(
        &codes::SEX_SUM_MISMATCH,
        "pengguna_dpt_j",
        &["pengguna_dpt_j"],
        Op::Eq,
        &["pengguna_dpt_l", "pengguna_dpt_p"],
    ),
    rule(
        &codes::SEX_SUM_MISMATCH,
        "pengguna_dptb_j",
        &["pengguna_dptb_j"],
        Op::Eq,
        &["pengguna_dptb_l", "pengguna_dptb_p"],
    ),
    rule(
        &codes::SEX_SUM_MISMATCH,
        "pengguna_non_dpt_j",
        &["pengguna_non_dpt_j"],
        Op::Eq,
        &["pengguna_non_dpt_l", "pengguna_non_dpt_p"],
    ),
    rule(
        &codes::SEX_SUM_MISMATCH,
        "pengguna_total_j",
        &["pengguna_total_j"],
        Op::Eq,
        &["pengguna_total_l", "pengguna_total_p"],
    ),
    when(
        rule(
            &codes::SEX_SUM_MISMATCH,
            "pemilih_disabilitas_j",
            &["pemilih_disabilitas_j"],
            Op::Eq,
            &["pemilih_disabilitas_l", "pemilih_disabilitas_p"],
        ),
        DisabilitasGiven,
    ),
    when(
        rule(
            &codes::SEX_SUM_MISMATCH,
            "pengguna_disabilitas_j",
            &["pengguna_disabilitas_j"],
            Op::Eq,
            &["pengguna_disabilitas_l", "pengguna_disabilitas_p"],
        ),
        DisabilitasGiven,
    ),
    // R3
    rule(
        &codes::VOTES_VS_VOTERS,
        "suara_total",
        &["suara_total"],
        Op::Eq,
        &["pengguna_total_j"],
    ),
    // R6
    rule(
        &codes::VOTERS_ABOVE_DPT,
        "pengguna_dpt_l",
        &["pengguna_dpt_l"],
        Op::Le,
        &["pemilih_dpt_l"],
    ),
    rule(
        &codes::VOTERS_ABOVE_DPT,
        "pengguna_dpt_p",
        &["pengguna_dpt_p"],
        Op::Le,
        &["pemilih_dpt_p"],
    ),
    rule(
        &codes::VOTERS_ABOVE_DPT,
        "pengguna_dpt_j",
        &["pengguna_dpt_j"],
        Op::Le,
        &["pemilih_dpt_j"],
    ),
    // R7: suara_total * 100 <= pemilih_dpt_j * 102
    scaled(
        rule(
            &codes::VOTES_ABOVE_DPT,
            "suara_total",
            &["suara_total"],
            Op::Le,
            &["pemilih_dpt_j"],
        ),
        100,
        102,
    ),
    // R10
    when(
        rule(
            &codes::BALLOTS_SUM_MISMATCH,
            "surat_suara_diterima",
            &["surat_suara_diterima"],
            Op::Eq,
            &[
                "surat_suara_digunakan",
                "surat_suara_tidak_digunakan",
                "surat_suara_rusak",
            ],
        ),
        BallotsGiven,
    ),
    when(
        rule(
            &codes::BALLOTS_USED_VS_VOTES,
            "surat_suara_digunakan",
            &["surat_suara_digunakan"],
            Op::Eq,
            &["suara_total"],
        ),
        BallotsGiven,
    ),
];

/// One rule that does not hold for a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub field: String,
}

/// Applies [`DOCUMENT`] to `form`: R9's range on every count and option box,
/// then every rule whose section is given. Unlike [`super::validate`] it
/// reports warnings beside errors (the page shows both as the officer
/// types); the server stops at errors.
pub fn evaluate(form: &CHasil) -> Vec<Finding> {
    let mut out = Vec::new();
    let invalid = |field: String| Finding {
        code: codes::INVALID_NUMBER.code,
        severity: Severity::Error,
        field,
    };
    for (name, v) in form.counts() {
        if v > DOCUMENT.max_count {
            out.push(invalid(name.to_owned()));
        }
    }
    for (id, v) in form.options.boxes() {
        if v > DOCUMENT.max_count {
            out.push(invalid(id.field()));
        }
    }
    let counts: Vec<(&str, u32)> = form.counts().collect();
    let options_total = form.options.sum();
    let term = |name: &str| -> Option<u64> {
        if name == "options_total" {
            return Some(options_total);
        }
        counts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| u64::from(*v))
    };
    let sum = |terms: &[&str]| -> Option<u64> { terms.iter().map(|t| term(t)).sum() };
    for r in DOCUMENT.rules {
        let given = match r.when {
            None => true,
            Some(When::BallotsGiven) => form.surat_suara.is_some(),
            Some(When::DisabilitasGiven) => form.disabilitas.is_some(),
        };
        if !given {
            continue;
        }
        let (Some(left), Some(right)) = (sum(r.left), sum(r.right)) else {
            continue;
        };
        let [ls, rs] = r.scale.unwrap_or([1, 1]);
        let (left, right) = (left * u64::from(ls), right * u64::from(rs));
        let holds = match r.op {
            Op::Eq => left == right,
            Op::Le => left <= right,
        };
        if !holds {
            out.push(Finding {
                code: r.code,
                severity: r.severity,
                field: r.field.to_owned(),
            });
        }
    }
    out
}

/// A small deterministic generator (SplitMix64) for [`agreement_forms`]:
/// the same forms every run, so a disagreement is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
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
pub fn agreement_forms(
    election: &Election,
    seed: u64,
    n: usize,
) -> Vec<(RegionId, Contest, CHasil)> {
    let mut rng = Rng(seed);
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
                *v = rng.below(21);
            }
            let mut form = consistent(&mut rng, options);
            let breaks = rng.below(3);
            for _ in 0..breaks {
                let boxes = boxes_mut(&mut form.options).len() as u32;
                let target = rng.below(FIELDS.len() as u32 + 4);
                let v: &mut u32 = if target >= FIELDS.len() as u32 && boxes > 0 {
                    let i = rng.below(boxes) as usize;
                    boxes_mut(&mut form.options).swap_remove(i)
                } else {
                    slot(&mut form, (target as usize).min(FIELDS.len() - 1))
                };
                *v = match rng.below(8) {
                    0 => MAX_COUNT + 1 + rng.below(3),
                    1 => 0,
                    2 => v.saturating_sub(1 + rng.below(3)),
                    _ => *v + 1 + rng.below(3),
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
    let tidak_sah = rng.below(30);
    let total = sah + tidak_sah;
    // Voters who used their right: mostly exactly the ballots counted (R3).
    let voted = if rng.below(4) == 0 {
        total + rng.below(5)
    } else {
        total
    };
    let dptb = Triple::of(rng.below(3), rng.below(3));
    let non_dpt = Triple::of(rng.below(3), rng.below(3));
    let dpt_j = voted.saturating_sub(dptb.j + non_dpt.j);
    let dpt = Triple::of(dpt_j / 2, dpt_j - dpt_j / 2);
    let pengguna_total = Triple::of(dpt.l + dptb.l + non_dpt.l, dpt.p + dptb.p + non_dpt.p);
    // Registered voters: mostly more than voted (R6, R7).
    let pemilih_dpt = if rng.below(5) == 0 {
        Triple::of(
            dpt.l.saturating_sub(rng.below(10)),
            dpt.p.saturating_sub(rng.below(10)),
        )
    } else {
        Triple::of(dpt.l + rng.below(100), dpt.p + rng.below(100))
    };
    let disabilitas = (rng.below(2) == 0).then(|| Disabilitas {
        pemilih: Triple::of(rng.below(10), rng.below(10)),
        pengguna: Triple::of(rng.below(5), rng.below(5)),
    });
    let surat_suara = (rng.below(2) == 0).then(|| {
        let digunakan = if rng.below(4) == 0 { total + 1 } else { total };
        let (tidak_digunakan, rusak) = (rng.below(50), rng.below(3));
        SuratSuara {
            diterima: digunakan + tidak_digunakan + rusak + u32::from(rng.below(5) == 0),
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
