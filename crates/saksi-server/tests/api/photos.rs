//! Photos bound to the numbers (README: Photos): uploaded after the
//! statement that names them, served byte for byte, listed on the TPS page
//! as pending until they arrive, kept across a restart; and every refusal
//! stores nothing.

use axum::http::{Method, StatusCode};
use saksi_core::{Contest, RegionCode};
use serde_json::json;

use crate::helpers::*;

/// An app with a PPWP form of its first TPS accepted, its statement naming
/// `photos`: the app and the TPS.
async fn app_with_form_naming(photos: &[[u8; 32]]) -> (TestApp, RegionCode) {
    let app = spawn_app();
    let tps = app.first_tps(RegionCode::NASIONAL);
    let device = app.kpps_device(tps).await;
    let form = app.ppwp_form(tps, [100, 50, 25]);
    let body = app.sign_next_with_photos(&device, tps, Contest::Ppwp, &form, None, photos);
    let answer = app.post_signed(tps, Contest::Ppwp, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    (app, tps)
}

/// The `photos` of the PPWP form's current version on the TPS page.
async fn listed_photos(app: &TestApp, tps: RegionCode) -> serde_json::Value {
    let page = app.get(&format!("/api/v1/tps/{tps}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let page: saksi_api::TpsPage = page.typed();
    let ppwp = page.contests.iter().find(|c| c.contest == "ppwp").unwrap();
    serde_json::to_value(&ppwp.current.as_ref().unwrap().photos).unwrap()
}

#[tokio::test]
async fn a_photo_named_by_an_accepted_form_is_stored_once_and_served_byte_for_byte() {
    let photo = jpeg(1);
    let hash = hex::encode(sha256(&photo));
    let (app, _) = app_with_form_naming(&[sha256(&photo)]).await;

    let first = app.put_photo(&hash, photo.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    let stored: saksi_api::PhotoStored = first.typed();
    assert_eq!(
        stored,
        saksi_api::PhotoStored {
            sha256: hash.clone(),
            bytes: photo.len() as u64,
            stored: true
        }
    );
    let again = app.put_photo(&hash, photo.clone()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.body, first.body,
        "the same answer, nothing stored twice"
    );
    assert_eq!(app.photo_files().len(), 1);
    // Fanned out by the hash's first two bytes.
    let file = &app.photo_files()[0];
    let fanned = format!("photos/{}/{}/{hash}", &hash[..2], &hash[2..4]);
    assert!(file.ends_with(&fanned), "{}", file.display());

    let served = app.get(&format!("/api/v1/photos/{hash}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body, photo, "exactly the signed bytes");
    assert_eq!(served.headers["content-type"], "image/jpeg");
    assert_eq!(
        served.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(served.headers["etag"], format!("\"{hash}\"").as_str());
    // Any site may show it, like every public read.
    assert_eq!(served.headers["access-control-allow-origin"], "*");
    let cached = app
        .request(
            Method::GET,
            &format!("/api/v1/photos/{hash}"),
            &[("if-none-match", &format!("\"{hash}\""))],
            "",
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());
}

#[tokio::test]
async fn the_kind_of_a_photo_comes_from_its_bytes_not_its_content_type() {
    // A PNG signature.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend([7; 100]);
    let hash = hex::encode(sha256(&png));
    let (app, _) = app_with_form_naming(&[sha256(&png)]).await;
    // Sent as a JPEG.
    assert_eq!(
        app.put_photo(&hash, png.clone()).await.status,
        StatusCode::CREATED
    );
    let served = app.get(&format!("/api/v1/photos/{hash}")).await;
    assert_eq!(served.headers["content-type"], "image/png");
}

#[tokio::test]
async fn every_refused_upload_is_answered_with_its_code_and_stores_nothing() {
    let not_an_image = b"GIF89a, or any file at all".to_vec();
    let named = jpeg(2);
    let (app, _) = app_with_form_naming(&[sha256(&not_an_image), sha256(&named)]).await;
    let mut too_large = jpeg(3);
    too_large.resize(10 * 1024 * 1024 + 1, 0);
    let unnamed = jpeg(4);
    let cases: Vec<(&str, String, Vec<u8>, StatusCode, &str)> = vec![
        (
            "not an image",
            hex::encode(sha256(&not_an_image)),
            not_an_image.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "photo.not_an_image",
        ),
        (
            "too large",
            hex::encode(sha256(&too_large)),
            too_large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo.too_large",
        ),
        (
            "named by no statement",
            hex::encode(sha256(&unnamed)),
            unnamed,
            StatusCode::NOT_FOUND,
            "photo.not_named",
        ),
        (
            "bytes that do not hash to the path",
            hex::encode(sha256(&named)),
            jpeg(5),
            StatusCode::BAD_REQUEST,
            "photo.hash_mismatch",
        ),
        (
            "an upper-case hash",
            hex::encode(sha256(&named)).to_uppercase(),
            named.clone(),
            StatusCode::BAD_REQUEST,
            "photo.malformed_hash",
        ),
        (
            "a short hash",
            hex::encode(&sha256(&named)[..31]),
            named.clone(),
            StatusCode::BAD_REQUEST,
            "photo.malformed_hash",
        ),
    ];
    for (what, hash, bytes, status, code) in cases {
        let answer = app.put_photo(&hash, bytes).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (status, code),
            "{what}"
        );
        assert!(app.photo_files().is_empty(), "{what} stored a file");
    }
    // The two photos the statement names are still pending.
    assert_eq!(
        listed_photos(&app, app.first_tps(RegionCode::NASIONAL)).await,
        json!([
            {"sha256": hex::encode(sha256(&not_an_image)), "stored": false},
            {"sha256": hex::encode(sha256(&named)), "stored": false},
        ])
    );
    // The other routes keep their own limit.
    let tps = app.first_tps(RegionCode::NASIONAL);
    let big = app
        .request(
            Method::POST,
            &format!("/api/v1/tps/{tps}/forms/ppwp"),
            &[("content-type", "application/json")],
            vec![b' '; 70 * 1024],
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_photo_is_served_only_once_stored_and_named_by_a_public_entry() {
    let photo = jpeg(6);
    let hash = hex::encode(sha256(&photo));
    let (app, _) = app_with_form_naming(&[sha256(&photo)]).await;
    let pending = app.get(&format!("/api/v1/photos/{hash}")).await;
    assert_eq!(
        (pending.status, pending.code().as_str()),
        (StatusCode::NOT_FOUND, "photo.not_found")
    );
    // A file in the store that no entry names is not served either.
    let stray = jpeg(7);
    let stray_hash = sha256(&stray);
    {
        use saksi_store::BlobStore;
        let store = saksi_store::DirBlobStore::new(app.dir.path().join("photos"));
        store.put(&stray_hash, &stray).unwrap();
    }
    let unnamed = app
        .get(&format!("/api/v1/photos/{}", hex::encode(stray_hash)))
        .await;
    assert_eq!(
        (unnamed.status, unnamed.code().as_str()),
        (StatusCode::NOT_FOUND, "photo.not_found")
    );
    let malformed = app.get("/api/v1/photos/not-a-hash").await;
    assert_eq!(
        (malformed.status, malformed.code().as_str()),
        (StatusCode::BAD_REQUEST, "photo.malformed_hash")
    );
}

#[tokio::test]
async fn the_tps_page_says_a_photo_is_pending_until_it_arrives_and_names_each_digest() {
    let (first, second) = (jpeg(8), jpeg(9));
    let (app, tps) = app_with_form_naming(&[sha256(&first), sha256(&second)]).await;
    assert_eq!(
        listed_photos(&app, tps).await,
        json!([
            {"sha256": hex::encode(sha256(&first)), "stored": false},
            {"sha256": hex::encode(sha256(&second)), "stored": false},
        ])
    );
    let answer = app
        .put_photo(&hex::encode(sha256(&second)), second.clone())
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(
        listed_photos(&app, tps).await,
        json!([
            {"sha256": hex::encode(sha256(&first)), "stored": false},
            {"sha256": hex::encode(sha256(&second)), "stored": true},
        ])
    );
    // The digest is what the next version's `prev` must name.
    let page: saksi_api::TpsPage = app.get(&format!("/api/v1/tps/{tps}")).await.typed();
    let ppwp = page.contests.iter().find(|c| c.contest == "ppwp").unwrap();
    let (_, prev) = app.next_version(tps, Contest::Ppwp);
    assert_eq!(ppwp.current.as_ref().unwrap().digest, prev.map(hex::encode));
}

#[tokio::test]
async fn stored_photos_and_their_names_survive_a_restart() {
    let photo = jpeg(10);
    let hash = hex::encode(sha256(&photo));
    let (app, tps) = app_with_form_naming(&[sha256(&photo)]).await;
    assert_eq!(
        app.put_photo(&hash, photo.clone()).await.status,
        StatusCode::CREATED
    );
    let app = app.restart();
    let served = app.get(&format!("/api/v1/photos/{hash}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body, photo);
    assert_eq!(
        listed_photos(&app, tps).await,
        json!([{"sha256": hash, "stored": true}])
    );
    assert_eq!(
        app.put_photo(&hash, photo).await.status,
        StatusCode::OK,
        "still named and stored"
    );
}
