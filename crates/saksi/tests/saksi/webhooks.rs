//! `saksi webhook` end to end: a webhook is added with its secret shown
//! once (and kept sealed in the database), listed without it, and
//! removed; a URL that is not http(s) or an unknown event is refused with
//! its code and exit code 2, storing nothing. One added to a running demo
//! receives a filing's notice signed with the secret printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::Output;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::accounts::init;
use crate::common::{Server, json, path, saksi, text};

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
    let db = rusqlite::Connection::open(dir.path().join("saksi.db")).unwrap();
    let stored: String = db
        .query_row("SELECT secret FROM webhooks", [], |r| r.get(0))
        .unwrap();
    assert!(!stored.contains(secret), "the secret is kept sealed");
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

/// One HTTP request received on `listener`: its headers (lowercased
/// names) and body; answered 200.
fn receive(listener: &std::net::TcpListener) -> (Vec<(String, String)>, Vec<u8>) {
    listener.set_nonblocking(true).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no delivery within 30 s"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    reader
        .get_mut()
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .unwrap();
    (headers, body)
}

#[test]
fn a_webhook_added_to_a_running_demo_receives_a_filing_signed_with_its_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let demo = Server::demo(&dir, "5", "0");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let added = webhook_ok(&dir, &["add", "--url", &url, "--events", "new"]);
    let secret = added.trim().rsplit(' ').next().unwrap().to_owned();
    let out = saksi()
        .args(["loadgen", "--data-dir", path(&dir), "--server", &demo.url()])
        .args(["--connections", "1", "--count", "1", "--incidents", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let (headers, body) = receive(&listener);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let expected = format!(
        "sha256={}",
        crate::common::hex(&mac.finalize().into_bytes())
    );
    assert_eq!(header("x-saksi-signature"), expected);
    assert!(!header("x-saksi-delivery").is_empty());
    let payload = json(&String::from_utf8(body).unwrap());
    assert_eq!(payload["event"], "new");
    assert_eq!(payload["incident"]["severity"], "low");
    assert!(payload["incident"].get("title").is_none(), "{payload}");
}
