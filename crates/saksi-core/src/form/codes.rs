//! Every code a C.Hasil form can be refused or flagged with, in one table.
//!
//! Codes are a public contract: API clients, the stored warnings and the
//! audit tools match on them, so a code is never renamed or reused. The
//! human-readable list is `docs/form-codes.md`; a test keeps it in step with
//! [`ALL`].

use serde::Serialize;

/// Whether an issue refuses the form or is stored with it for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The form is refused and nothing is stored.
    Error,
    /// The form is stored and flagged for the PPK to review (docs/form-codes.md: the
    /// paper form is authoritative, so a wrong but real form is kept).
    Warning,
}

/// One stable code with the rule of the issue (`R1`...) it implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable identifier, for example `form.options_sum_mismatch`.
    pub code: &'static str,
    /// The rule of docs/form-codes.md this code enforces, if any (structural checks
    /// have none).
    pub rule: Option<&'static str>,
    pub severity: Severity,
    /// One line for the documentation table.
    pub meaning: &'static str,
}

const fn error(code: &'static str, rule: Option<&'static str>, meaning: &'static str) -> Code {
    Code {
        code,
        rule,
        severity: Severity::Error,
        meaning,
    }
}

const fn warning(code: &'static str, rule: &'static str, meaning: &'static str) -> Code {
    Code {
        code,
        rule: Some(rule),
        severity: Severity::Warning,
        meaning,
    }
}

pub const MALFORMED_JSON: Code = error(
    "request.malformed_json",
    None,
    "The body is not well-formed JSON (the message gives line and column).",
);
pub const NOT_AN_OBJECT: Code = error(
    "form.not_an_object",
    None,
    "The top level of the body is not a JSON object.",
);
pub const DUPLICATE_KEY: Code = error(
    "form.duplicate_key",
    None,
    "A key appears twice in one object, at any level.",
);
pub const UNKNOWN_FIELD: Code = error(
    "form.unknown_field",
    None,
    "A field that the C.Hasil form does not have.",
);
pub const MISSING_FIELD: Code = error(
    "form.missing_field",
    None,
    "A required field is absent, or an optional section (disabled voters, ballots) is only partly given.",
);
pub const INVALID_VALUE: Code = error(
    "form.invalid_value",
    None,
    "A value of the wrong JSON type for its place: `options`, a party entry or its `candidates` that is not an object.",
);
pub const INVALID_NUMBER: Code = error(
    "form.invalid_number",
    Some("R9"),
    "A count that is not an integer literal in 0..=9999: negative, fractional (`1.5`, `1.0`), exponent (`1e2`), huge, a string, null or a boolean.",
);
pub const OPTIONS_SUM_MISMATCH: Code = error(
    "form.options_sum_mismatch",
    Some("R1"),
    "`suara_sah` differs from the sum of the option votes (for legislative contests every party-only and every candidate vote).",
);
pub const VOTES_SUM_MISMATCH: Code = error(
    "form.votes_sum_mismatch",
    Some("R2"),
    "`suara_sah` + `suara_tidak_sah` differs from `suara_total`.",
);
pub const VOTERS_SUM_MISMATCH: Code = error(
    "form.voters_sum_mismatch",
    Some("R4"),
    "`pengguna_total` differs from `pengguna_dpt` + `pengguna_dptb` + `pengguna_non_dpt` (checked for _l, _p and _j).",
);
pub const SEX_SUM_MISMATCH: Code = error(
    "form.sex_sum_mismatch",
    Some("R5"),
    "A `_j` field differs from its `_l` + `_p` (every triple, disabled voters included).",
);
pub const UNKNOWN_OPTION: Code = error(
    "form.unknown_option",
    None,
    "An option that is on no ballot of the contest (or a key not written as the ballot writes it: `01` for a paslon, `7` for a party or candidate).",
);
pub const OPTION_OTHER_DAPIL: Code = error(
    "form.option_other_dapil",
    None,
    "An option on another dapil's ballot of the contest, not on this TPS's.",
);
pub const CONTEST_NOT_HELD: Code = error(
    "form.contest_not_held",
    None,
    "The contest is not held at this TPS (overseas TPS vote PPWP and DPR only; DKI Jakarta has no DPRD Kabupaten/Kota).",
);
pub const OPTIONS_SHAPE: Code = error(
    "form.options_shape",
    None,
    "The options have another contest's shape (paslon, DPD candidates, or parties with candidates).",
);
pub const VOTES_VS_VOTERS: Code = warning(
    "warning.votes_vs_voters",
    "R3",
    "`suara_total` differs from `pengguna_total_j`.",
);
pub const VOTERS_ABOVE_DPT: Code = warning(
    "warning.voters_above_dpt",
    "R6",
    "`pengguna_dpt` exceeds `pemilih_dpt` (checked for _l, _p and _j).",
);
pub const VOTES_ABOVE_DPT: Code = warning(
    "warning.votes_above_dpt",
    "R7",
    "`suara_total` exceeds `pemilih_dpt_j` x 1.02.",
);
pub const BALLOTS_SUM_MISMATCH: Code = warning(
    "warning.ballots_sum_mismatch",
    "R10",
    "`surat_suara_diterima` differs from used + unused + damaged (only when the ballot section is given).",
);
pub const BALLOTS_USED_VS_VOTES: Code = warning(
    "warning.ballots_used_vs_votes",
    "R10",
    "`surat_suara_digunakan` differs from `suara_total` (only when the ballot section is given).",
);
pub const NO_VALID_VOTES: Code = warning(
    "warning.no_valid_votes",
    "R12",
    "`suara_sah` is 0 while votes were cast (`suara_total` > 0).",
);

/// Every code, errors first, in the order of the documentation table.
pub const ALL: &[Code] = &[
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    DUPLICATE_KEY,
    UNKNOWN_FIELD,
    MISSING_FIELD,
    INVALID_VALUE,
    INVALID_NUMBER,
    OPTIONS_SUM_MISMATCH,
    VOTES_SUM_MISMATCH,
    VOTERS_SUM_MISMATCH,
    SEX_SUM_MISMATCH,
    UNKNOWN_OPTION,
    OPTION_OTHER_DAPIL,
    CONTEST_NOT_HELD,
    OPTIONS_SHAPE,
    VOTES_VS_VOTERS,
    VOTERS_ABOVE_DPT,
    VOTES_ABOVE_DPT,
    BALLOTS_SUM_MISMATCH,
    BALLOTS_USED_VS_VOTES,
    NO_VALID_VOTES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_namespaced_by_severity() {
        for (i, c) in ALL.iter().enumerate() {
            assert!(
                ALL[..i].iter().all(|d| d.code != c.code),
                "{} twice",
                c.code
            );
            let prefix_ok = match c.severity {
                Severity::Error => c.code.starts_with("form.") || c.code.starts_with("request."),
                Severity::Warning => c.code.starts_with("warning."),
            };
            assert!(prefix_ok, "{} has the wrong prefix", c.code);
        }
    }

    #[test]
    fn the_documentation_table_lists_every_code() {
        let doc = include_str!("../../../../docs/form-codes.md");
        for c in ALL {
            let severity = match c.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let row = format!(
                "| `{}` | {} | {} |",
                c.code,
                c.rule.unwrap_or("-"),
                severity
            );
            assert!(doc.contains(&row), "docs/form-codes.md lacks the row {row}");
        }
    }
}
