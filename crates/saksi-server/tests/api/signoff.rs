//! The collegial sign-off through the API: a kab/kota's DPRD Kab/Kota
//! recap climbs from its kecamatan (each signed off by k of its PPK
//! commissioners) to the kab/kota itself, the recap state and the results
//! show it, a final region locks what is below it, the commissioners of
//! the level above reopen a kecamatan (voiding it and the kab/kota) and it
//! is signed off again, every refusal has its code and logs nothing, and
//! all of it stands after a restart. (A key
//! confirming twice is refused by the sign-offs' rules, tested with them;
//! through the API the same confirmation again is a retry, answered as
//! the first.)

use axum::http::{Method, StatusCode};
use saksi_api::{RecapState, Results};
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Config;
use saksi_statement::recap::Decision;
use saksi_statement::{
    Entry, Envelope, IncidentId, KeyRole, NoFormReason, NoFormStatement, Quorum, ReopenStatement,
};
use saksi_store::Store;
use serde_json::{Map, Value, json};

use crate::helpers::{Answer, ORIGIN, TestApp, named_key, root_key, spawn_app_with};
use crate::incidents::post;
use crate::review::{objection, ruling};

pub(crate) const CONTEST: Contest = Contest::DprdKabkota;

/// Commissioner `n`'s key of `region`, registered with `"commissioner":
/// true` by the key that certifies its role.
pub(crate) async fn commissioner(
    app: &TestApp,
    role: KeyRole,
    region: RegionCode,
    n: u32,
) -> Signer {
    let by = match role {
        KeyRole::Ppk => app.kabkota_officer(region).await,
        KeyRole::KpuKabkota => {
            app.kabkota_officer(region).await;
            named_key(&format!(
                "kpu-prov-{}",
                region.ancestor_at(Level::Provinsi).unwrap()
            ))
        }
        _ => root_key(),
    };
    let key = named_key(&format!("{}-{region}-komisioner-{n}", role.id()));
    app.register_as(&key, role, region, &by, true).await;
    key
}

pub(crate) async fn state(app: &TestApp, region: RegionCode) -> RecapState {
    let answer = app.get(&format!("/api/v1/recap/{CONTEST}/{region}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.typed()
}

pub(crate) fn signed(statement: &Map<String, Value>, key: &Signer) -> Value {
    Envelope::sign(statement.clone(), key).unwrap().to_value()
}

/// The statement digest of a region's final sign-off, from the log entry
/// of the confirmation that made it final.
fn final_digest(app: &TestApp, region: RegionCode) -> [u8; 32] {
    let results = app.store.log_size().unwrap();
    let entries = app.store.log_entries(0, results).unwrap();
    entries
        .iter()
        .rev()
        .find_map(|e| match Entry::decode(&e.data).ok()? {
            Entry::SignoffV1(s) if s.signed.statement.region == region => Some(s.signed.sha256()),
            _ => None,
        })
        .unwrap()
}

async fn reopen_with(app: &TestApp, region: RegionCode, body: &Value) -> Answer {
    app.request(
        Method::POST,
        &format!("/api/v1/recap/{CONTEST}/{region}/reopen"),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

pub(crate) async fn confirm(app: &TestApp, region: RegionCode, body: &Value) -> Answer {
    confirm_in(app, CONTEST, region, body).await
}

async fn confirm_in(app: &TestApp, contest: Contest, region: RegionCode, body: &Value) -> Answer {
    app.request(
        Method::POST,
        &format!("/api/v1/recap/{contest}/{region}/signoffs"),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

fn refused(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.json());
    assert_eq!(answer.code(), code, "{}", answer.json());
}

/// A party's witness of the kab/kota objects to `tps`'s `suara_sah` in
/// its first version: the witness's session and the objection's log index.
pub(crate) async fn witness_objects(app: &TestApp, tps: RegionCode) -> (String, u64) {
    let kabkota = tps.ancestor_at(Level::Kabkota).unwrap();
    let witness = app.account_token("saksi.kab", "saksi", kabkota, Some(1), None);
    let objected = post(
        app,
        "/api/v1/objections",
        Some(&witness),
        "objection-1",
        &objection(tps, CONTEST.id(), 1, &["suara_sah"]),
    )
    .await;
    assert_eq!(objected.status, StatusCode::CREATED, "{}", objected.json());
    let index = objected.json()["log_index"].as_u64().unwrap();
    (witness, index)
}

/// The statement the state API offers, with one member changed.
pub(crate) fn with(
    statement: &Map<String, Value>,
    pointer: &str,
    value: Value,
) -> Map<String, Value> {
    let mut v = Value::Object(statement.clone());
    *v.pointer_mut(pointer).unwrap() = value;
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn a_kab_kota_recap_climbs_from_its_kecamatan_and_locks_what_is_below() {
    let config = Config {
        signoff_quorum: Quorum::parse("kecamatan=2,kabkota=2").unwrap(),
        ..Config::default()
    };
    let mut app = spawn_app_with(config);
    let first = app.first_tps(RegionCode::NASIONAL);
    let kabkota = first.ancestor_at(Level::Kabkota).unwrap();
    let tree = &app.election.tree;
    let kab_id = tree.find(kabkota).unwrap();
    let kecamatan: Vec<RegionCode> = tree.children(kab_id).map(|k| tree.get(k).code).collect();
    let tps: Vec<RegionCode> = tree
        .children(kab_id)
        .flat_map(|k| tree.children(k))
        .flat_map(|d| tree.children(d))
        .filter(|t| app.election.holds(*t, CONTEST))
        .map(|t| tree.get(t).code)
        .collect();
    assert!(!tps.is_empty(), "{kabkota} holds no DPRD Kab/Kota");
    let kec = first.ancestor_at(Level::Kecamatan).unwrap();

    // Nothing is in: the kecamatan is open, each TPS named.
    let open = state(&app, kec).await;
    assert_eq!(open.state, "open");
    assert!(open.statement.is_none());
    assert!(open.blocked_by.iter().all(|b| b.reason == "no_form"));
    assert_eq!(open.k, 1, "no commissioner registered yet");

    for (i, t) in tps.iter().enumerate() {
        let kpps = app.kpps_device(*t).await;
        let form = app.form_json(*t, CONTEST, i as u64);
        let answer = app.submit(&kpps, *t, CONTEST, form).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let mut ppk = Vec::new();
    for k in &kecamatan {
        ppk.push([
            commissioner(&app, KeyRole::Ppk, *k, 1).await,
            commissioner(&app, KeyRole::Ppk, *k, 2).await,
        ]);
    }
    let kpu = [
        commissioner(&app, KeyRole::KpuKabkota, kabkota, 1).await,
        commissioner(&app, KeyRole::KpuKabkota, kabkota, 2).await,
    ];
    let member = app.officer_key(KeyRole::Ppk, kec).await;

    // An objection keeps the kecamatan open until it is ruled on.
    let (witness, objection_index) = witness_objects(&app, first).await;
    let ready = state(&app, kec).await;
    assert_eq!(ready.state, "open");
    assert_eq!(ready.blocked_by[0].reason, "objection_open");
    let statement = {
        // The statement as it will be: ask once the objection is ruled on.
        let ruled = app
            .request(
                Method::POST,
                &format!("/api/v1/objections/{objection_index}/ruling"),
                &[("content-type", "application/json")],
                ruling(&ppk[0][0], objection_index, Decision::Rejected).to_string(),
            )
            .await;
        assert_eq!(ruled.status, StatusCode::CREATED, "{}", ruled.json());
        let ready = state(&app, kec).await;
        assert_eq!(ready.state, "ready", "{:?}", ready.blocked_by);
        assert_eq!(ready.k, 2);
        ready.statement.unwrap()
    };

    // Refused, nothing logged.
    let before = app.store.log_size().unwrap();
    let first_digest = "/children/0/digest";
    let cases = [
        (
            signed(&statement, &member),
            StatusCode::FORBIDDEN,
            "key.not_authorised",
        ),
        (
            signed(&statement, &kpu[0]),
            StatusCode::FORBIDDEN,
            "key.not_authorised",
        ),
        (
            signed(&with(&statement, "/totals/suara_sah", json!(1)), &ppk[0][0]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "recap.totals_not_sum",
        ),
        (
            signed(
                &with(&statement, first_digest, json!(hex::encode([7u8; 32]))),
                &ppk[0][0],
            ),
            StatusCode::CONFLICT,
            "recap.child_changed",
        ),
        (
            signed(&with(&statement, "/k", json!(3)), &ppk[0][0]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "recap.quorum_mismatch",
        ),
        (
            signed(
                &with(
                    &statement,
                    "/children",
                    Value::Array(statement["children"].as_array().unwrap()[1..].to_vec()),
                ),
                &ppk[0][0],
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "recap.children",
        ),
        (
            signed(&with(&statement, "/contest", json!("ppwp")), &ppk[0][0]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "statement.path_mismatch",
        ),
    ];
    let single_tps = statement["children"].as_array().unwrap().len() == 1;
    for (body, status, code) in cases {
        if single_tps && code == "recap.children" {
            continue;
        }
        refused(&confirm(&app, kec, &body).await, status, code);
    }
    // The kab/kota cannot be signed off before its kecamatan.
    let kab_state = state(&app, kabkota).await;
    assert_eq!(kab_state.state, "open");
    assert!(kab_state.blocked_by.iter().all(|b| b.reason == "not_final"));
    assert_eq!(app.store.log_size().unwrap(), before, "nothing logged");

    // One commissioner: pending; the same key again is refused, and a
    // new version of a TPS voids the pending statement.
    let one = confirm(&app, kec, &signed(&statement, &ppk[0][0])).await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.json());
    let pending = state(&app, kec).await;
    assert_eq!(pending.state, "pending");
    assert_eq!(pending.confirmations.len(), 1);
    // The same key confirming again is a retry: its first answer, and
    // nothing logged.
    let size = app.store.log_size().unwrap();
    let retry = confirm(&app, kec, &signed(&statement, &ppk[0][0])).await;
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body, one.body);
    assert_eq!(app.store.log_size().unwrap(), size);
    let kpps = app.kpps_device(first).await;
    let again = app
        .submit(&kpps, first, CONTEST, app.form_json(first, CONTEST, 99))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.json());
    assert_eq!(state(&app, kec).await.state, "ready");
    refused(
        &confirm(&app, kec, &signed(&statement, &ppk[0][1])).await,
        StatusCode::CONFLICT,
        "recap.child_changed",
    );

    // Every kecamatan signed off by two commissioners, then the kab/kota.
    for (k, keys) in kecamatan.iter().zip(&ppk) {
        let offered = state(&app, *k).await;
        if offered.state == "open" {
            assert!(
                offered.blocked_by.iter().all(|b| b.reason == "no_form"),
                "{:?}",
                offered.blocked_by
            );
            continue;
        }
        let statement = offered.statement.unwrap();
        for key in keys {
            let answer = confirm(&app, *k, &signed(&statement, key)).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        }
        let done = state(&app, *k).await;
        assert_eq!(done.state, "final");
        assert_eq!(done.confirmations.len(), 2);
        assert!(done.statement.is_none());
    }
    let results: Results = app
        .get(&format!("/api/v1/results/{CONTEST}/{kec}"))
        .await
        .typed();
    let signed_off = results.final_.expect("the kecamatan is final");
    assert_eq!(signed_off.totals, results.totals);
    assert!(!results.provisional);
    assert!(results.children.iter().all(|c| c.final_));

    // Locked: no new version, objection or sign-off below a final region.
    refused(
        &app.submit(&kpps, first, CONTEST, app.form_json(first, CONTEST, 5))
            .await,
        StatusCode::CONFLICT,
        "recap.locked",
    );
    refused(
        &post(
            &app,
            "/api/v1/objections",
            Some(&witness),
            "objection-2",
            &objection(first, CONTEST.id(), 2, &["suara_sah"]),
        )
        .await,
        StatusCode::CONFLICT,
        "recap.locked",
    );
    refused(
        &confirm(&app, kec, &signed(&statement, &ppk[0][1])).await,
        StatusCode::CONFLICT,
        "recap.locked",
    );
    // Another contest of the same TPS is not locked.
    let ppwp = app
        .submit(
            &kpps,
            first,
            Contest::Ppwp,
            app.ppwp_form(first, [10, 20, 30]),
        )
        .await;
    assert_eq!(ppwp.status, StatusCode::CREATED, "{}", ppwp.json());

    let offered = state(&app, kabkota).await;
    assert_eq!(offered.state, "ready", "{:?}", offered.blocked_by);
    let statement = offered.statement.unwrap();
    for key in &kpu {
        let answer = confirm(&app, kabkota, &signed(&statement, key)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let results: Results = app
        .get(&format!("/api/v1/results/{CONTEST}/{kabkota}"))
        .await
        .typed();
    assert_eq!(results.final_.unwrap().totals, results.totals);
    // DPRD Kab/Kota ends at the kab/kota.
    let province = kabkota.ancestor_at(Level::Provinsi).unwrap();
    refused(
        &app.get(&format!("/api/v1/recap/{CONTEST}/{province}"))
            .await,
        StatusCode::NOT_FOUND,
        "recap.not_a_level",
    );

    // The KPU Kab/Kota reopens a kecamatan: its two commissioners confirm
    // the identical statement naming the final sign-off; that voids the
    // kecamatan's and the kab/kota's.
    let kec_final = final_digest(&app, kec);
    let reopen = |digest: [u8; 32], k: u32| -> Map<String, Value> {
        ReopenStatement {
            origin: ORIGIN.into(),
            contest: CONTEST,
            region: kec,
            final_digest: digest,
            reason: "Putusan Bawaslu: hitung ulang satu TPS".into(),
            k,
        }
        .to_object()
    };
    let before = app.store.log_size().unwrap();
    refused(
        &reopen_with(&app, kec, &signed(&reopen(kec_final, 2), &ppk[0][0])).await,
        StatusCode::FORBIDDEN,
        "key.not_authorised",
    );
    refused(
        &reopen_with(&app, kec, &signed(&reopen([3; 32], 2), &kpu[0])).await,
        StatusCode::CONFLICT,
        "recap.not_final",
    );
    refused(
        &reopen_with(&app, kec, &signed(&reopen(kec_final, 1), &kpu[0])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "recap.quorum_mismatch",
    );
    assert_eq!(app.store.log_size().unwrap(), before, "nothing logged");
    let one = reopen_with(&app, kec, &signed(&reopen(kec_final, 2), &kpu[0])).await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.json());
    assert_eq!(state(&app, kec).await.state, "final", "one of two");
    let two = reopen_with(&app, kec, &signed(&reopen(kec_final, 2), &kpu[1])).await;
    assert_eq!(two.status, StatusCode::CREATED, "{}", two.json());
    for region in [kec, kabkota] {
        let reopened = state(&app, region).await;
        assert_eq!(reopened.state, "reopened", "{region}");
        let results: Results = app
            .get(&format!("/api/v1/results/{CONTEST}/{region}"))
            .await
            .typed();
        assert!(results.final_.is_none(), "{region}");
        assert!(results.provisional);
    }
    let corrected = app
        .submit(&kpps, first, CONTEST, app.form_json(first, CONTEST, 7))
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::CREATED,
        "{}",
        corrected.json()
    );
    // Signed off again, the kecamatan and then the kab/kota.
    let again = state(&app, kec).await;
    assert_eq!(again.state, "reopened");
    let statement = again.statement.expect("nothing blocks it");
    for key in &ppk[0] {
        let answer = confirm(&app, kec, &signed(&statement, key)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let statement = state(&app, kabkota).await.statement.unwrap();
    for key in &kpu {
        let answer = confirm(&app, kabkota, &signed(&statement, key)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    assert_eq!(state(&app, kabkota).await.state, "final");

    // A restart reads it all back.
    app = app.restart();
    let done = state(&app, kabkota).await;
    assert_eq!(done.state, "final");
    assert_eq!(done.confirmations.len(), 2);
    assert_eq!(state(&app, kec).await.state, "final");
    refused(
        &app.submit(&kpps, first, CONTEST, app.form_json(first, CONTEST, 6))
            .await,
        StatusCode::CONFLICT,
        "recap.locked",
    );
}

fn no_form(tps: RegionCode, reason: NoFormReason, incident: Option<IncidentId>) -> NoFormStatement {
    NoFormStatement {
        origin: ORIGIN.into(),
        tps,
        contest: Contest::Ppwp,
        reason,
        incident,
        note: "Banjir: TPS tidak dapat dibuka".into(),
        signed_at: saksi_core::time::UnixTime(crate::helpers::now()),
    }
}

async fn record(app: &TestApp, statement: &NoFormStatement, key: &Signer) -> Answer {
    let kecamatan = statement.tps.ancestor_at(Level::Kecamatan).unwrap();
    app.request(
        Method::POST,
        &format!("/api/v1/recap/ppwp/{kecamatan}/no-form/{}", statement.tps),
        &[("content-type", "application/json")],
        signed(&statement.to_object(), key).to_string(),
    )
    .await
}

async fn ppwp_state(app: &TestApp, region: RegionCode) -> RecapState {
    app.get(&format!("/api/v1/recap/ppwp/{region}"))
        .await
        .typed()
}

#[tokio::test]
async fn a_tps_with_no_form_is_in_with_a_reason_and_a_revote_waits_for_its_form() {
    let config = Config {
        signoff_quorum: Quorum::parse("kecamatan=1").unwrap(),
        ..Config::default()
    };
    let app = spawn_app_with(config);
    let first = app.first_tps(RegionCode::NASIONAL);
    let kec = first.ancestor_at(Level::Kecamatan).unwrap();
    let tree = &app.election.tree;
    for t in tree
        .children(tree.find(kec).unwrap())
        .flat_map(|d| tree.children(d))
        .map(|t| tree.get(t).code)
        .filter(|t| *t != first)
    {
        let kpps = app.kpps_device(t).await;
        let answer = app
            .submit(&kpps, t, Contest::Ppwp, app.ppwp_form(t, [10, 20, 30]))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    }
    let member = app.officer_key(KeyRole::Ppk, kec).await;
    let chair = commissioner(&app, KeyRole::Ppk, kec, 1).await;
    let kpps = app.kpps_device(first).await;
    assert_eq!(ppwp_state(&app, kec).await.blocked_by[0].reason, "no_form");

    // Refused, nothing logged.
    let before = app.store.log_size().unwrap();
    let not_held = no_form(first, NoFormReason::NotHeld, None);
    refused(
        &record(&app, &not_held, &kpps).await,
        StatusCode::FORBIDDEN,
        "key.not_authorised",
    );
    let flooded = no_form(first, NoFormReason::Incident, Some(IncidentId([9; 16])));
    refused(
        &record(&app, &flooded, &member).await,
        StatusCode::CONFLICT,
        "recap.no_form_refused",
    );
    assert_eq!(app.store.log_size().unwrap(), before);

    // Not held: the TPS is in, its reason's digest the child's.
    let answer = record(&app, &not_held, &member).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    let ready = ppwp_state(&app, kec).await;
    assert_eq!(ready.state, "ready", "{:?}", ready.blocked_by);
    let statement = ready.statement.unwrap();
    let digest = Envelope::sign(not_held.to_object(), &member)
        .unwrap()
        .open::<NoFormStatement>()
        .unwrap()
        .sha256();
    let named = statement["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == first.to_string())
        .unwrap()["digest"]
        .clone();
    assert_eq!(named, hex::encode(digest));

    // A form after it replaces it; then a PSU waits for the revote's form.
    let form = app
        .submit(&kpps, first, Contest::Ppwp, app.ppwp_form(first, [1, 2, 3]))
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{}", form.json());
    let late = NoFormStatement {
        note: "Tidak ada pemungutan suara".into(),
        ..not_held.clone()
    };
    refused(
        &record(&app, &late, &member).await,
        StatusCode::CONFLICT,
        "recap.no_form_refused",
    );
    let offered = ppwp_state(&app, kec).await.statement.unwrap();
    let psu = record(
        &app,
        &no_form(first, NoFormReason::RevoteOrdered, None),
        &member,
    )
    .await;
    assert_eq!(psu.status, StatusCode::CREATED, "{}", psu.json());
    let waiting = ppwp_state(&app, kec).await;
    assert_eq!(waiting.state, "open");
    assert_eq!(waiting.blocked_by[0].reason, "revote_ordered");
    refused(
        &confirm_in(&app, Contest::Ppwp, kec, &signed(&offered, &chair)).await,
        StatusCode::CONFLICT,
        "recap.child_not_in",
    );
    let revote = app
        .submit(&kpps, first, Contest::Ppwp, app.ppwp_form(first, [3, 2, 1]))
        .await;
    assert_eq!(revote.status, StatusCode::CREATED, "{}", revote.json());
    let statement = ppwp_state(&app, kec).await.statement.unwrap();
    let done = confirm_in(&app, Contest::Ppwp, kec, &signed(&statement, &chair)).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.json());
    assert_eq!(ppwp_state(&app, kec).await.state, "final");
    let after = NoFormStatement {
        note: "PSU kedua".into(),
        ..no_form(first, NoFormReason::RevoteOrdered, None)
    };
    refused(
        &record(&app, &after, &member).await,
        StatusCode::CONFLICT,
        "recap.locked",
    );
}
