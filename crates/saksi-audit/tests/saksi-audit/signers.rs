//! Who may change a number: a form version unsigned (`form` v1, entered
//! through a session), signed by a key the chain does not allow for it, or
//! signed on behalf over a version the KPPS device signed is a discrepancy
//! naming its entry, and does not count; an old log's unsigned prefix is
//! accepted below `--allow-unsigned-before`.

use saksi_core::Contest;
use saksi_log::Signer;
use saksi_statement::KeyRole;

use crate::build::{
    code, entry, form, form_on_behalf, register, run, run_allowing_unsigned_before, session_form,
};

const TPS: &str = "11.01.01.2001.001";

struct Chain {
    root: Signer,
    kpps: Signer,
    pps: Signer,
    ppk: Signer,
    /// The registrations: prov, kab/kota, KPPS device, PPS of the TPS's
    /// desa, PPK of its kecamatan (entries 0 to 4).
    entries: Vec<Vec<u8>>,
}

fn chain() -> Chain {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let kpps = Signer::generate("kpps-11.01.01.2001.001").unwrap();
    let pps = Signer::generate("pps-11.01.01.2001").unwrap();
    let ppk = Signer::generate("ppk-11.01.01").unwrap();
    let entries = vec![
        register(&prov, KeyRole::KpuProv, "11", &root),
        register(&kab, KeyRole::KpuKabkota, "11.01", &prov),
        register(&kpps, KeyRole::Kpps, TPS, &kab),
        register(&pps, KeyRole::Pps, "11.01.01.2001", &kab),
        register(&ppk, KeyRole::Ppk, "11.01.01", &kab),
    ];
    Chain {
        root,
        kpps,
        pps,
        ppk,
        entries,
    }
}

fn found(replay: &saksi_audit::Replay) -> Vec<String> {
    replay.found.iter().map(ToString::to_string).collect()
}

#[test]
fn a_version_entered_through_a_session_is_a_discrepancy_unless_below_the_allowed_prefix() {
    // The reproduction: the KPPS device signs 50 + 60 + 40, then a kpps
    // session's version (10 + 130 + 10) follows it.
    let c = chain();
    let (signed, digest) = form(TPS, 1, None, 150);
    let (session, _) = session_form(TPS, 2, Some(digest), 150);
    let mut entries = c.entries.clone();
    entries.push(entry("form", signed, &c.kpps)); // 5
    entries.push(session); // 6
    let replay = run(entries.clone(), &c.root);
    let found = found(&replay);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("log entry 6: form v1 11.01.01.2001.001 ppwp version 2: unsigned"),
        "{found:#?}"
    );
    assert!(found[0].ends_with("(not counted)"), "{found:#?}");
    let slot = replay
        .ledger
        .forms
        .current(code(TPS), Contest::Ppwp)
        .unwrap();
    assert_eq!(slot.version, 1, "the signed version still counts");
    assert_eq!(
        (
            replay.ledger.stats.forms_unsigned,
            replay.ledger.stats.forms_refused
        ),
        (0, 1)
    );

    // An old log whose unsigned prefix ends after entry 6: accepted, counted.
    let replay = run_allowing_unsigned_before(entries.clone(), &c.root, 7);
    assert!(replay.found.is_empty(), "{:#?}", replay.found);
    assert_eq!(replay.ledger.stats.forms_unsigned, 1);
    let slot = replay
        .ledger
        .forms
        .current(code(TPS), Contest::Ppwp)
        .unwrap();
    assert_eq!(slot.version, 2);
    // The prefix ends at entry 6 exclusive: entry 6 is still flagged.
    let replay = run_allowing_unsigned_before(entries, &c.root, 6);
    assert_eq!(replay.found.len(), 1);
}

#[test]
fn a_form_signed_by_a_key_not_allowed_for_it_is_a_discrepancy() {
    let c = chain();
    let other_desa_tps = "11.01.01.2002.001";
    let other_kecamatan_tps = "11.01.02.2001.001";
    let mut entries = c.entries.clone();
    let cases = [
        // A PPS key outside its desa, a PPK key outside its kecamatan.
        (
            form_on_behalf(other_desa_tps, 1, None, 10, Some("HP hilang")).0,
            &c.pps,
            "the pps key of 11.01.01.2001 signs only for the TPSs in it",
        ),
        (
            form_on_behalf(other_kecamatan_tps, 1, None, 10, Some("HP hilang")).0,
            &c.ppk,
            "the ppk key of 11.01.01 signs only for the TPSs in it",
        ),
        // A PPS key without `on_behalf`, a KPPS key with it.
        (form(TPS, 1, None, 10).0, &c.pps, "needs `on_behalf`"),
        (
            form_on_behalf(TPS, 1, None, 10, Some("sendiri")).0,
            &c.kpps,
            "`on_behalf` is for PPS and PPK keys only",
        ),
    ];
    for (statement, by, _) in &cases {
        entries.push(entry("form", statement.clone(), by));
    }
    let replay = run(entries, &c.root);
    let found = found(&replay);
    assert_eq!(found.len(), cases.len(), "{found:#?}");
    for (i, (_, _, text)) in cases.iter().enumerate() {
        let index = 5 + i;
        assert!(
            found[i].starts_with(&format!("log entry {index}: form v2 "))
                && found[i].contains(text),
            "{index}: {text} in {found:#?}"
        );
    }
    assert_eq!(replay.ledger.forms.counted().count(), 0);
}

#[test]
fn a_version_signed_on_behalf_over_the_kpps_devices_is_a_discrepancy_and_the_reverse_is_not() {
    let c = chain();
    let (v1, d1) = form_on_behalf(TPS, 1, None, 10, Some("HP mati"));
    let (v2, d2) = form(TPS, 2, Some(d1), 150);
    let (v3, _) = form_on_behalf(TPS, 3, Some(d2), 150, Some("koreksi"));
    let mut entries = c.entries.clone();
    entries.push(entry("form", v1, &c.ppk)); // 5: on behalf first
    entries.push(entry("form", v2, &c.kpps)); // 6: the device over it: fine
    entries.push(entry("form", v3, &c.pps)); // 7: on behalf over the device
    let replay = run(entries, &c.root);
    let found = found(&replay);
    assert_eq!(
        found,
        [
            "log entry 7: form v2 11.01.01.2001.001 ppwp version 3: signed on behalf over version 2, which the KPPS device signed (not counted)"
        ]
    );
    let slot = replay
        .ledger
        .forms
        .current(code(TPS), Contest::Ppwp)
        .unwrap();
    assert_eq!((slot.version, slot.counts[1]), (2, 150));
    let stats = &replay.ledger.stats;
    assert_eq!(
        (
            stats.forms_signed,
            stats.forms_on_behalf,
            stats.forms_refused
        ),
        (1, 1, 1)
    );
    assert_eq!(stats.registered, [1, 1, 1, 1, 1, 0, 0]);
}
