//! The bounded fuzz run of CI: every target for a fixed number of inputs
//! from a fixed seed, with no panic, reaching several outcomes (so the
//! mutated inputs get past the first check of each parser). The long runs
//! are by hand: `cargo run --release -p saksi-fuzz -- --target all`.

use saksi_fuzz::run::fuzz;
use saksi_fuzz::targets::ALL;

/// Inputs per target: the whole run takes seconds in the test profile.
const INPUTS: u64 = 20_000;

#[test]
fn every_target_runs_its_bounded_inputs_without_a_panic() {
    for target in ALL {
        let report = fuzz(target, INPUTS, 1, &mut |_| {});
        let panics: Vec<_> = report
            .panics
            .iter()
            .map(|p| {
                format!(
                    "input {}: {}\n  {:?}",
                    p.number,
                    p.message,
                    String::from_utf8_lossy(&p.input)
                )
            })
            .collect();
        assert!(
            report.panicked == 0,
            "{}: {} of {INPUTS} inputs panicked:\n{}",
            target.name,
            report.panicked,
            panics.join("\n")
        );
        assert_eq!(report.inputs, INPUTS);
        assert!(
            report.outcomes.len() >= 3,
            "{}: the inputs reached only {:?}",
            target.name,
            report.outcomes
        );
    }
}
