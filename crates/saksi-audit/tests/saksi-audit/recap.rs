//! The recap's sign-offs: confirmations are replayed under the rules the
//! server applies (commissioners of the region and level, the children as
//! the log has them, the totals as their sum, `k` distinct keys, the lock
//! on what is below a final region), and every forgery is named at its
//! index.

use saksi_core::tally::Totals;
use saksi_core::{Contest, Level};
use saksi_log::Signer;
use saksi_statement::KeyRole;
use saksi_statement::recap::{Child, SignoffStatement};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::build::{ORIGIN, assert_found, code, entry, form, register, register_as, run};

const A: &str = "11.01.01.2001.001";
const B: &str = "11.01.01.2001.002";

fn commissioner(key: &Signer, role: KeyRole, region: &str, by: &Signer) -> Vec<u8> {
    register_as(key, role, region, by, true)
}

/// The statement object and its digest.
fn statement(s: &SignoffStatement) -> (Map<String, Value>, [u8; 32]) {
    let object = s.to_object();
    let bytes = saksi_log::canonical_json(&Value::Object(object.clone())).unwrap();
    (object, Sha256::digest(bytes).into())
}

fn totals(sah: u64, tps: u64) -> Totals {
    Totals {
        fixed: [400, sah, sah, 0, sah, tps, tps],
        options: vec![("01".into(), sah), ("02".into(), 0)],
    }
}

#[test]
fn sign_offs_replay_and_every_forgery_is_named() {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let phone_a = Signer::generate("kpps-a").unwrap();
    let phone_b = Signer::generate("kpps-b").unwrap();
    let c1 = Signer::generate("ppk-11.01.01-1").unwrap();
    let c2 = Signer::generate("ppk-11.01.01-2").unwrap();
    let member = Signer::generate("ppk-11.01.01").unwrap();
    let k1 = Signer::generate("kpu-kabkota-11.01-1").unwrap();
    let (a1, da) = form(A, 1, None, 120);
    let (b1, db) = form(B, 1, None, 80);
    let (a2, _) = form(A, 2, Some(da), 119);
    let kecamatan = SignoffStatement {
        origin: ORIGIN.into(),
        contest: Contest::Ppwp,
        region: code("11.01.01"),
        children: vec![
            Child {
                code: code(A),
                digest: da,
            },
            Child {
                code: code(B),
                digest: db,
            },
        ],
        totals: totals(200, 2),
        k: 2,
    };
    let (kec, kec_digest) = statement(&kecamatan);
    let (padded, _) = statement(&SignoffStatement {
        totals: totals(210, 2),
        ..kecamatan.clone()
    });
    let kabkota = SignoffStatement {
        region: code("11.01"),
        children: vec![Child {
            code: code("11.01.01"),
            digest: kec_digest,
        }],
        k: 1,
        ..kecamatan.clone()
    };
    let (kab_good, _) = statement(&kabkota);
    let (kab_stale, _) = statement(&SignoffStatement {
        children: vec![Child {
            code: code("11.01.01"),
            digest: [9; 32],
        }],
        ..kabkota.clone()
    });
    let entries = vec![
        register(&prov, KeyRole::KpuProv, "11", &root), // 0
        register(&kab, KeyRole::KpuKabkota, "11.01", &prov), // 1
        register(&phone_a, KeyRole::Kpps, A, &kab),     // 2
        register(&phone_b, KeyRole::Kpps, B, &kab),     // 3
        commissioner(&c1, KeyRole::Ppk, "11.01.01", &kab), // 4
        commissioner(&c2, KeyRole::Ppk, "11.01.01", &kab), // 5
        register(&member, KeyRole::Ppk, "11.01.01", &kab), // 6
        entry("form", a1, &phone_a),                    // 7
        entry("form", b1, &phone_b),                    // 8
        entry("signoff", kec.clone(), &member),         // 9: not a commissioner
        entry("signoff", padded, &c1),                  // 10: totals padded
        entry("signoff", kec.clone(), &c1),             // 11: pending
        entry("signoff", kec.clone(), &c1),             // 12: the same key again
        entry("signoff", kec.clone(), &c2),             // 13: final
        entry("form", a2, &phone_a),                    // 14: below a final region
        commissioner(&k1, KeyRole::KpuKabkota, "11.01", &prov), // 15
        entry("signoff", kab_stale, &k1),               // 16: a child as it was not
        entry("signoff", kab_good, &k1),                // 17: final (k = 1)
    ];
    let replay = run(entries, &root);
    let expect = [
        (9, "confirmed by the key of one of its commissioners"),
        (
            10,
            "`totals.pengguna_total_j` is 210, but the children it names sum to 200",
        ),
        (12, "already confirmed this sign-off (log index 11)"),
        (14, "the ppwp recap of 11.01.01 is final"),
        (
            16,
            "11.01.01 is named with a digest that is not its current one",
        ),
    ];
    assert_found(&replay, &expect);
    let ledger = &replay.ledger;
    let stats = &ledger.stats;
    assert_eq!((stats.confirmations, stats.signoffs_refused), (3, 4));
    assert_eq!(
        stats.signoffs_final[Level::Kecamatan.depth()],
        1,
        "the kecamatan"
    );
    assert_eq!(stats.signoffs_final[Level::Kabkota.depth()], 1);
    let done = ledger
        .signoffs
        .final_of(Contest::Ppwp, code("11.01"))
        .unwrap();
    assert_eq!(done.totals, totals(200, 2));
    assert_eq!(done.log_index, 17);
    let slot = ledger.forms.current(code(A), Contest::Ppwp).unwrap();
    assert_eq!(slot.version, 1, "the version below the lock does not count");
}
