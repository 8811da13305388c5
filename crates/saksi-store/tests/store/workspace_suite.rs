//! The workspace's records on every backend: enrolment codes (issued,
//! voided, used once), enrolments and submitted officers' keys, each read
//! with the key registry's view of its key.

use saksi_core::RegionCode;
use saksi_store::{
    Attempt, AttemptOutcome, Batch, KeyRevocation, NewEnrolment, NewEnrolmentCode, NewOfficerKey,
    NewUser, NewWebhook, OfficerKeyFilter, Store, StoreError, StoredKey, UnixTime, UserId,
};

use crate::suite::{Harness, entry};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

const TPS: &str = "31.71.01.1001.001";

fn officer(store: &impl Store, username: &str, role: &str, region: &str) -> UserId {
    store
        .add_user(&NewUser {
            username: username.to_owned(),
            role: role.to_owned(),
            region: code(region),
            party: None,
            paslon: None,
            password_hash: None,
            created_at: UnixTime(1_707_700_000),
        })
        .unwrap()
}

fn new_code(tps: &str, hash: u8, by: UserId, at: i64) -> NewEnrolmentCode {
    NewEnrolmentCode {
        tps: code(tps),
        code_hash: vec![hash; 32],
        issued_by: by,
        issued_at: UnixTime(at),
        expires_at: UnixTime(at + 600),
    }
}

fn enrolment(id: char, key: &str, at: i64) -> NewEnrolment {
    NewEnrolment {
        id: id.to_string().repeat(32),
        tps: code(TPS),
        kabkota: code("31.71"),
        key: key.to_owned(),
        created_at: UnixTime(at),
    }
}

/// Registers `key` as `role` at `region` at log index `index`, and
/// revokes it at `index + 1` if asked.
fn register(store: &impl Store, key: &str, role: &str, region: &str, index: u64, revoke: bool) {
    let mut batch = Batch {
        entries: vec![entry(index)],
        keys: vec![StoredKey {
            key: key.to_owned(),
            role: role.to_owned(),
            region: code(region),
            valid_from: UnixTime(1_700_000_000),
            valid_until: UnixTime(1_800_000_000),
            registered_at: index,
            revoked_at: None,
            commissioner: false,
        }],
        ..Batch::default()
    };
    if revoke {
        batch.entries.push(entry(index + 1));
        batch.revocations.push(KeyRevocation {
            key: key.to_owned(),
            log_index: index + 1,
        });
    }
    store.commit_batch(&batch).unwrap();
}

pub fn enrolment_codes_are_voided_by_a_new_one_and_used_once(h: &impl Harness) {
    let store = h.open();
    let kab = officer(&store, "kpu.kab", "kpu-kabkota", "31.71");
    store
        .issue_enrolment_codes(&[new_code(TPS, 1, kab, 100)])
        .unwrap();
    store
        .issue_enrolment_codes(&[new_code(TPS, 2, kab, 200)])
        .unwrap();
    let old = store.enrolment_code(code(TPS), &[1; 32]).unwrap().unwrap();
    assert_eq!(old.voided_at, Some(UnixTime(200)));
    let new = store.enrolment_code(code(TPS), &[2; 32]).unwrap().unwrap();
    assert_eq!((new.voided_at, new.used_at), (None, None));
    assert_eq!(new.expires_at, UnixTime(800));
    assert!(store.enrolment_code(code(TPS), &[3; 32]).unwrap().is_none());
    let other = code("31.71.01.1001.002");
    assert!(store.enrolment_code(other, &[2; 32]).unwrap().is_none());

    assert!(
        !store
            .enrol(old.id, &enrolment('a', "kpps+01020304+AQID", 300))
            .unwrap()
    );
    assert!(
        store
            .enrol(new.id, &enrolment('b', "kpps+01020304+AQID", 300))
            .unwrap()
    );
    assert!(
        !store
            .enrol(new.id, &enrolment('c', "kpps+01020304+AQID", 301))
            .unwrap()
    );
    let used = h
        .open()
        .enrolment_code(code(TPS), &[2; 32])
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(UnixTime(300)));
    let listed = store.enrolments(code("31.71")).unwrap();
    assert_eq!(listed.len(), 1, "only the enrolment that used a code");
    assert_eq!(listed[0].id, "b".repeat(32));
    assert!(store.enrolments(code("31.72")).unwrap().is_empty());
    // A used code is not voided by the next one.
    store
        .issue_enrolment_codes(&[new_code(TPS, 3, kab, 400)])
        .unwrap();
    let used = store.enrolment_code(code(TPS), &[2; 32]).unwrap().unwrap();
    assert_eq!(used.voided_at, None);
}

pub fn enrolments_are_rejected_once_and_read_with_their_keys_registration(h: &impl Harness) {
    let store = h.open();
    let kab = officer(&store, "kpu.kab", "kpu-kabkota", "31.71");
    store
        .issue_enrolment_codes(&[
            new_code(TPS, 1, kab, 100),
            new_code("31.71.01.1001.002", 2, kab, 100),
        ])
        .unwrap();
    let first = store.enrolment_code(code(TPS), &[1; 32]).unwrap().unwrap();
    assert!(
        store
            .enrol(first.id, &enrolment('a', "kpps+0a0b0c0d+AQID", 200))
            .unwrap()
    );
    let id = "a".repeat(32);
    let stored = store.enrolment(&id).unwrap().unwrap();
    assert_eq!((stored.rejected_at, stored.registration), (None, None));
    assert!(
        store
            .reject_enrolment(&id, "HP salah", UnixTime(300))
            .unwrap()
    );
    assert!(!store.reject_enrolment(&id, "lagi", UnixTime(301)).unwrap());
    assert!(
        !store
            .reject_enrolment(&"f".repeat(32), "x", UnixTime(301))
            .unwrap()
    );
    let rejected = store.enrolment(&id).unwrap().unwrap();
    assert_eq!(rejected.rejected_at, Some(UnixTime(300)));
    assert_eq!(rejected.reason.as_deref(), Some("HP salah"));
    assert!(store.enrolment(&"f".repeat(32)).unwrap().is_none());

    register(&store, "kpps+0a0b0c0d+AQID", "kpps", TPS, 0, true);
    let read = store.enrolment(&id).unwrap().unwrap().registration.unwrap();
    assert_eq!(
        (read.role.as_str(), read.region, read.revoked),
        ("kpps", code(TPS), true)
    );
}

pub fn officer_keys_are_submitted_once_and_listed_by_owner_or_certifier(h: &impl Harness) {
    let store = h.open();
    let pps = officer(&store, "pps.desa", "pps", "31.71.01.1001");
    let kab = officer(&store, "kpu.kab", "kpu-kabkota", "31.71");
    let submit = |user: UserId, key: &str, role: &str, region: &str, by: &str, by_region: &str| {
        store.submit_officer_key(&NewOfficerKey {
            key: key.to_owned(),
            user_id: user,
            role: role.to_owned(),
            region: code(region),
            certifier_role: by.to_owned(),
            certifier_region: code(by_region),
            created_at: UnixTime(500),
        })
    };
    let a = submit(
        pps,
        "pps+01020304+AQID",
        "pps",
        "31.71.01.1001",
        "kpu-kabkota",
        "31.71",
    )
    .unwrap();
    let b = submit(
        kab,
        "kab+01020304+AQID",
        "kpu-kabkota",
        "31.71",
        "kpu-prov",
        "31",
    )
    .unwrap();
    assert_ne!(a, b);
    let twice = submit(
        kab,
        "pps+01020304+AQID",
        "kpu-kabkota",
        "31.71",
        "kpu-prov",
        "31",
    );
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");

    let by_kab = store
        .officer_keys_submitted(&OfficerKeyFilter::Certifier {
            role: "kpu-kabkota".into(),
            region: code("31.71"),
        })
        .unwrap();
    assert_eq!(by_kab.len(), 1);
    assert_eq!((by_kab[0].id, by_kab[0].username.as_str()), (a, "pps.desa"));
    assert_eq!(by_kab[0].region, code("31.71.01.1001"));
    let elsewhere = OfficerKeyFilter::Certifier {
        role: "kpu-kabkota".into(),
        region: code("31.72"),
    };
    assert!(store.officer_keys_submitted(&elsewhere).unwrap().is_empty());
    let mine = store
        .officer_keys_submitted(&OfficerKeyFilter::Owner(kab))
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, b);
    assert_eq!(
        store
            .officer_keys_submitted(&OfficerKeyFilter::All)
            .unwrap()
            .len(),
        2
    );

    register(
        &store,
        "pps+01020304+AQID",
        "pps",
        "31.71.01.1001",
        0,
        false,
    );
    let mine = h
        .open()
        .officer_keys_submitted(&OfficerKeyFilter::Owner(pps))
        .unwrap();
    let registration = mine[0].registration.clone().unwrap();
    assert_eq!(
        (registration.role.as_str(), registration.revoked),
        ("pps", false)
    );
}

fn webhook(store: &impl Store, url: &str, events: &[&str]) -> i64 {
    store
        .add_webhook(&NewWebhook {
            url: url.to_owned(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            secret: format!("secret of {url}"),
            created_at: UnixTime(1_707_700_000),
        })
        .unwrap()
}

pub fn deliveries_go_to_subscribed_webhooks_and_record_every_attempt(h: &impl Harness) {
    let store = h.open();
    let t0 = UnixTime(1_707_700_100);
    assert!(store.subscribed_events().unwrap().is_empty());
    let a = webhook(&store, "http://a.example/hook", &["new", "escalated"]);
    let b = webhook(
        &store,
        "https://b.example/hook",
        &["escalated_to_me", "resolved", "new"],
    );
    assert_eq!(
        store.subscribed_events().unwrap(),
        ["escalated", "escalated_to_me", "new", "resolved"]
    );
    // `escalated` is not `escalated_to_me`'s prefix match: only a subscribes.
    assert_eq!(
        store
            .enqueue_deliveries("escalated", "{\"id\":1}", t0)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .enqueue_deliveries("resolved", "{\"id\":2}", t0)
            .unwrap(),
        1
    );
    assert_eq!(store.enqueue_deliveries("closed", "{}", t0).unwrap(), 0);
    assert!(store.due_deliveries(t0.plus(-1), 10).unwrap().is_empty());
    let due = store.due_deliveries(t0, 10).unwrap();
    assert_eq!(due.len(), 2);
    let first = due.iter().find(|d| d.event == "escalated").unwrap();
    assert_eq!(first.url, "http://a.example/hook");
    assert_eq!(first.secret, "secret of http://a.example/hook");
    assert_eq!(first.body, "{\"id\":1}");
    assert_eq!(first.attempts, 0);

    store
        .record_attempt(
            first.id,
            &Attempt {
                at: t0,
                status: None,
                error: Some("connection refused".into()),
                outcome: AttemptOutcome::RetryAt(t0.plus(10)),
            },
        )
        .unwrap();
    let second = due.iter().find(|d| d.event == "resolved").unwrap();
    store
        .record_attempt(
            second.id,
            &Attempt {
                at: t0,
                status: Some(500),
                error: Some("HTTP 500".into()),
                outcome: AttemptOutcome::GiveUp,
            },
        )
        .unwrap();
    // Retried later; given up never again.
    assert!(store.due_deliveries(t0.plus(9), 10).unwrap().is_empty());
    let again = store.due_deliveries(t0.plus(10), 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    store
        .record_attempt(
            first.id,
            &Attempt {
                at: t0.plus(10),
                status: Some(204),
                error: None,
                outcome: AttemptOutcome::Delivered,
            },
        )
        .unwrap();
    assert!(
        store
            .due_deliveries(t0.plus(99_999), 10)
            .unwrap()
            .is_empty()
    );

    let of_a = store.deliveries(Some(a)).unwrap();
    assert_eq!(of_a.len(), 1);
    assert_eq!(of_a[0].attempts, 2);
    assert_eq!(of_a[0].last_status, Some(204));
    assert_eq!(of_a[0].last_error, None);
    assert_eq!(of_a[0].delivered_at, Some(t0.plus(10)));
    assert_eq!(of_a[0].next_attempt_at, None);
    let all = store.deliveries(None).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].last_error.as_deref(), Some("HTTP 500"));

    let hooks = store.webhooks().unwrap();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].id, a);
    assert_eq!(hooks[0].events, ["new", "escalated"]);
    assert_eq!(
        (hooks[0].delivered, hooks[0].pending, hooks[0].given_up),
        (1, 0, 0)
    );
    assert_eq!(hooks[0].last_attempt_at, Some(t0.plus(10)));
    assert_eq!(hooks[1].id, b);
    assert_eq!(
        (hooks[1].delivered, hooks[1].pending, hooks[1].given_up),
        (0, 0, 1)
    );
}

pub fn a_removed_webhook_takes_its_deliveries_with_it(h: &impl Harness) {
    let store = h.open();
    let t0 = UnixTime(1_707_700_100);
    let a = webhook(&store, "http://a.example/hook", &["new"]);
    let b = webhook(&store, "http://b.example/hook", &["new"]);
    assert_eq!(store.enqueue_deliveries("new", "{}", t0).unwrap(), 2);
    assert!(store.remove_webhook(a).unwrap());
    assert!(!store.remove_webhook(a).unwrap());
    let due = store.due_deliveries(t0, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].url, "http://b.example/hook");
    assert!(store.deliveries(Some(a)).unwrap().is_empty());
    assert_eq!(
        store
            .webhooks()
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect::<Vec<_>>(),
        [b]
    );
}
