//! Driving a target: inputs made one by one, each from its own generator
//! (so input `n` of seed `s` can be made again alone), every panic caught
//! with its message and the input that caused it, and every outcome
//! counted.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use saksi_sim::rng::Rng;

use crate::mutate;
use crate::targets::Target;

/// At most this many panicking inputs are kept per run; later ones are
/// only counted.
pub const KEPT_PANICS: usize = 10;

/// How often (in inputs) the progress callback is called.
pub const PROGRESS_STEP: u64 = 1 << 16;

/// A panicking input.
#[derive(Debug, Clone)]
pub struct Panic {
    /// The input's number in the run.
    pub number: u64,
    /// The panic's message and where it was raised.
    pub message: String,
    pub input: Vec<u8>,
}

/// What a run of one target saw.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub inputs: u64,
    /// How many inputs ended in each outcome.
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Inputs that panicked (counted in `panicked`, the first
    /// [`KEPT_PANICS`] kept).
    pub panics: Vec<Panic>,
    pub panicked: u64,
}

thread_local! {
    /// Set while an input runs: the hook records the message here instead
    /// of printing it.
    static CAUGHT: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records the message of a panic
/// raised while an input runs and leaves every other panic to the
/// previous hook (so a failing test still prints its message).
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let recorded = CAUGHT.with(|c| match c.borrow_mut().as_mut() {
                Some(slot) => {
                    *slot = Some(info.to_string());
                    true
                }
                None => false,
            });
            if !recorded {
                previous(info);
            }
        }));
    });
}

/// The generator of input `number` of a run of `target` with `seed`.
pub fn generator(target: &Target, seed: u64, number: u64) -> Rng {
    let name = target.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Rng::stream(seed, &[name, number])
}

/// Makes input `number` of a run of `target` with `seed`, as the run did.
pub fn make_input(target: &Target, seeds: &[Vec<u8>], seed: u64, number: u64) -> Vec<u8> {
    let mut out = Vec::new();
    mutate::input(&mut generator(target, seed, number), seeds, &mut out);
    out
}

/// Runs `inputs` inputs of `target` made with `seed`, calling `progress`
/// with the report so far every [`PROGRESS_STEP`] inputs (so a long run
/// shows its panics as they are found, and stopping it loses nothing
/// already reported).
pub fn fuzz(target: &Target, inputs: u64, seed: u64, progress: &mut dyn FnMut(&Report)) -> Report {
    install_hook();
    let seeds = (target.seeds)();
    let mut report = Report::default();
    let mut input = Vec::new();
    for number in 0..inputs {
        mutate::input(&mut generator(target, seed, number), &seeds, &mut input);
        CAUGHT.with(|c| *c.borrow_mut() = Some(None));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
        let message = CAUGHT.with(|c| c.borrow_mut().take().flatten());
        match outcome {
            Ok(outcome) => *report.outcomes.entry(outcome).or_default() += 1,
            Err(_) => {
                report.panicked += 1;
                if report.panics.len() < KEPT_PANICS {
                    report.panics.push(Panic {
                        number,
                        message: message.unwrap_or_else(|| "a panic without a message".into()),
                        input: input.clone(),
                    });
                }
            }
        }
        report.inputs += 1;
        if report.inputs % PROGRESS_STEP == 0 {
            progress(&report);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(bytes: &[u8]) -> &'static str {
        assert!(bytes.first() != Some(&b'!'), "a bang");
        "fine"
    }

    fn bangs() -> Vec<Vec<u8>> {
        vec![b"!x".to_vec(), b"y".to_vec()]
    }

    const TARGET: Target = Target {
        name: "test",
        about: "panics on inputs starting with !",
        seeds: bangs,
        run: outcome,
    };

    #[test]
    fn a_panic_is_caught_with_its_input_and_message_and_the_run_goes_on() {
        let report = fuzz(&TARGET, 2000, 1, &mut |_| {});
        assert_eq!(report.inputs, 2000);
        assert!(report.panicked > 0);
        assert_eq!(
            report.panicked + report.outcomes.get("fine").copied().unwrap_or(0),
            2000
        );
        let first = &report.panics[0];
        assert!(first.message.contains("a bang"), "{}", first.message);
        assert_eq!(first.input.first(), Some(&b'!'));
        assert_eq!(make_input(&TARGET, &bangs(), 1, first.number), first.input);
    }
}
