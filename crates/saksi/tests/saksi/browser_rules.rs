//! The browser's rules evaluator (`crates/saksi-web/assets/js/rules.js`)
//! against the validator, the authority: run in Node on thousands of
//! generated forms of every contest (valid, and broken by changing one or
//! two numbers) with the rules as `GET /api/v1/forms/rules` serves them, it
//! must find exactly the validator's arithmetic errors, or when there are
//! none its warnings, on the same fields. The entry screen (`chasil.js`)
//! puts every one of those findings into words, in both languages, with
//! its numbers.

use std::collections::BTreeSet;

use saksi_core::form::rules::{self, RULES};
use serde_json::{Value, json};

use crate::common::browser;

/// rules.js's findings for one form, as the server would report them.
fn script(findings: &Value) -> Vec<(String, String)> {
    let findings = findings.as_array().unwrap();
    let errors = findings.iter().any(|f| f["severity"] == "error");
    let mut out: Vec<(String, String)> = findings
        .iter()
        .filter(|f| !errors || f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A small generated election (every contest shape) for the forms.
fn election(seed: u64) -> saksi_core::Election {
    saksi_sim::generate::generate(&saksi_sim::generate::GenerateOptions { seed, scale: 0.001 })
        .unwrap()
}

#[test]
fn rules_js_in_node_finds_what_the_validator_finds_on_generated_forms() {
    let Some(node) = browser::node() else { return };
    let election = election(7);
    let forms = saksi_sim::agreement::forms(&election, 5, 300);
    assert_eq!(forms.len(), 300 * saksi_core::Contest::ALL.len());
    let input = json!({
        "rules": rules::DOCUMENT,
        "forms": forms.iter().map(|(_, _, f)| f).collect::<Vec<_>>(),
    })
    .to_string();

    let out = browser::node_json(&node, "rules-agreement.mjs", &input);

    let findings = out["findings"].as_array().unwrap();
    assert_eq!(findings.len(), forms.len());
    let mut seen = BTreeSet::new();
    for ((tps, contest, form), found) in forms.iter().zip(findings) {
        let expected = saksi_sim::agreement::expected(&election, *tps, *contest, form);
        assert_eq!(
            script(found),
            expected,
            "{contest:?} form {}",
            serde_json::to_string(form).unwrap()
        );
        seen.extend(expected.into_iter().map(|(code, _)| code));
    }
    assert_eq!(
        saksi_sim::agreement::unreached(&seen),
        Vec::<&str>::new(),
        "codes no generated form triggered"
    );
    // explain() put failing rules into words with their numbers.
    assert!(out["explained"].as_u64().unwrap() > 0);
}

#[test]
fn the_entry_screen_explains_every_finding_in_both_languages_with_its_numbers() {
    let Some(node) = browser::node() else { return };
    let election = election(11);
    let forms = saksi_sim::agreement::forms(&election, 5, 60);
    let catalogue = |lang: &str| -> Value {
        let path = browser::workspace().join(format!("crates/saksi-web/catalogue/{lang}.json"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let input = json!({
        "rules": rules::DOCUMENT,
        "catalogues": {"id": catalogue("id"), "en": catalogue("en")},
        "forms": forms.iter().map(|(_, _, f)| f).collect::<Vec<_>>(),
    })
    .to_string();
    let out = browser::node_json(&node, "chasil-words.mjs", &input);
    assert_eq!(out["problems"], json!([]), "{out:#}");
    assert!(out["described"].as_u64().unwrap() > 0);
    // Every rule's code was explained in each language.
    for lang in ["id", "en"] {
        for r in RULES {
            assert!(
                out["sample"][lang][r.code].is_string(),
                "{lang}: {} never explained: {out:#}",
                r.code
            );
        }
    }
    assert_eq!(
        out["sample"]["id"]["form.votes_sum_mismatch"]
            .as_str()
            .unwrap()
            .split(" = ")
            .count(),
        4,
        "{out:#}"
    );
}
