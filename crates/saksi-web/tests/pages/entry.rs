//! The C.Hasil entry screens: the KPPS app carries the entry's strings
//! for its script, and `/workspace/entry/{tps}` (entry on behalf) opens
//! only for the PPS of the TPS's desa and the PPK of its kecamatan.

use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};

use crate::helpers::{Site, site};
use crate::screens::json_block;

/// The first region of `level` (where the site's account of that level is).
fn first(site: &Site, level: Level) -> RegionCode {
    let election = &site.app.state().election;
    election
        .tree
        .iter()
        .find(|(_, r)| r.level() == level)
        .unwrap()
        .1
        .code
}

/// A TPS inside `region`, or (with `inside` false) outside it.
fn tps(site: &Site, region: RegionCode, inside: bool) -> RegionCode {
    let election = &site.app.state().election;
    election
        .tree
        .tps_ids()
        .map(|id| election.tree.get(id).code)
        .find(|c| region.contains(*c) == inside)
        .unwrap()
}

#[tokio::test]
async fn a_pps_opens_the_entry_for_a_tps_of_its_desa_with_its_own_key_named() {
    let site = site();
    let desa = first(&site, Level::Desa);
    let mine = tps(&site, desa, true);
    let mut browser = site.browser();
    browser.log_in(Role::Pps).await;
    let page = browser.get(&format!("/workspace/entry/{mine}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Isi C.Hasil atas nama KPPS</h1>"));
    let data = json_block(&page, "page-data");
    assert_eq!(data["tps"], mine.to_string().as_str());
    assert_eq!(data["key_name"], format!("pps-{desa}").as_str());
    // The reason is asked for, and its rule said.
    assert!(page.body.contains("id=\"reason\""));
    assert!(page.text().contains("1 sampai 500 karakter"));
    let messages = json_block(&page, "messages");
    assert!(messages["chasil"]["rule"]["form.votes_sum_mismatch"].is_string());
    assert!(messages["error"]["entry.double_mismatch"].is_string());
    assert_eq!(messages["contest"]["ppwp"], "PPWP");

    browser.cookies.insert("saksi_lang".into(), "en".into());
    let english = browser.get(&format!("/workspace/entry/{mine}")).await;
    assert_eq!(english.status, 200);
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(
        english
            .text()
            .contains("<h1>Enter a C.Hasil on the KPPS's behalf</h1>")
    );
    let messages = json_block(&english, "messages");
    assert_eq!(
        messages["chasil"]["rule"]["form.votes_sum_mismatch"],
        "{right}, but {left}."
    );
}

#[tokio::test]
async fn a_pps_may_not_enter_for_a_tps_of_another_desa() {
    let site = site();
    let other = tps(&site, first(&site, Level::Desa), false);
    let mut browser = site.browser();
    browser.log_in(Role::Pps).await;
    let page = browser.get(&format!("/workspace/entry/{other}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("workspace.role_forbidden"));
    assert!(!page.body.contains("id=\"reason\""));
}

#[tokio::test]
async fn a_ppk_enters_for_the_tps_of_its_kecamatan_and_no_other() {
    let site = site();
    let kecamatan = first(&site, Level::Kecamatan);
    let mut browser = site.browser();
    browser.log_in(Role::Ppk).await;
    let mine = tps(&site, kecamatan, true);
    let page = browser.get(&format!("/workspace/entry/{mine}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        json_block(&page, "page-data")["key_name"],
        format!("ppk-{kecamatan}").as_str()
    );
    let other = tps(&site, kecamatan, false);
    let page = browser.get(&format!("/workspace/entry/{other}")).await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn no_other_role_enters_on_behalf() {
    let site = site();
    let mine = tps(&site, first(&site, Level::Desa), true);
    for role in Role::ALL {
        if matches!(role, Role::Pps | Role::Ppk) {
            continue;
        }
        let mut browser = site.browser();
        browser.log_in(role).await;
        let page = browser.get(&format!("/workspace/entry/{mine}")).await;
        assert_eq!(page.status, 403, "{role:?}");
        assert!(page.body.contains("workspace.role_forbidden"), "{role:?}");
    }
}

#[tokio::test]
async fn an_address_that_names_no_tps_is_refused_with_its_code() {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::Pps).await;
    let desa = first(&site, Level::Desa);
    let page = browser.get(&format!("/workspace/entry/{desa}")).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("region.not_found"));
    let page = browser.get("/workspace/entry/not-a-code").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("region.invalid_code"));
}

#[tokio::test]
async fn without_a_session_the_entry_sends_the_browser_to_login_and_back() {
    let site = site();
    let mine = tps(&site, first(&site, Level::Desa), true);
    let mut browser = site.browser();
    let page = browser.get(&format!("/workspace/entry/{mine}")).await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location(),
        format!("/login?next=/workspace/entry/{mine}")
    );
}

#[tokio::test]
async fn the_pps_home_links_each_tps_to_its_entry_on_behalf() {
    let site = site();
    let desa = first(&site, Level::Desa);
    let mut browser = site.browser();
    browser.log_in(Role::Pps).await;
    let home = browser.get("/workspace/").await;
    let election = &site.app.state().election;
    let inside: Vec<_> = election
        .tree
        .tps_ids()
        .map(|id| election.tree.get(id).code)
        .filter(|c| desa.contains(*c))
        .collect();
    assert!(!inside.is_empty());
    for tps in inside {
        assert!(
            home.text()
                .contains(&format!("href=\"/workspace/entry/{tps}\"")),
            "{tps}"
        );
    }
}

#[tokio::test]
async fn the_kpps_app_hands_its_script_the_entry_strings_in_both_languages() {
    let site = site();
    let mut browser = site.browser();
    let page = browser.get("/kpps/").await;
    assert_eq!(page.status, 200);
    let messages = json_block(&page, "messages");
    assert_eq!(
        messages["chasil"]["rule"]["form.votes_sum_mismatch"],
        "{right}, tetapi {left}."
    );
    assert!(
        messages["entry"]["accepted"]
            .as_str()
            .unwrap()
            .contains("{log_index}")
    );
    browser.cookies.insert("saksi_lang".into(), "en".into());
    let page = browser.get("/kpps/").await;
    let messages = json_block(&page, "messages");
    assert_eq!(
        messages["error"]["entry.photo_required"],
        "Take at least one photo of the paper C.Hasil."
    );
}
