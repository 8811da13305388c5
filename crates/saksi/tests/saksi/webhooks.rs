//! `saksi webhook` end to end: a webhook is added with its secret shown
//! once, listed without it, and removed; a URL that is not http(s) or an
//! unknown event is refused with its code and exit code 2, storing
//! nothing.

use std::path::Path;
use std::process::Output;

use crate::accounts::init;
use crate::common::{path, saksi, text};

fn webhook(dir: &Path, args: &[&str]) -> Output {
    saksi()
        .arg("webhook")
        .args(args)
        .args(["--data-dir", path(dir)])
        .output()
        .unwrap()
}

fn webhook_ok(dir: &Path, args: &[&str]) -> String {
    let out = webhook(dir, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn a_webhook_is_added_with_its_secret_shown_once_listed_without_it_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    for (url, events, code) in [
        ("ftp://cc.example/hook", "new", "webhook.url_not_http"),
        ("cc.example/hook", "new", "webhook.url_not_http"),
        (
            "https://cc.example/hook",
            "new,opened",
            "webhook.unknown_event",
        ),
    ] {
        let out = webhook(dir.path(), &["add", "--url", url, "--events", events]);
        assert_eq!(out.status.code(), Some(2), "{url} {events}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with(&format!("error: {code}: ")), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    assert!(webhook_ok(dir.path(), &["list"]).contains("(no webhooks)"));

    let added = webhook_ok(
        dir.path(),
        &[
            "add",
            "--url",
            "https://cc.example/hook",
            "--events",
            "new,escalated",
        ],
    );
    assert!(
        added.starts_with("webhook 1 added: https://cc.example/hook\n"),
        "{added}"
    );
    let secret = added.trim().rsplit(' ').next().unwrap();
    assert_eq!(secret.len(), 64, "{added}");
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));

    let listed = webhook_ok(dir.path(), &["list"]);
    assert!(
        listed.contains("1  https://cc.example/hook  new,escalated  0  0  0  -"),
        "{listed}"
    );
    assert!(!listed.contains(secret), "the secret is shown once only");
    assert!(webhook_ok(dir.path(), &["deliveries", "1"]).contains("(no deliveries)"));

    assert_eq!(
        webhook_ok(dir.path(), &["remove", "1"]),
        "webhook 1 removed\n"
    );
    assert!(webhook_ok(dir.path(), &["list"]).contains("(no webhooks)"));
    let again = webhook(dir.path(), &["remove", "1"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("no webhook with id 1"));
}
