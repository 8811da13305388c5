//! The citizen's audit of a Saksi log, as a library: entries and published
//! results go in as values, a typed report comes out. The `saksi audit`
//! command is its I/O shell (fetching pages, the saved state, the progress
//! bar, printing); another shell (a browser's, a watchdog's pipeline) can
//! reuse the same checks, so every auditor decides every entry alike.
//!
//! The order of the checks (docs/architecture.md, "The audit"):
//!
//! 1. [`growth`]: with a saved checkpoint, the log only grew.
//! 2. [`replay::Replay`]: every entry's leaf hash, canonical bytes, own
//!    checks and signature ([`entry`]), then the version and key chains in
//!    index order ([`ledger`]) from the pinned root keys, keeping only a
//!    compact state ([`forms`]), and every incident's events against the
//!    incident lifecycle ([`incidents`]), the recap's sign-offs, their
//!    children and sums, quorums and locks ([`signoffs`]), and the
//!    logistics chain's shipments, deliveries and stocks ([`logistics`]).
//! 3. [`regions`]: the TPS the log names against the published region list.
//! 4. [`recount`] and [`compare`]: the counting rule replayed and compared
//!    with the published results at the `log_size` each response states.
//! 5. [`report`]: every discrepancy, re-submission and key rotation.
//!
//! What the server serves is read through the public shapes of `saksi-api`
//! ([`served`]), the same types the server writes.

pub mod compare;
pub mod entry;
pub mod forms;
pub mod growth;
pub mod incidents;
pub mod ledger;
pub mod logistics;
pub mod recount;
pub mod regions;
pub mod replay;
pub mod report;
pub mod served;
pub mod signoffs;

pub use compare::Selection;
pub use regions::Regions;
pub use replay::{Replay, ServedEntry};
pub use report::{Discrepancy, thousands};
