//! Draws an honest form for every TPS and contest of a generated election
//! and prints how many TPS each anomaly flag marks nationally: the flags'
//! rate on forms that nobody invented (the README's "Anomaly flags").
//!
//! `cargo run -p saksi-sim --example flags -- [SCALE] [SEED]`

use std::time::Instant;

use saksi_core::Contest;
use saksi_core::anomaly::FlagCode;
use saksi_core::tally::Tallies;
use saksi_sim::forms::draw_form;
use saksi_sim::generate::{GenerateOptions, generate};
use saksi_sim::rng::Rng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scale: f64 = args.next().as_deref().unwrap_or("1.0").parse()?;
    let seed: u64 = args.next().as_deref().unwrap_or("7").parse()?;
    let election = generate(&GenerateOptions { seed, scale })?;
    let mut tallies = Tallies::new(&election)?;
    let mut rng = Rng::new(seed);
    let mut forms = 0u64;
    for tps in election.tree.tps_ids() {
        for contest in Contest::ALL {
            if let Some(form) = draw_form(&election, tps, contest, &mut rng) {
                tallies.restore(&election, tps, contest, &form);
                forms += 1;
            }
        }
    }
    let start = Instant::now();
    tallies.settle(&election);
    println!(
        "{forms} forms at {} TPS, flags settled in {:.2?}",
        election.tree.tps_ids().len(),
        start.elapsed()
    );
    for contest in Contest::ALL {
        let counts = tallies.flag_counts(&election, contest, election.tree.root());
        let line: Vec<String> = FlagCode::ALL
            .iter()
            .zip(counts)
            .map(|(code, n)| format!("{} {n}", code.id()))
            .collect();
        println!("{contest}: {}", line.join(", "));
    }
    Ok(())
}
