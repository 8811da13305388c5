//! The officers' workspace in a real browser (Debian's chromium, driven by
//! Playwright's library: e2e/workspace.mjs) against a real demo: TOTP
//! enrolment and login, browser keys certified up the chain (by the demo's
//! simulated officer, and by the KPU Kab/Kota officer on the certify
//! screen), an
//! enrolment code issued and a phone enrolled and approved, English chosen
//! and remembered, writes without their CSRF token refused; every screen
//! photographed at 360 px and checked not to scroll sideways.

use std::path::{Path, PathBuf};

use crate::common::browser::{self, script_json};
use crate::common::{Server, http, json, saksi};

/// A demo with no simulated forms (seed 5), its accounts file, and where
/// the browser scripts put their screenshots: what every workspace
/// browser test starts from.
pub struct DemoSite {
    tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub server: Server,
    pub accounts_file: PathBuf,
    accounts: serde_json::Value,
}

impl DemoSite {
    pub fn start() -> DemoSite {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let server = Server::demo(&dir, "5", "0");
        let accounts_file = dir.join("demo-accounts.json");
        let accounts = json(&std::fs::read_to_string(&accounts_file).unwrap());
        DemoSite {
            tmp,
            dir,
            server,
            accounts_file,
            accounts,
        }
    }

    /// The region of the demo's account with `role`.
    pub fn region_of(&self, role: &str) -> String {
        self.accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["role"] == role)
            .unwrap()["region"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Where screenshots go: `SAKSI_SCREENSHOTS` when regenerating the
    /// README's, else a scratch directory.
    pub fn shots(&self) -> PathBuf {
        let shots = std::env::var_os("SAKSI_SCREENSHOTS")
            .map_or_else(|| self.tmp.path().join("shots"), PathBuf::from);
        std::fs::create_dir_all(&shots).unwrap();
        shots
    }
}

/// A TPS of `region` (a kab/kota, kecamatan or desa) other than `not`,
/// found through the public API.
pub fn tps_in(demo: &Server, region: &str, not: &str) -> String {
    let mut code = region.to_owned();
    // Down to a TPS (five parts to its code): the first child each time,
    // the second TPS if the first is `not`.
    while code.split('.').count() < 5 {
        let (status, body) = http(
            demo.addr,
            "GET",
            &format!("/api/v1/regions/{code}"),
            &[],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let children = json(&body)["children"].as_array().unwrap().clone();
        let pick = children
            .iter()
            .map(|c| c["code"].as_str().unwrap().to_owned())
            .find(|c| {
                c.as_str() != not && !not.starts_with(&format!("{c}.")) || children.len() == 1
            })
            .unwrap_or_else(|| children[0]["code"].as_str().unwrap().to_owned());
        code = pick;
    }
    assert_ne!(code, not);
    code
}

/// The log's last `n` entries, as text.
pub fn last_entries(demo: &Server, n: u64) -> Vec<String> {
    use base64::Engine as _;
    let (_, checkpoint) = http(demo.addr, "GET", "/api/v1/log/checkpoint", &[], "");
    let size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    let start = size.saturating_sub(n);
    let (status, body) = http(
        demo.addr,
        "GET",
        &format!("/api/v1/log/entries?start={start}&end={size}"),
        &[],
        "",
    );
    assert_eq!(status, 200, "{body}");
    json(&body)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(e["data"].as_str().unwrap())
                .unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}

#[test]
fn an_officer_enrols_a_phone_in_a_real_browser_and_the_phone_sees_itself_approved() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let site = DemoSite::start();
    let (demo, dir, accounts_file) = (&site.server, &site.dir, &site.accounts_file);
    let region_of = |role: &str| site.region_of(role);
    let kabkota = region_of("kpu-kabkota");
    let tps = tps_in(demo, &kabkota, &region_of("kpps"));
    // A PPK account made by the operator: no authenticator yet.
    let kecamatan = tps.rsplitn(3, '.').nth(2).unwrap().to_owned();
    let added = saksi()
        .args(["user", "add", "--data-dir", dir.to_str().unwrap()])
        .args([
            "--username",
            "ppk.baru",
            "--role",
            "ppk",
            "--region",
            &kecamatan,
        ])
        .env("SAKSI_PASSWORD", "kata-sandi-ppk-baru-2024")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let shots = site.shots();
    let out = browser::run_script(
        Path::new("workspace.mjs"),
        &[
            ("SAKSI_URL", &demo.url()),
            ("ACCOUNTS", accounts_file.to_str().unwrap()),
            ("TPS", &tps),
            ("SHOTS", shots.to_str().unwrap()),
            ("NEW_USER", "ppk.baru"),
            ("NEW_PASSWORD", "kata-sandi-ppk-baru-2024"),
        ],
    );
    let out = script_json(&out);
    assert!(out.get("failure").is_none(), "the scenario failed: {out:#}");
    assert_eq!(
        out["errors"],
        serde_json::json!([]),
        "a page threw: {out:#}"
    );

    // TOTP: a password alone leads to the authenticator page; a code from
    // the secret it shows enrols, with ten recovery codes, and opens the home.
    assert_eq!(out["new_user_landed"], "/workspace/totp");
    assert_eq!(out["recovery_codes"], 10);
    assert_eq!(out["new_user_home"], "/workspace/");
    // Its browser key, certified by the KPU Kab/Kota officer on the certify
    // screen, signing in the officer's browser.
    let ppk_key = out["new_user_key"].as_str().unwrap();
    assert!(
        ppk_key.starts_with(&format!("ppk-{kecamatan}+")),
        "{ppk_key}"
    );
    assert_eq!(out["new_user_key_status"], "certified");
    // Bahasa Indonesia first, for a browser that asks for it or not.
    assert_eq!(out["login_lang"], "id");
    assert_eq!(out["officer_landed"], "/workspace/");
    assert_eq!(out["home_lang"], "id");
    // No write without its CSRF token.
    assert_eq!(out["api_without_csrf"]["status"], 403);
    assert_eq!(out["api_without_csrf"]["code"], "auth.csrf_invalid");
    assert_eq!(out["form_without_csrf"]["status"], 403);
    assert_eq!(out["form_without_csrf"]["code_shown"], true);
    // The officer's browser key is on the log, certified by the demo's
    // KPU Provinsi key for the officer's kab/kota.
    let key = out["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("kpu-kabkota-{kabkota}+")), "{key}");
    // The phone's key is registered as the TPS's KPPS device.
    assert_eq!(out["devices_listed"], 1);
    assert_eq!(out["phone_status"], "approved");
    // A lost phone's key is revoked with one click, and the phone knows.
    assert_eq!(out["phone_after_revocation"], "revoked");
    let phone_key = out["phone_key"].as_str().unwrap();
    assert!(
        phone_key.starts_with(&format!("kpps-{tps}+")),
        "{phone_key}"
    );
    // Both are on the log (once a checkpoint covers them: it is signed
    // every second).
    let logged_both = |entries: &[String]| {
        let has = |action: &str| {
            entries
                .iter()
                .any(|e| e.contains(phone_key) && e.contains(&format!("\"action\":\"{action}\"")))
        };
        has("register")
            && has("revoke")
            && entries.iter().any(|e| e.contains(key))
            && entries.iter().any(|e| {
                // Certified as a PPK member's key that signs off (the box
                // ticked on the certify screen).
                e.contains(ppk_key)
                    && e.contains("\"role\":\"ppk\"")
                    && e.contains("\"commissioner\":true")
            })
    };
    let mut logged = last_entries(demo, 50);
    for _ in 0..40 {
        if logged_both(&logged) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        logged = last_entries(demo, 50);
    }
    assert!(
        logged_both(&logged),
        "the officers' keys, the phone's approval and its revocation are logged key statements"
    );
    assert!(logged.iter().any(|e| e.contains(key)));
    // English once chosen stays chosen.
    assert_eq!(out["switched_lang"], "en");
    assert_eq!(out["remembered_lang"], "en");
    // No screen scrolls sideways on a 360 px phone.
    for (name, width) in out["widths"].as_object().unwrap() {
        assert!(width.as_u64().unwrap() <= 360, "{name} is {width} px wide");
        let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
    assert!(out["widths"].as_object().unwrap().len() >= 10, "{out:#}");
}
