//! The recap's sign-offs: confirmations are replayed under the rules the
//! server applies (commissioners of the region and level, the children as
//! the log has them, the totals as their sum, `k` distinct keys, the lock
//! on what is below a final region), and every forgery is named at its
//! index.

use saksi_core::tally::Totals;
use saksi_core::{Contest, Level};
use saksi_log::Signer;
use saksi_statement::KeyRole;
use saksi_statement::recap::{
    Child, NoFormReason, NoFormStatement, ReopenStatement, SignoffStatement,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::build::{ORIGIN, assert_found, code, entry, form, register, register_as, run};

const A: &str = "11.01.01.2001.001";
const B: &str = "11.01.01.2001.002";

fn commissioner(key: &Signer, role: KeyRole, region: &str, by: &Signer) -> Vec<u8> {
    register_as(key, role, region, by, true)
}

/// The keys every test here starts with, registered in this order by the
/// first six entries: the province's and kab/kota's officers, the KPPS
/// devices of A and B, a PPK member, and a PPK commissioner.
struct Chain {
    root: Signer,
    prov: Signer,
    kab: Signer,
    phone_a: Signer,
    phone_b: Signer,
    member: Signer,
    c1: Signer,
}

impl Chain {
    fn new() -> Chain {
        let key = |name: &str| Signer::generate(name).unwrap();
        Chain {
            root: key("kpu-ri-root"),
            prov: key("kpu-prov-11"),
            kab: key("kpu-kabkota-11.01"),
            phone_a: key("kpps-a"),
            phone_b: key("kpps-b"),
            member: key("ppk-11.01.01"),
            c1: key("ppk-11.01.01-1"),
        }
    }

    /// Entries 0 to 5.
    fn registrations(&self) -> Vec<Vec<u8>> {
        vec![
            register(&self.prov, KeyRole::KpuProv, "11", &self.root),
            register(&self.kab, KeyRole::KpuKabkota, "11.01", &self.prov),
            register(&self.phone_a, KeyRole::Kpps, A, &self.kab),
            register(&self.phone_b, KeyRole::Kpps, B, &self.kab),
            register(&self.member, KeyRole::Ppk, "11.01.01", &self.kab),
            commissioner(&self.c1, KeyRole::Ppk, "11.01.01", &self.kab),
        ]
    }
}

/// The statement object and its digest.
fn statement(s: &SignoffStatement) -> (Map<String, Value>, [u8; 32]) {
    let object = s.to_object();
    let digest = digest(&object);
    (object, digest)
}

/// A statement object's digest: SHA-256 of its RFC 8785 bytes.
fn digest(object: &Map<String, Value>) -> [u8; 32] {
    Sha256::digest(saksi_log::canonical_json(&Value::Object(object.clone())).unwrap()).into()
}

/// A PPWP sign-off of kecamatan 11.01.01 naming `children`.
fn kecamatan(children: &[(&str, [u8; 32])], totals: Totals, k: u32) -> SignoffStatement {
    SignoffStatement {
        origin: ORIGIN.into(),
        contest: Contest::Ppwp,
        region: code("11.01.01"),
        children: children
            .iter()
            .map(|(tps, digest)| Child {
                code: code(tps),
                digest: *digest,
            })
            .collect(),
        totals,
        k,
    }
}

fn totals(sah: u64, tps: u64) -> Totals {
    Totals {
        fixed: [400, sah, sah, 0, sah, tps, tps],
        options: vec![("01".into(), sah), ("02".into(), 0)],
    }
}

#[test]
fn sign_offs_replay_and_every_forgery_is_named() {
    let chain = Chain::new();
    let Chain {
        prov,
        kab,
        phone_a,
        phone_b,
        member,
        c1,
        ..
    } = &chain;
    let c2 = Signer::generate("ppk-11.01.01-2").unwrap();
    let k1 = Signer::generate("kpu-kabkota-11.01-1").unwrap();
    let (a1, da) = form(A, 1, None, 120);
    let (b1, db) = form(B, 1, None, 80);
    let (a2, _) = form(A, 2, Some(da), 119);
    let kecamatan = kecamatan(&[(A, da), (B, db)], totals(200, 2), 2);
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
    let mut entries = chain.registrations(); // 0 to 5
    entries.extend([
        commissioner(&c2, KeyRole::Ppk, "11.01.01", kab), // 6
        entry("form", a1, phone_a),                       // 7
        entry("form", b1, phone_b),                       // 8
        entry("signoff", kec.clone(), member),            // 9: not a commissioner
        entry("signoff", padded, c1),                     // 10: totals padded
        entry("signoff", kec.clone(), c1),                // 11: pending
        entry("signoff", kec.clone(), c1),                // 12: the same key again
        entry("signoff", kec.clone(), &c2),               // 13: final
        entry("form", a2, phone_a),                       // 14: below a final region
        commissioner(&k1, KeyRole::KpuKabkota, "11.01", prov), // 15
        entry("signoff", kab_stale, &k1),                 // 16: a child as it was not
        entry("signoff", kab_good, &k1),                  // 17: final (k = 1)
    ]);
    let replay = run(entries, &chain.root);
    let expect = [
        (9, "confirmed by the key of one of its commissioners"),
        // Every count the padding changed, not only the first.
        (
            10,
            "`totals.pengguna_total_j` is 210, but the children it names sum to 200",
        ),
        (
            10,
            "`totals.suara_sah` is 210, but the children it names sum to 200",
        ),
        (
            10,
            "`totals.suara_total` is 210, but the children it names sum to 200",
        ),
        (
            10,
            "`totals.options.01` is 210, but the children it names sum to 200",
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

#[test]
fn a_reopen_by_the_level_above_voids_the_region_and_those_above() {
    let chain = Chain::new();
    let Chain {
        prov, phone_a, c1, ..
    } = &chain;
    let k1 = Signer::generate("kpu-kabkota-11.01-1").unwrap();
    let k2 = Signer::generate("kpu-kabkota-11.01-2").unwrap();
    let (a1, da) = form(A, 1, None, 120);
    let (a2, _) = form(A, 2, Some(da), 119);
    let kecamatan = kecamatan(&[(A, da)], totals(120, 1), 1);
    let (kec, kec_digest) = statement(&kecamatan);
    let reopen = |final_digest: [u8; 32], k: u32| {
        ReopenStatement {
            origin: ORIGIN.into(),
            contest: Contest::Ppwp,
            region: code("11.01.01"),
            final_digest,
            reason: "Putusan Bawaslu: hitung ulang".into(),
            k,
        }
        .to_object()
    };
    let mut entries = chain.registrations(); // 0 to 5
    entries.extend([
        commissioner(&k1, KeyRole::KpuKabkota, "11.01", prov), // 6
        commissioner(&k2, KeyRole::KpuKabkota, "11.01", prov), // 7
        entry("form", a1, phone_a),                            // 8
        entry("reopen", reopen(kec_digest, 2), &k1),           // 9: nothing final yet
        entry("signoff", kec, c1),                             // 10: final
        entry("reopen", reopen(kec_digest, 2), c1),            // 11: the kecamatan's own key
        entry("reopen", reopen(kec_digest, 1), &k1),           // 12: k is 2 here
        entry("reopen", reopen(kec_digest, 2), &k1),           // 13: pending
        entry("form", a2.clone(), phone_a),                    // 14: still locked
        entry("reopen", reopen(kec_digest, 2), &k2),           // 15: reopened
        entry("form", a2, phone_a),                            // 16: counts
    ]);
    let replay = run(entries, &chain.root);
    let expect = [
        (9, "has no final sign-off with that digest"),
        (11, "confirmed by the key of one of its commissioners"),
        (12, "asks for 1 confirmations; 2 are needed here"),
        (14, "the ppwp recap of 11.01.01 is final"),
    ];
    assert_found(&replay, &expect);
    let ledger = &replay.ledger;
    assert_eq!(ledger.stats.reopens, 1);
    assert_eq!(
        ledger.signoffs.final_of(Contest::Ppwp, code("11.01.01")),
        None
    );
    let slot = ledger.forms.current(code(A), Contest::Ppwp).unwrap();
    assert_eq!(slot.version, 2, "a version counts once reopened");
}

fn no_form(reason: NoFormReason, note: &str) -> Map<String, Value> {
    NoFormStatement {
        origin: ORIGIN.into(),
        tps: code(B),
        contest: Contest::Ppwp,
        reason,
        incident: None,
        note: note.into(),
        signed_at: saksi_core::time::UnixTime(crate::build::NOW),
    }
    .to_object()
}

#[test]
fn a_reason_for_no_form_is_a_child_of_the_kecamatan_and_a_revote_waits() {
    let chain = Chain::new();
    let Chain {
        phone_a,
        phone_b,
        member,
        c1,
        ..
    } = &chain;
    let (a1, da) = form(A, 1, None, 120);
    let (b1, _) = form(B, 1, None, 80);
    let not_held = no_form(NoFormReason::NotHeld, "banjir");
    let not_held_digest = digest(&not_held);
    let in_with_no_votes = Totals {
        fixed: [400, 120, 120, 0, 120, 2, 1],
        options: vec![("01".into(), 120), ("02".into(), 0)],
    };
    let (kec, _) = statement(&kecamatan(
        &[(A, da), (B, not_held_digest)],
        in_with_no_votes,
        1,
    ));
    let mut entries = chain.registrations(); // 0 to 5
    entries.extend([
        entry("form", a1, phone_a),                  // 6
        entry("no_form", not_held.clone(), phone_b), // 7: a KPPS key
        entry(
            "no_form",
            no_form(NoFormReason::RevoteOrdered, "PSU"),
            member,
        ), // 8
        entry("signoff", kec.clone(), c1),           // 9: B waits for its revote
        entry("no_form", not_held, member),          // 10: replaces the PSU
        entry("signoff", kec, c1),                   // 11: final
        entry("form", b1, phone_b),                  // 12: below a final region
    ]);
    let replay = run(entries, &chain.root);
    let expect = [
        (7, "signed by a PPK member's key of the TPS's kecamatan"),
        (9, "11.01.01.2001.002 is not in yet"),
        (12, "the ppwp recap of 11.01.01 is final"),
    ];
    assert_found(&replay, &expect);
    let ledger = &replay.ledger;
    assert_eq!(ledger.stats.no_forms, 2);
    assert!(
        ledger
            .signoffs
            .final_of(Contest::Ppwp, code("11.01.01"))
            .is_some()
    );
}
