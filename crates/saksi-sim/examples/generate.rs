//! Generates an election and prints its size, the time it took and the peak
//! memory of the process: the "generating the whole nation" measurement.
//!
//! `cargo run --release -p saksi-sim --example generate -- [SCALE] [SEED]`

use std::time::Instant;

use saksi_core::Contest;
use saksi_sim::generate::{GenerateOptions, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scale: f64 = args.next().as_deref().unwrap_or("1.0").parse()?;
    let seed: u64 = args.next().as_deref().unwrap_or("2024").parse()?;

    let start = Instant::now();
    let election = generate(&GenerateOptions { seed, scale })?;
    let elapsed = start.elapsed();

    let counts = election.tree.count_by_level();
    let root = election.tree.get(election.tree.root());
    println!("scale {scale}, seed {seed}");
    println!(
        "regions: {} provinces, {} kab/kota, {} kecamatan, {} desa, {} TPS",
        counts[1], counts[2], counts[3], counts[4], counts[5]
    );
    println!(
        "DPT: {} ({} L, {} P)",
        root.dpt.total(),
        root.dpt.l,
        root.dpt.p
    );
    for contest in Contest::ALL.into_iter().skip(1) {
        let dapil: Vec<_> = election.dapil_of_contest(contest).collect();
        let seats: u32 = dapil.iter().map(|d| u32::from(d.seats)).sum();
        let candidates: usize = dapil.iter().map(|d| d.candidates.len()).sum();
        println!(
            "{contest}: {} dapil, {seats} seats, {candidates} candidates",
            dapil.len()
        );
    }
    println!("generated in {:.3} s", elapsed.as_secs_f64());
    if let Some(peak) = peak_rss() {
        println!("peak RSS (VmHWM): {peak}");
    }
    Ok(())
}

/// The process's peak resident memory, as Linux reports it.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line["VmHWM:".len()..].trim().to_owned())
}
