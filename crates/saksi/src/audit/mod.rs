//! `saksi audit`: checks a server from its transparency log alone.
//!
//! 1. The checkpoint must be signed by the pinned log key; with a saved
//!    state, a consistency proof from the saved checkpoint must verify
//!    (a log that rewrote history fails here).
//! 2. Every entry is fetched ([`fetch`]), its leaf hash recomputed, the root
//!    rebuilt and compared with the checkpoint's; each entry is then checked
//!    by the verifier of its type ([`entry`]).
//! 3. The counting rule is replayed ([`recount`]) and compared with the
//!    published results at the `log_size` each response states.
//! 4. Findings are printed ([`report`]); any discrepancy exits non-zero.
//!
//! The officer key chain and signed statements are not in the log yet: the
//! `--root` keys are recorded and that check is reported as skipped.

mod entry;
mod fetch;
mod recount;
mod report;
mod state;

use std::collections::{BTreeMap, HashSet};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::{Level, RegionCode};
use saksi_log::{Checkpoint, CompactRange, Verifier, leaf_hash, verify_consistency};
use serde_json::Value;

use crate::cli::AuditArgs;
use entry::Ledger;
use fetch::{Fetcher, PAGE};
use recount::{FIELDS, Unit};
use report::{Discrepancy, thousands};

/// The log as verified so far.
struct Verified {
    note: Vec<u8>,
    checkpoint: Checkpoint,
    range: CompactRange,
    ledger: Ledger,
    /// Entries fetched in this run (to save).
    fetched: Vec<Vec<u8>>,
}

/// Runs the audit; an error after the report means discrepancies.
pub fn run(args: &AuditArgs) -> Result<()> {
    let key = Verifier::parse(args.key.trim())
        .map_err(|e| anyhow!("--key is not a verifier key ({e})"))?;
    for root in &args.roots {
        Verifier::parse(root.trim())
            .map_err(|e| anyhow!("--root {root:?} is not a verifier key ({e})"))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(audit(args, &key))
}

async fn audit(args: &AuditArgs, key: &Verifier) -> Result<()> {
    let started = Instant::now();
    let mut found: Vec<Discrepancy> = Vec::new();
    let state = args
        .state
        .as_deref()
        .map(state::StateDir::open)
        .transpose()?;
    if let Some(state) = &state {
        state.record_roots(&args.roots)?;
    }
    let saved = match &state {
        Some(s) => s.load(key)?,
        None => None,
    };

    // Replay the saved entries: they must give the saved root.
    let mut ledger = Ledger::default();
    let mut range = CompactRange::new();
    let mut kept_len = 0;
    let mut from_state = 0u64;
    let saved_checkpoint = match saved {
        Some(saved) => {
            for (i, data) in saved.entries.iter().enumerate() {
                range.append(leaf_hash(data));
                ledger.verify(i as u64, data, &mut found);
            }
            if range.root() != saved.checkpoint.root {
                bail!(
                    "the saved entries do not give the saved checkpoint's root: the state directory is corrupt"
                );
            }
            kept_len = saved.entries_len;
            from_state = saved.checkpoint.size;
            Some((saved.note, saved.checkpoint))
        }
        None => None,
    };

    let mut fetcher = Fetcher::connect(&args.server).await?;
    let note = fetcher.checkpoint().await?;
    let checkpoint = Checkpoint::open(&note, key, key.name()).map_err(|e| {
        anyhow!(
            "the server's checkpoint is refused: {e} (is it signed by the pinned key {}?)",
            key.name()
        )
    })?;
    let consistency = match &saved_checkpoint {
        None => "no saved checkpoint (first run)".to_owned(),
        Some((_, old)) => match check_growth(&mut fetcher, old, &checkpoint).await {
            Ok(line) => line,
            Err(problem) => {
                found.push(Discrepancy::log(problem));
                print_report(
                    args,
                    &checkpoint,
                    None,
                    &found,
                    &fetcher,
                    started,
                    from_state,
                    0,
                    0.0,
                );
                bail!("the log is not consistent with the saved checkpoint");
            }
        },
    };

    let mut verified = Verified {
        note,
        checkpoint: checkpoint.clone(),
        range,
        ledger,
        fetched: Vec::new(),
    };
    fetch_entries(&mut fetcher, &mut verified, checkpoint.size, &mut found).await?;
    if verified.range.root() != checkpoint.root {
        found.push(Discrepancy::log(format!(
            "the entries give root {}, the checkpoint signs {}",
            STANDARD.encode(verified.range.root()),
            STANDARD.encode(checkpoint.root)
        )));
        let log_elapsed = started.elapsed().as_secs_f64();
        print_report(
            args,
            &checkpoint,
            Some(&verified),
            &found,
            &fetcher,
            started,
            from_state,
            0,
            log_elapsed,
        );
        bail!("the entries do not give the signed root");
    }

    let log_elapsed = started.elapsed().as_secs_f64();
    let compared = compare_results(args, key, &mut fetcher, &mut verified, &mut found).await?;

    if let Some(state) = &state {
        state.save(&verified.note, kept_len, &verified.fetched)?;
    }
    let checkpoint = verified.checkpoint.clone();
    print_report(
        args,
        &checkpoint,
        Some(&verified),
        &found,
        &fetcher,
        started,
        from_state,
        compared,
        log_elapsed,
    );
    println!("consistency: {consistency}");
    if found.is_empty() {
        Ok(())
    } else {
        bail!("{} discrepancies", found.len())
    }
}

/// The log must have grown from `old` to `new`: never shrunk, never another
/// root at the same size, and a consistency proof between them.
async fn check_growth(
    fetcher: &mut Fetcher,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<String, String> {
    if new.size < old.size {
        return Err(format!(
            "the log shrank: the saved checkpoint has {} entries, the server's {}",
            old.size, new.size
        ));
    }
    if new.size == old.size {
        return if new.root == old.root {
            Ok(format!(
                "unchanged since the saved checkpoint (size {})",
                old.size
            ))
        } else {
            Err(format!(
                "history rewritten: two signed checkpoints of size {} with different roots (saved {}, served {})",
                old.size,
                STANDARD.encode(old.root),
                STANDARD.encode(new.root)
            ))
        };
    }
    if old.size == 0 {
        return Ok("grew from the empty log".to_owned());
    }
    let proof = fetcher.consistency(old.size, new.size).await.map_err(|e| {
        format!(
            "no consistency proof from {} to {}: {e:#}",
            old.size, new.size
        )
    })?;
    verify_consistency(old.size, new.size, &old.root, &new.root, &proof).map_err(|e| {
        format!(
            "history rewritten: the consistency proof from the saved size {} to {} does not verify ({e})",
            old.size, new.size
        )
    })?;
    Ok(format!(
        "proof from the saved size {} to {} verified",
        old.size, new.size
    ))
}

/// Fetches entries from the verified size up to `size`, pages fetched while
/// the previous one is verified, with a progress bar.
async fn fetch_entries(
    fetcher: &mut Fetcher,
    verified: &mut Verified,
    size: u64,
    found: &mut Vec<Discrepancy>,
) -> Result<()> {
    let start = verified.range.size();
    if start >= size {
        return Ok(());
    }
    let bar = crate::progress::bar("log entries", size - start, "entries");
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    // The fetcher moves into a task and comes back when it is done.
    let mut owned = std::mem::replace(fetcher, Fetcher::connect("http://127.0.0.1:1").await?);
    let task = tokio::spawn(async move {
        let mut next = start;
        while next < size {
            let end = size.min(next + PAGE);
            let page = owned.entries(next, end).await;
            let got = page.as_ref().map_or(0, |p| p.len() as u64);
            let failed = page.is_err() || got == 0;
            if tx.send(page).await.is_err() || failed {
                break;
            }
            next += got;
        }
        owned
    });
    let mut result = Ok(());
    while let Some(page) = rx.recv().await {
        let page = match page {
            Ok(page) if page.is_empty() => {
                result = Err(anyhow!(
                    "the server served no entry at {}",
                    verified.range.size()
                ));
                break;
            }
            Ok(page) => page,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        for served in page {
            let leaf = leaf_hash(&served.data);
            if leaf != served.leaf_hash {
                found.push(Discrepancy::entry(
                    served.index,
                    "the served leaf_hash is not SHA-256(0x00 || data)",
                ));
            }
            verified.range.append(leaf);
            verified.ledger.verify(served.index, &served.data, found);
            verified.fetched.push(served.data);
        }
        bar.set_position(verified.range.size() - start);
    }
    bar.finish_and_clear();
    *fetcher = task.await.context("the fetching task failed")?;
    result
}

/// Draws the units to compare, fetches their results, extends the verified
/// log if a response reflects a larger one, recounts at each response's
/// `log_size` and compares. Returns the number of units compared.
async fn compare_results(
    args: &AuditArgs,
    key: &Verifier,
    fetcher: &mut Fetcher,
    verified: &mut Verified,
    found: &mut Vec<Discrepancy>,
) -> Result<u64> {
    let reported = recount::reported(&verified.ledger.forms);
    let units = select(args, &reported, &verified.ledger);
    let bar = crate::progress::bar("results", units.len() as u64, "regions");
    let mut responses: Vec<(Unit, u64, Value)> = Vec::with_capacity(units.len());
    for unit in &units {
        let (contest, code) = *unit;
        let path = if code == RegionCode::NASIONAL {
            format!("/api/v1/results/{contest}")
        } else {
            format!("/api/v1/results/{contest}/{code}")
        };
        let (status, body) = fetcher.get(&path).await?;
        bar.inc(1);
        let published = |what: &str| Discrepancy::Result {
            region: code.to_string(),
            contest: contest.id().to_owned(),
            field: "results".into(),
            expected: "published".into(),
            published: what.to_owned(),
            log_size: 0,
        };
        if status != 200 {
            found.push(published(&format!("HTTP {status}")));
            continue;
        }
        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
            found.push(published("not JSON"));
            continue;
        };
        let Some(log_size) = value.get("log_size").and_then(Value::as_u64) else {
            found.push(published("no integer log_size"));
            continue;
        };
        // Only `totals` is compared: keep that, not the children.
        let totals = value.get("totals").cloned().unwrap_or(Value::Null);
        responses.push((*unit, log_size, totals));
    }
    bar.finish_and_clear();

    // A server that kept accepting: verify the log up to the largest size.
    let largest = responses.iter().map(|(_, s, _)| *s).max().unwrap_or(0);
    for _ in 0..5 {
        if largest <= verified.checkpoint.size {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let note = fetcher.checkpoint().await?;
        let newer = Checkpoint::open(&note, key, key.name())
            .map_err(|e| anyhow!("the server's newer checkpoint is refused: {e}"))?;
        if newer.size <= verified.checkpoint.size {
            continue;
        }
        if let Err(problem) = check_growth(fetcher, &verified.checkpoint, &newer).await {
            found.push(Discrepancy::log(problem));
            return Ok(0);
        }
        fetch_entries(fetcher, verified, newer.size, found).await?;
        if verified.range.root() != newer.root {
            found.push(Discrepancy::log(
                "the new entries do not give the newer checkpoint's root",
            ));
            return Ok(0);
        }
        verified.note = note;
        verified.checkpoint = newer;
    }

    let mut by_size: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, (_, size, _)) in responses.iter().enumerate() {
        by_size.entry(*size).or_default().push(i);
    }
    let mut compared = 0;
    for (size, indexes) in by_size {
        if size > verified.checkpoint.size {
            for i in indexes {
                let ((contest, code), _, _) = &responses[i];
                found.push(Discrepancy::Result {
                    region: code.to_string(),
                    contest: contest.id().to_owned(),
                    field: "log_size".into(),
                    expected: format!(
                        "at most {} (the latest signed checkpoint)",
                        verified.checkpoint.size
                    ),
                    published: size.to_string(),
                    log_size: size,
                });
            }
            continue;
        }
        let wanted: HashSet<Unit> = indexes.iter().map(|i| responses[*i].0).collect();
        let totals = recount::recount(&verified.ledger.forms, size, &wanted);
        for i in indexes {
            let (unit, _, value) = &responses[i];
            let expected = totals.get(unit).cloned().unwrap_or_default();
            compare(*unit, size, &expected, value, found);
            compared += 1;
        }
    }
    Ok(compared)
}

/// The units to compare: all with `--full`; otherwise national, every
/// province and kab/kota, and the path of `--sample` random reported TPS.
fn select(args: &AuditArgs, reported: &HashSet<Unit>, ledger: &Ledger) -> Vec<Unit> {
    let mut chosen: HashSet<Unit> = if args.full {
        reported.clone()
    } else {
        reported
            .iter()
            .filter(|(_, c)| c.level() <= Level::Kabkota)
            .copied()
            .collect()
    };
    if !args.full && !ledger.forms.is_empty() {
        let mut seed = args.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
        for _ in 0..args.sample {
            let n = splitmix(&mut seed) % ledger.forms.len() as u64;
            let f = &ledger.forms[n as usize];
            for code in recount::path(f.tps) {
                chosen.insert((f.contest, code));
            }
        }
    }
    let mut units: Vec<Unit> = chosen.into_iter().collect();
    units.sort_unstable_by_key(|(c, code)| (c.index(), *code));
    units
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Compares one response's `totals` (`value`) with the recount.
fn compare(
    unit: Unit,
    size: u64,
    expected: &recount::Totals,
    value: &Value,
    found: &mut Vec<Discrepancy>,
) {
    let (contest, code) = unit;
    let mut report = |field: String, expected: String, published: String| {
        found.push(Discrepancy::Result {
            region: code.to_string(),
            contest: contest.id().to_owned(),
            field,
            expected,
            published,
            log_size: size,
        });
    };
    let Some(totals) = value.as_object() else {
        report("totals".into(), "an object".into(), "none".into());
        return;
    };
    let shown = |v: Option<&Value>| v.map_or("absent".to_owned(), Value::to_string);
    for (name, want) in FIELDS.iter().zip(expected.counts) {
        let got = totals.get(*name);
        if got.and_then(Value::as_u64) != Some(want) {
            report((*name).into(), want.to_string(), shown(got));
        }
    }
    // DPD candidates are numbered per province: above it their numbers
    // name different people, and results publish no DPD options there.
    if contest == saksi_core::Contest::Dpd && code == RegionCode::NASIONAL {
        return;
    }
    let empty = serde_json::Map::new();
    let options = match totals.get("options") {
        Some(Value::Object(o)) => o,
        None if expected.options.is_empty() => &empty,
        other => {
            report("options".into(), "an object".into(), shown(other));
            return;
        }
    };
    let mut keys: Vec<&String> = expected.options.keys().collect();
    keys.extend(
        options
            .keys()
            .filter(|k| !expected.options.contains_key(*k)),
    );
    for k in keys {
        let want = expected.options.get(k).copied().unwrap_or(0);
        let got = options.get(k);
        if got.and_then(Value::as_u64) != Some(want) {
            report(format!("options.{k}"), want.to_string(), shown(got));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn print_report(
    args: &AuditArgs,
    checkpoint: &Checkpoint,
    verified: Option<&Verified>,
    found: &[Discrepancy],
    fetcher: &Fetcher,
    started: Instant,
    from_state: u64,
    compared: u64,
    log_elapsed: f64,
) {
    let elapsed = started.elapsed().as_secs_f64();
    println!("saksi audit of {}", args.server);
    println!(
        "checkpoint: size {}, root {} (signature verified)",
        checkpoint.size,
        STANDARD.encode(checkpoint.root)
    );
    if let Some(v) = verified {
        let total = v.ledger.verified;
        let fetched = total.saturating_sub(from_state);
        let mut types: Vec<String> = v
            .ledger
            .by_type
            .iter()
            .map(|(t, n)| format!("{} {t}", thousands(*n)))
            .collect();
        types.sort();
        println!(
            "entries verified: {} ({} fetched, {} from the saved state; {})",
            thousands(total),
            thousands(fetched),
            thousands(from_state),
            if types.is_empty() {
                "none".to_owned()
            } else {
                types.join(", ")
            }
        );
        println!("root recomputed: {}", STANDARD.encode(v.range.root()));
        println!(
            "re-submissions: {}",
            thousands(v.ledger.resubmissions.len() as u64)
        );
        if args.verbose {
            for r in &v.ledger.resubmissions {
                println!("  {r}");
            }
        }
        let tps: HashSet<RegionCode> = v.ledger.forms.iter().map(|f| f.tps).collect();
        println!("reported TPS: {}", thousands(tps.len() as u64));
        println!(
            "log verified in {log_elapsed:.2} s: {:.0} entries/s fetched and verified",
            fetched as f64 / log_elapsed.max(1e-9)
        );
    }
    println!(
        "key chain: not yet in the log; skipped ({} root key{} recorded)",
        args.roots.len(),
        if args.roots.len() == 1 { "" } else { "s" }
    );
    println!("statement signatures: not yet in the log; skipped");
    println!(
        "regions compared: {} (region and contest pairs: {}); not compared: dpt and tps_expected (not in the log), national DPD options (numbered per province)",
        thousands(compared),
        if args.full {
            "every region with a report".to_owned()
        } else {
            format!(
                "provinces, kab/kota and the paths of {} sampled TPS",
                args.sample
            )
        }
    );
    println!(
        "transferred: {} bytes in {} requests; elapsed {elapsed:.2} s",
        thousands(fetcher.bytes),
        thousands(fetcher.requests)
    );
    println!("discrepancies: {}", thousands(found.len() as u64));
    for d in found {
        println!("  {d}");
    }
}
