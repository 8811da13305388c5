//! The staff home shows each officer their own jurisdiction.

use saksi_core::permission::Role;

use crate::helpers::site;

#[tokio::test]
async fn a_ppk_sees_every_tps_of_its_kecamatan_with_links_to_its_page() {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::Ppk).await;
    let home = browser.get("/workspace/").await;
    assert_eq!(home.status, 200);
    let election = &site.app.state().election;
    let kecamatan = election
        .tree
        .iter()
        .find(|(_, r)| r.level() == saksi_core::Level::Kecamatan)
        .unwrap()
        .1
        .code;
    let inside: Vec<_> = election
        .tree
        .tps_ids()
        .map(|id| election.tree.get(id).code)
        .filter(|c| kecamatan.contains(*c))
        .collect();
    assert!(!inside.is_empty());
    for tps in &inside {
        assert!(
            home.text().contains(&format!("href=\"/#/tps/{tps}\"")),
            "{tps}"
        );
    }
    // No TPS of another kecamatan.
    let outside = election
        .tree
        .tps_ids()
        .map(|id| election.tree.get(id).code)
        .find(|c| !kecamatan.contains(*c))
        .unwrap();
    assert!(!home.text().contains(&outside.to_string()));
    assert!(home.body.contains("0 / "), "nothing reported yet");
}

#[tokio::test]
async fn a_kab_kota_officer_sees_reporting_per_kecamatan() {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::KpuKabkota).await;
    let home = browser.get("/workspace/").await;
    let election = &site.app.state().election;
    let kabkota = election
        .tree
        .iter()
        .find(|(_, r)| r.level() == saksi_core::Level::Kabkota)
        .unwrap()
        .0;
    for kec in election.tree.children(kabkota) {
        let r = election.tree.get(kec);
        assert!(
            home.text()
                .contains(&format!("href=\"/#/ppwp/{}\"", r.code)),
            "{}",
            r.code
        );
    }
    assert!(home.body.contains("Belum melapor"));
}

#[tokio::test]
async fn a_kpps_account_is_sent_to_the_kpps_app() {
    let site = site();
    let mut browser = site.browser();
    let login = browser.log_in(Role::Kpps).await;
    assert_eq!(login.location(), "/kpps/");
    let home = browser.get("/workspace/").await;
    assert_eq!(home.location(), "/kpps/");
}
