//! C.Hasil entry in a real browser (Debian's chromium driven by
//! Playwright's library: e2e/entry.mjs) against one demo that makes no
//! forms of its own: an enrolled phone enters a PPWP form with a slip the
//! page explains in words, corrects it, passes the double entry after a
//! disagreement it shows, attaches a photo (re-encoded and hashed on the
//! phone), and signs it with its connection cut (by a proxy outside the
//! browser): the form and its photo wait in the outbox; the connection
//! returns, and the outbox shows the form accepted with its log index, the
//! photo uploaded, and the log check verified; a correction is accepted as
//! version 2; the public TPS page shows both versions' numbers beside their
//! photos. A PPS enters a DPR form (parties and candidates) on behalf of a
//! TPS of its desa from its home. Then, with no signal, the phone reloads
//! its app, which opens its entry from what it kept (and says so, with
//! the time), and signs a form and a correction of it that builds on it
//! while it waits in the outbox: both are accepted, in order, once each,
//! when the connection returns. Every screen is photographed at 360 px
//! and checked not to scroll sideways.

use std::path::Path;

use crate::common::browser::{self, script_json};
use crate::common::{Server, http, json};
use crate::workspace_browser::{DemoSite, last_entries, tps_in};

/// `contest` at `tps` from the public TPS page: its versions and current.
fn contest_at(demo: &Server, tps: &str, contest: &str) -> serde_json::Value {
    let (status, body) = http(demo.addr, "GET", &format!("/api/v1/tps/{tps}"), &[], "");
    assert_eq!(status, 200, "{body}");
    json(&body)["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == contest)
        .unwrap()
        .clone()
}

/// The current version of `contest` at `tps`, from the public TPS page.
fn current(demo: &Server, tps: &str, contest: &str) -> serde_json::Value {
    contest_at(demo, tps, contest)["current"].clone()
}

/// The log entry (of the last few) whose statement names `photo`.
fn entries_naming(demo: &Server, photo: &str) -> String {
    last_entries(demo, 20)
        .into_iter()
        .find(|e| e.contains(photo))
        .expect("a statement naming the photo is in the log")
}

#[test]
fn a_phone_enters_checks_twice_photographs_and_signs_a_c_hasil_and_a_pps_enters_one_on_behalf() {
    let Some(_) = browser::playwright() else {
        return;
    };
    let site = DemoSite::start();
    let (demo, accounts_file) = (&site.server, &site.accounts_file);
    let region_of = |role: &str| site.region_of(role);
    let phone_tps = tps_in(demo, &region_of("kpu-kabkota"), &region_of("kpps"));
    let behalf_tps = tps_in(demo, &region_of("pps"), &phone_tps);

    let shots = site.shots();
    let out = browser::run_script(
        Path::new("entry.mjs"),
        &[
            ("SAKSI_URL", &demo.url()),
            ("ACCOUNTS", accounts_file.to_str().unwrap()),
            ("PHONE_TPS", &phone_tps),
            ("BEHALF_TPS", &behalf_tps),
            ("SHOTS", shots.to_str().unwrap()),
        ],
    );
    let out = script_json(&out);
    assert!(out.get("failure").is_none(), "the scenario failed: {out:#}");
    assert_eq!(
        out["errors"],
        serde_json::json!([]),
        "a page threw: {out:#}"
    );

    // The phone is offered the contests held at its TPS, PPWP first, and
    // types on the numeric keyboard.
    assert_eq!(out["contests"][0], "ppwp", "{out:#}");
    assert_eq!(out["numeric_keyboard"], true);
    // The slip, in words with its numbers, beside the total: valid +
    // invalid = 200 + 5 = 205, but the total typed is 206; it blocks the
    // double entry until corrected.
    let slip = out["slip"].as_str().unwrap();
    for part in ["Salah:", "200 + 5 = 205", "tetapi", "= 206"] {
        assert!(slip.contains(part), "{slip:?} lacks {part:?}");
    }
    assert_eq!(out["slip_blocks"], true);
    assert!(
        out["after_correction"]
            .as_str()
            .unwrap()
            .contains("Semua angka sesuai aturan"),
        "{out:#}"
    );
    // The double entry's disagreement: the pair typed differently, both
    // numbers shown, the question asked.
    let first_option = out["options"][0].as_str().unwrap();
    assert_eq!(out["mismatch_fields"], serde_json::json!([first_option]));
    let mismatch = out["mismatch"].as_str().unwrap();
    assert!(mismatch.contains("entry.double_mismatch"), "{mismatch}");
    assert!(
        mismatch.contains("Mana yang tertulis di kertas?"),
        "{mismatch}"
    );
    assert!(
        out["no_photo"]
            .as_str()
            .unwrap()
            .contains("entry.photo_required")
    );
    assert!(
        out["not_an_image"]
            .as_str()
            .unwrap()
            .contains("entry.photo_not_an_image")
    );

    // Signed with the connection cut: said in words, and the form and its
    // photo wait in the outbox, listed form first.
    assert!(
        out["queued"].as_str().unwrap().contains("kotak keluar"),
        "{out:#}"
    );
    let waiting = out["offline_outbox"].as_array().unwrap();
    assert_eq!(waiting.len(), 2, "{out:#}");
    assert_eq!(waiting[0]["kind"], "statement");
    assert_eq!(waiting[1]["kind"], "photo");
    for item in waiting {
        assert_eq!(item["state"], "waiting", "{out:#}");
        assert_eq!(item["text"], "Menunggu sambungan.", "{out:#}");
    }
    assert!(out["refused_connections"].as_u64().unwrap() >= 1);

    // The connection returned: the form accepted with its log index (the
    // same signed bytes on every attempt), then the photo uploaded (201).
    let outbox = out["outbox"].as_array().unwrap();
    let statement = &outbox[0];
    assert_eq!(statement["state"], "accepted", "{out:#}");
    let log_index: u64 = statement["log_index"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        statement["text"],
        format!("Diterima, nomor log {log_index}.").as_str()
    );
    assert_eq!(outbox[1]["state"], "accepted", "{out:#}");
    assert_eq!(outbox[1]["text"], "Terunggah.");
    assert_eq!(out["resent_identical"], true, "{out:#}");
    assert_eq!(out["photo_answers"], serde_json::json!([201]), "{out:#}");
    // "Check in the log": the inclusion proof verified against the signed
    // checkpoint, in words.
    assert_eq!(out["check"]["ok"], true, "{out:#}");
    let check = out["check"]["text"].as_str().unwrap();
    assert!(
        check.starts_with(&format!("Terverifikasi: nomor log {log_index} ")),
        "{check}"
    );

    let ppwp = contest_at(demo, &phone_tps, "ppwp");
    let first = &ppwp["versions"][0];
    assert_eq!(first["version"], 1);
    assert_eq!(first["log_index"], log_index);
    assert_eq!(first["signer"]["role"], "kpps");
    assert_eq!(first["form"]["suara_total"], 205);
    assert_eq!(first["form"]["suara_sah"], 200);
    // The photo was re-encoded on the phone (its bytes are not the PNG's),
    // its hash is in the signed statement, and it is stored.
    let photo = out["photo_sha256"].as_str().unwrap();
    assert_eq!(photo.len(), 64);
    assert_ne!(photo, out["png_sha256"].as_str().unwrap());
    assert_eq!(
        first["photos"],
        serde_json::json!([{"sha256": photo, "stored": true}])
    );
    let signed = entries_naming(demo, photo);
    assert!(
        signed.contains(&format!("\"photos\":[\"{photo}\"]")),
        "{signed}"
    );

    // The correction: version 2, built on version 1's digest, accepted
    // with its photo.
    assert!(
        out["correction_review"]
            .as_str()
            .unwrap()
            .ends_with("versi 2"),
        "{out:#}"
    );
    let corrected = out["correction_outbox"].as_array().unwrap();
    assert!(
        corrected.iter().all(|i| i["state"] == "accepted"),
        "{out:#}"
    );
    let second = &ppwp["versions"][1];
    assert_eq!(second["version"], 2, "{ppwp:#}");
    assert_eq!(second["signer"]["role"], "kpps");
    let correction_photo = out["correction_photo"].as_str().unwrap();
    assert_eq!(
        second["photos"],
        serde_json::json!([{"sha256": correction_photo, "stored": true}])
    );
    let v2 = entries_naming(demo, correction_photo);
    assert!(
        v2.contains(&format!(
            "\"prev\":\"{}\"",
            first["digest"].as_str().unwrap()
        )),
        "{v2}"
    );

    // The public TPS page: each version's numbers beside its photo, loaded.
    let rows = out["public_rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{out:#}");
    for (row, (version, sha)) in rows
        .iter()
        .zip([("2 (berlaku)", correction_photo), ("1", photo)])
    {
        assert_eq!(row["version"], version, "{row}");
        assert_eq!(row["suara_sah"], "200", "{row}");
        assert_eq!(row["photo"], format!("/api/v1/photos/{sha}").as_str());
        assert!(row["loaded_width"].as_u64().unwrap() > 0, "{row}");
    }

    // The list said PPWP had its version 1; DPR is laid out by party
    // with its candidates, DPD by candidate.
    assert_eq!(out["ppwp_state"], "versi 1 sudah diterima");
    assert!(out["dpr"]["parties"].as_u64().unwrap() > 0, "{out:#}");
    assert!(
        out["dpr"]["candidates"].as_u64().unwrap() > out["dpr"]["parties"].as_u64().unwrap(),
        "{out:#}"
    );
    assert!(out["dpd_candidates"].as_u64().unwrap() > 1, "{out:#}");

    // The PPS: from its home to the TPS's entry on behalf; no reason, no
    // signature; then accepted, signed with its own key for the TPS.
    assert_eq!(
        out["behalf_path"],
        format!("/workspace/entry/{behalf_tps}").as_str()
    );
    assert_eq!(out["behalf_photos"], 3);
    assert!(
        out["fourth_photo"]
            .as_str()
            .unwrap()
            .contains("entry.photo_too_many")
    );
    assert!(
        out["without_reason"]
            .as_str()
            .unwrap()
            .contains("1 sampai 500 karakter")
    );
    assert_eq!(out["behalf_answer"]["state"], "ok", "{out:#}");
    let dpr = current(demo, &behalf_tps, "dpr");
    assert_eq!(dpr["signer"]["role"], "pps");
    assert_eq!(dpr["form"]["suara_sah"], 200);
    let boxes: usize = dpr["form"]["options"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| 1 + p["candidates"].as_object().unwrap().len())
        .sum();
    assert_eq!(boxes as u64, out["behalf_boxes"].as_u64().unwrap());
    assert_eq!(dpr["signer"]["on_behalf"]["reason"], "HP KPPS rusak");

    // No signal: the reloaded app said what it showed was kept from an
    // earlier visit, on the contest list, the ballot and the review.
    let kept_said = |v: &serde_json::Value| {
        let said = v.as_array().unwrap();
        said.len() == 1
            && said[0].as_str().unwrap().starts_with(
                "Tanpa sambungan: ditampilkan dari data yang disimpan ponsel ini pada ",
            )
    };
    assert!(kept_said(&out["no_signal_list_kept"]), "{out:#}");
    let no_signal = &out["no_signal"];
    let entries = no_signal["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for (entry, version) in entries.iter().zip([3, 4]) {
        assert!(kept_said(&entry["ballot_kept"]), "{entry:#}");
        assert!(kept_said(&entry["review_kept"]), "{entry:#}");
        assert!(
            entry["review"]
                .as_str()
                .unwrap()
                .ends_with(&format!("versi {version}")),
            "{entry:#}"
        );
        assert!(
            entry["answer"].as_str().unwrap().contains("kotak keluar"),
            "{entry:#}"
        );
    }
    // The correction said it follows version 3, still in the outbox.
    assert_eq!(entries[0]["after"], serde_json::json!([]));
    assert!(
        entries[1]["after"][0]
            .as_str()
            .unwrap()
            .starts_with("Versi ini menyusul versi 3 yang masih menunggu"),
        "{entries:#?}"
    );
    // Both waited, newest first, each form above its photo; then both were
    // accepted as consecutive versions, each logged once.
    let kinds = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{} {}",
                    i["kind"].as_str().unwrap(),
                    i["label"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        kinds(&no_signal["waiting"])[..4],
        [
            "statement PPWP versi 4",
            "photo Foto 1 PPWP versi 4",
            "statement PPWP versi 3",
            "photo Foto 1 PPWP versi 3"
        ],
        "{no_signal:#}"
    );
    assert!(
        no_signal["outbox"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "accepted"),
        "{no_signal:#}"
    );
    let ppwp = contest_at(demo, &phone_tps, "ppwp");
    let versions = ppwp["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 4, "{ppwp:#}");
    assert_eq!(ppwp["current"]["version"], 4);
    // The log's checkpoint covers version 4 within a few seconds.
    let last_index = versions[3]["log_index"].as_u64().unwrap();
    let mut covered = last_entries(demo, 20);
    for _ in 0..50 {
        let (_, checkpoint) = http(demo.addr, "GET", "/api/v1/log/checkpoint", &[], "");
        let size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
        if size > last_index {
            covered = last_entries(demo, 20);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for (i, entry) in entries.iter().enumerate() {
        let version = &versions[2 + i];
        assert_eq!(version["version"], 3 + i, "{ppwp:#}");
        let photo = entry["photo"].as_str().unwrap();
        assert_eq!(
            version["photos"],
            serde_json::json!([{"sha256": photo, "stored": true}])
        );
        let logged: Vec<&String> = covered.iter().filter(|e| e.contains(photo)).collect();
        assert_eq!(logged.len(), 1, "{logged:#?}");
        let prev = versions[1 + i]["digest"].as_str().unwrap();
        assert!(
            logged[0].contains(&format!("\"prev\":\"{prev}\"")),
            "{logged:#?}"
        );
    }
    eprintln!(
        "no signal: {} ms in all, both versions accepted {} ms after the connection returned",
        no_signal["ms"], no_signal["settled_ms"]
    );

    // No screen scrolls sideways on a 360 px phone.
    for (name, width) in out["widths"].as_object().unwrap() {
        assert!(width.as_u64().unwrap() <= 360, "{name} is {width} px wide");
        let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
    assert!(out["widths"].as_object().unwrap().len() >= 8, "{out:#}");
}
