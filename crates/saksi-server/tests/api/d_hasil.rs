//! The D.Hasil page (the web crate's, mounted beside the API as `saksi
//! serve` mounts it) of a DPRD Kab/Kota recap signed off through the API:
//! a kecamatan whose TPS saw an objection upheld and corrected, then its
//! kab/kota. Each page shows what was signed (children, digests, totals
//! with the options' names), the review below, the commissioners' keys,
//! the final log index with the checkpoint that includes it and its proof
//! link, and a QR code; a region not final is a 404 page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use saksi_api::Results;
use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_server::Config;
use saksi_statement::recap::Decision;
use saksi_statement::{KeyRole, Quorum};
use saksi_web::i18n::Lang;
use serde_json::{Map, Value};

use crate::helpers::{Answer, TestApp, spawn_app_with};
use crate::review::ruling;
use crate::signoff::{CONTEST, commissioner, confirm, signed, state, witness_objects};

/// A page as a browser reaching the server as `saksi.test` asks for it,
/// in `lang`.
async fn page(app: &TestApp, uri: &str, lang: &str) -> Answer {
    let request = Request::get(uri)
        .header(header::HOST, "saksi.test")
        .header(header::COOKIE, format!("saksi_lang={lang}"))
        .body(Body::empty())
        .unwrap();
    app.send_to_pages(request).await
}

/// The page's text as a browser shows it (the templates escape every
/// value).
fn text(answer: &Answer) -> String {
    String::from_utf8(answer.body.clone())
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn is_html(answer: &Answer) -> bool {
    answer.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html")
}

/// Confirms the statement the recap state offers for `region` with each
/// of `keys`; the statement and the confirmations' log indexes.
async fn sign_off(
    app: &TestApp,
    region: RegionCode,
    keys: &[Signer],
) -> (Map<String, Value>, Vec<u64>) {
    let offered = state(app, region).await;
    assert_eq!(offered.state, "ready", "{region}: {:?}", offered.blocked_by);
    let statement = offered.statement.unwrap();
    let mut indexes = Vec::new();
    for key in keys {
        let answer = confirm(app, region, &signed(&statement, key)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        indexes.push(answer.json()["log_index"].as_u64().unwrap());
    }
    (statement, indexes)
}

/// Each child the statement names, with the digest it names.
fn children(statement: &Map<String, Value>) -> Vec<(String, String)> {
    statement["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["digest"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What every D.Hasil shows of a final region: its name and code, the
/// contest, "final", each child with its digest, the totals with the
/// options' names, each key id and log index, and the checkpoint with the
/// inclusion proof's link; and the QR code, an SVG image of the region's
/// public page, whose address is printed beside it.
async fn shows_the_final_recap(
    app: &TestApp,
    region: RegionCode,
    statement: &Map<String, Value>,
    keys: &[Signer],
    indexes: &[u64],
) -> String {
    let answer = page(app, &format!("/recap/{CONTEST}/{region}/d-hasil"), "id").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", text(&answer));
    assert!(is_html(&answer));
    let body = text(&answer);
    let results: Results = app
        .get(&format!("/api/v1/results/{CONTEST}/{region}"))
        .await
        .typed();
    assert!(body.contains(&format!(
        "{} <span class=\"muted\">({region})",
        results.name
    )));
    assert!(body.contains("id=\"d-hasil-contest\">DPRD Kabupaten/Kota<"));
    assert!(body.contains("id=\"d-hasil-status\">Final<"));
    for (code, digest) in children(statement) {
        assert!(body.contains(&format!("{code}</span>")), "{code}");
        assert!(
            body.contains(&format!(">{digest}</code>")),
            "{code} {digest}"
        );
    }
    let totals = &results.final_.as_ref().unwrap().totals;
    assert!(body.contains(&format!(
        "Suara sah</th><td class=\"n\">{}<",
        Lang::Id.number(totals.suara_sah)
    )));
    for (key, votes) in &totals.options.0 {
        let name = results.option_names.get(key).unwrap();
        assert!(
            body.contains(&format!(
                "<td>{key}</td><td>{name}</td><td class=\"n\">{}</td>",
                Lang::Id.number(*votes)
            )),
            "{key} {name}"
        );
    }
    for (key, index) in keys.iter().zip(indexes) {
        let key_id = format!("{:08x}", key.verifier().key_id());
        assert!(body.contains(&format!("<code>{key_id}</code>")), "{key_id}");
        assert!(body.contains(&format!(">{index}</td>")), "{index}");
        assert!(body.contains(&key.verifier().to_string()), "{key_id}");
    }
    let last = indexes.last().unwrap();
    assert!(body.contains(&format!("id=\"d-hasil-log-index\">{last}<")));
    let checkpoint = String::from_utf8(app.get("/api/v1/log/checkpoint").await.body).unwrap();
    let size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    assert!(
        size > *last,
        "the checkpoint includes the final confirmation"
    );
    assert!(body.contains(&format!("id=\"d-hasil-checkpoint\">{checkpoint}</pre>")));
    let proof = format!("/api/v1/log/proof/inclusion?index={last}&size={size}");
    assert!(body.contains(&format!("href=\"{proof}\"")), "{proof}");
    assert_eq!(app.get(&proof).await.status, StatusCode::OK);
    let public = format!("http://saksi.test/#/{CONTEST}/{region}");
    assert!(body.contains(&format!(">{public}</a></figcaption>")));
    let qr = body
        .split("id=\"d-hasil-qr\" src=\"data:image/svg+xml;base64,")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a QR code image");
    let svg = base64::engine::general_purpose::STANDARD
        .decode(qr)
        .unwrap();
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    body
}

#[tokio::test]
async fn a_final_region_prints_its_d_hasil_and_one_not_final_is_a_404_page() {
    let config = Config {
        signoff_quorum: Quorum::parse("kecamatan=2,kabkota=2").unwrap(),
        ..Config::default()
    };
    let app = spawn_app_with(config);
    let first = app.first_tps(RegionCode::NASIONAL);
    let kec = first.ancestor_at(Level::Kecamatan).unwrap();
    let kabkota = first.ancestor_at(Level::Kabkota).unwrap();
    let tree = &app.election.tree;
    let kecamatan: Vec<RegionCode> = tree
        .children(tree.find(kabkota).unwrap())
        .map(|k| tree.get(k).code)
        .collect();
    for k in &kecamatan {
        let id = tree.find(*k).unwrap();
        for t in tree.children(id).flat_map(|d| tree.children(d)) {
            let tps = tree.get(t).code;
            if app.election.holds(t, CONTEST) {
                let kpps = app.kpps_device(tps).await;
                let answer = app
                    .submit(&kpps, tps, CONTEST, app.form_json(tps, CONTEST, 1))
                    .await;
                assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
            }
        }
    }
    let mut ppk = Vec::new();
    for k in &kecamatan {
        ppk.push(vec![
            commissioner(&app, KeyRole::Ppk, *k, 1).await,
            commissioner(&app, KeyRole::Ppk, *k, 2).await,
        ]);
    }
    let kpu = vec![
        commissioner(&app, KeyRole::KpuKabkota, kabkota, 1).await,
        commissioner(&app, KeyRole::KpuKabkota, kabkota, 2).await,
    ];

    // A party's witness objects, a PPK member upholds it, the PPK corrects.
    let (_, objection_index) = witness_objects(&app, first).await;
    let ruled = app
        .request(
            axum::http::Method::POST,
            &format!("/api/v1/objections/{objection_index}/ruling"),
            &[("content-type", "application/json")],
            ruling(&ppk[0][0], objection_index, Decision::Upheld).to_string(),
        )
        .await;
    assert_eq!(ruled.status, StatusCode::CREATED, "{}", ruled.json());
    let corrected = app.sign_correction(
        &ppk[0][0],
        first,
        CONTEST,
        &app.form_json(first, CONTEST, 2),
        objection_index,
    );
    let corrected = app.post_signed(first, CONTEST, &corrected).await;
    assert_eq!(
        corrected.status,
        StatusCode::CREATED,
        "{}",
        corrected.json()
    );

    // Not final yet: a 404 page saying so, not a JSON error.
    let open = page(&app, &format!("/recap/{CONTEST}/{kec}/d-hasil"), "id").await;
    assert_eq!(open.status, StatusCode::NOT_FOUND);
    assert!(is_html(&open));
    assert!(text(&open).contains("id=\"error-code\">recap.no_d_hasil<"));
    assert!(text(&open).contains("belum final"));

    // Every kecamatan signed off, and a checkpoint signed over it all.
    let mut kec_statement = None;
    let mut kec_indexes = Vec::new();
    for (k, keys) in kecamatan.iter().zip(&ppk) {
        let (statement, indexes) = sign_off(&app, *k, keys).await;
        if *k == kec {
            (kec_statement, kec_indexes) = (Some(statement), indexes);
        }
    }
    let still_open = page(&app, &format!("/recap/{CONTEST}/{kabkota}/d-hasil"), "id").await;
    assert_eq!(still_open.status, StatusCode::NOT_FOUND);
    assert!(text(&still_open).contains("recap.no_d_hasil"));
    app.app.publish_checkpoint().unwrap();
    let body =
        shows_the_final_recap(&app, kec, &kec_statement.unwrap(), &ppk[0], &kec_indexes).await;
    // The review below it: the objection, its ruling's reason and the
    // correction's, with what the correction changed.
    assert!(body.contains(&format!("Keberatan (indeks log {objection_index})")));
    assert!(body.contains("dicocokkan dengan C.Hasil plano di pleno"));
    assert!(body.contains("keberatan diterima"));
    assert!(body.contains(&format!("/api/v1/tps/{first}/diff/{CONTEST}?from=1&to=2")));

    // The kab/kota: its children are the kecamatan, each with its final
    // sign-off's digest and a link to its own D.Hasil.
    let (statement, indexes) = sign_off(&app, kabkota, &kpu).await;
    app.app.publish_checkpoint().unwrap();
    let body = shows_the_final_recap(&app, kabkota, &statement, &kpu, &indexes).await;
    assert!(body.contains(&format!("href=\"/recap/{CONTEST}/{kec}/d-hasil\"")));
    assert!(body.contains("id=\"d-hasil-review-count\">1 keberatan"));

    // In English when chosen.
    let english = page(&app, &format!("/recap/{CONTEST}/{kabkota}/d-hasil"), "en").await;
    assert!(text(&english).contains("Commissioners who signed"));

    // Where the contest's recap does not reach, and no such contest: the
    // API's 404 codes, as pages.
    let province = kabkota.ancestor_at(Level::Provinsi).unwrap();
    for (uri, code) in [
        (
            format!("/recap/{CONTEST}/{province}/d-hasil"),
            "recap.not_a_level",
        ),
        (
            format!("/recap/pilkada/{kabkota}/d-hasil"),
            "contest.not_found",
        ),
    ] {
        let answer = page(&app, &uri, "id").await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(is_html(&answer), "{uri}");
        assert!(
            text(&answer).contains(&format!("id=\"error-code\">{code}<")),
            "{uri}"
        );
    }
}
