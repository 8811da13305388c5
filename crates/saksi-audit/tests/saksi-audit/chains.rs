//! The key and version chains: every way an entry can fail them is named
//! at its index, and what fails does not count.

use saksi_core::Contest;
use saksi_log::Signer;
use saksi_statement::KeyRole;
use serde_json::{Value, json};

use crate::build::{ORIGIN, assert_found, code, entry, form, register, revoke, run};

#[test]
fn the_chains_are_replayed_in_order_and_every_failure_is_named() {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let phone = Signer::generate("kpps-11.01.01.2001.001").unwrap();
    let phone2 = Signer::generate("kpps-11.01.01.2001.001-2").unwrap();
    let server = Signer::generate(ORIGIN).unwrap();
    let rogue = Signer::generate("kpps-rogue").unwrap();
    let tps = "11.01.01.2001.001";
    let (v1, d1) = form(tps, 1, None, 100);
    let (v2, d2) = form(tps, 2, Some(d1), 110);
    let (v3, _) = form(tps, 3, Some(d2), 120);
    let mut tampered: Value = serde_json::from_slice(&entry("form", v2.clone(), &phone)).unwrap();
    tampered["statement"]["form"]["suara_sah"] = json!(111);
    let mut entries = vec![
        register(&prov, KeyRole::KpuProv, "11", &root), // 0
        register(&kab, KeyRole::KpuKabkota, "11.01", &prov), // 1
        register(&phone, KeyRole::Kpps, tps, &kab),     // 2
        entry("form", v1, &phone),                      // 3
        saksi_log::canonical_json(&tampered).unwrap(),  // 4: bad signature
        entry("form", v2.clone(), &phone),              // 5
        revoke(&phone, &kab),                           // 6
        entry("form", v3.clone(), &phone),              // 7: revoked signer
        register(&phone2, KeyRole::Kpps, tps, &kab),    // 8: rotation
        entry("form", v3, &phone2),                     // 9
        register(&rogue, KeyRole::Kpps, tps, &server),  // 10: outside the chain
        register(&rogue, KeyRole::KpuKabkota, "11.02", &prov), // 11: no such kab/kota
        entry("form", v2, &phone2),                     // 12: an old version again
    ];
    entries.push(br#"{"type":"protest","v":1}"#.to_vec()); // 13
    let replay = run(entries, &root);
    let expect = [
        (4, "the signature does not verify under"),
        (7, "the key was revoked (log index 6)"),
        (
            10,
            "the key is neither a KPU RI root key nor registered in this log (not applied)",
        ),
        (11, "the election has no region 11.02 (not applied)"),
        (12, "version 2 follows version 3 (not counted)"),
        (
            13,
            "an entry of a type or version this auditor does not know: protest v1",
        ),
    ];
    assert_found(&replay, &expect);
    let ledger = &replay.ledger;
    let slot = ledger.forms.current(code(tps), Contest::Ppwp).unwrap();
    assert_eq!((slot.version, slot.counts[1]), (3, 120));
    assert_eq!(ledger.stats.registered, [1, 1, 2, 0, 0, 0, 0]);
    assert_eq!(ledger.stats.revoked, [0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(ledger.stats.keys_refused, 2);
    assert_eq!(
        (ledger.stats.forms_signed, ledger.stats.forms_refused),
        (3, 3)
    );
    assert_eq!(
        (ledger.stats.signatures, ledger.stats.bad_signatures),
        (13, 1)
    );
    let versions: Vec<(u64, u32)> = ledger
        .resubmissions
        .iter()
        .map(|r| (r.index, r.version))
        .collect();
    assert_eq!(versions, [(5, 2), (9, 3)]);
    assert_eq!(ledger.rotations.len(), 1);
    let r = &ledger.rotations[0];
    assert_eq!(
        (r.old_registered_at, r.revoked_at, r.new_registered_at),
        (2, 6, 8)
    );
    assert_eq!(r.new_key, phone2.verifier().to_string());
    assert_eq!(replay.size(), 14);
    assert_eq!(
        replay.by_kind(),
        [
            (6, "form v2".to_owned()),
            (7, "key v1".to_owned()),
            (1, "protest v1".to_owned())
        ]
    );
}

#[test]
fn a_served_leaf_hash_that_is_not_the_entrys_is_named_and_the_root_is_rebuilt_from_the_bytes() {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let data = register(&prov, KeyRole::KpuProv, "11", &root);
    let mut replay = saksi_audit::Replay::new(
        &[root.verifier()],
        ORIGIN,
        &[],
        saksi_audit::Regions::new([code("11")], []),
    );
    replay.process(&[saksi_audit::ServedEntry {
        index: 0,
        leaf_hash: Some([7; 32]),
        data: data.clone(),
    }]);
    let found: Vec<String> = replay.found.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        ["log entry 0: the served leaf_hash is not SHA-256(0x00 || data)"]
    );
    assert_eq!(replay.range.root(), saksi_log::leaf_hash(&data));
}
