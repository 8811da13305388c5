//! Bahasa Indonesia by default, English by choice, remembered.

use saksi_core::permission::Role;

use crate::helpers::site;

#[tokio::test]
async fn pages_are_indonesian_by_default_even_for_an_english_browser_which_is_offered_english() {
    let site = site();
    let mut browser = site.browser();
    let login = browser.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(
        login
            .body
            .starts_with("<!doctype html>\n<html lang=\"id\">"),
        "{}",
        login.body
    );
    assert!(login.body.contains("Kata sandi"));
    assert!(!login.body.contains("Read this page in English"));

    browser
        .headers
        .push(("accept-language", "en-US,en;q=0.9".into()));
    let offered = browser.get("/login").await;
    assert!(offered.body.contains("<html lang=\"id\">"));
    assert!(
        offered.text().contains(
            "lang=\"en\"><a href=\"/lang?to=en&back=/login\">Read this page in English</a>"
        ),
        "{}",
        offered.body
    );
}

#[tokio::test]
async fn english_is_chosen_by_the_link_on_every_page_and_remembered() {
    let site = site();
    let mut browser = site.browser();
    for path in ["/login", "/kpps/"] {
        let page = browser.get(path).await;
        assert!(
            page.text()
                .contains(&format!("href=\"/lang?to=en&back={path}\"")),
            "{path}"
        );
    }
    let chosen = browser.get("/lang?to=en&back=/kpps/").await;
    assert_eq!(chosen.status, 303);
    assert_eq!(chosen.location(), "/kpps/");
    let cookie = chosen.set_cookies().join("\n");
    assert!(
        cookie.contains("saksi_lang=en; Path=/; Max-Age=31536000; SameSite=Strict"),
        "{cookie}"
    );
    let kpps = browser.get("/kpps/").await;
    assert!(kpps.body.contains("<html lang=\"en\">"));
    assert!(kpps.body.contains("Enrol this phone"));
    // And back to Bahasa Indonesia.
    browser.get("/lang?to=id&back=/login").await;
    assert!(
        browser
            .get("/login")
            .await
            .body
            .contains("<html lang=\"id\">")
    );
}

#[tokio::test]
async fn the_language_link_never_leads_off_the_site() {
    let site = site();
    let mut browser = site.browser();
    for back in [
        "//evil.example/",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
    ] {
        let page = browser.get(&format!("/lang?to=en&back={back}")).await;
        assert_eq!(page.status, 303);
        assert_eq!(page.location(), "/workspace/", "{back}");
    }
}

#[tokio::test]
async fn every_page_renders_in_both_languages_for_every_role() {
    let site = site();
    for lang in ["id", "en"] {
        for role in saksi_core::permission::Role::ALL {
            let mut browser = site.browser();
            browser.cookies.insert("saksi_lang".into(), lang.into());
            let login = browser.log_in(role).await;
            assert_eq!(login.status, 303, "{role:?} {lang}: {}", login.body);
            let home = browser
                .get(if role == Role::Kpps {
                    "/kpps/"
                } else {
                    "/workspace/"
                })
                .await;
            assert_eq!(home.status, 200, "{role:?} {lang}: {}", home.body);
            assert!(home.body.contains(&format!("<html lang=\"{lang}\">")));
        }
    }
}

/// Every stable code the API can answer with has a message in both
/// languages, so an officer never reads a refusal in a language not chosen.
#[test]
fn every_api_error_code_has_a_message_in_both_languages() {
    use saksi_web::i18n::Lang;
    for lang in [Lang::Id, Lang::En] {
        let missing: Vec<&str> = saksi_server::codes::ALL
            .iter()
            .map(|c| c.code)
            .filter(|code| lang.catalogue().get(&format!("error.{code}")).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{lang:?} has no message for {missing:?}"
        );
    }
}
