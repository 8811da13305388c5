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

#[tokio::test]
async fn a_kab_kota_officer_sees_what_waits_for_it_and_the_tps_carrying_warnings() {
    use saksi_core::{Contest, Level};
    use saksi_server::workspace::enrolment;
    use saksi_store::{Batch, Store, StoredVersion, UnixTime};

    let site = site();
    let state = site.app.state();
    let election = &state.election;
    let tps = election
        .tree
        .get(election.tree.tps_ids().next().unwrap())
        .code;
    let kabkota = tps.ancestor_at(Level::Kabkota).unwrap();
    let kecamatan = tps.ancestor_at(Level::Kecamatan).unwrap();
    let officer = site
        .store
        .user_by_username(&crate::helpers::username(Role::KpuKabkota))
        .unwrap()
        .unwrap();
    // A phone enrolled and waiting for approval.
    let codes = enrolment::issue_codes_as(state, officer.id, kabkota, vec![tps])
        .await
        .unwrap();
    let phone = saksi_log::Signer::generate(&format!("kpps-{tps}")).unwrap();
    enrolment::enrol(
        state,
        "127.0.0.1",
        tps,
        &codes[0].code,
        &phone.verifier().to_string(),
    )
    .await
    .unwrap();
    // A form at the TPS whose current version carries a warning.
    site.store
        .commit_batch(&Batch {
            versions: vec![StoredVersion {
                tps,
                contest: Contest::Ppwp,
                version: 1,
                log_index: 0,
                form_json: "{}".into(),
                warnings_json: r#"[{"code":"tps.turnout_high"}]"#.into(),
                submitted_by: "key:test".into(),
                submitted_at: UnixTime(1_800_000_000),
                request: None,
            }],
            ..Default::default()
        })
        .unwrap();

    let mut browser = site.browser();
    browser.log_in(Role::KpuKabkota).await;
    let home = browser.get("/workspace/").await;
    let text = home.text();
    assert!(
        text.contains("id=\"devices-waiting\">(1 menunggu)"),
        "{text}"
    );
    assert!(text.contains("id=\"keys-waiting\">(0 menunggu)"), "{text}");
    assert!(text.contains("TPS dengan peringatan"));
    // The warned TPS's kecamatan shows one TPS with warnings.
    let row = &text[text.find(&format!("href=\"/#/ppwp/{kecamatan}\"")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.ends_with("<td><strong>1</strong></td>\n      "),
        "{row}"
    );
}
