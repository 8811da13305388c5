//! The public JSON shapes of the API (the OpenAPI file served at
//! `/api/v1/openapi.json`), one serde type each.
//!
//! The server serialises these and every client in the workspace
//! deserialises them, so a renamed or dropped field breaks the build
//! rather than a script. Field order is the order on the wire: clients and
//! cached bodies compare bytes, so fields are declared in the order the
//! server has always written them, and optional ones are left out rather
//! than written as `null` where the server always left them out.
//!
//! Nothing here knows HTTP: status codes and headers are the server's.

pub mod error;
pub mod incidents;
pub mod log;
pub mod logistics;
pub mod recap;
pub mod regions;
pub mod results;
pub mod submit;
pub mod system;
pub mod tps;
pub mod workspace;

pub use error::{ErrorBody, ErrorInfo, Issue};
pub use incidents::{
    IncidentAccepted, IncidentActor, IncidentChildCount, IncidentChildStats, IncidentCounts,
    IncidentHistoryItem, IncidentList, IncidentOwner, IncidentPage, IncidentStats, IncidentSummary,
    Percentiles,
};
pub use log::{LogEntries, LogEntry, Proof};
pub use logistics::{
    Allocation, BallotMismatch, DeliveredItem, Delivery, MAX_MISMATCHES, Readiness,
    ReadinessCounts, Reconciliation, ReconciliationChild, Shipment, Stock,
};
pub use recap::{
    Blocker, QueueCounts, QueueNoForm, QueueTps, RecapConfirmation, RecapState, ReviewQueue,
};
pub use regions::{Dpt, Region, RegionChild};
pub use results::{
    CandidateVotes, ChildTotals, DapilResults, DapilTotals, FinalTotals, Options, OrderedMap,
    PartyVotes, Results, Totals,
};
pub use submit::{
    Accepted, BulkItem, BulkResults, KeyAccepted, PhotoStored, RecapAccepted, Receipt,
};
pub use system::{Health, RecoveryCodes, Session, SessionInfo, TotpOffer};
pub use tps::{
    BoxChange, CorrectionReason, DiffVersion, FormDiff, FormPhoto, FormSigner, FormVersion,
    OnBehalfReason, TpsContest, TpsFlag, TpsIncident, TpsLogistics, TpsObjection, TpsObjector,
    TpsPage,
};
pub use workspace::{
    Enrolment, EnrolmentCreated, EnrolmentEntry, EnrolmentStatus, Enrolments, IssuedCode,
    IssuedCodes, KeyDefaults, OfficerKeyEntry, OfficerKeyStatus, OfficerKeySubmitted, OfficerKeys,
};
