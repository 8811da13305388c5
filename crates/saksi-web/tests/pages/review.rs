//! The review queue's screen: a PPK member's own kecamatan, ready to sign
//! there; an officer above reads a kecamatan of their region, and only
//! one of it; a region that is no kecamatan, or a contest that does not
//! exist, says so.

use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};
use saksi_store::Store;

use crate::helpers::site;
use crate::screens::json_block;

#[tokio::test]
async fn a_ppk_member_reviews_their_own_kecamatan_and_officers_above_read_one_of_their_region() {
    let site = site();
    let election = site.store.load_election().unwrap().unwrap();
    let kecamatan = election
        .tree
        .iter()
        .find(|(_, r)| r.level() == Level::Kecamatan)
        .map(|(_, r)| r.code)
        .unwrap();
    let kabkota = kecamatan.ancestor_at(Level::Kabkota).unwrap();
    let elsewhere: RegionCode = election
        .tree
        .iter()
        .map(|(_, r)| r.code)
        .find(|c| c.level() == Level::Kecamatan && c.ancestor_at(Level::Kabkota) != Some(kabkota))
        .unwrap();

    let mut ppk = site.browser();
    ppk.log_in(Role::Ppk).await;
    let page = ppk.get("/workspace/review").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let data = json_block(&page, "page-data");
    assert_eq!(data["kecamatan"], kecamatan.to_string());
    assert_eq!(data["contest"], "ppwp");
    assert_eq!(data["can_sign"], true);
    assert_eq!(data["key_name"], format!("ppk-{kecamatan}"));
    assert!(page.body.contains("/static/js/review.js"));
    let dpr = ppk.get("/workspace/review?contest=dpr").await;
    assert_eq!(json_block(&dpr, "page-data")["contest"], "dpr");
    assert_eq!(
        ppk.get("/workspace/review?contest=pilkada").await.status,
        404
    );

    let mut kab = site.browser();
    kab.log_in(Role::KpuKabkota).await;
    // Without a kecamatan: the choice only.
    let choose = kab.get("/workspace/review").await;
    assert_eq!(choose.status, 200);
    assert!(!choose.body.contains("/static/js/review.js"));
    let home = kab.get("/workspace/").await;
    assert!(
        home.text()
            .contains(&format!("href=\"/workspace/review?kecamatan={kecamatan}\"")),
        "{}",
        home.body
    );
    let read = kab
        .get(&format!("/workspace/review?kecamatan={kecamatan}"))
        .await;
    assert_eq!(read.status, 200);
    let data = json_block(&read, "page-data");
    assert_eq!(data["kecamatan"], kecamatan.to_string());
    assert_eq!(data["can_sign"], false);
    for (query, status, code) in [
        (kabkota.to_string(), 404, "recap.not_a_kecamatan"),
        (elsewhere.to_string(), 403, "auth.forbidden"),
        ("11.x".to_owned(), 400, "region.invalid_code"),
    ] {
        let page = kab
            .get(&format!("/workspace/review?kecamatan={query}"))
            .await;
        assert_eq!(page.status.as_u16(), status, "{query}");
        assert!(page.body.contains(code), "{query}: {}", page.body);
    }
}
