//! What the sequencer decides and survives, driven by signed statements:
//! the hourly limit on new versions of a form and `form.unchanged`, a full
//! queue, a commit whose answer was lost, one batch of competing commands,
//! idempotency keys scoped per principal, and a log that diverged from what
//! was signed. Time is the injected clock's; a batch is made by holding
//! the store's commit (the failpoint), never by sleeping.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures_util::future::join_all;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::{Signer, leaf_hash};
use saksi_server::sequencer::{Command, Fact, IdempotencyKey, KeyFact, Outcome, Refused};
use saksi_server::{Clock, Config};
use saksi_statement::{Envelope, KeyRole, KeyStatement};
use saksi_store::failpoint::{CommitHold, FailingStore};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use super::{Chain, envelope, register, statement_digest};
use crate::helpers::*;

/// Posts versions `versions` of the TPS's PPWP form a minute apart, each
/// with its own numbers and chained to the one before; returns the last.
async fn post_versions(
    app: &TestApp,
    chain: &Chain,
    tps: RegionCode,
    versions: std::ops::RangeInclusive<u32>,
    mut prev: Option<[u8; 32]>,
) -> Value {
    let mut last = Value::Null;
    for version in versions {
        let body = app.signed_form(&chain.kpps, tps, version, prev, u64::from(version));
        let answer = app.post_form(tps, &body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        assert_eq!(answer.json()["version"], version);
        prev = Some(statement_digest(&body));
        last = body;
        app.clock.advance(60);
    }
    last
}

/// Waits (polling, bounded) until `ready` holds.
async fn until(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn a_form_takes_ten_new_versions_an_hour_and_the_eleventh_waits_for_a_slot() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let started = app.clock.now().0;
    // Ten versions a minute apart: none is delayed.
    let v10 = post_versions(&app, &chain, tps, 1..=10, None).await;
    let size = app.log_size().await;

    // The eleventh, ten minutes after the first: refused until the first is
    // an hour old, and nothing is stored.
    let v11 = app.signed_form(&chain.kpps, tps, 11, Some(statement_digest(&v10)), 11);
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "form.too_many_versions");
    let wait = started + 3600 - app.clock.now().0;
    assert_eq!(wait, 3000);
    assert_eq!(refused.headers["retry-after"], wait.to_string().as_str());
    assert_eq!(refused.json()["error"]["details"]["retry_after"], wait);
    assert_eq!(app.log_size().await, size, "nothing stored");

    // The limit is decided from the stored versions' times, so a restart
    // keeps it.
    let app = app.restart();
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], wait.to_string().as_str());

    // One second early it is still refused; once the first version is an
    // hour old, it is accepted.
    app.clock.advance(wait - 1);
    let refused = app.post_form(tps, &v11).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], "1");
    app.clock.advance(1);
    let accepted = app.post_form(tps, &v11).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.json());
    assert_eq!(accepted.json()["version"], 11);
    assert_eq!(app.log_size().await, size + 1);

    // The next slot frees when the second version is an hour old.
    let v12 = app.signed_form(&chain.kpps, tps, 12, Some(statement_digest(&v11)), 12);
    let refused = app.post_form(tps, &v12).await;
    assert_eq!(refused.code(), "form.too_many_versions");
    assert_eq!(refused.headers["retry-after"], "60");
}

#[tokio::test]
async fn an_unchanged_form_is_refused_before_the_limit_and_uses_none_of_it() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let v9 = post_versions(&app, &chain, tps, 1..=9, None).await;

    // Five posts of the ninth version's form as version 10: each refused as
    // unchanged, none counted.
    let prev = Some(statement_digest(&v9));
    for _ in 0..5 {
        let same = app.signed_form(&chain.kpps, tps, 10, prev, 9);
        let answer = app.post_form(tps, &same).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.code(), "form.unchanged");
    }
    let v10 = post_versions(&app, &chain, tps, 10..=10, prev).await;

    // At the limit, the same form again is still `form.unchanged`: decided
    // first.
    let prev = Some(statement_digest(&v10));
    let same = app.signed_form(&chain.kpps, tps, 11, prev, 10);
    assert_eq!(app.post_form(tps, &same).await.code(), "form.unchanged");
    let new = app.signed_form(&chain.kpps, tps, 11, prev, 11);
    assert_eq!(
        app.post_form(tps, &new).await.code(),
        "form.too_many_versions"
    );
}

#[tokio::test]
async fn a_full_queue_sheds_submissions_with_503_and_a_shed_one_retried_is_accepted() {
    // One place in the queue, and every commit slowed down.
    let config = Config {
        queue_capacity: 1,
        ..Config::default()
    };
    let app = spawn_app_over(config, |store| {
        FailingStore::new(store, fail_switch().0).with_commit_delay(Duration::from_millis(200))
    });
    let tps = app.first_tps(RegionCode::NASIONAL);
    let prov = tps.ancestor_at(Level::Provinsi).unwrap();
    let bodies: Vec<Value> = (0..20)
        .map(|i| {
            let key = Signer::generate(&format!("kpu-prov-{i}")).unwrap();
            envelope(&register(&key, KeyRole::KpuProv, prov), &root_key())
        })
        .collect();

    // Twenty at once.
    let answers = join_all(bodies.iter().map(|b| app.post("/api/v1/keys", b))).await;
    let mut accepted = BTreeSet::new();
    let mut shed = Vec::new();
    for (body, answer) in bodies.iter().zip(&answers) {
        match answer.status {
            StatusCode::CREATED => {
                accepted.insert(answer.json()["key"].as_str().unwrap().to_owned());
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(answer.code(), "server.overloaded");
                assert_eq!(answer.headers["retry-after"], "1");
                shed.push(body);
            }
            other => panic!("{other}: {}", answer.json()),
        }
    }
    assert_eq!(accepted.len() + shed.len(), 20);
    assert!(!accepted.is_empty() && !shed.is_empty(), "{accepted:?}");

    // The store holds exactly the accepted ones.
    assert_eq!(app.log_size().await, accepted.len() as u64);
    let stored: BTreeSet<String> = app
        .store
        .keys()
        .unwrap()
        .into_iter()
        .map(|k| k.key)
        .collect();
    assert_eq!(stored, accepted);

    // A shed one, retried, is accepted.
    let retried = app.post("/api/v1/keys", shed[0]).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.json());
    assert_eq!(app.log_size().await, accepted.len() as u64 + 1);
}

#[tokio::test]
async fn a_commit_whose_answer_was_lost_is_503_then_counted_once_and_a_retry_replays_it() {
    let (lost, losing) = fail_switch();
    let app = spawn_app_over(Config::default(), |store| {
        FailingStore::new(store, fail_switch().0).with_lost_commit_answers(lost)
    });
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let size = app.log_size().await;
    let form = app.signed_form(&chain.kpps, tps, 1, None, 1);

    // Written, but the commit's answer is lost: the server cannot promise.
    losing.store(true, Ordering::SeqCst);
    let refused = app.post_form(tps, &form).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "store.unavailable");
    assert!(refused.headers.contains_key("retry-after"));
    losing.store(false, Ordering::SeqCst);

    // Settled from the store's log size: in the log once, and counted.
    let retried = app.post_form(tps, &form).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.json());
    let receipt = &retried.json()["receipt"];
    assert_eq!(receipt["log_index"], size);
    assert_eq!(receipt["version"], 1);
    assert_eq!(app.log_size().await, size + 1);
    assert_eq!(app.store.form_versions(tps).unwrap().len(), 1);
    let results = app.get("/api/v1/results/ppwp").await.json();
    let statement = &form["statement"]["form"];
    assert_eq!(results["totals"]["tps_reported"], 1, "{results}");
    assert_eq!(results["totals"]["suara_sah"], statement["suara_sah"]);
    assert_eq!(results["totals"]["options"], statement["options"]);
    assert_eq!(results["log_size"], size + 1);

    // Every retry replays the same receipt.
    let again = app.post_form(tps, &form).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, retried.body);
}

#[tokio::test]
async fn one_batch_decides_competing_versions_a_refusal_and_an_unrelated_form_each_correctly() {
    let hold = Arc::new(CommitHold::default());
    let app = spawn_app_over(Config::default(), |store| {
        FailingStore::new(store, fail_switch().0).with_commit_hold(hold.clone())
    });
    let tree = &app.election.tree;
    let mut tps_ids = tree.tps_ids();
    let a = tree.get(tps_ids.next().unwrap()).code;
    let b = tree.get(tps_ids.next().unwrap()).code;
    let chain_a = app.chain_for(a).await;
    let chain_b = app.chain_for(b).await;
    let v1 = app.signed_form(&chain_a.kpps, a, 1, None, 1);
    assert_eq!(app.post_form(a, &v1).await.status, StatusCode::CREATED);
    let prev = Some(statement_digest(&v1));
    let size = app.log_size().await;

    // Two competing version 2s of A, A's form signed by B's device, and B's
    // first version.
    let v2 = [
        app.signed_form(&chain_a.kpps, a, 2, prev, 2),
        app.signed_form(&chain_a.kpps, a, 2, prev, 3),
    ];
    let wrong_device = app.signed_form(&chain_b.kpps, a, 2, prev, 4);
    let unrelated = app.signed_form(&chain_b.kpps, b, 1, None, 5);
    let batch = [
        (a, &v2[0]),
        (a, &v2[1]),
        (a, &wrong_device),
        (b, &unrelated),
    ];

    // A commit is held while the four queue behind it: one batch.
    hold.close();
    let blocker = Signer::generate("kpu-prov-blocker").unwrap();
    let blocker = envelope(
        &register(
            &blocker,
            KeyRole::KpuProv,
            a.ancestor_at(Level::Provinsi).unwrap(),
        ),
        &root_key(),
    );
    let sequencer = &app.app.state().sequencer;
    let four = async {
        until("a commit is held", || hold.held() == 1).await;
        join_all(batch.iter().map(|(tps, body)| app.post_form(*tps, body))).await
    };
    let release = async {
        until("the four are queued", || {
            hold.held() == 1 && sequencer.depth() == 4
        })
        .await;
        hold.open();
    };
    let (blocked, answers, ()) = tokio::join!(app.post("/api/v1/keys", &blocker), four, release);
    assert_eq!(blocked.status, StatusCode::CREATED);

    // Exactly one version 2 wins; the other is not the next version.
    let won: Vec<usize> = (0..2)
        .filter(|i| answers[*i].status == StatusCode::CREATED)
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        answers.iter().map(Answer::json).collect::<Vec<_>>()
    );
    let (won, lost) = (won[0], 1 - won[0]);
    assert_eq!(answers[won].json()["version"], 2);
    assert_eq!(answers[lost].status, StatusCode::CONFLICT);
    assert_eq!(answers[lost].code(), "statement.version_not_next");
    assert_eq!(
        answers[lost].json()["error"]["details"]["current_version"],
        2
    );
    // Another TPS's device is refused; B's form is its version 1.
    assert_eq!(answers[2].code(), "key.wrong_tps", "{}", answers[2].json());
    assert_eq!(answers[3].status, StatusCode::CREATED);
    assert_eq!(answers[3].json()["version"], 1);

    // The store holds the blocker, the winner and B's form, nothing else.
    assert_eq!(app.log_size().await, size + 3);
    let current = app.store.current_form(a, Contest::Ppwp).unwrap().unwrap();
    assert_eq!(current.version, 2);
    let stored: Value = serde_json::from_str(&current.form_json).unwrap();
    assert_eq!(stored, v2[won]["statement"]["form"]);
    assert_eq!(app.store.form_versions(a).unwrap().len(), 2);
}

/// A key registration as the sequencer takes it, under `principal`'s
/// idempotency key `key`.
fn key_command(
    statement: &KeyStatement,
    principal: &str,
    key: &str,
) -> (Command, oneshot::Receiver<Outcome>) {
    let envelope = Envelope::sign(statement.to_object(), &root_key()).unwrap();
    let signed = envelope.open::<KeyStatement>().unwrap();
    let (reply, answer) = oneshot::channel();
    let command = Command {
        request: IdempotencyKey {
            principal: principal.to_owned(),
            key: key.to_owned(),
        },
        request_hash: Sha256::digest(envelope.to_value().to_string()).into(),
        fact: Fact::Key(Box::new(KeyFact {
            signed,
            signer: envelope.key,
        })),
        reply,
    };
    (command, answer)
}

#[tokio::test]
async fn idempotency_keys_are_scoped_per_principal() {
    let app = spawn_app();
    let prov = app
        .first_tps(RegionCode::NASIONAL)
        .ancestor_at(Level::Provinsi)
        .unwrap();
    let statement = |name: &str| register(&Signer::generate(name).unwrap(), KeyRole::KpuProv, prov);
    let sequencer = &app.app.state().sequencer;
    let decide = |command: (Command, oneshot::Receiver<Outcome>)| async {
        sequencer.submit(command.0).unwrap();
        command.1.await.unwrap()
    };
    let first = statement("kpu-prov-a");

    // Two officers, one key, two requests: both are logged.
    let one = decide(key_command(&first, "user:1", "same")).await;
    let two = decide(key_command(&statement("kpu-prov-b"), "user:2", "same")).await;
    assert!(matches!(one, Outcome::Accepted(_)), "{one:?}");
    assert!(matches!(two, Outcome::Accepted(_)), "{two:?}");
    assert_eq!(app.log_size().await, 2);

    // The same officer's key again: the same request is replayed, another
    // is refused.
    let replayed = decide(key_command(&first, "user:1", "same")).await;
    assert!(matches!(replayed, Outcome::Replayed(_)), "{replayed:?}");
    let other = decide(key_command(&statement("kpu-prov-c"), "user:1", "same")).await;
    assert!(
        matches!(other, Outcome::Refused(Refused::IdempotencyKeyReused)),
        "{other:?}"
    );
    assert_eq!(app.log_size().await, 2);
}

#[tokio::test]
async fn a_log_whose_signed_entry_was_replaced_refuses_to_sign_and_to_take_submissions() {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let chain = app.chain_for(tps).await;
    let v1 = app.signed_form(&chain.kpps, tps, 1, None, 1);
    assert_eq!(app.post_form(tps, &v1).await.status, StatusCode::CREATED);
    assert!(app.app.publish_checkpoint().unwrap());
    let size = app.log_size().await;
    let highest = std::fs::read(app.dir.path().join("log.highest")).unwrap();

    // Behind the server's back, the form's entry (below the signed size) is
    // replaced by other bytes with a matching leaf hash.
    let index = size - 1;
    let app = app.restart_with(|dir| {
        let db = rusqlite::Connection::open(dir.join("saksi.db")).unwrap();
        let mut data: Vec<u8> = db
            .query_row(
                "SELECT data FROM log_entries WHERE log_index = ?1",
                [index as i64],
                |r| r.get(0),
            )
            .unwrap();
        data.push(b' ');
        db.execute(
            "UPDATE log_entries SET data = ?1, leaf_hash = ?2 WHERE log_index = ?3",
            rusqlite::params![data, leaf_hash(&data).to_vec(), index as i64],
        )
        .unwrap();
    });

    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json()["reason"], "log.diverged", "{}", health.json());
    assert!(app.app.publish_checkpoint().is_err());
    let checkpoint = app.get("/api/v1/log/checkpoint").await;
    assert_eq!(checkpoint.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(checkpoint.code(), "log.diverged");

    // No submission is taken, a form or a key.
    let v2 = app.signed_form(&chain.kpps, tps, 2, Some(statement_digest(&v1)), 2);
    let refused = app.post_form(tps, &v2).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "log.diverged");
    let key = Signer::generate("kpu-prov-late").unwrap();
    let prov = tps.ancestor_at(Level::Provinsi).unwrap();
    let refused = app
        .post(
            "/api/v1/keys",
            &envelope(&register(&key, KeyRole::KpuProv, prov), &root_key()),
        )
        .await;
    assert_eq!(refused.code(), "log.diverged");
    assert_eq!(app.log_size().await, size);

    // The record of what was signed is unchanged.
    assert_eq!(
        std::fs::read(app.dir.path().join("log.highest")).unwrap(),
        highest
    );
}
