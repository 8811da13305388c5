//! A store marked as a demo's is served as a simulation: the banner is in
//! the page's HTML itself and every answer carries the header; an
//! election's store carries neither.

use saksi_server::simulation;
use saksi_store::SqliteStore;

use crate::helpers::spawn_app;

#[tokio::test]
async fn only_a_marked_store_is_served_with_the_banner_and_the_header() {
    let app = spawn_app();
    for uri in ["/", "/api/v1/results/ppwp", "/api/v1/no-such-thing"] {
        let answer = app.get(uri).await;
        assert!(
            !answer.headers.contains_key(simulation::HEADER),
            "{uri}: {:?}",
            answer.headers
        );
        assert!(!String::from_utf8_lossy(&answer.body).contains(simulation::BANNER));
    }
    let page = app.get("/").await;
    assert!(!String::from_utf8_lossy(&page.body).contains(simulation::PLACEHOLDER));

    let app = app.restart_with(|dir| {
        let store = SqliteStore::open(dir.join("saksi.db")).unwrap();
        simulation::mark(&store).unwrap();
    });
    let page = app.get("/").await;
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains(simulation::BANNER), "{html}");
    for uri in [
        "/",
        "/api/v1/results/ppwp",
        "/api/v1/no-such-thing",
        "/app.js",
    ] {
        let answer = app.get(uri).await;
        assert_eq!(
            answer
                .headers
                .get("X-Saksi-Simulation")
                .map(|v| v.as_bytes()),
            Some(&b"true"[..]),
            "{uri}"
        );
    }
    assert!(simulation::is_marked(app.store.as_ref()).unwrap());
}
