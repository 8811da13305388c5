//! The recap's review at the kecamatan as facts of the log: a witness's or
//! Bawaslu's objection against a TPS's form version ([`objection`], an
//! `objection` v1 entry said in the open plenary, made through a session),
//! a PPK member's signed ruling on it ([`ruling`], `ruling` v1), and the
//! rules that tie them to the corrections an upheld objection calls for
//! ([`review`]); then the collegial sign-off of each region's recap
//! ([`signoff`], `signoff` v1, one entry per commissioner's confirmation)
//! and what the confirmations make final and lock ([`signoffs`]), and the
//! commissioners of the level above reopening a final region
//! ([`reopen`], `reopen` v1); a PPK member's signed reason why a TPS has
//! no form ([`no_form`], `no_form` v1). All of
//! it is decided the same way by the server's sequencer and by `saksi
//! audit` replaying the log.

pub mod no_form;
pub mod objection;
pub mod reopen;
pub mod review;
pub mod ruling;
mod scope;
pub mod signoff;
pub mod signoffs;

pub use no_form::{NoFormReason, NoFormStatement};
pub use objection::{Objection, ObjectionEntry, Objector};
pub use reopen::ReopenStatement;
pub use review::{ObjectionState, Review, ReviewRefusal, Status};
pub use ruling::{Decision, RulingStatement};
pub use signoff::{Child, SignoffStatement};
pub use signoffs::{Applied, Confirmation, Final, Quorum, RegionRecap, SignoffRefusal, Signoffs};
