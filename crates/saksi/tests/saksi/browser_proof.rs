//! The browser's proof checks (`crates/saksi-web/assets/js/proof.js`) in
//! Node: on the shared reference vectors (every RFC 9162 inclusion probe,
//! the Certificate Transparency known answers, Go's signed-note cases and
//! the C2SP and transparency-dev checkpoints) it must give the reference's
//! answer; on a real server's log it must prove every entry against the
//! signed checkpoint with the served key, and refuse a proof with one bit
//! flipped, another index, and the checkpoint under any other key.

use std::path::PathBuf;

use serde_json::json;

use crate::common::browser::{self, script_json};
use crate::common::{Server, chain, get};

/// The shared vectors' directory, or `None` (reason printed) when absent
/// outside CI.
fn vectors() -> Option<PathBuf> {
    let dir = browser::workspace().join("../shared/vectors");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must have the shared vectors at {}",
        dir.display()
    );
    eprintln!("skipped the vectors part: {} not found", dir.display());
    None
}

#[test]
fn proof_js_agrees_with_the_reference_vectors_and_proves_a_real_log() {
    let Some(node) = browser::node() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    chain::prepare(&dir, None);
    let server = Server::serve(&dir);
    // Key registrations and two versions of a form: entries of both kinds.
    let tps = chain::first_tps(&server);
    let device = chain::kpps_device(server.addr, &dir, &tps);
    let origin = chain::origin(server.addr);
    let (first, digest) =
        chain::signed_form(&device, &origin, &tps, "ppwp", (1, None), chain::FORM, None);
    assert_eq!(chain::post_form(server.addr, &tps, "ppwp", &first).0, 201);
    let (second, _) = chain::signed_form(
        &device,
        &origin,
        &tps,
        "ppwp",
        (2, Some(digest)),
        chain::FORM_2,
        None,
    );
    assert_eq!(chain::post_form(server.addr, &tps, "ppwp", &second).0, 201);
    // The checkpoint is signed every second: wait until it covers them.
    let size = || {
        let (_, note) = get(server.addr, "/api/v1/log/checkpoint");
        note.lines().nth(1).unwrap().parse::<u64>().unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while size() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint of 5 entries"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let vectors = vectors();
    let mut env = vec![("SAKSI_URL".to_owned(), server.url())];
    if let Some(dir) = &vectors {
        env.push(("VECTORS".to_owned(), dir.display().to_string()));
    }
    let out = std::process::Command::new(node)
        .arg(browser::workspace().join("e2e/proof-check.mjs"))
        .envs(env)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("node runs");
    let out = script_json(&out);

    if vectors.is_some() {
        assert_eq!(out["inclusion"]["probes"], 98, "{out:#}");
        assert_eq!(out["ct"]["paths"], 5, "{out:#}");
        assert_eq!(out["notes"]["cases"], 15, "{out:#}");
        for part in ["inclusion", "ct", "notes", "checkpoints"] {
            assert_eq!(out[part]["wrong"], json!([]), "{part}: {out:#}");
        }
    }

    let logged = &out["server"];
    assert_eq!(logged["wrong"], json!([]), "{out:#}");
    let size = logged["size"].as_u64().unwrap();
    assert!(size >= 5, "{out:#}");
    assert_eq!(logged["proved"], size, "every entry proved");
    assert!(logged["tampered"].as_u64().unwrap() >= size, "{out:#}");
    assert_eq!(logged["origin"], origin);
    assert_eq!(logged["key"], origin);
    assert_eq!(logged["other"]["by_another_key"], "proof.unknown_key");
    assert_eq!(logged["other"]["by_a_forged_key"], "proof.bad_signature");
    assert_eq!(logged["receipt_text_ok"], true);
}
