//! The recap's sign-offs: a commissioner's confirmation of a region's
//! sign-off (`signoff`, a signed statement), of a final region's reopening
//! by the commissioners of the level above (`reopen`), and where a
//! region's recap stands (`show`, public); a PPK member's reason why a
//! TPS has no form (`no_form`); and a kecamatan's review queue (`queue`,
//! for staff of a region holding it). What a confirmation must satisfy is decided by
//! the sequencer (`sequencer/signoff.rs`) with the rules `saksi audit`
//! replays (`saksi_statement::Signoffs`).

mod confirmation;
mod kecamatan;
pub mod no_form;
pub mod queue;
pub mod reopen;
pub mod show;
pub mod signoff;

use saksi_statement::SignoffRefusal;

use crate::codes;
use crate::error::ApiError;

/// The sign-offs' refusal as the API answers it.
pub(crate) fn refusal_error(refusal: SignoffRefusal) -> ApiError {
    let code = match refusal {
        SignoffRefusal::Locked { .. } => codes::RECAP_LOCKED,
        SignoffRefusal::AlreadyConfirmed { .. } => codes::RECAP_ALREADY_CONFIRMED,
        SignoffRefusal::DiffersFromPending { .. } => codes::RECAP_SIGNOFF_DIFFERS,
        SignoffRefusal::ChildMissing(_) | SignoffRefusal::ChildUnexpected(_) => {
            codes::RECAP_CHILDREN
        }
        SignoffRefusal::ChildNotIn(_) => codes::RECAP_CHILD_NOT_IN,
        SignoffRefusal::ChildChanged(_) => codes::RECAP_CHILD_CHANGED,
        SignoffRefusal::ObjectionOpen { .. } => codes::RECAP_OBJECTION_OPEN,
        SignoffRefusal::TotalsNotSum { .. } => codes::RECAP_TOTALS_NOT_SUM,
        SignoffRefusal::QuorumMismatch { .. } => codes::RECAP_QUORUM_MISMATCH,
        SignoffRefusal::NotFinal { .. } => codes::RECAP_NOT_FINAL,
        SignoffRefusal::NoFormRefused(_) => codes::RECAP_NO_FORM_REFUSED,
    };
    ApiError::new(code, refusal.to_string())
}

/// The region and contest of a recap path: a recap level the contest
/// reaches (404 `recap.not_a_level` otherwise).
pub(crate) fn recap_region(
    election: &saksi_core::Election,
    contest: saksi_core::Contest,
    code: saksi_core::RegionCode,
) -> Result<saksi_core::RegionId, ApiError> {
    let id = election
        .tree
        .find(code)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no region {code}")))?;
    if let Some(why) = contest.no_recap_at(code.level()) {
        return Err(ApiError::new(codes::RECAP_NOT_A_LEVEL, why));
    }
    Ok(id)
}
