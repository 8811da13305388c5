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
use super::types::{CHasil, MAX_COUNT};

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
