//! What the sequencer answers a command: accepted (with the answer and its
//! receipt, not yet signed: the handler signs it off this thread), a
//! replay of a stored answer, or refused with a reason.

use saksi_store::StoreError;

use crate::error::DisplayChain;

/// The sequencer's answer to one command.
#[derive(Debug)]
pub enum Outcome {
    /// Logged and durable.
    Accepted(Accepted),
    /// A retry of a stored request: the first answer, as stored.
    Replayed(Replayed),
    Refused(Refused),
}

/// A logged fact's answer; its receipt has no `signed` note yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// A form version: its version, its warnings and its receipt.
    Form(saksi_api::Accepted),
    /// A key registration or revocation.
    Key(saksi_api::KeyAccepted),
    /// An incident's filing or event (boxed: the largest answer).
    Incident(Box<saksi_api::IncidentAccepted>),
    /// An objection, a ruling, a sign-off's confirmation, a shipment or a
    /// delivery: its log index and receipt.
    Recap(saksi_api::RecapAccepted),
}

impl Accepted {
    /// The answer as stored with its idempotency record, and replayed.
    pub(super) fn to_stored(&self) -> String {
        let text = match self {
            Accepted::Form(a) => serde_json::to_string(a),
            Accepted::Key(a) => serde_json::to_string(a),
            Accepted::Incident(a) => serde_json::to_string(a),
            Accepted::Recap(a) => serde_json::to_string(a),
        };
        text.expect("an API shape serialises")
    }
}

/// A stored answer to the same request, byte for byte as first stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// What the first answer's status was (201).
    pub status: u16,
    pub body: String,
}

/// Why a command was not logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The queue is full.
    Overloaded,
    /// The sequencer stopped (the server is shutting down).
    Stopped,
    /// The idempotency key was used before for another request.
    IdempotencyKeyReused,
    /// A signed form statement is not the next version of its form.
    VersionNotNext {
        stated: u32,
        next: u32,
        current: u32,
    },
    /// A new version whose form and photos equal the current version's:
    /// it would add a version that says nothing new.
    FormUnchanged { current: u32 },
    /// The form already took its hour's new versions; one frees up in
    /// `retry_after` seconds.
    TooManyVersions { retry_after: u64 },
    /// A signed form statement's `prev` is not the current version's
    /// digest (`None`: there is no current version).
    PrevMismatch { expected: Option<[u8; 32]> },
    /// A statement signed on behalf of the TPS would supersede `current`,
    /// a version its KPPS device signed.
    OnBehalfOverKpps { current: u32 },
    /// The key chain refuses the statement's signer or the statement.
    Chain(saksi_statement::Refusal),
    /// The review refuses a correction: it answers no upheld objection of
    /// its form that is still unanswered.
    Review(saksi_statement::ReviewRefusal),
    /// The sign-offs refuse a confirmation, or a fact below a final
    /// region.
    Signoff(saksi_statement::SignoffRefusal),
    /// An incident event the book refuses.
    Incident(super::IncidentRefusal),
    /// The logistics chain refuses a shipment or a delivery.
    Logistics(saksi_statement::LogisticsRefusal),
    /// Another server took the writer lease over.
    LeaseLost,
    /// The log refuses to grow (its store is behind or diverges from a
    /// signed checkpoint).
    Log(crate::log::Refusal),
    /// The database is unavailable; nothing was stored.
    StoreUnavailable,
    /// A failure of the server itself, described for its log.
    Internal(String),
}

impl Refused {
    /// A failure of the server itself.
    pub fn internal(why: impl std::fmt::Display) -> Refused {
        Refused::Internal(why.to_string())
    }
}

impl From<StoreError> for Refused {
    /// A database that is not there right now may come back (logged here,
    /// once, with its cause); anything else is a bug.
    fn from(err: StoreError) -> Refused {
        if err.is_unavailable() {
            tracing::warn!(error = %DisplayChain(&err), "the database is unavailable");
            return Refused::StoreUnavailable;
        }
        Refused::internal(DisplayChain(&err))
    }
}
