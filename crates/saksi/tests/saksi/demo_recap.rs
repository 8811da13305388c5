//! The demo's simulated recap: it climbs to a final national PPWP result
//! that `saksi audit` accepts, with objections ruled and corrected on the
//! way, and it never signs over a fact a person made.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::audit::{AuditTarget, audit_with_roots};
use crate::common::{Server, chain, get, json};
use crate::demo::{demo_kpps, ppwp_form};

/// The demo at scale 0.001 with forms at 2,000 a second, its stderr in
/// `log`.
fn demo(dir: &Path, log: &Path) -> Server {
    Server::demo_logged(dir, "5", "2000", log)
}

/// The demo's stderr once it holds `line` (at most five minutes).
pub(crate) fn wait_for(log: &Path, line: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(line) {
            return text;
        }
        assert!(Instant::now() < deadline, "no {line:?} in {text}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The recap state of a region for a contest.
fn state(server: &Server, contest: &str, code: &str) -> String {
    let (status, body) = get(server.addr, &format!("/api/v1/recap/{contest}/{code}"));
    assert_eq!(status, 200, "{body}");
    json(&body)["state"].as_str().unwrap().to_owned()
}

/// A number printed right before `suffix` in `text`.
pub(crate) fn count_before(text: &str, suffix: &str) -> u64 {
    let (head, _) = text
        .split_once(suffix)
        .unwrap_or_else(|| panic!("no {suffix:?} in {text}"));
    head.rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before {suffix:?} in {text}"))
}

#[test]
fn the_demo_signs_off_up_to_national_with_objections_on_the_way_and_the_audit_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let log = tmp.path().join("demo.log");
    let server = demo(&dir, &log);
    wait_for(&log, "the national ppwp sign-off is final");
    let text = wait_for(&log, "simulated recap finished: ");
    assert_eq!(count_before(&text, " regions left open"), 0, "{text}");
    let heard =
        count_before(&text, " objections upheld and corrected") + count_before(&text, " rejected;");
    assert!(heard > 0, "{text}");

    // Final at every level PPWP reaches, by the quorum's three keys.
    let (_, body) = get(server.addr, "/api/v1/recap/ppwp/0");
    let national = json(&body);
    assert_eq!(national["state"], "final", "{national}");
    assert_eq!(national["confirmations"].as_array().unwrap().len(), 3);
    let (_, body) = get(server.addr, "/api/v1/results/ppwp");
    let results = json(&body);
    assert_eq!(results["final"]["totals"], results["totals"], "{results}");
    assert_eq!(results["provisional"], false);
    assert_eq!(state(&server, "dpd", "11"), "final");
    let (status, _) = get(server.addr, "/recap/ppwp/0/d-hasil");
    assert_eq!(status, 200);

    // The printed accounts are still one per role: the simulated witness
    // and commissioners are others.
    let accounts = json(&std::fs::read_to_string(dir.join("demo-accounts.json")).unwrap());
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 9);
    assert!(
        accounts
            .iter()
            .all(|a| a["username"].as_str().unwrap().starts_with("demo-"))
    );

    // The auditor replays every objection, ruling, correction and
    // confirmation under the server's rules and finds the same finals.
    server.settled();
    let (out, stdout) = audit_with_roots(&server.url(), &server.key(), &dir, &["--sample", "0"]);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("discrepancies: 0"), "{stdout}");
}

/// A form a person signed with the demo's key file for a TPS holds that
/// kecamatan's PPWP recap open: the simulation's own form for it is
/// refused, and the simulation signs nothing over a form it did not make,
/// while everything else climbs.
#[test]
fn the_demo_recap_leaves_a_kecamatan_with_a_persons_form_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let (tps, kecamatan) = {
        let mut quiet = Server::demo(&dir, "5", "0");
        let (tps, device) = demo_kpps(&dir);
        let (body, _) = chain::signed_form(
            &device,
            &chain::origin(quiet.addr),
            &tps,
            "ppwp",
            (1, None),
            &ppwp_form([50, 60, 40]),
            None,
        );
        let (status, answer) = chain::post_form(quiet.addr, &tps, "ppwp", &body);
        assert_eq!(status, 201, "{answer}");
        assert!(quiet.terminate().success());
        let kecamatan = tps.rsplitn(3, '.').nth(2).unwrap().to_owned();
        (tps, kecamatan)
    };

    let log = tmp.path().join("demo.log");
    let server = demo(&dir, &log);
    let text = wait_for(&log, "simulated recap finished: ");
    assert!(
        !text.contains("the national ppwp sign-off is final"),
        "{text}"
    );
    assert_eq!(count_before(&text, " regions left open"), 0, "{text}");
    // Ready, and left for the PPK's own members to sign off.
    assert_eq!(state(&server, "ppwp", &kecamatan), "ready", "{tps}");
    // Its other contests are the simulation's forms: signed off.
    assert_eq!(state(&server, "dpr", &kecamatan), "final");
    let kabkota = kecamatan.rsplit_once('.').unwrap().0;
    assert_eq!(state(&server, "ppwp", kabkota), "open");
    let (_, body) = get(server.addr, &format!("/api/v1/results/ppwp/{tps}"));
    assert_eq!(
        json(&body)["totals"]["options"],
        serde_json::json!({"01": 50, "02": 60, "03": 40})
    );
}
