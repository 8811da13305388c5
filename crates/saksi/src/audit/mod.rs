//! `saksi audit`: checks a server from its transparency log alone.
//!
//! 1. The checkpoint must be signed by the pinned log key; with a saved
//!    state, a consistency proof from the saved checkpoint must verify
//!    (a log that rewrote history fails here).
//! 2. Every entry is fetched ([`fetch`]) and verified as its page arrives
//!    ([`replay`]): leaf hash, canonical bytes, the entry's own checks and
//!    its signature ([`entry`], both cores), then the version and key
//!    chains in index order ([`ledger`]) from the pinned `--root` keys. The
//!    root is rebuilt and compared with the checkpoint's. Only a compact
//!    state stays in memory ([`forms`]), never the entries.
//! 3. The TPS the log names are checked against the published region list
//!    ([`regions`]).
//! 4. The counting rule is replayed ([`recount`]) and compared with the
//!    published results at the `log_size` each response states.
//! 5. Findings are printed; any discrepancy exits non-zero.

mod entry;
mod fetch;
mod forms;
mod ledger;
mod recount;
mod regions;
mod replay;
mod report;
mod state;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_core::{Level, RegionCode};
use saksi_log::{Checkpoint, Verifier, verify_consistency};
use serde_json::Value;

use crate::cli::AuditArgs;
use fetch::{Fetcher, Pool};
use recount::{FIELDS, Unit};
use replay::Replay;
use report::{Discrepancy, thousands};

/// Re-submissions and rotations printed in the summary; the rest are
/// counted (and listed with `--verbose`, or in the state directory).
const LISTED: usize = 20;

/// The checkpoint verified so far.
struct Verified {
    note: Vec<u8>,
    checkpoint: Checkpoint,
}

/// Runs the audit; an error after the report means discrepancies.
pub fn run(args: &AuditArgs) -> Result<()> {
    let key = Verifier::parse(args.key.trim())
        .map_err(|e| anyhow!("--key is not a verifier key ({e})"))?;
    let roots = args
        .roots
        .iter()
        .map(|root| {
            Verifier::parse(root.trim())
                .map_err(|e| anyhow!("--root {root:?} is not a verifier key ({e})"))
        })
        .collect::<Result<Vec<_>>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(audit(args, &key, &roots))
}

/// What the summary needs besides the replay.
struct Run<'a> {
    args: &'a AuditArgs,
    started: Instant,
    from_state: u64,
    compared: u64,
    log_elapsed: f64,
    /// Where the full lists were written.
    lists: Option<String>,
}

async fn audit(args: &AuditArgs, key: &Verifier, roots: &[Verifier]) -> Result<()> {
    let started = Instant::now();
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

    let mut pool = Pool::connect(&args.server, args.tls.ca_cert.as_deref())?;
    let note = pool.main.checkpoint().await?;
    let checkpoint = Checkpoint::open(&note, key, key.name()).map_err(|e| {
        anyhow!(
            "the server's checkpoint is refused: {e} (is it signed by the pinned key {}?)",
            key.name()
        )
    })?;
    let regions = regions::Regions::fetch(&mut pool)
        .await
        .context("cannot read the published region list")?;
    let mut replay = Replay::new(roots, key.name(), &args.previous_origins, regions);
    let mut run = Run {
        args,
        started,
        from_state: 0,
        compared: 0,
        log_elapsed: 0.0,
        lists: None,
    };

    // Replay the saved entries: they must give the saved root.
    let mut kept_len = 0;
    if let (Some(state), Some(saved)) = (&state, &saved) {
        let mut entries = state.entries(saved.checkpoint.size)?;
        let (back, result, entries) = tokio::task::spawn_blocking(move || {
            let result = replay.replay_saved(&mut entries);
            (replay, result, entries)
        })
        .await
        .context("replaying the saved entries failed")?;
        replay = back;
        result?;
        if replay.range.root() != saved.checkpoint.root {
            bail!(
                "the saved entries do not give the saved checkpoint's root: the state directory is corrupt"
            );
        }
        kept_len = entries.offset;
        run.from_state = saved.checkpoint.size;
    }

    let consistency = match &saved {
        None => "no saved checkpoint (first run)".to_owned(),
        Some(saved) => match check_growth(&mut pool.main, &saved.checkpoint, &checkpoint).await {
            Ok(line) => line,
            Err(problem) => {
                replay.found.push(Discrepancy::log(problem));
                print_report(&run, &checkpoint, &replay, false, &pool);
                bail!("the log is not consistent with the saved checkpoint");
            }
        },
    };

    if let Some(state) = &state {
        replay.writer = Some(state.writer(kept_len)?);
    }
    extend(&pool, &mut replay, checkpoint.size).await?;
    run.log_elapsed = started.elapsed().as_secs_f64();
    if replay.range.root() != checkpoint.root {
        replay.found.push(Discrepancy::log(format!(
            "the entries give root {}, the checkpoint signs {}",
            STANDARD.encode(replay.range.root()),
            STANDARD.encode(checkpoint.root)
        )));
        print_report(&run, &checkpoint, &replay, true, &pool);
        bail!("the entries do not give the signed root");
    }
    resolve_regions(&pool, &mut replay).await?;

    let mut verified = Verified { note, checkpoint };
    run.compared = compare_results(args, key, &mut pool, &mut replay, &mut verified).await?;

    if let Some(state) = &state {
        if let Some(writer) = replay.writer.take() {
            writer.finish()?;
        }
        if let Some(e) = replay.write_error.take() {
            return Err(e.context("the state directory was not updated"));
        }
        state.save_checkpoint(&verified.note)?;
        let ledger = &replay.ledger;
        let path = state.write_list(
            "resubmissions.json",
            ledger.resubmissions.iter().map(|r| r.to_json()),
        )?;
        state.write_list(
            "rotations.json",
            ledger.rotations.iter().map(|r| r.to_json()),
        )?;
        run.lists = path
            .parent()
            .map(|p| p.display().to_string())
            .or_else(|| Some(path.display().to_string()));
    }
    print_report(&run, &verified.checkpoint, &replay, true, &pool);
    println!("consistency: {consistency}");
    if replay.found.is_empty() {
        Ok(())
    } else {
        bail!("{} discrepancies", replay.found.len())
    }
}

/// Verifies entries up to `to` (see [`replay::fetch_into`]).
async fn extend(pool: &Pool, replay: &mut Replay, to: u64) -> Result<()> {
    let owned = std::mem::replace(
        replay,
        Replay::new(&[], "", &[], regions::Regions::default()),
    );
    let (back, result) = replay::fetch_into(pool, owned, to).await;
    *replay = back;
    result
}

/// Checks the TPS named since the last call against the region list.
async fn resolve_regions(pool: &Pool, replay: &mut Replay) -> Result<()> {
    let missing = replay
        .ledger
        .regions
        .resolve(pool)
        .await
        .context("cannot read the published region list")?;
    replay.ledger.exclude_missing(missing, &mut replay.found);
    Ok(())
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

/// One published result as far as it is compared: its `totals` kept as
/// JSON text (a decoded `Value` takes several times the memory, and
/// `--full` holds one per region and contest).
enum Published {
    Totals { log_size: u64, totals: Box<str> },
    Refused(String),
}

fn results_path((contest, code): Unit) -> String {
    if code == RegionCode::NASIONAL {
        format!("/api/v1/results/{contest}")
    } else {
        format!("/api/v1/results/{contest}/{code}")
    }
}

/// Fetches the results of `units` over the pool's connections.
async fn fetch_results(pool: &Pool, units: &[Unit]) -> Result<Vec<Published>> {
    let paths = units.iter().map(|u| results_path(*u)).collect();
    pool.get_each(paths, |_, status, body| {
        if status != 200 {
            return Published::Refused(format!("HTTP {status}"));
        }
        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
            return Published::Refused("not JSON".into());
        };
        let Some(log_size) = value.get("log_size").and_then(Value::as_u64) else {
            return Published::Refused("no integer log_size".into());
        };
        // Only `totals` is compared: keep that, not the children.
        let totals = value
            .get("totals")
            .unwrap_or(&Value::Null)
            .to_string()
            .into();
        Published::Totals { log_size, totals }
    })
    .await
}

/// Draws the units to compare, fetches their results, extends the verified
/// log if a response reflects a larger one, recounts at each response's
/// `log_size` and compares. Returns the number of units compared.
async fn compare_results(
    args: &AuditArgs,
    key: &Verifier,
    pool: &mut Pool,
    replay: &mut Replay,
    verified: &mut Verified,
) -> Result<u64> {
    let reported = recount::reported(&replay.ledger.forms);
    let units = select(args, &reported, &replay.ledger.forms);
    let bar = crate::progress::bar("results", units.len() as u64, "regions");
    let mut answers = fetch_results(pool, &units).await?;
    bar.finish_and_clear();

    // Results may lag the checkpoint by a moment: ask again.
    let base = verified.checkpoint.size;
    let behind = |answers: &[Published]| -> Vec<usize> {
        answers
            .iter()
            .enumerate()
            .filter(|(_, a)| matches!(a, Published::Totals { log_size, .. } if *log_size < base))
            .map(|(i, _)| i)
            .collect()
    };
    for _ in 0..5 {
        let lagging = behind(&answers);
        if lagging.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let again: Vec<Unit> = lagging.iter().map(|i| units[*i]).collect();
        for (i, answer) in lagging.into_iter().zip(fetch_results(pool, &again).await?) {
            answers[i] = answer;
        }
    }

    let mut by_size: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, answer) in answers.iter().enumerate() {
        let (contest, code) = units[i];
        match answer {
            Published::Totals { log_size, .. } => by_size.entry(*log_size).or_default().push(i),
            Published::Refused(what) => replay.found.push(Discrepancy::Result {
                region: code.to_string(),
                contest: contest.id().to_owned(),
                field: "results".into(),
                expected: "published".into(),
                published: what.clone(),
                log_size: 0,
            }),
        }
    }

    // A server that kept accepting: find a signed checkpoint covering the
    // largest size stated, and check that the log grew to it.
    let largest = by_size.keys().next_back().copied().unwrap_or(0);
    let mut target = (verified.note.clone(), verified.checkpoint.clone());
    for _ in 0..10 {
        if largest <= target.1.size {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let note = pool.main.checkpoint().await?;
        let newer = Checkpoint::open(&note, key, key.name())
            .map_err(|e| anyhow!("the server's newer checkpoint is refused: {e}"))?;
        if newer.size > target.1.size {
            target = (note, newer);
        }
    }
    let grew = target.1.size > verified.checkpoint.size;
    if grew
        && let Err(problem) = check_growth(&mut pool.main, &verified.checkpoint, &target.1).await
    {
        replay.found.push(Discrepancy::log(problem));
        return Ok(0);
    }

    let mut compared = 0;
    for (size, indexes) in by_size {
        let out_of_range = if size > target.1.size {
            Some(format!(
                "at most {} (the latest signed checkpoint)",
                target.1.size
            ))
        } else if size < replay.size() {
            Some(format!(
                "at least {} (the checkpoint verified before asking)",
                replay.size()
            ))
        } else {
            None
        };
        if let Some(expected) = out_of_range {
            for i in indexes {
                let (contest, code) = units[i];
                replay.found.push(Discrepancy::Result {
                    region: code.to_string(),
                    contest: contest.id().to_owned(),
                    field: "log_size".into(),
                    expected: expected.clone(),
                    published: size.to_string(),
                    log_size: size,
                });
            }
            continue;
        }
        // The recount at `size`: the log verified up to there.
        extend(pool, replay, size).await?;
        resolve_regions(pool, replay).await?;
        let wanted: HashSet<Unit> = indexes.iter().map(|i| units[*i]).collect();
        let totals = recount::recount(&replay.ledger.forms, &wanted);
        for i in indexes {
            let Published::Totals { totals: text, .. } = &answers[i] else {
                continue;
            };
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            let expected = totals.get(&units[i]).cloned().unwrap_or_default();
            compare(units[i], size, &expected, &value, &mut replay.found);
            compared += 1;
        }
    }
    if grew {
        extend(pool, replay, target.1.size).await?;
        resolve_regions(pool, replay).await?;
        if replay.range.root() == target.1.root {
            verified.note = target.0;
            verified.checkpoint = target.1;
        } else {
            replay.found.push(Discrepancy::log(
                "the new entries do not give the newer checkpoint's root",
            ));
        }
    }
    Ok(compared)
}

/// The units to compare: all with `--full`; otherwise national, every
/// province and kab/kota, and the path of `--sample` random reported TPS.
fn select(args: &AuditArgs, reported: &HashSet<Unit>, forms: &forms::Forms) -> Vec<Unit> {
    let mut chosen: HashSet<Unit> = if args.full {
        reported.clone()
    } else {
        reported
            .iter()
            .filter(|(_, c)| c.level() <= Level::Kabkota)
            .copied()
            .collect()
    };
    let counted = forms.counted().count();
    if !args.full && counted > 0 {
        let mut seed = args.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
        let mut drawn = 0;
        // Draws among every form with a counting version; one whose TPS
        // left the count (not in the region list) is drawn again, a bounded
        // number of times.
        for _ in 0..u64::from(args.sample).saturating_mul(100) {
            if drawn >= args.sample {
                break;
            }
            let n = splitmix(&mut seed) % forms.len() as u64;
            let Some(f) = forms.get(n as usize).filter(|f| !f.excluded) else {
                continue;
            };
            for code in recount::path(f.tps) {
                chosen.insert((f.contest, code));
            }
            drawn += 1;
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

/// The process's peak resident memory (`VmHWM`), where the system says.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(format!("{} MiB", thousands(kib / 1024)))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn print_report(
    run: &Run<'_>,
    checkpoint: &Checkpoint,
    replay: &Replay,
    show_log: bool,
    pool: &Pool,
) {
    let args = run.args;
    let elapsed = run.started.elapsed().as_secs_f64();
    println!("saksi audit of {}", args.server);
    println!(
        "checkpoint: size {}, root {} (signature verified)",
        checkpoint.size,
        STANDARD.encode(checkpoint.root)
    );
    if show_log {
        let v = replay;
        let ledger = &v.ledger;
        let stats = &ledger.stats;
        let total = v.size();
        let fetched = total.saturating_sub(run.from_state);
        let types: Vec<String> = v
            .by_kind()
            .into_iter()
            .map(|(n, t)| format!("{} {t}", thousands(n)))
            .collect();
        println!(
            "entries verified: {} ({} fetched, {} from the saved state; {})",
            thousands(total),
            thousands(fetched),
            thousands(run.from_state),
            if types.is_empty() {
                "none".to_owned()
            } else {
                types.join(", ")
            }
        );
        println!("root recomputed: {}", STANDARD.encode(v.range.root()));

        let key_entries: u64 =
            stats.registered.iter().sum::<u64>() + stats.revoked.iter().sum::<u64>();
        println!(
            "key chain: from {} pinned with --root; {} applied: registered {} kpu-prov, {} kpu-kabkota, {} kpps; {} revoked; {} not applied (see the discrepancies){}",
            plural(args.roots.len() as u64, "root key", "root keys"),
            plural(key_entries, "key entry", "key entries"),
            thousands(stats.registered[0]),
            thousands(stats.registered[1]),
            thousands(stats.registered[2]),
            thousands(stats.revoked.iter().sum()),
            thousands(stats.keys_refused),
            if args.roots.is_empty() {
                "; with no --root no key entry can be traced to a root"
            } else {
                ""
            }
        );
        println!(
            "key rotations (a TPS's KPPS key revoked, another registered): {}",
            thousands(ledger.rotations.len() as u64)
        );
        let shown = if args.verbose {
            ledger.rotations.len()
        } else {
            LISTED
        };
        for r in ledger.rotations.iter().take(shown) {
            println!("  {r}");
        }
        println!(
            "statement signatures: {} checked (strict Ed25519, in batches on 2 threads): {} valid, {} invalid",
            thousands(stats.signatures),
            thousands(stats.signatures - stats.bad_signatures),
            thousands(stats.bad_signatures)
        );
        println!(
            "form versions: {} accepted ({} signed by a registered KPPS key, {} entered through a session without a KPPS signature); {} not counted for failing a check (see the discrepancies)",
            thousands(stats.forms_signed + stats.forms_unsigned),
            thousands(stats.forms_signed),
            thousands(stats.forms_unsigned),
            thousands(stats.forms_refused),
        );
        println!(
            "forms counted (the latest accepted version of each TPS and contest): {}{}",
            thousands(ledger.forms.counted().count() as u64),
            if stats.forms_excluded > 0 {
                format!(
                    "; {} not counted: their TPS is not in the region list",
                    thousands(stats.forms_excluded)
                )
            } else {
                String::new()
            }
        );
        let resubmissions = &ledger.resubmissions;
        let shown = if args.verbose {
            resubmissions.len()
        } else {
            LISTED.min(resubmissions.len())
        };
        let rest = if shown == resubmissions.len() {
            String::new()
        } else {
            match &run.lists {
                Some(dir) => format!(" (the first {shown} below; all in {dir}/resubmissions.json)"),
                None => format!(
                    " (the first {shown} below; all with --verbose or in --state DIR/resubmissions.json)"
                ),
            }
        };
        println!(
            "re-submissions: {}{rest}",
            thousands(resubmissions.len() as u64)
        );
        for r in resubmissions.iter().take(shown) {
            println!("  {r}");
        }
        let tps: HashSet<RegionCode> = ledger.forms.counted().map(|f| f.tps).collect();
        println!("reported TPS: {}", thousands(tps.len() as u64));
        let (provinces, kabkota) = ledger.regions.upper_counts();
        println!(
            "region list: {provinces} provinces and {} kab/kota; {} TPS named by the log checked in {} desa lists, {} not in the list",
            thousands(kabkota as u64),
            thousands(ledger.regions.tps_checked),
            thousands(ledger.regions.desa_fetched() as u64),
            thousands(ledger.regions.missing_count() as u64)
        );
        println!(
            "log verified in {:.2} s: {:.0} entries/s ({} fetched, {} read back from the saved state){}",
            run.log_elapsed,
            total as f64 / run.log_elapsed.max(1e-9),
            thousands(fetched),
            thousands(run.from_state),
            peak_memory()
                .map(|m| format!("; peak memory {m}"))
                .unwrap_or_default()
        );
    }
    println!(
        "regions compared: {} (region and contest pairs: {}); not compared: dpt and tps_expected (not in the log), national DPD options (numbered per province)",
        thousands(run.compared),
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
        thousands(pool.bytes()),
        thousands(pool.requests())
    );
    println!("discrepancies: {}", thousands(replay.found.len() as u64));
    for d in &replay.found {
        println!("  {d}");
    }
}
