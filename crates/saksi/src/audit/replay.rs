//! Verifying the log page by page, as pages arrive, on both cores:
//!
//! 1. in parallel, each half of a page on its own thread: the leaf hash,
//!    the canonical bytes and the entry's own checks ([`entry::decode`],
//!    the form parsed to its tallies), then every signature of the half in
//!    one `saksi_log::verify_batch` (signatures do not depend on the
//!    chain, so they are checked before it);
//! 2. in order: the leaf appended to the compact range, the entry replayed
//!    against the version and key chains ([`Ledger`]), and its bytes
//!    appended to the state directory;
//! 3. the page is dropped: what stays is the compact state (per form, its
//!    current version's digest and tallies; per key, its record).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::{Result, anyhow};
use indicatif::ProgressBar;
use saksi_log::{CompactRange, Hash, Verifier, leaf_hash};
use tokio::sync::mpsc;

use saksi_statement::entry::Kind;

use super::entry::{self, Body, Context, Decoded, Label, Signed, Signers};
use super::fetch::{Chunk, PAGE, Pool, ServedEntry};
use super::ledger::Ledger;
use super::report::Discrepancy;
use super::state::{EntriesWriter, SavedEntries};

/// Below this many entries a page is not split across threads.
const SPLIT_MIN: usize = 64;

/// Entries verified together: two pages, half on each thread.
const BATCH: usize = 2 * PAGE as usize;

/// The log as verified so far.
pub struct Replay {
    pub range: CompactRange,
    pub ledger: Ledger,
    signers: Signers,
    origin: String,
    previous_origins: Vec<String>,
    pub found: Vec<Discrepancy>,
    /// Entries of each known kind (`form v1`, `form v2`, `key v1`), and
    /// of others.
    kinds: [u64; Kind::ALL.len()],
    other_kinds: BTreeMap<String, u64>,
    /// Where verified entries are saved (`--state`).
    pub writer: Option<EntriesWriter>,
    /// The first failure to save, reported at the end.
    pub write_error: Option<anyhow::Error>,
}

impl Replay {
    pub fn new(
        roots: &[Verifier],
        origin: &str,
        previous_origins: &[String],
        ledger_regions: super::regions::Regions,
    ) -> Self {
        Replay {
            range: CompactRange::new(),
            ledger: Ledger::new(roots, ledger_regions),
            signers: HashMap::new(),
            origin: origin.to_owned(),
            previous_origins: previous_origins.to_vec(),
            found: Vec::new(),
            kinds: [0; Kind::ALL.len()],
            other_kinds: BTreeMap::new(),
            writer: None,
            write_error: None,
        }
    }

    /// Entries verified.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// Entries verified by kind, as `(count, kind)`.
    pub fn by_kind(&self) -> Vec<(u64, String)> {
        Kind::ALL
            .iter()
            .zip(self.kinds)
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| (n, l.to_string()))
            .chain(self.other_kinds.iter().map(|(k, n)| (*n, k.clone())))
            .collect()
    }

    /// Verifies the next entries of the log, in order.
    pub fn process(&mut self, entries: &[ServedEntry]) {
        let ctx = Context {
            origin: &self.origin,
            previous_origins: &self.previous_origins,
            signers: &self.signers,
        };
        let (prepared, fresh) = if entries.len() >= SPLIT_MIN {
            let (a, b) = entries.split_at(entries.len() / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| prepare(b, &ctx));
                let (mut first, mut fresh) = prepare(a, &ctx);
                let (second, more) = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                first.extend(second);
                fresh.extend(more);
                (first, fresh)
            })
        } else {
            prepare(entries, &ctx)
        };
        for (id, key) in fresh {
            self.signers.entry(id).or_insert(key);
        }
        for (served, (leaf, decoded)) in entries.iter().zip(prepared) {
            if served.leaf_hash.is_some_and(|claimed| claimed != leaf) {
                self.found.push(Discrepancy::entry(
                    served.index,
                    "the served leaf_hash is not SHA-256(0x00 || data)",
                ));
            }
            self.range.append(leaf);
            match &decoded.label {
                Label::Known(kind) => self.kinds[*kind as usize] += 1,
                Label::Other(other) => *self.other_kinds.entry(other.clone()).or_default() += 1,
            }
            self.ledger.apply(served.index, decoded, &mut self.found);
            if let Some(w) = &mut self.writer
                && let Err(e) = w.append(&served.data)
            {
                self.write_error.get_or_insert(e);
                self.writer = None;
            }
        }
    }

    /// Replays the entries saved by an earlier run.
    pub fn replay_saved(&mut self, saved: &mut SavedEntries) -> Result<()> {
        loop {
            let start = self.size();
            let chunk = saved.next_chunk(BATCH)?;
            if chunk.is_empty() {
                return Ok(());
            }
            let entries: Vec<ServedEntry> = chunk
                .into_iter()
                .enumerate()
                .map(|(i, data)| ServedEntry {
                    index: start + i as u64,
                    data,
                    leaf_hash: None,
                })
                .collect();
            self.process(&entries);
        }
    }
}

/// The mutable signature of a decoded entry, if it has one.
fn signed_mut(d: &mut Decoded) -> Option<&mut Signed> {
    match &mut d.body {
        Some(Body::Form(f)) => f.signed.as_mut(),
        Some(Body::Key(k)) => Some(&mut k.signed),
        None => None,
    }
}

/// Step 1 for some entries: leaf hashes, decoding, signatures.
fn prepare(entries: &[ServedEntry], ctx: &Context<'_>) -> (Vec<(Hash, Decoded)>, Signers) {
    let mut fresh = Signers::new();
    let mut out: Vec<(Hash, Decoded)> = entries
        .iter()
        .map(|e| (leaf_hash(&e.data), entry::decode(&e.data, ctx, &mut fresh)))
        .collect();
    let mut signed: Vec<&mut Signed> = out.iter_mut().filter_map(|(_, d)| signed_mut(d)).collect();
    let items: Vec<saksi_log::batch::Item<'_>> = signed
        .iter()
        .map(|s| (&*s.signer, s.message.as_slice(), &s.signature))
        .collect();
    let verdicts = saksi_log::verify_batch(&items);
    drop(items);
    for (s, valid) in signed.iter_mut().zip(verdicts) {
        s.valid = valid;
        s.message = Vec::new();
    }
    (out, fresh)
}

/// Fetches and verifies entries from `replay.size()` up to `to`, pages in
/// flight while earlier ones are verified. The replay comes back whatever
/// happens; the result says whether every entry up to `to` was verified.
pub async fn fetch_into(pool: &Pool, mut replay: Replay, to: u64) -> (Replay, Result<()>) {
    let from = replay.size();
    if from >= to {
        return (replay, Ok(()));
    }
    let bar = crate::progress::bar("log entries", to - from, "entries");
    let (tx, rx) = mpsc::channel(super::fetch::CONNECTIONS * 2);
    let (window, mut tasks) = pool.stream(from, to, tx);
    let verifier_window = window.clone();
    let progress = bar.clone();
    let verified = tokio::task::spawn_blocking(move || {
        let result = consume(&mut replay, rx, &verifier_window, &progress, to);
        (replay, result)
    })
    .await;
    window.close();
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    bar.finish_and_clear();
    match verified {
        Ok((replay, result)) => (replay, result),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Puts chunks back in log order and verifies them two pages at a time
/// (each thread then checks about 1,000 signatures in one batch, whose
/// fixed cost, the torsion check of the R points, is shared by more);
/// lets one more page be fetched for each page verified.
fn consume(
    replay: &mut Replay,
    mut rx: mpsc::Receiver<Result<Chunk>>,
    window: &Arc<tokio::sync::Semaphore>,
    bar: &ProgressBar,
    to: u64,
) -> Result<()> {
    let from = replay.size();
    let mut waiting: BTreeMap<u64, Vec<ServedEntry>> = BTreeMap::new();
    let mut ready: Vec<ServedEntry> = Vec::with_capacity(BATCH);
    let mut pages_done = 0;
    while replay.size() < to {
        let next = replay.size() + ready.len() as u64;
        if let Some(mut entries) = waiting.remove(&next) {
            ready.append(&mut entries);
        } else if ready.len() < BATCH && next < to {
            let chunk = rx
                .blocking_recv()
                .ok_or_else(|| anyhow!("the entries stopped coming at {next}"))??;
            waiting.insert(chunk.start, chunk.entries);
            continue;
        }
        let complete = replay.size() + ready.len() as u64 == to;
        if ready.len() >= BATCH || complete {
            replay.process(&ready);
            ready.clear();
            let done = replay.size() - from;
            bar.set_position(done);
            let pages = done / PAGE;
            window.add_permits((pages - pages_done) as usize);
            pages_done = pages;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use saksi_core::form::{CHasil, OptionVotes, Options, Triple};
    use saksi_core::time::UnixTime;
    use saksi_core::{Contest, RegionCode};
    use saksi_log::Signer;
    use saksi_statement::{Envelope, FormStatement, KeyAction, KeyRole, KeyStatement};
    use serde_json::{Map, Value, json};
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::audit::regions::Regions;

    const ORIGIN: &str = "saksi.localhost/log";
    const NOW: i64 = 1_707_915_600;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn entry(kind: &str, statement: Map<String, Value>, by: &Signer) -> Vec<u8> {
        let envelope = Envelope::sign(statement.clone(), by).unwrap();
        saksi_log::canonical_json(&json!({
            "logged_at": UnixTime(NOW).to_string(),
            "signature": envelope.signature_base64(),
            "signer": by.verifier().to_string(),
            "statement": Value::Object(statement),
            "type": kind,
            "v": if kind == "form" { 2 } else { 1 },
        }))
        .unwrap()
    }

    fn register(key: &Signer, role: KeyRole, region: &str, by: &Signer) -> Vec<u8> {
        let statement = KeyStatement {
            origin: ORIGIN.into(),
            key: key.verifier(),
            action: KeyAction::Register {
                role,
                region: code(region),
                valid_from: UnixTime(NOW - 86_400),
                valid_until: UnixTime(NOW + 86_400),
            },
            signed_at: UnixTime(NOW),
        };
        entry("key", statement.to_object(), by)
    }

    fn revoke(key: &Signer, by: &Signer) -> Vec<u8> {
        let statement = KeyStatement {
            origin: ORIGIN.into(),
            key: key.verifier(),
            action: KeyAction::Revoke,
            signed_at: UnixTime(NOW),
        };
        entry("key", statement.to_object(), by)
    }

    /// A PPWP statement of `tps`, and its digest.
    fn form(
        tps: &str,
        version: u32,
        prev: Option<[u8; 32]>,
        sah: u32,
    ) -> (Map<String, Value>, [u8; 32]) {
        let statement = FormStatement {
            origin: ORIGIN.into(),
            tps: code(tps),
            contest: Contest::Ppwp,
            version,
            prev,
            form: CHasil {
                pemilih_dpt: Triple::of(200, 200),
                pengguna_dpt: Triple::of(sah / 2, sah - sah / 2),
                pengguna_dptb: Triple::of(0, 0),
                pengguna_non_dpt: Triple::of(0, 0),
                pengguna_total: Triple::of(sah / 2, sah - sah / 2),
                disabilitas: None,
                surat_suara: None,
                suara_sah: sah,
                suara_tidak_sah: 0,
                suara_total: sah,
                options: Options::Paslon(vec![
                    OptionVotes {
                        number: 1,
                        votes: sah,
                    },
                    OptionVotes {
                        number: 2,
                        votes: 0,
                    },
                ]),
            },
            photos: vec![],
            signed_at: UnixTime(NOW),
        }
        .to_object();
        let digest =
            Sha256::digest(saksi_log::canonical_json(&Value::Object(statement.clone())).unwrap())
                .into();
        (statement, digest)
    }

    fn run(entries: Vec<Vec<u8>>, root: &Signer) -> Replay {
        let mut replay = Replay::new(
            &[root.verifier()],
            ORIGIN,
            &[],
            Regions::with(&[code("11")], &[code("11.01")]),
        );
        let served: Vec<ServedEntry> = entries
            .into_iter()
            .enumerate()
            .map(|(i, data)| ServedEntry {
                index: i as u64,
                leaf_hash: Some(leaf_hash(&data)),
                data,
            })
            .collect();
        // In two calls, the second split over two threads.
        replay.process(&served[..3]);
        replay.process(&served[3..]);
        replay
    }

    #[test]
    fn the_chains_are_replayed_in_order_and_every_failure_is_named() {
        let root = Signer::generate("kpu-ri-root").unwrap();
        let prov = Signer::generate("kpu-prov-11").unwrap();
        let kab = Signer::generate("kpu-kabkota-11.01").unwrap();
        let phone = Signer::generate("kpps-11.01.01.2001.001").unwrap();
        let phone2 = Signer::generate("kpps-11.01.01.2001.001-2").unwrap();
        let server = Signer::generate(ORIGIN).unwrap();
        let rogue = Signer::generate("kpps-rogue").unwrap();
        let tps = "11.01.01.2001.001";
        let (v1, d1) = form(tps, 1, None, 100);
        let (v2, d2) = form(tps, 2, Some(d1), 110);
        let (v3, _) = form(tps, 3, Some(d2), 120);
        let mut tampered: Value =
            serde_json::from_slice(&entry("form", v2.clone(), &phone)).unwrap();
        tampered["statement"]["form"]["suara_sah"] = json!(111);
        let mut entries = vec![
            register(&prov, KeyRole::KpuProv, "11", &root), // 0
            register(&kab, KeyRole::KpuKabkota, "11.01", &prov), // 1
            register(&phone, KeyRole::Kpps, tps, &kab),     // 2
            entry("form", v1, &phone),                      // 3
            saksi_log::canonical_json(&tampered).unwrap(),  // 4: bad signature
            entry("form", v2.clone(), &phone),              // 5
            revoke(&phone, &kab),                           // 6
            entry("form", v3.clone(), &phone),              // 7: revoked signer
            register(&phone2, KeyRole::Kpps, tps, &kab),    // 8: rotation
            entry("form", v3, &phone2),                     // 9
            register(&rogue, KeyRole::Kpps, tps, &server),  // 10: outside the chain
            register(&rogue, KeyRole::KpuKabkota, "11.02", &prov), // 11: no such kab/kota
            entry("form", v2, &phone2),                     // 12: an old version again
        ];
        entries.push(br#"{"type":"objection","v":1}"#.to_vec()); // 13
        let replay = run(entries, &root);
        let found: Vec<String> = replay.found.iter().map(ToString::to_string).collect();
        let expect = [
            (4, "the signature does not verify under"),
            (7, "the key was revoked (log index 6)"),
            (
                10,
                "the key is neither a KPU RI root key nor registered in this log (not applied)",
            ),
            (11, "the election has no region 11.02 (not applied)"),
            (12, "version 2 follows version 3 (not counted)"),
            (
                13,
                "an entry of a type or version this auditor does not know: objection v1",
            ),
        ];
        for (index, text) in expect {
            assert!(
                found
                    .iter()
                    .any(|f| f.starts_with(&format!("log entry {index}: ")) && f.contains(text)),
                "{index}: {text} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
        let ledger = &replay.ledger;
        let slot = ledger.forms.current(code(tps), Contest::Ppwp).unwrap();
        assert_eq!((slot.version, slot.counts[1]), (3, 120));
        assert_eq!(ledger.stats.registered, [1, 1, 2]);
        assert_eq!(ledger.stats.revoked, [0, 0, 1]);
        assert_eq!(ledger.stats.keys_refused, 2);
        assert_eq!(
            (ledger.stats.forms_signed, ledger.stats.forms_refused),
            (3, 3)
        );
        assert_eq!(
            (ledger.stats.signatures, ledger.stats.bad_signatures),
            (13, 1)
        );
        let versions: Vec<(u64, u32)> = ledger
            .resubmissions
            .iter()
            .map(|r| (r.index, r.version))
            .collect();
        assert_eq!(versions, [(5, 2), (9, 3)]);
        assert_eq!(ledger.rotations.len(), 1);
        let r = &ledger.rotations[0];
        assert_eq!(
            (r.old_registered_at, r.revoked_at, r.new_registered_at),
            (2, 6, 8)
        );
        assert_eq!(r.new_key, phone2.verifier().to_string());
        assert_eq!(replay.size(), 14);
        assert_eq!(
            replay.by_kind(),
            [
                (6, "form v2".to_owned()),
                (7, "key v1".to_owned()),
                (1, "objection v1".to_owned())
            ]
        );
    }
}
