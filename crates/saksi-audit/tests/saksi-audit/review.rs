//! The review at the kecamatan: objections, rulings and the corrections
//! they call for are replayed under the rules the server applies, and
//! every way to forge one is named at its index.

use saksi_core::Contest;
use saksi_core::time::UnixTime;
use saksi_log::Signer;
use saksi_statement::KeyRole;
use saksi_statement::recap::{Decision, Objection, ObjectionEntry, Objector, RulingStatement};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::build::{NOW, ORIGIN, assert_found, code, entry, form, register, run};

const TPS: &str = "11.01.01.2001.001";

fn objection(version: u32, fields: &[&str], region: &str) -> Vec<u8> {
    ObjectionEntry {
        objection: Objection {
            tps: code(TPS),
            contest: Contest::Ppwp,
            version,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            text: "di plano 110, bukan 120".into(),
            by: Objector::Paslon {
                region: code(region),
                paslon: 2,
            },
        },
        logged_at: UnixTime(NOW),
    }
    .encode()
    .unwrap()
}

fn ruling(objection: u64, decision: Decision, by: &Signer) -> Vec<u8> {
    let statement = RulingStatement {
        origin: ORIGIN.into(),
        objection,
        decision,
        reason: "dicocokkan dengan C.Hasil plano".into(),
        signed_at: UnixTime(NOW),
    };
    entry("ruling", statement.to_object(), by)
}

/// `statement` with a `correction` answering `objection`, and its digest.
fn corrected(mut statement: Map<String, Value>, objection: u64) -> (Map<String, Value>, [u8; 32]) {
    statement.insert(
        "correction".into(),
        json!({"objection": objection, "reason": "keberatan diterima"}),
    );
    let digest =
        Sha256::digest(saksi_log::canonical_json(&Value::Object(statement.clone())).unwrap())
            .into();
    (statement, digest)
}

#[test]
fn objections_rulings_and_corrections_replay_and_every_forgery_is_named() {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let phone = Signer::generate("kpps-11.01.01.2001.001").unwrap();
    let ppk = Signer::generate("ppk-11.01.01").unwrap();
    let other_ppk = Signer::generate("ppk-11.01.02").unwrap();
    let (v1, d1) = form(TPS, 1, None, 120);
    let (v2, d2) = corrected(form(TPS, 2, Some(d1), 110).0, 5);
    let (v3_unanswerable, _) = corrected(form(TPS, 3, Some(d2), 100).0, 6);
    let (v3_again, _) = corrected(form(TPS, 3, Some(d2), 100).0, 5);
    let (v3_by_kpps, _) = corrected(form(TPS, 3, Some(d2), 100).0, 9);
    let entries = vec![
        register(&prov, KeyRole::KpuProv, "11", &root), // 0
        register(&kab, KeyRole::KpuKabkota, "11.01", &prov), // 1
        register(&phone, KeyRole::Kpps, TPS, &kab),     // 2
        register(&ppk, KeyRole::Ppk, "11.01.01", &kab), // 3
        entry("form", v1, &phone),                      // 4
        objection(1, &["options.01", "suara_sah"], "11.01.01"), // 5
        objection(1, &["options.02"], "11.01"),         // 6
        ruling(5, Decision::Upheld, &ppk),              // 7
        ruling(6, Decision::Rejected, &ppk),            // 8
        objection(1, &["suara_sah"], "11.01.01"),       // 9
        ruling(9, Decision::Upheld, &phone),            // 10: a KPPS key rules
        register(&other_ppk, KeyRole::Ppk, "11.01.02", &kab), // 11
        ruling(9, Decision::Upheld, &other_ppk),        // 12: another kecamatan's PPK
        ruling(5, Decision::Rejected, &ppk),            // 13: ruled twice
        entry("form", v2, &ppk),                        // 14: the correction
        objection(1, &["suara_sah"], "11.01.01"),       // 15: version 1 is superseded
        objection(2, &["suara_sah"], "11.02"),          // 16: outside the objector's region
        ruling(77, Decision::Upheld, &ppk),             // 17: no such objection
        entry("form", v3_unanswerable, &ppk),           // 18: a rejected objection
        entry("form", v3_again, &ppk),                  // 19: answered already
        entry("form", v3_by_kpps, &phone),              // 20: a correction the KPPS signs
    ];
    let replay = run(entries, &root);
    let expect = [
        (10, "signed by a PPK member's key of the TPS's kecamatan"),
        (12, "signs only for the TPSs in it"),
        (13, "already ruled on (log index 7)"),
        (15, "version 1 is not the current version (2)"),
        (16, "11.02 is not a region containing TPS"),
        (17, "no objection was logged at index 77"),
        (18, "objection 6 was not upheld"),
        (19, "already answered by the correction at log index 14"),
        (20, "a correction is signed by a PPK key"),
        (20, "objection 9 was not upheld"),
    ];
    assert_found(&replay, &expect);
    let ledger = &replay.ledger;
    let slot = ledger.forms.current(code(TPS), Contest::Ppwp).unwrap();
    assert_eq!(
        (slot.version, slot.counts[1]),
        (2, 110),
        "the correction counts"
    );
    let stats = &ledger.stats;
    assert_eq!((stats.objections, stats.rulings), (3, 2));
    assert_eq!((stats.forms_signed, stats.forms_corrected), (1, 1));
    assert_eq!(stats.review_refused, 6);
    let statuses: Vec<_> = ledger
        .review
        .of_form(code(TPS), Contest::Ppwp)
        .iter()
        .map(|o| (o.log_index, o.status().id(), o.corrected_by))
        .collect();
    assert_eq!(
        statuses,
        [
            (5, "upheld", Some(14)),
            (6, "rejected", None),
            (9, "open", None)
        ]
    );
}
