//! The C.Hasil rules as data (`form::rules`) against the validator, the
//! authority: on many generated forms of every contest shape, valid and
//! broken, both find the same arithmetic errors and warnings on the same
//! fields.

use std::collections::BTreeSet;

use saksi_core::form::Severity;
use saksi_core::form::rules::{self, Finding};

use saksi_sim::agreement;
use saksi_sim::generate::{GenerateOptions, generate};

/// The data rules' findings as the server reports them: the errors if
/// there are any, else the warnings.
fn data(findings: Vec<Finding>) -> Vec<(String, String)> {
    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    let mut out: Vec<(String, String)> = findings
        .into_iter()
        .filter(|f| !errors || f.severity == Severity::Error)
        .map(|f| (f.code.to_owned(), f.field))
        .collect();
    out.sort();
    out
}

#[test]
fn the_data_rules_and_the_validator_agree_on_every_generated_form() {
    let election = generate(&GenerateOptions {
        seed: 11,
        scale: 0.001,
    })
    .unwrap();
    let forms = agreement::forms(&election, 11, 400);
    assert!(
        forms.len() == 400 * saksi_core::Contest::ALL.len(),
        "every contest shape is generated"
    );
    let mut seen = BTreeSet::new();
    for (tps, contest, form) in &forms {
        let expected = agreement::expected(&election, *tps, *contest, form);
        assert_eq!(
            data(rules::evaluate(form)),
            expected,
            "{contest:?} form {form:?}"
        );
        seen.extend(expected.into_iter().map(|(code, _)| code));
    }
    // The generator reaches every code the rules publish, and R9.
    assert_eq!(
        saksi_sim::agreement::unreached(&seen),
        Vec::<&str>::new(),
        "codes no generated form triggered"
    );
}
