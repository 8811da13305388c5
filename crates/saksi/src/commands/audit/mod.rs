//! `saksi audit`: checks a server from its transparency log alone. The
//! checks are `saksi_audit`'s; this is their I/O shell (fetching, the
//! saved state, the progress bars, the printed report).
//!
//! 1. The checkpoint must be signed by the pinned log key; with a saved
//!    state, a consistency proof from the saved checkpoint must verify
//!    (a log that rewrote history fails here).
//! 2. Every entry is fetched ([`fetch`]) and verified as its page arrives
//!    ([`stream`], [`saksi_audit::Replay`]): leaf hash, canonical bytes,
//!    the entry's own checks and its signature (both cores), then the
//!    version and key chains in index order from the pinned `--root` keys.
//!    The root is rebuilt and compared with the checkpoint's. Only a
//!    compact state stays in memory, never the entries.
//! 3. The TPS the log names are checked against the published region list
//!    ([`regions`]).
//! 4. The counting rule is replayed and compared with the published
//!    results at the `log_size` each response states, and the incident
//!    events with the public incident statistics ([`incident_stats`]).
//! 5. Findings are printed; any discrepancy exits non-zero.

mod args;
mod fetch;
mod finals;
mod incident_stats;
mod regions;
mod state;
mod stream;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_audit::compare::{Selection, compare, select};
use saksi_audit::growth::{self, Growth};
use saksi_audit::recount::{self, Unit};
use saksi_audit::{Discrepancy, Regions, Replay, served, thousands};
use saksi_core::RegionCode;
use saksi_core::incident::Status;
use saksi_log::{Checkpoint, Verifier};

pub use args::AuditArgs;
use fetch::{Fetcher, Pool};
use stream::Audit;

use crate::client::results_path;

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
    incident_stats: Option<incident_stats::Compared>,
    /// One line per contest on its final sign-offs.
    finals: Vec<String>,
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
    let regions = regions::fetch(&mut pool)
        .await
        .context("cannot read the published region list")?;
    let mut audit = Audit::new(
        Replay::new(roots, key.name(), &args.previous_origins, regions)
            .allow_unsigned_before(args.allow_unsigned_before)
            .signoff_quorum(args.signoff_quorum),
    );
    let mut run = Run {
        args,
        started,
        from_state: 0,
        compared: 0,
        incident_stats: None,
        finals: Vec::new(),
        log_elapsed: 0.0,
        lists: None,
    };

    // Replay the saved entries: they must give the saved root.
    let mut kept_len = 0;
    if let (Some(state), Some(saved)) = (&state, &saved) {
        let mut entries = state.entries(saved.checkpoint.size)?;
        let (back, result, entries) = tokio::task::spawn_blocking(move || {
            let result = audit.replay_saved(&mut entries);
            (audit, result, entries)
        })
        .await
        .context("replaying the saved entries failed")?;
        audit = back;
        result?;
        if audit.replay.range.root() != saved.checkpoint.root {
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
                audit.replay.found.push(Discrepancy::log(problem));
                print_report(&run, &checkpoint, &audit.replay, false, &pool);
                bail!("the log is not consistent with the saved checkpoint");
            }
        },
    };

    if let Some(state) = &state {
        audit.writer = Some(state.writer(kept_len)?);
    }
    extend(&pool, &mut audit, checkpoint.size).await?;
    run.log_elapsed = started.elapsed().as_secs_f64();
    if audit.replay.range.root() != checkpoint.root {
        audit.replay.found.push(Discrepancy::log(format!(
            "the entries give root {}, the checkpoint signs {}",
            STANDARD.encode(audit.replay.range.root()),
            STANDARD.encode(checkpoint.root)
        )));
        print_report(&run, &checkpoint, &audit.replay, true, &pool);
        bail!("the entries do not give the signed root");
    }
    resolve_regions(&pool, &mut audit.replay).await?;

    let mut verified = Verified { note, checkpoint };
    run.compared = compare_results(args, key, &mut pool, &mut audit, &mut verified).await?;
    let replay = &mut audit.replay;
    let size = replay.size();
    run.incident_stats = Some(
        incident_stats::compare(
            &mut pool.main,
            &replay.ledger.incidents,
            size,
            &mut replay.found,
        )
        .await?,
    );
    run.finals = finals::compare(
        &mut pool.main,
        &replay.ledger.signoffs,
        size,
        &mut replay.found,
    )
    .await?;

    if let Some(state) = &state {
        if let Some(writer) = audit.writer.take() {
            writer.finish()?;
        }
        if let Some(e) = audit.write_error.take() {
            return Err(e.context("the state directory was not updated"));
        }
        state.save_checkpoint(&verified.note)?;
        let ledger = &audit.replay.ledger;
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
    print_report(&run, &verified.checkpoint, &audit.replay, true, &pool);
    println!("consistency: {consistency}");
    if audit.replay.found.is_empty() {
        Ok(())
    } else {
        bail!("{} discrepancies", audit.replay.found.len())
    }
}

/// Verifies entries up to `to` (see [`stream::fetch_into`]).
async fn extend(pool: &Pool, audit: &mut Audit, to: u64) -> Result<()> {
    let owned = std::mem::replace(
        audit,
        Audit::new(Replay::new(&[], "", &[], Regions::default())),
    );
    let (back, result) = stream::fetch_into(pool, owned, to).await;
    *audit = back;
    result
}

/// Checks the TPS named since the last call against the region list.
async fn resolve_regions(pool: &Pool, replay: &mut Replay) -> Result<()> {
    let missing = regions::resolve(&mut replay.ledger.regions, pool)
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
    if let Growth::Decided(line) = growth::precheck(old, new)? {
        return Ok(line);
    }
    let proof = fetcher.consistency(old.size, new.size).await.map_err(|e| {
        format!(
            "no consistency proof from {} to {}: {e:#}",
            old.size, new.size
        )
    })?;
    growth::verify(old, new, &proof)
}

/// One published result as far as it is compared: its `totals` kept as
/// JSON text (decoded, they take several times the memory, and `--full`
/// holds one per region and contest).
enum Published {
    Totals { log_size: u64, totals: Box<str> },
    Refused(String),
}

/// Fetches the results of `units` over the pool's connections.
async fn fetch_results(pool: &Pool, units: &[Unit]) -> Result<Vec<Published>> {
    let paths = units
        .iter()
        .map(|(contest, code)| results_path(*contest, *code))
        .collect();
    pool.get_each(paths, |_, status, body| {
        if status != 200 {
            return Published::Refused(format!("HTTP {status}"));
        }
        match served::results(&body) {
            Ok(results) => Published::Totals {
                log_size: results.log_size,
                // Only `totals` is compared: keep that, not the children.
                totals: serde_json::to_string(&results.totals)
                    .unwrap_or_default()
                    .into(),
            },
            Err(e) => Published::Refused(e.to_string()),
        }
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
    audit: &mut Audit,
    verified: &mut Verified,
) -> Result<u64> {
    let reported = recount::reported(&audit.replay.ledger.forms);
    let selection = if args.full {
        Selection::Full
    } else {
        Selection::Sample {
            tps: args.sample,
            seed: args.seed.unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            }),
        }
    };
    let units = select(selection, &reported, &audit.replay.ledger.forms);
    let bar = crate::support::progress::bar("results", units.len() as u64, "regions");
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
            Published::Refused(what) => audit.replay.found.push(Discrepancy::Result {
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
        audit.replay.found.push(Discrepancy::log(problem));
        return Ok(0);
    }

    let mut compared = 0;
    for (size, indexes) in by_size {
        let out_of_range = if size > target.1.size {
            Some(format!(
                "at most {} (the latest signed checkpoint)",
                target.1.size
            ))
        } else if size < audit.replay.size() {
            Some(format!(
                "at least {} (the checkpoint verified before asking)",
                audit.replay.size()
            ))
        } else {
            None
        };
        if let Some(expected) = out_of_range {
            for i in indexes {
                let (contest, code) = units[i];
                audit.replay.found.push(Discrepancy::Result {
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
        extend(pool, audit, size).await?;
        resolve_regions(pool, &mut audit.replay).await?;
        let wanted: HashSet<Unit> = indexes.iter().map(|i| units[*i]).collect();
        let totals = recount::recount(&audit.replay.ledger.forms, &wanted);
        for i in indexes {
            let Published::Totals { totals: text, .. } = &answers[i] else {
                continue;
            };
            let expected = totals.get(&units[i]).cloned().unwrap_or_default();
            match serde_json::from_str::<saksi_api::Totals>(text) {
                Ok(published) => compare(
                    units[i],
                    size,
                    &expected,
                    &published,
                    &mut audit.replay.found,
                ),
                Err(e) => audit.replay.found.push(Discrepancy::log(format!(
                    "the totals kept for {} lost their shape: {e}",
                    units[i].1
                ))),
            }
            compared += 1;
        }
    }
    if grew {
        extend(pool, audit, target.1.size).await?;
        resolve_regions(pool, &mut audit.replay).await?;
        if audit.replay.range.root() == target.1.root {
            verified.note = target.0;
            verified.checkpoint = target.1;
        } else {
            audit.replay.found.push(Discrepancy::log(
                "the new entries do not give the newer checkpoint's root",
            ));
        }
    }
    Ok(compared)
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
            "key chain: from {} pinned with --root; {} applied: registered {} kpu-ri, {} kpu-prov, {} kpu-kabkota, {} kpps, {} pps, {} ppk, {} supplier; {} revoked; {} not applied (see the discrepancies){}",
            plural(args.roots.len() as u64, "root key", "root keys"),
            plural(key_entries, "key entry", "key entries"),
            thousands(stats.registered[5]),
            thousands(stats.registered[0]),
            thousands(stats.registered[1]),
            thousands(stats.registered[2]),
            thousands(stats.registered[3]),
            thousands(stats.registered[4]),
            thousands(stats.registered[6]),
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
            "form versions: {} accepted ({} signed by the TPS's KPPS key, {} signed on its behalf by a PPS or PPK key, {} corrections a PPK signed for an upheld objection, {} unsigned (form v1) below --allow-unsigned-before {}); {} not counted for failing a check (see the discrepancies)",
            thousands(
                stats.forms_signed
                    + stats.forms_on_behalf
                    + stats.forms_corrected
                    + stats.forms_unsigned
            ),
            thousands(stats.forms_signed),
            thousands(stats.forms_on_behalf),
            thousands(stats.forms_corrected),
            thousands(stats.forms_unsigned),
            args.allow_unsigned_before,
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
        println!(
            "review: {} and {} applied, {} failing a check (see the discrepancies)",
            plural(stats.objections, "objection", "objections"),
            plural(stats.rulings, "ruling", "rulings"),
            thousands(stats.review_refused),
        );
        let [nasional, provinsi, kabkota, kecamatan] = stats.signoffs_final;
        println!(
            "recap: {} applied, {} failing a check (see the discrepancies); sign-offs made final: {} kecamatan, {} kab/kota, {} provinsi, {} nasional; {} of a final region; {} for a TPS",
            plural(
                stats.confirmations,
                "sign-off or reopen confirmation",
                "sign-off and reopen confirmations"
            ),
            thousands(stats.signoffs_refused),
            thousands(kecamatan),
            thousands(kabkota),
            thousands(provinsi),
            thousands(nasional),
            plural(stats.reopens, "reopen", "reopens"),
            plural(stats.no_forms, "reason for no form", "reasons for no form"),
        );
        for line in &run.finals {
            println!("  {line}");
        }
        if stats.confirmations + stats.signoffs_refused > 0 {
            println!(
                "recap sums: each sign-off's children checked against the log and its totals against their sum in {:.1} ms",
                stats.signoff_sums.as_secs_f64() * 1000.0
            );
        }
        println!(
            "logistics: {} and {} applied, every office's stock recomputed from them; {} failing a check (see the discrepancies)",
            plural(stats.shipments, "shipment", "shipments"),
            plural(stats.deliveries, "delivery", "deliveries"),
            thousands(stats.logistics_refused),
        );
        let incidents = &ledger.incidents;
        let by_status: Vec<String> = Status::ALL
            .iter()
            .zip(incidents.by_status())
            .map(|(status, n)| format!("{} {status}", thousands(n)))
            .collect();
        println!(
            "incidents: {} filed ({}; {} overdue); {} replayed against the incident lifecycle, {} failing a check (see the discrepancies)",
            thousands(incidents.total()),
            by_status.join(", "),
            thousands(incidents.overdue()),
            plural(incidents.events, "event", "events"),
            thousands(incidents.events_refused),
        );
        match &run.incident_stats {
            Some(incident_stats::Compared::At(size)) => println!(
                "incident statistics: the published national counts (category, severity, status) and response times compared with the replay at log size {} (overdue not compared: it depends on the moment asked)",
                thousands(*size)
            ),
            Some(incident_stats::Compared::Not(why)) => {
                println!("incident statistics: not compared: {why}");
            }
            None => {}
        }
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
