//! Incident events: an honest history replays without a discrepancy and
//! is counted; every forgery of a response time, an owner, a transition,
//! a filing or the sequence is named at its index.

use std::sync::atomic::{AtomicU8, Ordering};

use saksi_core::incident::{
    Action, Actor, Category, Deadlines, Owner, Public, Severity, Status, Step,
};
use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level};
use saksi_log::Signer;
use saksi_statement::{
    Envelope, IncidentEntry, IncidentEvent, IncidentId, IncidentStatement, KeyRole,
};
use serde_json::Value;

use crate::build::{NOW, code, register, run};

const TPS: &str = "11.01.01.2001.001";

/// An incident as the test's server has written it so far.
struct Incident {
    id: IncidentId,
    seq: u32,
    state: Public,
}

fn officer(role: Role, region: &str) -> Actor {
    Actor::officer(role, code(region))
}

/// Each filing's content differs, so each incident has its own id.
fn statement(region: &str, severity: Severity) -> IncidentStatement {
    static NEXT: AtomicU8 = AtomicU8::new(0);
    IncidentStatement {
        region: code(region),
        category: Category::Logistics,
        severity,
        contests: vec![Contest::Ppwp],
        content_sha256: [NEXT.fetch_add(1, Ordering::Relaxed); 32],
        origin: "saksi.localhost/log".into(),
        signed_at: UnixTime(1_707_915_600),
    }
}

fn event(incident: &Incident, action: Action, actor: Actor) -> IncidentEvent {
    IncidentEvent {
        id: incident.id,
        seq: incident.seq,
        action,
        actor,
        state: incident.state.clone(),
        content_sha256: (actor != Actor::SYSTEM).then_some([9; 32]),
    }
}

fn logged(event: IncidentEvent, at: i64) -> Vec<u8> {
    IncidentEntry {
        event,
        logged_at: UnixTime(at),
        signed: None,
    }
    .encode()
}

/// A filing made through a session by `by`, at `at` (seconds after NOW).
fn file(by: Actor, region: &str, severity: Severity, at: i64) -> (Incident, Vec<u8>) {
    let s = statement(region, severity);
    let (_, filer) = by.by.unwrap();
    let incident = Incident {
        id: s.id(),
        seq: 0,
        state: filed(filer, &s, at),
    };
    let entry = logged(event(&incident, Action::File, by), NOW + at);
    (incident, entry)
}

/// The state after filing `s` (owned as a report from below the kab/kota
/// when `filer` is outside it: what a dishonest server would state).
fn filed(filer: saksi_core::RegionCode, s: &IncidentStatement, at: i64) -> Public {
    let by = |filer| {
        Public::filed(
            filer,
            s.region,
            s.category,
            s.severity,
            s.contests.clone(),
            UnixTime(NOW + at),
            &Deadlines::default(),
        )
    };
    by(filer).or_else(|| by(s.region)).unwrap()
}

/// A filing a KPPS device signed at its TPS.
fn file_signed(phone: &Signer, severity: Severity, at: i64) -> (Incident, Vec<u8>) {
    let s = statement(TPS, severity);
    let Value::Object(object) = serde_json::from_slice(&s.canonical()).unwrap() else {
        panic!("a statement is an object")
    };
    let signed = Envelope::sign(object, phone).unwrap().open().unwrap();
    let incident = Incident {
        id: s.id(),
        seq: 0,
        state: filed(code(TPS), &s, at),
    };
    let mut event = event(&incident, Action::File, officer(Role::Kpps, TPS));
    event.content_sha256 = Some(s.content_sha256);
    let entry = IncidentEntry {
        event,
        logged_at: UnixTime(NOW + at),
        signed: Some(signed),
    }
    .encode();
    (incident, entry)
}

/// The next event as the server decides it.
fn step(incident: &mut Incident, action: Action, actor: Actor, at: i64) -> Vec<u8> {
    let step = Step {
        action,
        actor,
        at: UnixTime(NOW + at),
    };
    incident.state = incident.state.next(step, &Deadlines::default()).unwrap();
    incident.seq += 1;
    logged(event(incident, action, actor), NOW + at)
}

/// The next event with `change` made to what the server would write.
fn forge(
    incident: &Incident,
    action: Action,
    actor: Actor,
    at: i64,
    change: impl FnOnce(&mut IncidentEvent),
) -> Vec<u8> {
    let mut e = event(incident, action, actor);
    e.seq += 1;
    change(&mut e);
    logged(e, NOW + at)
}

fn chain() -> (Signer, Signer, Vec<Vec<u8>>) {
    let root = Signer::generate("kpu-ri-root").unwrap();
    let prov = Signer::generate("kpu-prov-11").unwrap();
    let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
    let phone = Signer::generate("kpps-11.01.01.2001.001").unwrap();
    let entries = vec![
        register(&prov, KeyRole::KpuProv, "11", &root),
        register(&kab, KeyRole::KpuKabkota, "11.01", &prov),
        register(&phone, KeyRole::Kpps, TPS, &kab),
    ];
    (root, phone, entries)
}

#[test]
fn an_honest_history_replays_cleanly_and_is_counted() {
    let (root, phone, mut entries) = chain();
    let kab = officer(Role::KpuKabkota, "11.01");
    // A critical incident nobody acknowledges climbs to the provinsi at
    // 15 minutes, to the KPU RI at 30, and is marked overdue at 45.
    let (mut climbs, filing) = file_signed(&phone, Severity::Critical, 0);
    entries.push(filing);
    entries.push(step(&mut climbs, Action::Escalate, Actor::SYSTEM, 900));
    entries.push(step(&mut climbs, Action::Escalate, Actor::SYSTEM, 1800));
    entries.push(step(&mut climbs, Action::Overdue, Actor::SYSTEM, 2700));
    assert_eq!(climbs.state.owner.level, Level::Nasional);
    // A PPS's report handled in time never moves.
    let (mut handled, filing) = file(officer(Role::Pps, "11.01.01.2001"), TPS, Severity::Low, 10);
    entries.push(filing);
    entries.push(step(
        &mut handled,
        Action::Comment,
        officer(Role::Pps, "11.01.01.2001"),
        20,
    ));
    entries.push(step(&mut handled, Action::Acknowledge, kab, 30));
    entries.push(step(&mut handled, Action::Resolve, kab, 40));
    entries.push(step(&mut handled, Action::Close, kab, 50));
    // The kab/kota escalates one by hand, with its reason.
    let (mut by_hand, filing) = file(kab, "11.01.01", Severity::Medium, 60);
    entries.push(filing);
    entries.push(step(&mut by_hand, Action::Escalate, kab, 70));
    assert_eq!(
        by_hand.state.owner,
        Owner {
            level: Level::Provinsi,
            region: code("11")
        }
    );

    let replay = run(entries, &root);
    let found: Vec<String> = replay.found.iter().map(ToString::to_string).collect();
    assert!(found.is_empty(), "{found:#?}");
    let incidents = &replay.ledger.incidents;
    assert_eq!(incidents.total(), 3);
    assert_eq!(incidents.by_status(), [2, 0, 0, 1]);
    assert_eq!(incidents.overdue(), 1);
    assert_eq!((incidents.events, incidents.events_refused), (11, 0));
    assert_eq!(
        replay.ledger.stats.signatures, 4,
        "three keys and one filing"
    );
    assert!(
        replay.by_kind().contains(&(11, "incident v1".to_owned())),
        "{:?}",
        replay.by_kind()
    );
}

#[test]
fn every_forged_incident_event_is_named_at_its_index() {
    let (root, phone, mut entries) = chain();
    let kab = officer(Role::KpuKabkota, "11.01");
    let rogue = Signer::generate("kpps-rogue").unwrap();
    let mut expect: Vec<(usize, &str)> = Vec::new();
    let mut push = |entries: &mut Vec<Vec<u8>>, entry: Vec<u8>, text: &'static str| {
        if !text.is_empty() {
            expect.push((entries.len(), text));
        }
        entries.push(entry);
    };

    // An escalation before its deadline fell due (critical: 15 minutes).
    let (early, filing) = file_signed(&phone, Severity::Critical, 0);
    push(&mut entries, filing, "");
    let escalated = early.state.next(
        Step {
            action: Action::Escalate,
            actor: Actor::SYSTEM,
            at: UnixTime(NOW + 900),
        },
        &Deadlines::default(),
    );
    push(
        &mut entries,
        forge(&early, Action::Escalate, Actor::SYSTEM, 899, |e| {
            e.state = escalated.unwrap()
        }),
        "nothing was due yet",
    );

    // A skipped level: from the kab/kota straight to the KPU RI.
    let (skipped, filing) = file(kab, TPS, Severity::High, 0);
    push(&mut entries, filing, "");
    push(
        &mut entries,
        forge(&skipped, Action::Escalate, Actor::SYSTEM, 3600, |e| {
            e.state.owner = Owner {
                level: Level::Nasional,
                region: code("0"),
            };
        }),
        "is not the one the lifecycle gives (owner provinsi 11",
    );

    // A transition the lifecycle forbids: closed while open.
    let (open, filing) = file(kab, TPS, Severity::Medium, 1);
    push(&mut entries, filing, "");
    push(
        &mut entries,
        forge(&open, Action::Close, kab, 5, |e| {
            e.state.status = Status::Closed
        }),
        "the lifecycle forbids it after owner kabkota 11.01, open",
    );

    // A signed filing tampered with after signing.
    let (_, filing) = file_signed(&phone, Severity::Low, 2);
    let mut tampered: Value = serde_json::from_slice(&filing).unwrap();
    tampered["statement"]["severity"] = "high".into();
    push(
        &mut entries,
        saksi_log::canonical_json(&tampered).unwrap(),
        "the signature does not verify",
    );

    // A signed filing by a key that is not the TPS's KPPS device.
    let (_, filing) = file_signed(&rogue, Severity::High, 3);
    push(&mut entries, filing, "the key chain refuses its signer");

    // A filing outside the filer's jurisdiction: a PPS of another desa.
    let (_, filing) = file(officer(Role::Pps, "11.01.01.2002"), TPS, Severity::High, 4);
    push(
        &mut entries,
        filing,
        "a pps at 11.01.01.2002 may not report an incident at 11.01.01.2001.001",
    );

    // A gap in the sequence.
    let (mut gap, filing) = file(kab, "11.01.01.2001", Severity::Low, 5);
    push(&mut entries, filing, "");
    gap.seq += 1;
    push(
        &mut entries,
        step(&mut gap, Action::Comment, kab, 6),
        "event 2 follows event 0",
    );
    // The next event carries on from what the log states: no cascade.
    push(
        &mut entries,
        step(&mut gap, Action::Acknowledge, kab, 7),
        "",
    );

    // An event of an incident the log never filed.
    let (never, _) = file(kab, "11.01.02", Severity::Low, 8);
    push(
        &mut entries,
        forge(&never, Action::Comment, kab, 9, |_| {}),
        "an event of an incident the log never filed",
    );

    // An escalation by hand without its reason.
    let (mut reasonless, filing) = file(kab, "11.01.03", Severity::Low, 10);
    push(&mut entries, filing, "");
    let mut without = step(&mut reasonless, Action::Escalate, kab, 11);
    let mut value: Value = serde_json::from_slice(&without).unwrap();
    value["event"]
        .as_object_mut()
        .unwrap()
        .remove("content_sha256");
    without = saksi_log::canonical_json(&value).unwrap();
    push(&mut entries, without, "the reason for escalating by hand");

    // A deadline set before the event itself.
    let (past, filing) = file(kab, "11.01.04", Severity::Low, 12);
    push(&mut entries, filing, "");
    push(
        &mut entries,
        forge(&past, Action::Escalate, kab, 13, |e| {
            e.state.owner = Owner {
                level: Level::Provinsi,
                region: code("11"),
            };
            e.state.ack_due = Some(UnixTime(NOW));
        }),
        "sets the deadline to acknowledge to 2024-02-14T13:00:00Z, before the event itself",
    );

    let replay = run(entries, &root);
    let found: Vec<String> = replay.found.iter().map(ToString::to_string).collect();
    for (index, text) in &expect {
        assert!(
            found.iter().any(
                |f| f.starts_with(&format!("log entry {index}: incident v1 ")) && f.contains(text)
            ),
            "{index}: {text} in {found:#?}"
        );
    }
    let indexes: std::collections::BTreeSet<String> = found
        .iter()
        .map(|f| f.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        indexes.len(),
        expect.len(),
        "only the forged entries: {found:#?}"
    );
    assert_eq!(replay.ledger.incidents.events_refused, expect.len() as u64);
}
