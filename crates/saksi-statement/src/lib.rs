//! Every kind of fact the transparency log records, one module per kind
//! owning its format, its rules and its digest, shared by the server
//! (which checks and writes facts) and `saksi audit` (which reads them
//! back), so both decide every fact the same way:
//!
//! - [`signed`]: the envelope `{"statement", "signature", "key"}` a KPPS
//!   app or an officer posts, and the signed bytes,
//!   `saksi/statement/v1\n` followed by the statement's RFC 8785 bytes;
//! - [`form`]: the C.Hasil: the signed statement (by the KPPS device, or
//!   on its behalf by a PPS or PPK), the `form` v1 entries of old logs, the
//!   digest chaining a form's versions and which may supersede which;
//! - [`key`]: an officer's registration or revocation of a key;
//! - [`incident`]: an incident's filing statement, its id, the private
//!   content committed to by each event, and the `incident` entry;
//! - [`recap`]: the recap's facts: objections, rulings and the
//!   collegial sign-offs, with the rules that tie them together;
//! - [`logistics`]: shipments down the logistics chain and their proofs
//!   of delivery, with the stocks and rules that tie them together;
//! - [`entry`]: the log entry codec: every entry written and read by one
//!   implementation, signed statements logged exactly as signed;
//! - [`registry`]: the key chain (root → KPU Provinsi → KPU Kab/Kota →
//!   KPPS device, PPS, PPK, supplier) and its rules;
//! - [`read`]: reading canonical objects in place;
//! - [`strict_json`]: reading a request body, refusing a member named twice.
//!
//! Statement formats are documented member by member in
//! `docs/statements.md`, entries in `docs/log-entries.md`; the recipe for
//! a new kind of fact is in `docs/architecture.md`.

pub mod entry;
pub mod form;
pub mod incident;
pub mod incident_content;
pub mod key;
pub mod logistics;
pub mod read;
pub mod recap;
pub mod registry;
pub mod signed;
pub mod strict_json;

pub use entry::{Entry, EntryError, Kind, Signed, SignedEntry};
pub use form::{Correction, FormEntryV1, FormStatement, OnBehalf, SignedBy};
pub use incident::{IncidentEntry, IncidentEvent, IncidentId, IncidentStatement, Private};
pub use key::{KeyAction, KeyRole, KeyStatement};
pub use logistics::{DeliveryStatement, Logistics, LogisticsRefusal, ShipmentStatement};
pub use recap::{
    Decision, NoFormReason, NoFormStatement, Objection, ObjectionEntry, Objector, Quorum,
    ReopenStatement, Review, ReviewRefusal, RulingStatement, SignoffRefusal, SignoffStatement,
    Signoffs,
};
pub use registry::{Authority, Refusal, Registry};
pub use signed::{Envelope, EnvelopeError, STATEMENT_PREFIX, signed_bytes};

use read::Object;

/// Why a statement's content was refused (its envelope may be fine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// A member is missing, has the wrong type, is out of range or is not
    /// one the schema has; the message names it.
    #[error("{0}")]
    Malformed(String),
    /// `v` is not a schema version this program knows.
    #[error("unsupported statement version {0}")]
    UnsupportedVersion(String),
    /// The form inside a form statement is invalid; every problem listed.
    #[error("the form is invalid")]
    Form(Vec<saksi_core::form::Issue>),
}

/// A kind of signed statement: its `type`, the `v` of the log entry that
/// carries it, and its rules for reading one.
pub trait Statement: Sized {
    /// The statement's (and its entry's) `type`.
    const TYPE: &'static str;
    /// The `v` of the entry that logs it.
    const ENTRY_VERSION: u64;

    /// Reads a statement object, refusing anything its schema does not
    /// allow (every member required, none other).
    fn read(object: &Object<'_>) -> Result<Self, StatementError>;
}

/// Reads a statement from its RFC 8785 bytes (what an envelope's
/// statement becomes once canonicalised).
pub fn decode_statement<S: Statement>(bytes: &[u8]) -> Result<S, StatementError> {
    let layout = saksi_log::canonical_check::check(bytes)
        .map_err(|e| StatementError::Malformed(format!("not canonical JSON: {e}")))?;
    let object = Object::top(bytes, &layout)
        .ok_or_else(|| StatementError::Malformed("a statement is a JSON object".into()))?;
    S::read(&object)
}
