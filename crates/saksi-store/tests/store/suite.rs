//! The behaviour every [`Store`] backend must have, written once against the
//! trait. A backend runs it by implementing [`Harness`] and invoking
//! `store_suite!(ItsHarness)`, which makes one `#[test]` per function here.

use saksi_core::incident::book::Record;
use saksi_core::incident::{Action, Actor, Category, Deadlines, Public, Severity, Step};
use saksi_core::permission::Role;
use saksi_core::{
    Candidate, Contest, Dapil, DapilCode, Dpt, Election, Party, Paslon, RegionCode, RegionInput,
    RegionTree,
};
use saksi_store::{
    Batch, IdempotencyRecord, IncidentPrivate, IncidentWrite, KeyRevocation, Lease, LeaseOutcome,
    LogEntry, NewUser, NewWebhook, Outgoing, PhotoName, RequestKey, Session, Store, StoreError,
    StoredIncident, StoredIncidentEvent, StoredKey, StoredVersion, UnixTime, UserId,
};

/// A fresh, migrated, empty database for one test, and a way to open more
/// handles on that same database (as a CLI process would beside a server).
pub trait Harness {
    type Store: Store;
    /// Whether the backend can be tested here; when false each test of the
    /// suite returns at once (the harness says why on stderr).
    fn available() -> bool {
        true
    }
    fn new() -> Self;
    fn open(&self) -> Self::Store;
}

/// One `#[test]` per suite function, run against the harness given.
macro_rules! store_suite {
    ($harness:ty) => {
        store_suite!(@tests $harness;
            an_election_round_trips_and_a_second_save_is_refused,
            saving_reports_progress_up_to_the_total,
            an_empty_store_has_no_election,
            region_names_are_found_by_code,
            meta_values_are_set_replaced_and_read,
            users_are_added_found_and_duplicates_refused,
            a_batch_of_users_is_added_whole_or_not_at_all,
            sessions_are_honoured_until_they_expire_and_end_at_logout,
            usernames_are_found_and_unique_ignoring_case,
            a_disabled_user_has_no_session_until_enabled_and_old_ones_stay_revoked,
            a_new_password_or_a_revocation_ends_only_that_users_live_sessions,
            accounts_list_users_live_sessions_and_every_minted_token,
            account_operations_on_an_unknown_user_are_refused,
            a_totp_secret_is_pending_until_confirmed_and_then_kept,
            each_totp_step_and_recovery_code_is_used_once,
            a_totp_reset_removes_the_secret_and_codes_and_ends_sessions,
            a_batch_is_written_whole_or_not_at_all,
            a_reused_log_index_is_a_conflict,
            current_form_is_the_latest_version,
            form_versions_lists_every_version_in_ballot_order,
            tps_with_warnings_are_those_whose_current_form_has_any,
            current_forms_under_a_region_come_with_their_entries_in_code_order,
            idempotency_records_round_trip,
            idempotency_keys_stream_every_recorded_key,
            log_size_is_the_count_of_accepted_versions,
            for_each_current_form_streams_latest_versions_in_log_order,
            a_second_handle_sees_a_new_user_at_once,
            a_second_handle_sees_a_committed_batch_at_once,
            writers_on_two_handles_wait_for_each_other_rather_than_fail,
            log_entries_are_written_with_their_batch_and_read_back_in_order,
            photos_are_named_with_their_entry_and_never_by_a_refused_batch,
            incidents_are_written_with_their_events_and_read_back,
            leaf_hashes_stream_in_index_order,
            a_reused_log_entry_index_is_a_conflict_and_writes_nothing,
            log_size_counts_entries_and_versions,
            keys_are_registered_revoked_and_listed_in_log_order,
            recap_entries_are_read_back_in_log_order,
            logistics_entries_are_read_back_in_log_order_apart_from_the_recap_s,
            a_key_registered_twice_or_a_bad_revocation_is_a_conflict_and_writes_nothing,
            the_database_clock_is_in_milliseconds_since_the_epoch,
            a_fresh_store_grants_the_lease_with_a_first_token,
            a_held_lease_is_refused_until_it_expires_then_taken_over_with_a_greater_token,
            a_renewed_lease_stays_held_and_an_old_token_cannot_renew,
            a_released_lease_is_granted_at_once_and_only_its_holder_releases_it,
            a_batch_with_a_stale_fencing_token_is_refused_and_writes_nothing,
            of_servers_asking_at_once_exactly_one_is_granted,
        );
        store_suite!(@workspace $harness;
            enrolment_codes_are_voided_by_a_new_one_and_used_once,
            enrolments_are_rejected_once_and_read_with_their_keys_registration,
            officer_keys_are_submitted_once_and_listed_by_owner_or_certifier,
            deliveries_go_to_subscribed_webhooks_and_record_every_attempt,
            a_removed_webhook_takes_its_deliveries_with_it,
        );
    };
    (@workspace $harness:ty; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if <$harness as $crate::suite::Harness>::available() {
                    $crate::workspace_suite::$name(&<$harness as $crate::suite::Harness>::new());
                }
            }
        )*
    };
    (@tests $harness:ty; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if <$harness as $crate::suite::Harness>::available() {
                    $crate::suite::$name(&<$harness as $crate::suite::Harness>::new());
                }
            }
        )*
    };
}
pub(crate) use store_suite;

/// Usernames stored before they were compared ignoring case: two groups
/// that differ only by case, and one name alone.
pub const CASE_CLASHES: [&str; 6] = ["Ketua", "ketua", "admin", "KETUA", "Admin", "solo"];

/// Opening a database holding [`CASE_CLASHES`] is refused, naming each
/// group and telling how to fix it.
pub fn assert_case_clashes_refused(opened: Result<(), StoreError>) {
    let Err(err) = opened else {
        panic!("a database with usernames differing only by case was migrated");
    };
    let StoreError::UsernamesDifferOnlyByCase(groups) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        groups,
        &[vec!["Admin", "admin"], vec!["KETUA", "Ketua", "ketua"]]
    );
    let message = err.to_string();
    assert!(
        message.contains("Admin = admin; KETUA = Ketua = ketua"),
        "{message}"
    );
    assert!(message.contains("rename all but one"), "{message}");
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A small election that still has every shape the national one has: two
/// provinces (one overseas), a DPR dapil spanning a kab/kota of 31 and all
/// of 99, a DPD dapil, a local party, candidates with and without a party.
pub fn small_election() -> Election {
    let region = |c: &str, name: &str, dpt: u32| RegionInput {
        code: code(c),
        name: name.to_owned(),
        dpt: if dpt == 0 {
            Dpt::default()
        } else {
            Dpt { l: dpt, p: dpt + 1 }
        },
    };
    let tree = RegionTree::build(
        "Indonesia",
        vec![
            region("31", "DKI Jakarta", 0),
            region("31.71", "Kota Jakarta Pusat", 0),
            region("31.71.01", "Gambir", 0),
            region("31.71.01.1001", "Gambir", 0),
            region("31.71.01.1001.001", "TPS 001", 120),
            region("31.71.01.1001.002", "TPS 002", 130),
            region("99", "Luar Negeri", 0),
            region("99.01", "Malaysia", 0),
            region("99.01.01", "Kuala Lumpur", 0),
            region("99.01.01.1000", "TPSLN", 0),
            region("99.01.01.1000.001", "TPSLN 001", 800),
        ],
    )
    .unwrap();
    let parties = vec![
        Party {
            number: 1,
            name: "Partai Satu".into(),
            local: false,
        },
        Party {
            number: 2,
            name: "Partai Dua".into(),
            local: false,
        },
        Party {
            number: 18,
            name: "Partai Lokal".into(),
            local: true,
        },
    ];
    let paslon = vec![
        Paslon {
            number: 1,
            name: "Satu".into(),
        },
        Paslon {
            number: 2,
            name: "Dua".into(),
        },
        Paslon {
            number: 3,
            name: "Tiga".into(),
        },
    ];
    let candidate = |party: Option<u8>, number: u16, name: &str| Candidate {
        party,
        number,
        name: name.to_owned(),
    };
    let dapil = vec![
        Dapil {
            contest: Contest::Dpr,
            code: DapilCode::parse("31-02").unwrap(),
            name: "DKI Jakarta II".into(),
            seats: 7,
            regions: vec![code("31.71"), code("99")],
            parties: vec![2, 1],
            candidates: vec![
                candidate(Some(2), 1, "Ani"),
                candidate(Some(2), 2, "Budi"),
                candidate(Some(1), 1, "Citra"),
            ],
        },
        Dapil {
            contest: Contest::Dpd,
            code: DapilCode::parse("31").unwrap(),
            name: "DKI Jakarta".into(),
            seats: 4,
            regions: vec![code("31")],
            parties: vec![],
            candidates: vec![candidate(None, 1, "Dewi"), candidate(None, 2, "Eko")],
        },
    ];
    Election::new(tree, parties, paslon, dapil).unwrap()
}

/// Everything observable about an election, for comparing two of them.
pub fn snapshot(e: &Election) -> impl PartialEq + std::fmt::Debug {
    let regions: Vec<_> = e.tree.iter().map(|(_, r)| r.clone()).collect();
    (
        regions,
        e.parties.clone(),
        e.paslon.clone(),
        e.dapil.clone(),
    )
}

fn no_progress(_: u64, _: u64) {}

pub fn an_election_round_trips_and_a_second_save_is_refused(h: &impl Harness) {
    let store = h.open();
    let election = small_election();
    store.save_election(&election, &no_progress).unwrap();
    let loaded = store
        .load_election()
        .unwrap()
        .expect("an election is stored");
    assert_eq!(snapshot(&loaded), snapshot(&election));
    assert_eq!(loaded.tree.get(loaded.tree.root()).name, "Indonesia");
    assert_eq!(
        loaded.tree.get(loaded.tree.root()).dpt.total(),
        2 * 1050 + 3
    );
    let overseas = loaded.tree.find(code("99.01.01.1000.001")).unwrap();
    assert_eq!(
        loaded
            .dapil_of(overseas, Contest::Dpr)
            .unwrap()
            .code
            .as_str(),
        "31-02"
    );

    let again = store.save_election(&election, &no_progress);
    assert!(
        matches!(again, Err(StoreError::AlreadyInitialised)),
        "{again:?}"
    );
    assert_eq!(
        snapshot(&store.require_election().unwrap()),
        snapshot(&election)
    );
}

pub fn saving_reports_progress_up_to_the_total(h: &impl Harness) {
    let calls = std::cell::RefCell::new(Vec::new());
    h.open()
        .save_election(&small_election(), &|done, total| {
            calls.borrow_mut().push((done, total))
        })
        .unwrap();
    let calls = calls.into_inner();
    // 12 regions, 3 parties, 3 paslon, 2 dapil with 3 regions, 2 parties
    // and 5 candidates between them.
    assert_eq!(calls.first(), Some(&(0, 30)));
    assert_eq!(calls.last(), Some(&(30, 30)));
}

pub fn an_empty_store_has_no_election(h: &impl Harness) {
    let store = h.open();
    assert!(store.load_election().unwrap().is_none());
    assert!(matches!(
        store.require_election(),
        Err(StoreError::NotInitialised)
    ));
}

pub fn region_names_are_found_by_code(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.region_name(code("31.71")).unwrap(), None);
    store.save_election(&small_election(), &|_, _| {}).unwrap();
    assert_eq!(
        store.region_name(code("31.71")).unwrap().as_deref(),
        Some("Kota Jakarta Pusat")
    );
    assert_eq!(store.region_name(code("31.72")).unwrap(), None);
}

pub fn meta_values_are_set_replaced_and_read(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.meta("seed").unwrap(), None);
    store.set_meta("seed", "42").unwrap();
    store.set_meta("origin", "saksi.example/2024").unwrap();
    store.set_meta("seed", "43").unwrap();
    assert_eq!(store.meta("seed").unwrap().as_deref(), Some("43"));
    assert_eq!(
        store.meta("origin").unwrap().as_deref(),
        Some("saksi.example/2024")
    );
}

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        role: Role::Saksi.id().to_owned(),
        region: code("31.71"),
        party: Some(2),
        paslon: None,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        created_at: UnixTime(1_707_700_000),
    }
}

pub fn users_are_added_found_and_duplicates_refused(h: &impl Harness) {
    let store = h.open();
    let id = store.add_user(&new_user("saksi.31")).unwrap();
    let kpps = NewUser {
        role: Role::Kpps.id().to_owned(),
        region: code("31.71.01.1001.001"),
        party: None,
        password_hash: None,
        ..new_user("kpps-31710110010001")
    };
    let kpps_id = store.add_user(&kpps).unwrap();
    assert_ne!(id, kpps_id);

    let found = store.user_by_username("saksi.31").unwrap().unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.role, Role::Saksi.id());
    assert_eq!(found.region, code("31.71"));
    assert_eq!(found.party, Some(2));
    assert_eq!(found.created_at, UnixTime(1_707_700_000));
    assert_eq!(store.user_by_id(id).unwrap(), Some(found));
    let officer = store.user_by_id(kpps_id).unwrap().unwrap();
    assert_eq!(officer.password_hash, None);
    assert_eq!(officer.party, None);
    // A PPWP pair's witness keeps its pair, not a party.
    let pair = store
        .add_user(&NewUser {
            party: None,
            paslon: Some(2),
            ..new_user("saksi.paslon")
        })
        .unwrap();
    let pair = store.user_by_id(pair).unwrap().unwrap();
    assert_eq!((pair.party, pair.paslon), (None, Some(2)));
    assert_eq!(store.user_by_id(id).unwrap().unwrap().paslon, None);
    assert_eq!(store.user_by_username("nobody").unwrap(), None);
    assert_eq!(store.user_by_id(UserId(kpps_id.0 + 100)).unwrap(), None);

    let again = store.add_user(&NewUser {
        role: Role::Auditor.id().to_owned(),
        ..new_user("saksi.31")
    });
    assert!(
        matches!(&again, Err(StoreError::UsernameTaken(name)) if name == "saksi.31"),
        "{again:?}"
    );
}

pub fn a_batch_of_users_is_added_whole_or_not_at_all(h: &impl Harness) {
    let store = h.open();
    let officers: Vec<NewUser> = ["kpps-a", "kpps-b", "kpps-c"]
        .into_iter()
        .map(new_user)
        .collect();
    let ids = store.add_users(&officers).unwrap();
    assert_eq!(ids.len(), 3);
    let sessions: Vec<Session> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Session {
            token_hash: vec![i as u8; 32],
            user_id: *id,
            created_at: UnixTime(0),
            expires_at: UnixTime(100),
            minted: false,
        })
        .collect();
    store.insert_sessions(&sessions).unwrap();
    let found = store.session_user(&[2; 32], UnixTime(1)).unwrap().unwrap();
    assert_eq!(found.user.username, "kpps-c");

    // The second batch clashes on its last name: none of it is added.
    let clash = vec![new_user("kpps-d"), new_user("kpps-a")];
    assert!(matches!(
        store.add_users(&clash),
        Err(StoreError::UsernameTaken(name)) if name == "kpps-a"
    ));
    assert_eq!(store.user_by_username("kpps-d").unwrap(), None);

    // A name repeated within one batch is taken by its first occurrence.
    let repeated = vec![new_user("kpps-e"), new_user("kpps-f"), new_user("kpps-e")];
    assert!(matches!(
        store.add_users(&repeated),
        Err(StoreError::UsernameTaken(name)) if name == "kpps-e"
    ));
    assert_eq!(store.user_by_username("kpps-e").unwrap(), None);
    assert_eq!(store.user_by_username("kpps-f").unwrap(), None);
}

pub fn sessions_are_honoured_until_they_expire_and_end_at_logout(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.gambir")).unwrap();
    let session = |hash: &[u8], expires_at| Session {
        token_hash: hash.to_vec(),
        user_id: user,
        created_at: UnixTime(1_000),
        expires_at: UnixTime(expires_at),
        minted: false,
    };
    store.insert_session(&session(b"token-a", 2_000)).unwrap();
    store.insert_session(&session(b"token-b", 5_000)).unwrap();

    let found = store
        .session_user(b"token-a", UnixTime(1_999))
        .unwrap()
        .unwrap();
    assert_eq!(found.user.id, user);
    assert_eq!(found.expires_at, UnixTime(2_000));
    assert!(!found.minted);
    assert!(!found.user.totp_enrolled);
    assert_eq!(
        store.session_user(b"token-a", UnixTime(2_000)).unwrap(),
        None
    );
    assert_eq!(
        store.session_user(b"unknown", UnixTime(1_000)).unwrap(),
        None
    );

    let revision = store.account_revision().unwrap();
    assert!(store.end_session(b"token-b", UnixTime(1_000)).unwrap());
    let after = store.account_revision().unwrap();
    assert!(after > revision, "other servers learn of a logout");
    assert!(!store.end_session(b"token-b", UnixTime(1_000)).unwrap());
    assert_eq!(store.account_revision().unwrap(), after);
    assert_eq!(
        store.session_user(b"token-b", UnixTime(1_000)).unwrap(),
        None
    );
}

pub fn usernames_are_found_and_unique_ignoring_case(h: &impl Harness) {
    let store = h.open();
    let id = store.add_user(&new_user("Ketua.PPK")).unwrap();
    for spelling in ["Ketua.PPK", "ketua.ppk", "KETUA.ppk"] {
        let found = store.user_by_username(spelling).unwrap().unwrap();
        assert_eq!(found.id, id, "{spelling}");
        assert_eq!(found.username, "Ketua.PPK", "kept as given");
    }
    for clash in ["ketua.ppk", "KETUA.PPK"] {
        let again = store.add_user(&new_user(clash));
        assert!(
            matches!(&again, Err(StoreError::UsernameTaken(name)) if name == clash),
            "{again:?}"
        );
    }
    // Within one batch too, and the batch writes nothing.
    let batch = store.add_users(&[new_user("anggota"), new_user("Anggota")]);
    assert!(matches!(batch, Err(StoreError::UsernameTaken(name)) if name == "Anggota"));
    assert_eq!(store.user_by_username("anggota").unwrap(), None);
}

/// A session of `user` from 1,000 to `expires_at`.
fn session_of(user: UserId, hash: &[u8], expires_at: i64, minted: bool) -> Session {
    Session {
        token_hash: hash.to_vec(),
        user_id: user,
        created_at: UnixTime(1_000),
        expires_at: UnixTime(expires_at),
        minted,
    }
}

pub fn a_disabled_user_has_no_session_until_enabled_and_old_ones_stay_revoked(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.gambir")).unwrap();
    store
        .insert_session(&session_of(user, b"login", 5_000, false))
        .unwrap();
    store
        .insert_session(&session_of(user, b"minted", 5_000, true))
        .unwrap();
    store
        .insert_session(&session_of(user, b"expired", 1_500, false))
        .unwrap();
    let before = store.account_revision().unwrap();

    assert_eq!(store.set_disabled(user, Some(UnixTime(2_000))).unwrap(), 2);
    assert!(store.account_revision().unwrap() > before);
    let disabled = store.user_by_id(user).unwrap().unwrap();
    assert_eq!(disabled.disabled_at, Some(UnixTime(2_000)));
    // A session made while disabled (a direct insert) is not honoured either.
    store
        .insert_session(&session_of(user, b"during", 5_000, false))
        .unwrap();
    for hash in [&b"login"[..], b"minted", b"during"] {
        assert_eq!(store.session_user(hash, UnixTime(2_001)).unwrap(), None);
    }

    assert_eq!(store.set_disabled(user, None).unwrap(), 0);
    assert_eq!(store.user_by_id(user).unwrap().unwrap().disabled_at, None);
    assert_eq!(store.session_user(b"login", UnixTime(2_002)).unwrap(), None);
    assert_eq!(
        store.session_user(b"minted", UnixTime(2_002)).unwrap(),
        None
    );
    assert!(
        store
            .session_user(b"during", UnixTime(2_002))
            .unwrap()
            .is_some()
    );
}

pub fn a_new_password_or_a_revocation_ends_only_that_users_live_sessions(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.gambir")).unwrap();
    let other = store.add_user(&new_user("ppk.tanahabang")).unwrap();
    store
        .insert_session(&session_of(user, b"a1", 5_000, false))
        .unwrap();
    store
        .insert_session(&session_of(user, b"a2", 5_000, true))
        .unwrap();
    store
        .insert_session(&session_of(other, b"b1", 5_000, false))
        .unwrap();

    let revision = store.account_revision().unwrap();
    assert_eq!(
        store
            .set_password(user, "$argon2id$new", UnixTime(2_000))
            .unwrap(),
        2
    );
    assert!(store.account_revision().unwrap() > revision);
    let found = store.user_by_id(user).unwrap().unwrap();
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!(store.session_user(b"a1", UnixTime(2_001)).unwrap(), None);
    assert_eq!(store.session_user(b"a2", UnixTime(2_001)).unwrap(), None);
    assert!(
        store
            .session_user(b"b1", UnixTime(2_001))
            .unwrap()
            .is_some()
    );

    store
        .insert_session(&session_of(user, b"a3", 5_000, false))
        .unwrap();
    let revision = store.account_revision().unwrap();
    assert_eq!(store.revoke_sessions(user, UnixTime(2_100)).unwrap(), 1);
    assert!(store.account_revision().unwrap() > revision);
    assert_eq!(store.session_user(b"a3", UnixTime(2_101)).unwrap(), None);
    assert_eq!(store.revoke_sessions(user, UnixTime(2_200)).unwrap(), 0);
    assert!(
        store
            .session_user(b"b1", UnixTime(2_201))
            .unwrap()
            .is_some()
    );
}

pub fn accounts_list_users_live_sessions_and_every_minted_token(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.accounts(UnixTime(0)).unwrap(), vec![]);
    let zed = store.add_user(&new_user("zed.auditor")).unwrap();
    let amir = store.add_user(&new_user("Amir")).unwrap();
    store
        .insert_session(&session_of(amir, b"login", 5_000, false))
        .unwrap();
    store
        .insert_session(&session_of(amir, b"minted-1", 5_000, true))
        .unwrap();
    store
        .insert_session(&session_of(amir, b"minted-2", 1_500, true))
        .unwrap();
    store.end_session(b"minted-1", UnixTime(1_200)).unwrap();

    let accounts = store.accounts(UnixTime(2_000)).unwrap();
    let names: Vec<&str> = accounts.iter().map(|a| a.user.username.as_str()).collect();
    assert_eq!(names, ["Amir", "zed.auditor"], "ordered ignoring case");
    assert_eq!(accounts[0].user.id, amir);
    assert_eq!(
        accounts[0].live_sessions, 1,
        "the login; one revoked, one expired"
    );
    let tokens: Vec<(&[u8], Option<UnixTime>)> = accounts[0]
        .tokens
        .iter()
        .map(|t| (t.token_hash.as_slice(), t.revoked_at))
        .collect();
    assert_eq!(
        tokens,
        [
            (&b"minted-1"[..], Some(UnixTime(1_200))),
            (&b"minted-2"[..], None)
        ]
    );
    assert_eq!(accounts[0].tokens[1].expires_at, UnixTime(1_500));
    assert_eq!(accounts[1].user.id, zed);
    assert_eq!(
        (accounts[1].live_sessions, accounts[1].tokens.len()),
        (0, 0)
    );
}

pub fn a_totp_secret_is_pending_until_confirmed_and_then_kept(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.menteng")).unwrap();
    assert_eq!(store.totp(user).unwrap(), None);
    assert!(store.begin_totp(user, b"first", UnixTime(10)).unwrap());
    assert!(store.begin_totp(user, b"second", UnixTime(11)).unwrap());
    let pending = store.totp(user).unwrap().unwrap();
    assert_eq!(pending.sealed_secret, b"second");
    assert!(!pending.confirmed);
    assert!(!store.user_by_id(user).unwrap().unwrap().totp_enrolled);
    // Only the secret pending now is confirmed.
    let revision = store.account_revision().unwrap();
    assert!(
        !store
            .confirm_totp(user, b"first", 5, &[], UnixTime(12))
            .unwrap()
    );
    let codes = [vec![1; 32], vec![2; 32]];
    assert!(
        store
            .confirm_totp(user, b"second", 5, &codes, UnixTime(12))
            .unwrap()
    );
    assert!(
        store.account_revision().unwrap() > revision,
        "sessions gain power"
    );
    let confirmed = store.totp(user).unwrap().unwrap();
    assert!(confirmed.confirmed);
    assert_eq!(confirmed.last_step, Some(5));
    assert!(
        store
            .user_by_username("PPK.menteng")
            .unwrap()
            .unwrap()
            .totp_enrolled
    );
    // A confirmed secret is neither replaced nor confirmed again.
    assert!(!store.begin_totp(user, b"third", UnixTime(13)).unwrap());
    assert!(
        !store
            .confirm_totp(user, b"second", 9, &[], UnixTime(13))
            .unwrap()
    );
    assert_eq!(store.totp(user).unwrap().unwrap(), confirmed);
    let listed = store.accounts(UnixTime(13)).unwrap();
    assert!(listed[0].user.totp_enrolled);
}

pub fn each_totp_step_and_recovery_code_is_used_once(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.tanahabang")).unwrap();
    assert!(!store.use_totp_step(user, 1).unwrap(), "nothing enrolled");
    store.begin_totp(user, b"s", UnixTime(10)).unwrap();
    assert!(!store.use_totp_step(user, 1).unwrap(), "not confirmed");
    store
        .confirm_totp(user, b"s", 100, &[vec![7; 32]], UnixTime(10))
        .unwrap();
    assert!(
        !store.use_totp_step(user, 100).unwrap(),
        "the confirming step"
    );
    assert!(!store.use_totp_step(user, 99).unwrap(), "an earlier step");
    assert!(store.use_totp_step(user, 101).unwrap());
    assert!(!store.use_totp_step(user, 101).unwrap(), "twice");
    assert_eq!(store.totp(user).unwrap().unwrap().last_step, Some(101));
    assert!(
        !store
            .use_recovery_code(user, &[8; 32], UnixTime(11))
            .unwrap()
    );
    assert!(
        store
            .use_recovery_code(user, &[7; 32], UnixTime(11))
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(user, &[7; 32], UnixTime(12))
            .unwrap()
    );
    let other = store.add_user(&new_user("ppk.senen")).unwrap();
    assert!(
        !store
            .use_recovery_code(other, &[7; 32], UnixTime(12))
            .unwrap()
    );
}

pub fn a_totp_reset_removes_the_secret_and_codes_and_ends_sessions(h: &impl Harness) {
    let store = h.open();
    let user = store.add_user(&new_user("ppk.kemayoran")).unwrap();
    store.begin_totp(user, b"s", UnixTime(10)).unwrap();
    store
        .confirm_totp(user, b"s", 1, &[vec![7; 32]], UnixTime(10))
        .unwrap();
    store
        .insert_session(&session_of(user, b"live", 5_000, false))
        .unwrap();
    let revision = store.account_revision().unwrap();
    assert_eq!(store.reset_totp(user, UnixTime(2_000)).unwrap(), 1);
    assert!(store.account_revision().unwrap() > revision);
    assert_eq!(store.totp(user).unwrap(), None);
    assert!(!store.user_by_id(user).unwrap().unwrap().totp_enrolled);
    assert!(
        !store
            .use_recovery_code(user, &[7; 32], UnixTime(2_001))
            .unwrap()
    );
    assert_eq!(store.session_user(b"live", UnixTime(2_001)).unwrap(), None);
    // Enrolled again afresh, with new codes.
    assert!(store.begin_totp(user, b"new", UnixTime(2_002)).unwrap());
    assert!(
        store
            .confirm_totp(user, b"new", 70, &[vec![7; 32]], UnixTime(2_003))
            .unwrap()
    );
    assert!(
        store
            .use_recovery_code(user, &[7; 32], UnixTime(2_004))
            .unwrap()
    );
}

pub fn account_operations_on_an_unknown_user_are_refused(h: &impl Harness) {
    let store = h.open();
    let missing = UserId(4_242);
    let revision = store.account_revision().unwrap();
    for result in [
        store.set_disabled(missing, Some(UnixTime(1))),
        store.set_password(missing, "$argon2id$x", UnixTime(1)),
        store.revoke_sessions(missing, UnixTime(1)),
        store.reset_totp(missing, UnixTime(1)),
        store
            .begin_totp(missing, b"sealed", UnixTime(1))
            .map(u64::from),
    ] {
        assert!(
            matches!(result, Err(StoreError::NoSuchUser(4_242))),
            "{result:?}"
        );
    }
    assert_eq!(
        store.account_revision().unwrap(),
        revision,
        "nothing written"
    );
}

/// A version of a form with recognisable content.
pub fn version(tps: &str, contest: Contest, version: u32, log_index: u64) -> StoredVersion {
    StoredVersion {
        tps: code(tps),
        contest,
        version,
        log_index,
        form_json: format!(r#"{{"suara_sah":{log_index}}}"#),
        warnings_json: "[]".to_owned(),
        submitted_by: format!("user:{log_index}"),
        submitted_at: UnixTime(1_707_800_000 + log_index as i64),
        request: Some(RequestKey {
            key: format!("key-{log_index}"),
            request_hash: vec![log_index as u8; 32],
        }),
    }
}

fn record(principal: &str, key: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        principal: principal.to_owned(),
        key: key.to_owned(),
        request_hash: vec![7; 32],
        response_status: 201,
        response_body: r#"{"version":1}"#.to_owned(),
        created_at: UnixTime(1_707_800_000),
    }
}

const TPS1: &str = "31.71.01.1001.001";
const TPS2: &str = "31.71.01.1001.002";
const TPSLN: &str = "99.01.01.1000.001";

pub fn a_batch_is_written_whole_or_not_at_all(h: &impl Harness) {
    let store = h.open();
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 1, 0)],
            idempotency: vec![record("user:1", "k0")],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();

    // The second insert repeats (TPS1, ppwp, 1): the batch must leave no trace.
    let failed = store.commit_batch(&Batch {
        versions: vec![
            version(TPS2, Contest::Ppwp, 1, 1),
            version(TPS1, Contest::Ppwp, 1, 2),
        ],
        idempotency: vec![record("user:2", "k1")],
        entries: vec![],
        ..Default::default()
    });
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    assert_eq!(store.current_form(code(TPS2), Contest::Ppwp).unwrap(), None);
    assert_eq!(store.idempotency("user:2", "k1").unwrap(), None);
    assert_eq!(store.log_size().unwrap(), 1);
    assert_eq!(store.form_versions(code(TPS1)).unwrap().len(), 1);

    // A failed batch leaves the store usable for the next one.
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS2, Contest::Ppwp, 1, 1)],
            idempotency: vec![record("user:2", "k1")],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.log_size().unwrap(), 2);
    assert!(store.idempotency("user:2", "k1").unwrap().is_some());
}

pub fn a_reused_log_index_is_a_conflict(h: &impl Harness) {
    let store = h.open();
    let batch = |v| Batch {
        versions: vec![v],
        idempotency: vec![],
        entries: vec![],
        ..Default::default()
    };
    store
        .commit_batch(&batch(version(TPS1, Contest::Ppwp, 1, 0)))
        .unwrap();
    let reused = store.commit_batch(&batch(version(TPS2, Contest::Dpr, 1, 0)));
    assert!(matches!(reused, Err(StoreError::Conflict(_))), "{reused:?}");
    let replayed = store.commit_batch(&Batch {
        versions: vec![],
        idempotency: vec![record("p", "k"), record("p", "k")],
        entries: vec![],
        ..Default::default()
    });
    assert!(
        matches!(replayed, Err(StoreError::Conflict(_))),
        "{replayed:?}"
    );
    assert_eq!(store.idempotency("p", "k").unwrap(), None);
}

pub fn current_form_is_the_latest_version(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.current_form(code(TPS1), Contest::Dpr).unwrap(), None);
    store
        .commit_batch(&Batch {
            versions: vec![
                version(TPS1, Contest::Dpr, 1, 0),
                version(TPS1, Contest::Ppwp, 1, 1),
            ],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Dpr, 2, 2)],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    let current = store.current_form(code(TPS1), Contest::Dpr).unwrap();
    assert_eq!(current, Some(version(TPS1, Contest::Dpr, 2, 2)));
    let ppwp = store.current_form(code(TPS1), Contest::Ppwp).unwrap();
    assert_eq!(ppwp, Some(version(TPS1, Contest::Ppwp, 1, 1)));
    assert_eq!(store.current_form(code(TPS2), Contest::Dpr).unwrap(), None);
}

pub fn tps_with_warnings_are_those_whose_current_form_has_any(h: &impl Harness) {
    let store = h.open();
    let warned = |v: StoredVersion| StoredVersion {
        warnings_json: r#"[{"code":"tps.turnout_high"}]"#.to_owned(),
        ..v
    };
    store
        .commit_batch(&Batch {
            versions: vec![
                // TPS1: warned in PPWP, then corrected without warnings;
                // warned in DPR and still so.
                warned(version(TPS1, Contest::Ppwp, 1, 0)),
                version(TPS1, Contest::Ppwp, 2, 1),
                warned(version(TPS1, Contest::Dpr, 1, 2)),
                // TPS2: warned, then corrected: nothing left.
                warned(version(TPS2, Contest::Ppwp, 1, 3)),
                version(TPS2, Contest::Ppwp, 2, 4),
                warned(version(TPSLN, Contest::Ppwp, 1, 5)),
            ],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    let under = |region: &str| store.tps_with_warnings(code(region)).unwrap();
    assert_eq!(under("31.71.01"), [code(TPS1)]);
    assert_eq!(under("31.71"), [code(TPS1)]);
    assert_eq!(under("31"), [code(TPS1)]);
    assert_eq!(under("0"), [code(TPS1), code(TPSLN)]);
    assert_eq!(under("99.01.01.1000"), [code(TPSLN)]);
    assert_eq!(under("31.71.01.1001"), [code(TPS1)]);
    assert!(under("31.71.02").is_empty());
    assert!(under("32").is_empty());
}

pub fn current_forms_under_a_region_come_with_their_entries_in_code_order(h: &impl Harness) {
    let store = h.open();
    assert!(
        store
            .current_forms(code("31.71.01"), Contest::Ppwp)
            .unwrap()
            .is_empty()
    );
    // TPS2's version 1 was stored before the log: no entry.
    store
        .commit_batch(&Batch {
            versions: vec![
                version(TPS2, Contest::Ppwp, 1, 0),
                version(TPS1, Contest::Ppwp, 1, 1),
                version(TPS1, Contest::Dpr, 1, 2),
                version(TPSLN, Contest::Ppwp, 1, 3),
            ],
            entries: vec![entry(1), entry(2), entry(3)],
            ..Default::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 2, 4)],
            entries: vec![entry(4)],
            ..Default::default()
        })
        .unwrap();
    let under = |region: &str, contest| store.current_forms(code(region), contest).unwrap();
    let ppwp = under("31.71.01", Contest::Ppwp);
    let found: Vec<_> = ppwp
        .iter()
        .map(|v| (v.version.clone(), v.entry.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (version(TPS1, Contest::Ppwp, 2, 4), Some(entry(4))),
            (version(TPS2, Contest::Ppwp, 1, 0), None),
        ]
    );
    assert_eq!(under("31.71.01", Contest::Dpr).len(), 1);
    assert_eq!(under("0", Contest::Ppwp).len(), 3);
    assert!(under("31.71.02", Contest::Ppwp).is_empty());
    assert!(under("31.71.01", Contest::Dpd).is_empty());
}

pub fn form_versions_lists_every_version_in_ballot_order(h: &impl Harness) {
    let store = h.open();
    let without_key = StoredVersion {
        request: None,
        ..version(TPS1, Contest::Dpd, 1, 3)
    };
    store
        .commit_batch(&Batch {
            versions: vec![
                version(TPS1, Contest::DprdKabkota, 1, 0),
                version(TPS1, Contest::Ppwp, 1, 1),
                version(TPS2, Contest::Ppwp, 1, 2),
                without_key.clone(),
                version(TPS1, Contest::Ppwp, 2, 4),
            ],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    let listed: Vec<(Contest, u32)> = store
        .form_versions(code(TPS1))
        .unwrap()
        .into_iter()
        .map(|v| (v.contest, v.version))
        .collect();
    assert_eq!(
        listed,
        [
            (Contest::Ppwp, 1),
            (Contest::Ppwp, 2),
            (Contest::Dpd, 1),
            (Contest::DprdKabkota, 1),
        ]
    );
    let dpd = store.current_form(code(TPS1), Contest::Dpd).unwrap();
    assert_eq!(dpd, Some(without_key));
    assert!(store.form_versions(code(TPSLN)).unwrap().is_empty());
}

pub fn idempotency_keys_stream_every_recorded_key(h: &impl Harness) {
    let store = h.open();
    let mut seen = Vec::new();
    store
        .for_each_idempotency_key(&mut |p, k| seen.push((p.to_owned(), k.to_owned())))
        .unwrap();
    assert!(seen.is_empty());
    let record = |principal: &str, key: &str| IdempotencyRecord {
        principal: principal.to_owned(),
        key: key.to_owned(),
        request_hash: vec![1; 32],
        response_status: 201,
        response_body: "{}".to_owned(),
        created_at: UnixTime(5),
    };
    store
        .commit_batch(&Batch {
            idempotency: vec![
                record("user:1", "a"),
                record("user:2", "a"),
                record("user:1", "b"),
            ],
            ..Batch::default()
        })
        .unwrap();
    store
        .for_each_idempotency_key(&mut |p, k| seen.push((p.to_owned(), k.to_owned())))
        .unwrap();
    seen.sort();
    let expected: Vec<(String, String)> = [("user:1", "a"), ("user:1", "b"), ("user:2", "a")]
        .iter()
        .map(|(p, k)| (p.to_string(), k.to_string()))
        .collect();
    assert_eq!(seen, expected);
}

pub fn idempotency_records_round_trip(h: &impl Harness) {
    let store = h.open();
    let first = IdempotencyRecord {
        response_status: 422,
        response_body: r#"{"error":{"code":"idempotency.key_reused"}}"#.to_owned(),
        ..record("device:abc", "retry-1")
    };
    store
        .commit_batch(&Batch {
            versions: vec![],
            idempotency: vec![first.clone(), record("user:9", "retry-1")],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        store.idempotency("device:abc", "retry-1").unwrap(),
        Some(first)
    );
    assert_eq!(
        store.idempotency("user:9", "retry-1").unwrap(),
        Some(record("user:9", "retry-1"))
    );
    assert_eq!(store.idempotency("device:abc", "retry-2").unwrap(), None);
}

pub fn log_size_is_the_count_of_accepted_versions(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.log_size().unwrap(), 0);
    let mut next = 0;
    for (tps, size) in [(TPS1, 3), (TPS2, 1), (TPSLN, 2)] {
        let versions = (0..size)
            .map(|i| {
                next += 1;
                version(tps, Contest::Ppwp, i + 1, next - 1)
            })
            .collect();
        store
            .commit_batch(&Batch {
                versions,
                idempotency: vec![],
                entries: vec![],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(store.log_size().unwrap(), next);
    }
    assert_eq!(store.log_size().unwrap(), 6);
}

pub fn for_each_current_form_streams_latest_versions_in_log_order(h: &impl Harness) {
    let store = h.open();
    let versions = vec![
        version(TPS1, Contest::Ppwp, 1, 0),
        version(TPS2, Contest::Ppwp, 1, 1),
        version(TPS1, Contest::Dpr, 1, 2),
        version(TPS1, Contest::Ppwp, 2, 3),
        version(TPSLN, Contest::Dpr, 1, 4),
        version(TPS1, Contest::Ppwp, 3, 5),
        version(TPS2, Contest::Dpd, 1, 6),
    ];
    store
        .commit_batch(&Batch {
            versions,
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    let mut seen = Vec::new();
    store.for_each_current_form(&mut |v| seen.push(v)).unwrap();
    let indexes: Vec<u64> = seen.iter().map(|v| v.log_index).collect();
    assert_eq!(indexes, [1, 2, 4, 5, 6]);
    assert_eq!(seen[3], version(TPS1, Contest::Ppwp, 3, 5));
}

pub fn a_second_handle_sees_a_new_user_at_once(h: &impl Harness) {
    let server = h.open();
    // Warm the first handle's readers up, as a running server's would be.
    assert_eq!(server.user_by_username("kpu.ri").unwrap(), None);
    let cli = h.open();
    let id = cli
        .add_user(&NewUser {
            role: Role::KpuRi.id().to_owned(),
            region: RegionCode::NASIONAL,
            party: None,
            ..new_user("kpu.ri")
        })
        .unwrap();
    drop(cli);
    let found = server.user_by_username("kpu.ri").unwrap().unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.region, RegionCode::NASIONAL);
}

pub fn a_second_handle_sees_a_committed_batch_at_once(h: &impl Harness) {
    let writer = h.open();
    let reader = h.open();
    assert_eq!(reader.log_size().unwrap(), 0);
    writer
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 1, 0)],
            idempotency: vec![],
            entries: vec![],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(reader.log_size().unwrap(), 1);
    assert_eq!(
        reader.current_form(code(TPS1), Contest::Ppwp).unwrap(),
        Some(version(TPS1, Contest::Ppwp, 1, 0))
    );
}

/// The server's sequencer and a `saksi user add` writing at the same time:
/// each waits for the other's transaction instead of failing as busy.
pub fn writers_on_two_handles_wait_for_each_other_rather_than_fail(h: &impl Harness) {
    let server = h.open();
    let cli = h.open();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..200 {
                let versions = (0..50)
                    .map(|j| {
                        let n = i * 50 + j;
                        let tps = format!("31.71.01.1001.{:03}", n % 999 + 1);
                        version(&tps, Contest::Ppwp, (n / 999) as u32 + 1, n)
                    })
                    .collect();
                server
                    .commit_batch(&Batch {
                        versions,
                        idempotency: vec![],
                        entries: vec![],
                        ..Default::default()
                    })
                    .unwrap();
            }
        });
        s.spawn(|| {
            for i in 0..100 {
                cli.add_user(&new_user(&format!("user{i}"))).unwrap();
            }
        });
    });
    assert_eq!(server.log_size().unwrap(), 10_000);
    assert!(server.user_by_username("user99").unwrap().is_some());
}

/// A log entry with recognisable bytes (the store treats them as opaque).
pub fn entry(index: u64) -> LogEntry {
    LogEntry {
        index,
        data: format!(r#"{{"i":{index}}}"#).into_bytes(),
        leaf_hash: [index as u8; 32],
    }
}

pub fn photos_are_named_with_their_entry_and_never_by_a_refused_batch(h: &impl Harness) {
    let store = h.open();
    let name = |sha256: u8, log_index| PhotoName {
        sha256: [sha256; 32],
        log_index,
    };
    assert!(!store.photo_named(&[1; 32]).unwrap());
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 1, 0)],
            entries: vec![entry(0)],
            // A statement naming one photo twice.
            photos: vec![name(1, 0), name(2, 0), name(1, 0)],
            ..Default::default()
        })
        .unwrap();
    // Another version naming a photo already named.
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 2, 1)],
            entries: vec![entry(1)],
            photos: vec![name(2, 1)],
            ..Default::default()
        })
        .unwrap();
    // A refused batch (its log index is taken) names nothing.
    let refused = store.commit_batch(&Batch {
        versions: vec![version(TPS2, Contest::Ppwp, 1, 1)],
        entries: vec![entry(1)],
        photos: vec![name(3, 1)],
        ..Default::default()
    });
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let reopened = h.open();
    for s in [&store, &reopened] {
        assert!(s.photo_named(&[1; 32]).unwrap());
        assert!(s.photo_named(&[2; 32]).unwrap());
        assert!(
            !s.photo_named(&[3; 32]).unwrap(),
            "named by a refused batch"
        );
        assert!(!s.photo_named(&[4; 32]).unwrap());
    }
}

/// A `form` v2 log entry naming `photos`, as the server logs a signed
/// statement (docs/log-entries.md; only the members a migration reads).
pub fn old_form_entry(index: u64, photos: &[[u8; 32]]) -> LogEntry {
    let photos: Vec<String> = photos.iter().map(|p| format!("\"{}\"", hex(p))).collect();
    LogEntry {
        index,
        data: format!(
            r#"{{"logged_at":"2024-02-14T13:05:09Z","statement":{{"photos":[{}],"type":"form"}},"type":"form","v":2}}"#,
            photos.join(",")
        )
        .into_bytes(),
        leaf_hash: [index as u8; 32],
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn log_entries_are_written_with_their_batch_and_read_back_in_order(h: &impl Harness) {
    let store = h.open();
    assert_eq!(store.log_entries(0, 10).unwrap(), vec![]);
    store
        .commit_batch(&Batch {
            versions: vec![
                version(TPS1, Contest::Ppwp, 1, 0),
                version(TPS2, Contest::Ppwp, 1, 1),
            ],
            idempotency: vec![],
            entries: vec![entry(0), entry(1)],
            ..Default::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 2, 2)],
            idempotency: vec![],
            entries: vec![entry(2)],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        store.log_entries(0, 3).unwrap(),
        vec![entry(0), entry(1), entry(2)]
    );
    assert_eq!(store.log_entries(1, 2).unwrap(), vec![entry(1)]);
    assert_eq!(store.log_entries(2, u64::MAX).unwrap(), vec![entry(2)]);
    assert_eq!(store.log_entries(2, 2).unwrap(), vec![]);
    assert_eq!(store.log_entries(3, 1).unwrap(), vec![]);
    assert_eq!(store.log_entries(u64::MAX - 1, u64::MAX).unwrap(), vec![]);
    // Another handle (another process) sees them at once.
    assert_eq!(h.open().log_entries(0, 3).unwrap().len(), 3);
}

pub fn leaf_hashes_stream_in_index_order(h: &impl Harness) {
    let store = h.open();
    let mut seen = Vec::new();
    store
        .for_each_leaf_hash(&mut |i, hash| seen.push((i, hash)))
        .unwrap();
    assert!(seen.is_empty());
    // Written out of order within a batch, and over several batches.
    store
        .commit_batch(&Batch {
            entries: vec![entry(1), entry(0)],
            ..Batch::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            entries: (2..300).map(entry).collect(),
            ..Batch::default()
        })
        .unwrap();
    store
        .for_each_leaf_hash(&mut |i, hash| seen.push((i, hash)))
        .unwrap();
    let expected: Vec<(u64, [u8; 32])> = (0..300).map(|i| (i, [i as u8; 32])).collect();
    assert_eq!(seen, expected);
}

pub fn a_reused_log_entry_index_is_a_conflict_and_writes_nothing(h: &impl Harness) {
    let store = h.open();
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 1, 0)],
            idempotency: vec![],
            entries: vec![entry(0)],
            ..Default::default()
        })
        .unwrap();
    let reused = store.commit_batch(&Batch {
        versions: vec![version(TPS2, Contest::Ppwp, 1, 1)],
        idempotency: vec![record("user:2", "k")],
        entries: vec![entry(1), entry(0)],
        ..Default::default()
    });
    assert!(matches!(reused, Err(StoreError::Conflict(_))), "{reused:?}");
    assert_eq!(store.log_entries(0, 10).unwrap(), vec![entry(0)]);
    assert_eq!(store.current_form(code(TPS2), Contest::Ppwp).unwrap(), None);
    assert_eq!(store.idempotency("user:2", "k").unwrap(), None);
    assert_eq!(store.log_size().unwrap(), 1);
}

pub fn log_size_counts_entries_and_versions(h: &impl Harness) {
    let store = h.open();
    store
        .commit_batch(&Batch {
            entries: vec![entry(0), entry(1)],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(store.log_size().unwrap(), 2);
    // A version without its entry (a database from before the log) still
    // counts, so the server can tell the two apart.
    store
        .commit_batch(&Batch {
            versions: vec![version(TPS1, Contest::Ppwp, 1, 2)],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(store.log_size().unwrap(), 3);
}

fn stored_key(name: &str, role: &str, region: &str, index: u64) -> StoredKey {
    StoredKey {
        key: format!("{name}+01020304+AQID"),
        role: role.to_owned(),
        region: code(region),
        valid_from: UnixTime(1_700_000_000),
        valid_until: UnixTime(1_800_000_000),
        registered_at: index,
        revoked_at: None,
        commissioner: false,
    }
}

pub fn recap_entries_are_read_back_in_log_order(h: &impl Harness) {
    let store = h.open();
    assert!(store.recap_entries().unwrap().is_empty());
    for (start, recap) in [(0, vec![1]), (3, vec![3, 5])] {
        store
            .commit_batch(&Batch {
                entries: (start..start + 3).map(entry).collect(),
                recap,
                ..Batch::default()
            })
            .unwrap();
    }
    let read: Vec<LogEntry> = store.recap_entries().unwrap();
    assert_eq!(read, vec![entry(1), entry(3), entry(5)]);
    // A recap index with no entry of its batch is refused, and the batch
    // with it.
    let orphan = store.commit_batch(&Batch {
        entries: vec![entry(6)],
        recap: vec![60],
        ..Batch::default()
    });
    assert!(orphan.is_err(), "{orphan:?}");
    assert_eq!(store.log_size().unwrap(), 6);
    assert_eq!(
        h.open().recap_entries().unwrap().len(),
        3,
        "seen by a second handle"
    );
}

pub fn logistics_entries_are_read_back_in_log_order_apart_from_the_recap_s(h: &impl Harness) {
    let store = h.open();
    assert!(store.logistics_entries().unwrap().is_empty());
    store
        .commit_batch(&Batch {
            entries: (0..4).map(entry).collect(),
            recap: vec![1],
            logistics: vec![0, 2],
            ..Batch::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            entries: vec![entry(4)],
            logistics: vec![4],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(
        store.logistics_entries().unwrap(),
        vec![entry(0), entry(2), entry(4)]
    );
    assert_eq!(store.recap_entries().unwrap(), vec![entry(1)]);
    // An index with no entry of its batch is refused, and the batch with
    // it; an index marked twice too.
    for logistics in [vec![50], vec![2]] {
        let refused = store.commit_batch(&Batch {
            entries: vec![entry(5)],
            logistics,
            ..Batch::default()
        });
        assert!(refused.is_err(), "{refused:?}");
    }
    assert_eq!(store.log_size().unwrap(), 5);
    assert_eq!(
        h.open().logistics_entries().unwrap().len(),
        3,
        "seen by a second handle"
    );
}

pub fn keys_are_registered_revoked_and_listed_in_log_order(h: &impl Harness) {
    let store = h.open();
    assert!(store.keys().unwrap().is_empty());
    // A commissioner's key says so after a restart (the sign-off quorum
    // counts those keys only).
    let prov = StoredKey {
        commissioner: true,
        ..stored_key("prov", "kpu-prov", "31", 1)
    };
    let kpps = stored_key("kpps", "kpps", TPS1, 0);
    store
        .commit_batch(&Batch {
            entries: vec![entry(0), entry(1)],
            keys: vec![prov.clone(), kpps.clone()],
            ..Batch::default()
        })
        .unwrap();
    store
        .commit_batch(&Batch {
            entries: vec![entry(2)],
            revocations: vec![KeyRevocation {
                key: kpps.key.clone(),
                log_index: 2,
            }],
            ..Batch::default()
        })
        .unwrap();
    let revoked = StoredKey {
        revoked_at: Some(2),
        ..kpps
    };
    assert_eq!(store.keys().unwrap(), vec![revoked, prov]);
    assert_eq!(h.open().keys().unwrap().len(), 2, "seen by a second handle");
}

pub fn a_key_registered_twice_or_a_bad_revocation_is_a_conflict_and_writes_nothing(
    h: &impl Harness,
) {
    let store = h.open();
    let kpps = stored_key("kpps", "kpps", TPS1, 0);
    store
        .commit_batch(&Batch {
            entries: vec![entry(0)],
            keys: vec![kpps.clone()],
            ..Batch::default()
        })
        .unwrap();
    let again = store.commit_batch(&Batch {
        entries: vec![entry(1)],
        keys: vec![StoredKey {
            registered_at: 1,
            ..kpps.clone()
        }],
        ..Batch::default()
    });
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let unknown = store.commit_batch(&Batch {
        entries: vec![entry(1)],
        revocations: vec![KeyRevocation {
            key: "nobody+01020304+AQID".to_owned(),
            log_index: 1,
        }],
        ..Batch::default()
    });
    assert!(
        matches!(unknown, Err(StoreError::Conflict(_))),
        "{unknown:?}"
    );
    let revoke = |index| Batch {
        entries: vec![entry(index)],
        revocations: vec![KeyRevocation {
            key: kpps.key.clone(),
            log_index: index,
        }],
        ..Batch::default()
    };
    store.commit_batch(&revoke(1)).unwrap();
    let twice = store.commit_batch(&revoke(2));
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(
        store.log_size().unwrap(),
        2,
        "nothing of the refused batches"
    );
    assert_eq!(store.keys().unwrap()[0].revoked_at, Some(1));
}

pub fn the_database_clock_is_in_milliseconds_since_the_epoch(h: &impl Harness) {
    let store = h.open();
    let system = |()| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    let before = system(());
    let first = store.database_now_ms().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = store.database_now_ms().unwrap();
    // The database runs on this machine (or one whose clock is kept close).
    assert!((first - before).abs() < 60_000, "{first} vs {before}");
    assert!(
        second >= first + 10,
        "the clock moves: {first} then {second}"
    );
}

/// The time every lease test starts at (milliseconds; the store takes the
/// caller's `now_ms`, so no test depends on the real clock).
const T0: i64 = 1_707_800_000_000;
const TTL: i64 = 10_000;

/// The lease granted to `holder` at `now_ms`, or a failure that shows why not.
fn granted(store: &impl Store, holder: &str, now_ms: i64) -> Lease {
    match store.acquire_lease(holder, now_ms, TTL).unwrap() {
        LeaseOutcome::Granted(lease) => lease,
        held => panic!("{holder} was not granted the lease at {now_ms}: {held:?}"),
    }
}

pub fn a_fresh_store_grants_the_lease_with_a_first_token(h: &impl Harness) {
    let store = h.open();
    let lease = granted(&store, "host-a:1", T0);
    assert_eq!(lease.holder, "host-a:1");
    assert!(lease.token >= 1, "{lease:?}");
    assert_eq!(lease.expires_at_ms, T0 + TTL);
    store.check_fence(lease.token).unwrap();
    // A handle of another process sees it.
    h.open().check_fence(lease.token).unwrap();
}

pub fn a_held_lease_is_refused_until_it_expires_then_taken_over_with_a_greater_token(
    h: &impl Harness,
) {
    let a = h.open();
    let b = h.open();
    let first = granted(&a, "host-a:1", T0);
    for now in [T0, T0 + 5_000, T0 + TTL - 1] {
        assert_eq!(
            b.acquire_lease("host-b:2", now, TTL).unwrap(),
            LeaseOutcome::Held(first.clone()),
            "at {now}"
        );
    }
    // The holder itself is not granted a second token while it holds one.
    assert!(matches!(
        a.acquire_lease("host-a:1", T0 + 1, TTL).unwrap(),
        LeaseOutcome::Held(_)
    ));
    let second = granted(&b, "host-b:2", T0 + TTL);
    assert!(second.token > first.token, "{second:?} after {first:?}");
    assert_eq!(second.expires_at_ms, T0 + 2 * TTL);
    assert!(matches!(
        a.check_fence(first.token),
        Err(StoreError::Fenced { current }) if current == second.token
    ));
    b.check_fence(second.token).unwrap();
    // And again: tokens only grow.
    let third = granted(&a, "host-a:3", T0 + 5 * TTL);
    assert!(third.token > second.token);
}

pub fn a_renewed_lease_stays_held_and_an_old_token_cannot_renew(h: &impl Harness) {
    let a = h.open();
    let b = h.open();
    let first = granted(&a, "host-a:1", T0);
    assert!(a.renew_lease(first.token, T0 + 3_000, TTL).unwrap());
    let held = b.acquire_lease("host-b:2", T0 + TTL + 1, TTL).unwrap();
    assert_eq!(
        held,
        LeaseOutcome::Held(Lease {
            expires_at_ms: T0 + 3_000 + TTL,
            ..first.clone()
        })
    );
    // A renewal never shortens the lease (a clock read a little behind).
    assert!(a.renew_lease(first.token, T0, TTL).unwrap());
    assert!(matches!(
        b.acquire_lease("host-b:2", T0 + TTL + 1, TTL).unwrap(),
        LeaseOutcome::Held(Lease { expires_at_ms, .. }) if expires_at_ms == T0 + 3_000 + TTL
    ));
    // Expired but not taken over: still the holder's to renew.
    assert!(a.renew_lease(first.token, T0 + 60_000, TTL).unwrap());
    assert!(matches!(
        b.acquire_lease("host-b:2", T0 + 60_000 + TTL - 1, TTL)
            .unwrap(),
        LeaseOutcome::Held(_)
    ));
    let second = granted(&b, "host-b:2", T0 + 60_000 + TTL);
    assert!(
        !a.renew_lease(first.token, T0 + 60_000 + TTL, TTL).unwrap(),
        "a lease taken over is lost for good"
    );
    assert!(!a.renew_lease(second.token + 1, T0, TTL).unwrap());
    assert!(b.renew_lease(second.token, T0 + 61_000 + TTL, TTL).unwrap());
}

pub fn a_released_lease_is_granted_at_once_and_only_its_holder_releases_it(h: &impl Harness) {
    let a = h.open();
    let b = h.open();
    let first = granted(&a, "host-a:1", T0);
    assert!(!b.release_lease(first.token + 1, T0 + 1_000).unwrap());
    assert!(matches!(
        b.acquire_lease("host-b:2", T0 + 1_000, TTL).unwrap(),
        LeaseOutcome::Held(_)
    ));
    assert!(a.release_lease(first.token, T0 + 1_000).unwrap());
    let second = granted(&b, "host-b:2", T0 + 1_000);
    assert!(second.token > first.token);
    // The old holder can release nothing any more.
    assert!(!a.release_lease(first.token, T0 + 2_000).unwrap());
    assert!(matches!(
        a.acquire_lease("host-a:1", T0 + 2_000, TTL).unwrap(),
        LeaseOutcome::Held(Lease { token, .. }) if token == second.token
    ));
}

pub fn a_batch_with_a_stale_fencing_token_is_refused_and_writes_nothing(h: &impl Harness) {
    let a = h.open();
    let b = h.open();
    let first = granted(&a, "host-a:1", T0);
    a.commit_batch(&Batch {
        versions: vec![version(TPS1, Contest::Ppwp, 1, 0)],
        entries: vec![entry(0)],
        fencing: Some(first.token),
        ..Batch::default()
    })
    .unwrap();
    // The lease expires (the writer was paused) and another server takes it.
    let second = granted(&b, "host-b:2", T0 + TTL);
    let stale = Batch {
        versions: vec![version(TPS2, Contest::Ppwp, 1, 1)],
        idempotency: vec![record("user:2", "k")],
        entries: vec![entry(1)],
        keys: vec![stored_key("kpps", "kpps", TPS2, 1)],
        fencing: Some(first.token),
        ..Batch::default()
    };
    let refused = a.commit_batch(&stale);
    assert!(
        matches!(refused, Err(StoreError::Fenced { current }) if current == second.token),
        "{refused:?}"
    );
    assert_eq!(a.log_size().unwrap(), 1, "nothing of it was written");
    assert_eq!(a.log_entries(0, 10).unwrap(), vec![entry(0)]);
    assert_eq!(a.current_form(code(TPS2), Contest::Ppwp).unwrap(), None);
    assert_eq!(a.idempotency("user:2", "k").unwrap(), None);
    assert!(a.keys().unwrap().is_empty());
    // A token that was never granted is refused too.
    let future = a.commit_batch(&Batch {
        fencing: Some(second.token + 1),
        ..stale.clone()
    });
    assert!(
        matches!(future, Err(StoreError::Fenced { .. })),
        "{future:?}"
    );
    // The current holder writes the same batch.
    b.commit_batch(&Batch {
        fencing: Some(second.token),
        ..stale
    })
    .unwrap();
    assert_eq!(b.log_size().unwrap(), 2);
    // A batch without a token (tests, tools) is not checked.
    a.commit_batch(&Batch {
        entries: vec![entry(2)],
        ..Batch::default()
    })
    .unwrap();
    assert_eq!(a.log_size().unwrap(), 3);
}

/// Four servers starting at the same moment on their own handles: one
/// gets the lease, the others see it held by that one.
pub fn of_servers_asking_at_once_exactly_one_is_granted(h: &impl Harness) {
    let stores: Vec<_> = (0..4).map(|_| h.open()).collect();
    let outcomes: Vec<LeaseOutcome> = std::thread::scope(|s| {
        let asking: Vec<_> = stores
            .iter()
            .enumerate()
            .map(|(i, store)| s.spawn(move || store.acquire_lease(&format!("host:{i}"), T0, TTL)))
            .collect();
        asking
            .into_iter()
            .map(|t| t.join().unwrap().unwrap())
            .collect()
    });
    let winners: Vec<&Lease> = outcomes
        .iter()
        .filter_map(|o| match o {
            LeaseOutcome::Granted(l) => Some(l),
            LeaseOutcome::Held(_) => None,
        })
        .collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    for o in &outcomes {
        if let LeaseOutcome::Held(held) = o {
            assert_eq!(held, winners[0]);
        }
    }
}

/// An incident at TPS1 filed at `at`, after event `seq` in `state`.
fn incident(state: &Public, seq: u32, at: i64) -> StoredIncident {
    StoredIncident {
        id: [7; 16],
        record: Record {
            public: state.clone(),
            seq,
            filed_at: UnixTime(1000),
            acked_at: (seq > 0).then_some(UnixTime(at)),
            resolved_at: None,
        },
        // Written by the filing only; the assignee by an assignment only.
        reporter: if seq == 0 {
            "kpps-1".into()
        } else {
            String::new()
        },
        assignee: (seq == 2).then(|| "staf-kab".into()),
    }
}

fn incident_event(seq: u32, log_index: u64, action: Action, actor: Actor) -> StoredIncidentEvent {
    StoredIncidentEvent {
        seq,
        log_index,
        action,
        actor,
        username: (actor != Actor::SYSTEM).then(|| format!("user-{seq}")),
        at: UnixTime(1000 + i64::from(seq)),
        private: (actor != Actor::SYSTEM).then(|| IncidentPrivate {
            salt: [seq as u8; 32],
            content: format!(r#"{{"text":"{seq}"}}"#).into_bytes(),
        }),
    }
}

pub fn incidents_are_written_with_their_events_and_read_back(h: &impl Harness) {
    let store = h.open();
    let tps = code(TPS1);
    let filed = Public::filed(
        tps,
        tps,
        Category::Logistics,
        Severity::Critical,
        vec![Contest::Dpr, Contest::Ppwp],
        UnixTime(1000),
        &Deadlines::default(),
    )
    .unwrap();
    let kpps = Actor::officer(Role::Kpps, tps);
    let owner = Actor::officer(Role::KpuKabkota, code("31.71"));
    let step = |action, actor, at| Step {
        action,
        actor,
        at: UnixTime(at),
    };
    let acked = filed
        .next(
            step(Action::Acknowledge, owner, 1001),
            &Deadlines::default(),
        )
        .unwrap();
    let escalated = acked
        .next(
            step(Action::Escalate, Actor::SYSTEM, 1000 + 2 * 3600),
            &Deadlines::default(),
        )
        .unwrap();
    assert!(store.incident(&[7; 16]).unwrap().is_none());
    // A webhook told of filings and escalations: their deliveries are
    // stored with the events, none for a refused batch.
    let hook = store
        .add_webhook(&NewWebhook {
            url: "http://hook.example/".into(),
            events: vec!["new".into(), "escalated".into()],
            secret: "s".into(),
            created_at: UnixTime(900),
        })
        .unwrap();
    let outgoing = |event: &str, seq: u32| Outgoing {
        event: event.into(),
        body: format!("{{\"seq\":{seq}}}"),
    };
    store
        .commit_batch(&Batch {
            entries: vec![entry(0)],
            incidents: vec![IncidentWrite {
                incident: incident(&filed, 0, 1000),
                event: incident_event(0, 0, Action::File, kpps),
                outgoing: Some(outgoing("new", 0)),
            }],
            ..Default::default()
        })
        .unwrap();
    // Two events of one incident in one batch: the row ends as the last.
    store
        .commit_batch(&Batch {
            entries: vec![entry(1), entry(2)],
            incidents: vec![
                IncidentWrite {
                    incident: incident(&acked, 1, 1001),
                    event: incident_event(1, 1, Action::Acknowledge, owner),
                    outgoing: Some(outgoing("acknowledged", 1)),
                },
                IncidentWrite {
                    incident: incident(&acked, 2, 1001),
                    event: incident_event(2, 2, Action::Assign, owner),
                    outgoing: None,
                },
            ],
            ..Default::default()
        })
        .unwrap();
    // A refused batch (its log index is taken) writes no event.
    let refused = store.commit_batch(&Batch {
        entries: vec![entry(2)],
        incidents: vec![IncidentWrite {
            incident: incident(&escalated, 3, 1001),
            event: incident_event(3, 2, Action::Escalate, Actor::SYSTEM),
            outgoing: Some(outgoing("escalated", 2)),
        }],
        ..Default::default()
    });
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    store
        .commit_batch(&Batch {
            entries: vec![entry(3)],
            incidents: vec![IncidentWrite {
                incident: incident(&escalated, 3, 1001),
                event: incident_event(3, 3, Action::Escalate, Actor::SYSTEM),
                outgoing: Some(outgoing("escalated", 3)),
            }],
            ..Default::default()
        })
        .unwrap();
    let reopened = h.open();
    for s in [&store, &reopened] {
        let history = s.incident(&[7; 16]).unwrap().unwrap();
        let latest = StoredIncident {
            reporter: "kpps-1".into(),
            assignee: Some("staf-kab".into()),
            ..incident(&escalated, 3, 1001)
        };
        assert_eq!(history.incident, latest);
        assert_eq!(
            history.incident.record.public.contests,
            [Contest::Ppwp, Contest::Dpr]
        );
        let expected = vec![
            incident_event(0, 0, Action::File, kpps),
            incident_event(1, 1, Action::Acknowledge, owner),
            incident_event(2, 2, Action::Assign, owner),
            incident_event(3, 3, Action::Escalate, Actor::SYSTEM),
        ];
        assert_eq!(history.events, expected);
        let mut all = Vec::new();
        s.for_each_incident(&mut |i| all.push(i)).unwrap();
        assert_eq!(all, vec![history.incident]);
        assert!(s.incident(&[8; 16]).unwrap().is_none());
        let deliveries: Vec<_> = s
            .deliveries(Some(hook))
            .unwrap()
            .into_iter()
            .map(|d| (d.event, d.created_at))
            .collect();
        assert_eq!(
            deliveries,
            [
                ("new".into(), UnixTime(1000)),
                ("escalated".into(), UnixTime(1003))
            ]
        );
    }
    let due = store.due_deliveries(UnixTime(i64::MAX), 10).unwrap();
    assert_eq!(due[0].body, "{\"seq\":0}");
    assert_eq!(due[1].body, "{\"seq\":3}");
}
