//! The incident screens: every signed-in role opens its queue, the filing
//! form and an incident's page, in both languages, with the role and
//! region its script acts on; the API decides what each may see and do.
//! Signed out, they lead to the login; an id that names no incident is a
//! 404 page.

use saksi_core::permission::Role;

use crate::helpers::site;
use crate::screens::json_block;

const ID: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn every_role_opens_the_incident_screens_in_both_languages() {
    let site = site();
    for role in Role::ALL {
        let mut browser = site.browser();
        browser.log_in(role).await;
        for (path, title_id, title_en) in [
            (
                "/workspace/incidents",
                "<h1>Kejadian</h1>",
                "<h1>Incidents</h1>",
            ),
            (
                "/workspace/incidents/new",
                "<h1>Laporkan kejadian</h1>",
                "<h1>Report an incident</h1>",
            ),
            (
                &format!("/workspace/incidents/{ID}"),
                "<h1 id=\"incident-title\">Kejadian</h1>",
                "<h1 id=\"incident-title\">Incident</h1>",
            ),
        ] {
            browser.cookies.remove("saksi_lang");
            let page = browser.get(path).await;
            assert_eq!(page.status, 200, "{role:?} {path}: {}", page.body);
            assert!(page.body.contains(title_id), "{role:?} {path}");
            let data = json_block(&page, "page-data");
            assert_eq!(data["role"], role.id(), "{path}");
            assert!(data["region"].is_string(), "{path}");
            let messages = json_block(&page, "messages");
            assert!(
                messages["error"]["incident.not_owner"].is_string(),
                "{path}"
            );
            assert!(
                messages["incidents"]["statuses"]["open"].is_string(),
                "{path}"
            );

            browser.cookies.insert("saksi_lang".into(), "en".into());
            let english = browser.get(path).await;
            assert!(english.body.contains(title_en), "{role:?} {path}");
        }
        let page = browser.get("/workspace/incidents/not-an-id").await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("incident.not_found"));
    }
}

#[tokio::test]
async fn signed_out_the_incident_screens_lead_to_the_login() {
    let site = site();
    let mut browser = site.browser();
    for path in ["/workspace/incidents", "/workspace/incidents/new"] {
        let page = browser.get(path).await;
        assert!(
            page.status == 303 || page.body.contains("id=\"username\""),
            "{path}: {} {}",
            page.status,
            page.body
        );
    }
}
