//! The C.Hasil rules as data (`form::rules`): the document the server
//! publishes at `GET /api/v1/forms/rules`. Their agreement with the
//! validator on generated forms is tested where the forms are generated
//! (saksi-sim's `rules_agreement`).

use saksi_core::form::codes;
use saksi_core::form::rules::{self, RULES};

#[test]
fn the_rules_document_is_the_published_json() {
    let doc = serde_json::to_value(rules::DOCUMENT).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["max_count"], 9999);
    let r7 = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "warning.votes_above_dpt")
        .unwrap();
    assert_eq!(
        *r7,
        serde_json::json!({"code": "warning.votes_above_dpt", "rule": "R7",
            "severity": "warning", "field": "suara_total", "left": ["suara_total"],
            "op": "le", "right": ["pemilih_dpt_j"], "scale": [100, 102]})
    );
    // Every code of the rules is a code of the table, with its severity.
    for r in RULES {
        let code = codes::ALL.iter().find(|c| c.code == r.code).unwrap();
        assert_eq!(code.severity, r.severity);
    }
}
