//! `saksi-fuzz`: runs the fuzz targets for a number of inputs each and
//! reports, per target, the inputs run, how many ended in each outcome
//! and every panic (its message and a file holding its input). Exits
//! non-zero if any input panicked.
//!
//! `cargo run --release -p saksi-fuzz -- --target all --inputs 10000000 --seed 1`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use saksi_fuzz::run::{Report, fuzz};
use saksi_fuzz::targets::{self, Target};

const USAGE: &str = "usage: saksi-fuzz [--target NAME|all] [--inputs N] [--seed S] [--crashes DIR]";

struct Args {
    targets: Vec<&'static Target>,
    inputs: u64,
    seed: u64,
    crashes: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        targets: targets::ALL.iter().collect(),
        inputs: 100_000,
        seed: 1,
        crashes: PathBuf::from("target/fuzz-crashes"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            let mut help = format!("{USAGE}\n\ntargets:\n");
            for t in targets::ALL {
                help.push_str(&format!("  {:<10} {}\n", t.name, t.about));
            }
            return Err(help);
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))
        };
        match flag.as_str() {
            "--target" if value == "all" => args.targets = targets::ALL.iter().collect(),
            "--target" => {
                args.targets = vec![targets::find(&value).ok_or_else(|| {
                    let names: Vec<_> = targets::ALL.iter().map(|t| t.name).collect();
                    format!("no target {value:?}; targets: all, {}", names.join(", "))
                })?];
            }
            "--inputs" => args.inputs = number()?,
            "--seed" => args.seed = number()?,
            "--crashes" => args.crashes = PathBuf::from(&value),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for target in &args.targets {
        let started = Instant::now();
        let mut last = Instant::now();
        let mut written = 0;
        let report = fuzz(target, args.inputs, args.seed, &mut |report| {
            written = write_panics(target, report, written, &args);
            if last.elapsed().as_secs() >= 10 {
                last = Instant::now();
                let rate = report.inputs as f64 / started.elapsed().as_secs_f64();
                eprintln!(
                    "{}: {} of {} inputs (seed {}), {} panics, {rate:.0}/s",
                    target.name, report.inputs, args.inputs, args.seed, report.panicked
                );
            }
        });
        let seconds = started.elapsed().as_secs_f64();
        print_report(target, &report, args.seed, seconds);
        write_panics(target, &report, written, &args);
        failed |= report.panicked > 0;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes each kept panic from number `from` on to a file and prints its
/// path and message; returns how many are written.
fn write_panics(target: &Target, report: &Report, from: usize, args: &Args) -> usize {
    for panic in &report.panics[from..] {
        let path = args.crashes.join(format!(
            "{}-seed{}-{}.bin",
            target.name, args.seed, panic.number
        ));
        let written = std::fs::create_dir_all(&args.crashes)
            .and_then(|()| std::fs::write(&path, &panic.input));
        let saved = match written {
            Ok(()) => path.display().to_string(),
            Err(e) => format!("not written to {}: {e}", path.display()),
        };
        println!(
            "PANIC {} input {} ({saved}): {}",
            target.name, panic.number, panic.message
        );
    }
    report.panics.len()
}

fn print_report(target: &Target, report: &Report, seed: u64, seconds: f64) {
    println!(
        "{}: {} inputs (seed {seed}), {} outcomes, {} panics, {seconds:.1} s ({:.0} inputs/s)",
        target.name,
        report.inputs,
        report.outcomes.len(),
        report.panicked,
        report.inputs as f64 / seconds.max(1e-9),
    );
    for (outcome, count) in &report.outcomes {
        println!("  {count:>10}  {outcome}");
    }
}
