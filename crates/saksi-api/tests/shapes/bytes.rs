//! The typed shapes write the bytes the server's `json!` did before them
//! (field order included: clients and cached bodies compare bytes). Each
//! `json!` below is the server's former code, fed the sample's values.

use saksi_api::{Results, Totals};
use serde_json::{Value, json};

use super::samples;

fn bytes<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

/// The former `Totals` serialisation of saksi-core, of the same numbers.
fn old_totals(t: &Totals) -> Value {
    let core = saksi_core::tally::Totals {
        fixed: [
            t.dpt,
            t.pengguna_total_j,
            t.suara_sah,
            t.suara_tidak_sah,
            t.suara_total,
            t.tps_expected,
            t.tps_reported,
        ],
        options: t.options.0.clone(),
    };
    assert_eq!(&Totals::from(&core), t);
    serde_json::to_value(&core).unwrap()
}

#[test]
fn results() {
    for dapil in [true, false] {
        let r: Results = samples::results(dapil);
        let children: Vec<Value> = r
            .children
            .iter()
            .map(|c| {
                json!({"code": c.code, "name": c.name, "totals": old_totals(&c.totals),
                       "final": c.final_})
            })
            .collect();
        let names: serde_json::Map<String, Value> = r
            .option_names
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        let mut body = json!({
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent": r.parent,
            "contest": r.contest,
            "log_size": r.log_size,
            "last_updated": r.last_updated,
            "provisional": r.provisional,
            "totals": old_totals(&r.totals),
            "option_names": Value::Object(names),
            "children": children,
        });
        if let Some(list) = &r.dapil {
            let list: Vec<Value> = list
                .iter()
                .map(|d| {
                    json!({"code": d.code, "name": d.name, "seats": d.seats,
                           "totals": old_totals(&d.totals)})
                })
                .collect();
            body.as_object_mut()
                .unwrap()
                .insert("dapil".into(), Value::Array(list));
        }
        // Added after the server's `json!`: the anomaly flag counts, last.
        let flags: serde_json::Map<String, Value> = r
            .flags
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(*v)))
            .collect();
        body.as_object_mut()
            .unwrap()
            .insert("flags".into(), Value::Object(flags));
        // Then the final sign-off, `null` until there is one.
        let signed = r.final_.as_ref().map(|f| {
            json!({"totals": old_totals(&f.totals), "log_index": f.log_index,
                   "signed_at": f.signed_at})
        });
        body.as_object_mut()
            .unwrap()
            .insert("final".into(), json!(signed));
        assert_eq!(bytes(&r), body.to_string());
    }
}

#[test]
fn dapil_results() {
    for party_list in [true, false] {
        let d = samples::dapil_results(party_list);
        let mut body = json!({
            "contest": d.contest,
            "code": d.code,
            "name": d.name,
            "seats": d.seats,
            "regions": d.regions,
            "log_size": d.log_size,
            "last_updated": d.last_updated,
            "provisional": true,
            "totals": old_totals(&d.totals),
        });
        let candidate = |c: &saksi_api::CandidateVotes| json!({"number": c.number, "name": c.name, "votes": c.votes});
        let obj = body.as_object_mut().unwrap();
        if let Some(parties) = &d.parties {
            let list: Vec<Value> = parties
                .iter()
                .map(|p| {
                    let mut entry = json!({
                        "number": p.number, "name": p.name, "party_votes": p.party_votes,
                        "total": p.party_votes, "candidates": [],
                    });
                    for c in &p.candidates {
                        entry["total"] = json!(entry["total"].as_u64().unwrap() + c.votes);
                        entry["candidates"]
                            .as_array_mut()
                            .unwrap()
                            .push(candidate(c));
                    }
                    entry
                })
                .collect();
            obj.insert("parties".into(), Value::Array(list));
        }
        if let Some(list) = &d.candidates {
            obj.insert("candidates".into(), list.iter().map(candidate).collect());
        }
        assert_eq!(bytes(&d), body.to_string());
    }
}

#[test]
fn receipts_and_answers() {
    for r in [samples::receipt_form(), samples::receipt_key()] {
        let mut old = json!({
            "log_index": r.log_index,
            "submitted_at": r.submitted_at,
            "leaf_hash": r.leaf_hash,
            "entry_sha256": r.entry_sha256,
        });
        if let (Some(tps), Some(contest), Some(version)) = (&r.tps, &r.contest, r.version) {
            old["tps"] = json!(tps);
            old["contest"] = json!(contest);
            old["version"] = json!(version);
        }
        if let Some(digest) = &r.statement_sha256 {
            old["statement_sha256"] = json!(digest);
        }
        let unsigned = saksi_api::Receipt {
            signed: None,
            ..r.clone()
        };
        assert_eq!(bytes(&unsigned), old.to_string());
        old["signed"] = json!(r.signed);
        assert_eq!(bytes(&r), old.to_string());
    }
    let a = samples::accepted();
    let old = json!({"version": a.version, "warnings": a.warnings, "receipt": a.receipt});
    assert_eq!(bytes(&a), old.to_string());
    let k = samples::key_accepted();
    let old = json!({"log_index": k.log_index, "action": k.action, "key": k.key,
                     "receipt": k.receipt});
    assert_eq!(bytes(&k), old.to_string());
}

/// A warning as saksi-core writes it (stored with every version) is the
/// API's `Issue`, byte for byte.
#[test]
fn issues() {
    let core = saksi_core::form::Issue {
        code: "form.sum_mismatch",
        rule: Some("R1"),
        field: None,
        message: "m".into(),
    };
    let api = saksi_api::Issue::from(&core);
    assert_eq!(bytes(&api), serde_json::to_string(&core).unwrap());
    let core = saksi_core::form::Issue {
        rule: None,
        field: Some("suara_sah".into()),
        ..core
    };
    assert_eq!(
        bytes(&saksi_api::Issue::from(&core)),
        serde_json::to_string(&core).unwrap()
    );
}

#[test]
fn errors_regions_tps_and_log() {
    for details in [true, false] {
        let e = samples::error(details);
        let old = json!({"error": {
            "code": e.error.code,
            "message": e.error.message,
            "details": if details { e.error.details.clone() } else { json!({}) },
        }});
        assert_eq!(bytes(&e), old.to_string());
    }
    let r = samples::region(true);
    let old = json!({
        "code": r.code, "name": r.name, "level": r.level, "parent": r.parent,
        "dpt": {"l": r.dpt.l, "p": r.dpt.p, "j": r.dpt.j},
        "children": r.children.iter()
            .map(|c| json!({"code": c.code, "name": c.name, "level": c.level}))
            .collect::<Vec<_>>(),
    });
    assert_eq!(bytes(&r), old.to_string());
    let t = samples::tps_page();
    let contests: Vec<Value> = t
        .contests
        .iter()
        .map(|c| {
            let list: Vec<Value> = c
                .versions
                .iter()
                .map(|v| {
                    json!({
                        "version": v.version, "log_index": v.log_index,
                        "leaf_hash": v.leaf_hash, "submitted_at": v.submitted_at,
                        "signer": v.signer.as_ref().map(|s| json!({
                            "role": s.role, "key_id": s.key_id, "key": s.key,
                            "on_behalf": s.on_behalf.as_ref().map(|o| json!({"reason": o.reason})),
                            "correction": s.correction.as_ref()
                                .map(|c| json!({"objection": c.objection, "reason": c.reason})),
                        })),
                        "form": v.form, "warnings": v.warnings,
                        "photos": v.photos.iter()
                            .map(|p| json!({"sha256": p.sha256, "stored": p.stored}))
                            .collect::<Vec<_>>(),
                        "digest": v.digest,
                    })
                })
                .collect();
            let objections: Vec<Value> = c
                .objections
                .iter()
                .map(|o| {
                    json!({
                        "log_index": o.log_index, "version": o.version, "fields": o.fields,
                        "text": o.text,
                        "by": {"role": o.by.role, "region": o.by.region, "party": o.by.party,
                               "paslon": o.by.paslon},
                        "status": o.status, "ruling_log_index": o.ruling_log_index,
                        "corrected_log_index": o.corrected_log_index,
                    })
                })
                .collect();
            json!({"contest": c.contest, "held": c.held, "current": list.last(),
                   "versions": list, "objections": objections})
        })
        .collect();
    let old = json!({
        "code": t.code, "name": t.name, "level": t.level, "parent": t.parent,
        "dpt": {"l": t.dpt.l, "p": t.dpt.p, "j": t.dpt.j},
        "log_size": t.log_size, "contests": contests,
        "incidents": t.incidents.iter().map(|i| json!({
            "id": i.id, "category": i.category, "severity": i.severity,
            "status": i.status, "contests": i.contests,
        })).collect::<Vec<_>>(),
        "flags": t.flags.iter().map(|f| json!({
            "code": f.code, "message": f.message, "contest": f.contest,
        })).collect::<Vec<_>>(),
        "logistics": {"received": t.logistics.received, "ready": t.logistics.ready},
    });
    assert_eq!(bytes(&t), old.to_string());
    let e = samples::log_entries();
    let list: Vec<Value> = e
        .entries
        .iter()
        .map(|x| json!({"index": x.index, "data": x.data, "leaf_hash": x.leaf_hash}))
        .collect();
    assert_eq!(bytes(&e), json!({"entries": list}).to_string());
    let p = samples::proof();
    assert_eq!(bytes(&p), json!({"proof": p.proof}).to_string());
    let s = samples::session();
    assert_eq!(
        bytes(&s),
        json!({"token": s.token, "expires_at": s.expires_at,
               "totp_enrolment_required": s.totp_enrolment_required})
        .to_string()
    );
    let h = samples::health("ok");
    assert_eq!(
        bytes(&h),
        json!({"status": "ok", "log_size": 10, "checkpoint_size": 10}).to_string()
    );
    let h = samples::health("degraded");
    let old = json!({"status": "degraded", "reason": h.reason, "message": h.message,
                     "log_size": 10, "checkpoint_size": null});
    assert_eq!(bytes(&h), old.to_string());
    let h = samples::health("error");
    let old = json!({"status": "error", "reason": h.reason, "message": h.message, "log_size": 10});
    assert_eq!(bytes(&h), old.to_string());
}

/// A bulk item, refused or accepted, as `response_item` wrote it; a
/// replayed one adds `"replayed": true` and nothing else.
#[test]
fn bulk() {
    let b = samples::bulk();
    let k = samples::key_accepted();
    let e = samples::error(false);
    let mut refused = serde_json::to_value(&e).unwrap();
    refused
        .as_object_mut()
        .unwrap()
        .insert("status".into(), json!(409));
    let old = json!({"results": [
        {"status": 201, "body": k},
        {"status": 201, "body": k, "replayed": true},
        refused
    ]});
    assert_eq!(bytes(&b), old.to_string());
}
