//! Fuzzing every parser of outside input on the stable toolchain.
//!
//! Each [`targets::Target`] feeds bytes to the parser the server, the
//! auditor or the importer really uses (form JSON, signed envelopes and
//! statements, log entries, canonical JSON, key and note text, the CSV
//! importers, query parameters and path segments) and names the outcome.
//! [`mutate`] makes the inputs from valid seeds built in code
//! ([`seeds`]): duplicated members, deep nesting, huge and non-integer
//! numbers, truncations, invalid UTF-8, splices of two seeds, byte flips,
//! and pure random bytes. [`run`] drives a target for a number of inputs,
//! each drawn from its own seeded generator so any input can be made again
//! from `(seed, number)`, and catches every panic with the input that
//! caused it.
//!
//! No nightly, no `cargo fuzz`: the mutator is small and written here, the
//! generator is the simulator's xoshiro256**, so the harness runs wherever
//! the tests run (`cargo test -p saksi-fuzz` runs a bounded pass) and by
//! hand for millions of inputs (`cargo run --release -p saksi-fuzz`).

pub mod mutate;
pub mod run;
pub mod seeds;
pub mod targets;
