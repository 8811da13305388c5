//! The screens that sign in the browser: the officer's
//! own key, certifying keys one level down, enrolment codes and KPPS
//! phones. Their lists and actions are the page's script calling the API;
//! these tests check what the server draws: who may open each page, in
//! both languages, with the strings and data its script reads.

use saksi_core::Level;
use saksi_core::permission::Role;
use saksi_store::Store;
use serde_json::Value;

use crate::helpers::{Page, site};

/// Each page, the roles that may open it, and its title in Bahasa
/// Indonesia and English.
const SCREENS: &[(&str, &[Role], &str, &str)] = &[
    (
        "/workspace/keys",
        &[Role::Pps, Role::Ppk, Role::KpuKabkota, Role::KpuProv],
        "Kunci tanda tangan saya",
        "My signing key",
    ),
    (
        "/workspace/certify",
        &[Role::KpuKabkota, Role::KpuProv],
        "Sertifikasi kunci petugas",
        "Certify officers&#x27; keys",
    ),
    (
        "/workspace/enrolment-codes",
        &[Role::KpuKabkota],
        "Kode pendaftaran HP KPPS",
        "Enrolment codes for KPPS phones",
    ),
    (
        "/workspace/devices",
        &[Role::KpuKabkota],
        "HP KPPS yang menunggu persetujuan",
        "KPPS phones to approve",
    ),
    (
        "/workspace/review",
        &[
            Role::Ppk,
            Role::KpuKabkota,
            Role::KpuProv,
            Role::KpuRi,
            Role::Bawaslu,
            Role::Saksi,
            Role::Auditor,
        ],
        "Antrean pemeriksaan",
        "Review queue",
    ),
];

/// The JSON a page hands its script in `<script type="application/json" id="...">`.
pub fn json_block(page: &Page, id: &str) -> Value {
    let marker = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {id} block: {}", page.body))
        + marker.len();
    let end = page.body[start..].find("</script>").unwrap() + start;
    serde_json::from_str(&page.body[start..end]).unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[tokio::test]
async fn each_signing_screen_opens_for_its_roles_in_both_languages_and_is_refused_to_the_others() {
    let site = site();
    for role in Role::ALL {
        let mut browser = site.browser();
        browser.log_in(role).await;
        for (path, roles, title_id, title_en) in SCREENS {
            browser.cookies.remove("saksi_lang");
            let page = browser.get(path).await;
            if !roles.contains(&role) {
                assert_eq!(page.status, 403, "{role:?} {path}");
                assert!(
                    page.body.contains("workspace.role_forbidden"),
                    "{role:?} {path}"
                );
                assert!(
                    page.body
                        .contains("Peran Anda tidak dapat memakai halaman ini."),
                    "{role:?} {path}"
                );
                continue;
            }
            assert_eq!(page.status, 200, "{role:?} {path}: {}", page.body);
            assert!(page.body.contains("<html lang=\"id\">"), "{path}");
            assert!(
                page.body.contains(&format!("<h1>{title_id}</h1>"))
                    || page
                        .body
                        .contains(&format!("<h1 class=\"noprint\">{title_id}</h1>")),
                "{role:?} {path}: {}",
                page.body
            );
            // The session's CSRF token, for the script's calls to the API.
            assert!(page.body.contains("<meta name=\"csrf-token\" content=\""));
            let messages = json_block(&page, "messages");
            assert!(messages["error"]["key.already_registered"].is_string());
            assert!(messages["ws"]["no_key"].is_string());

            browser.cookies.insert("saksi_lang".into(), "en".into());
            let english = browser.get(path).await;
            assert_eq!(english.status, 200, "{path}");
            assert!(english.body.contains("<html lang=\"en\">"), "{path}");
            assert!(english.body.contains(title_en), "{role:?} {path}");
            let messages = json_block(&english, "messages");
            assert_eq!(
                messages["error"]["key.not_authorised"],
                "Your key may not make this registration or revocation (outside your role or region)."
            );
        }
    }
}

#[tokio::test]
async fn a_refused_screen_speaks_english_to_an_officer_who_chose_it() {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::Pps).await;
    browser.cookies.insert("saksi_lang".into(), "en".into());
    let page = browser.get("/workspace/devices").await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Your role cannot use this page."));
}

#[tokio::test]
async fn without_a_session_each_signing_screen_sends_the_browser_to_login_and_back() {
    let site = site();
    let mut browser = site.browser();
    for (path, ..) in SCREENS {
        let page = browser.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location(), format!("/login?next={path}"));
    }
}

#[tokio::test]
async fn the_key_screen_names_the_key_after_the_post_and_says_who_certifies_it() {
    let site = site();
    for (role, certifier) in [
        (Role::Ppk, "KPU Kabupaten/Kota"),
        (Role::Pps, "KPU Kabupaten/Kota"),
        (Role::KpuKabkota, "KPU Provinsi"),
        (Role::KpuProv, "KPU RI"),
    ] {
        let mut browser = site.browser();
        browser.log_in(role).await;
        let page = browser.get("/workspace/keys").await;
        let data = json_block(&page, "page-data");
        let region = site
            .store
            .user_by_username(&crate::helpers::username(role))
            .unwrap()
            .unwrap()
            .region;
        let name = format!("{}-{region}", role.id());
        assert_eq!(data["key_name"], name.as_str(), "{role:?}");
        assert_eq!(data["certifier"], certifier, "{role:?}");
        assert!(
            page.body
                .contains(&format!("<code id=\"key-name\">{name}</code>"))
        );
        // The key stays in this browser; another browser needs its own.
        assert!(page.body.contains("tidak pernah keluar darinya"));
    }
}

#[tokio::test]
async fn the_enrolment_code_screen_offers_every_kecamatan_and_tps_of_the_officers_kab_kota_and_no_other()
 {
    let site = site();
    let mut browser = site.browser();
    browser.log_in(Role::KpuKabkota).await;
    let page = browser.get("/workspace/enrolment-codes").await;
    assert_eq!(page.status, 200);
    let election = &site.app.state().election;
    let (kabkota, kab) = election
        .tree
        .iter()
        .find(|(_, r)| r.level() == Level::Kabkota)
        .unwrap();
    let data = json_block(&page, "page-data");
    let listed = data["kecamatan"].as_array().unwrap();
    let expected: Vec<_> = election.tree.children(kabkota).collect();
    assert_eq!(listed.len(), expected.len());
    let mut tps_listed = 0;
    for (k, id) in listed.iter().zip(expected) {
        let r = election.tree.get(id);
        assert_eq!(k["code"], r.code.to_string().as_str());
        assert!(
            page.text()
                .contains(&format!("<option value=\"{}\">", r.code)),
            "{}",
            r.code
        );
        for t in k["tps"].as_array().unwrap() {
            let code: saksi_core::RegionCode = t["code"].as_str().unwrap().parse().unwrap();
            assert_eq!(code.level(), Level::Tps);
            assert!(r.code.contains(code), "{code} outside {}", r.code);
            assert!(t["name"].is_string() && t["desa"].is_string());
            tps_listed += 1;
        }
    }
    let tps_inside = election
        .tree
        .tps_ids()
        .filter(|id| kab.code.contains(election.tree.get(*id).code))
        .count();
    assert!(tps_inside > 0);
    assert_eq!(tps_listed, tps_inside);
    // The sheet's promise, in the page's strings for the script.
    let messages = json_block(&page, "messages");
    assert!(
        messages["codes"]["shown_once"]
            .as_str()
            .unwrap()
            .contains("hanya ditampilkan sekali")
    );
}

#[tokio::test]
async fn the_staff_home_links_each_role_to_the_signing_screens_it_may_use() {
    let site = site();
    for role in Role::ALL {
        if role == Role::Kpps {
            continue;
        }
        let mut browser = site.browser();
        browser.log_in(role).await;
        let home = browser.get("/workspace/").await;
        assert_eq!(home.status, 200, "{role:?}");
        for (path, roles, ..) in SCREENS {
            assert_eq!(
                home.text().contains(&format!("href=\"{path}\"")),
                roles.contains(&role),
                "{role:?} {path}"
            );
        }
    }
}

#[tokio::test]
async fn the_scripts_the_screens_load_are_served_as_javascript() {
    let site = site();
    let mut browser = site.browser();
    for file in [
        "signing.js",
        "workspace.js",
        "keys.js",
        "certify.js",
        "enrolment-codes.js",
        "devices.js",
        "rules.js",
        "offline.js",
        "queue.js",
        "proof.js",
        "chasil.js",
        "camera.js",
        "entry.js",
        "entry-behalf.js",
        "review.js",
    ] {
        let page = browser.get(&format!("/static/js/{file}")).await;
        assert_eq!(page.status, 200, "{file}");
        assert_eq!(
            page.headers["content-type"], "text/javascript; charset=utf-8",
            "{file}"
        );
    }
    // Scripts set text only: no HTML is ever parsed from what the API says.
    for file in [
        "workspace.js",
        "keys.js",
        "certify.js",
        "enrolment-codes.js",
        "devices.js",
        "rules.js",
        "queue.js",
        "proof.js",
        "kpps.js",
        "chasil.js",
        "camera.js",
        "entry.js",
        "entry-behalf.js",
        "review.js",
    ] {
        let page = browser.get(&format!("/static/js/{file}")).await;
        assert!(!page.body.contains("innerHTML"), "{file}");
        assert!(!page.body.contains("insertAdjacentHTML"), "{file}");
    }
}

#[tokio::test]
async fn the_kpps_apps_service_worker_is_served_from_its_scope_never_from_a_stale_cache() {
    let site = site();
    let mut browser = site.browser();
    let page = browser.get("/kpps/sw.js").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.headers["content-type"],
        "text/javascript; charset=utf-8"
    );
    // The browser checks for a new release at every visit.
    assert_eq!(page.headers["cache-control"], "no-cache");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("worker-src 'self'"), "{csp}");
    // The release's cache name and the shell, then the worker.
    assert!(
        page.body.starts_with("const CACHE = \"saksi-kpps-"),
        "{}",
        &page.body[..80]
    );
    let shell_line = page.body.lines().nth(1).unwrap();
    let shell: Vec<String> = serde_json::from_str(
        shell_line
            .strip_prefix("const SHELL = ")
            .and_then(|l| l.strip_suffix(';'))
            .unwrap(),
    )
    .unwrap();
    for url in &shell {
        assert_eq!(browser.get(url).await.status, 200, "{url}");
    }
    assert!(shell.contains(&"/kpps/".to_owned()), "{shell:?}");
    assert!(page.body.contains("addEventListener(\"fetch\""));
}
