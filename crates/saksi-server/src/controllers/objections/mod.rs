//! The review at the kecamatan: a witness's or Bawaslu's objection
//! (`file`, through a session) and a PPK member's ruling on it (`rule`, a
//! signed statement). Whether the objection disputes the current version
//! of its form, and whether an objection is still open to a ruling, is
//! decided by the sequencer (`sequencer/review.rs`) with the rules
//! `saksi audit` replays (`saksi_statement::Review`).

pub mod file;
pub mod rule;

use saksi_statement::ReviewRefusal;

use crate::codes;
use crate::error::ApiError;

/// The review's refusal as the API answers it.
pub(crate) fn refusal_error(refusal: ReviewRefusal) -> ApiError {
    let code = match refusal {
        ReviewRefusal::Malformed(_) => codes::OBJECTION_INVALID,
        ReviewRefusal::NotAnObjector => codes::OBJECTION_NOT_AN_OBJECTOR,
        ReviewRefusal::OutsideRegion { .. } => codes::OBJECTION_OUTSIDE_REGION,
        ReviewRefusal::PaslonOutsidePpwp => codes::OBJECTION_PASLON_OUTSIDE_PPWP,
        ReviewRefusal::NoForm { .. } => codes::OBJECTION_NO_FORM,
        ReviewRefusal::NotCurrent { .. } => codes::OBJECTION_NOT_CURRENT,
        ReviewRefusal::NoSuchObjection(_) => codes::OBJECTION_NOT_FOUND,
        ReviewRefusal::AlreadyRuled(_) => codes::OBJECTION_ALREADY_RULED,
        ReviewRefusal::OtherForm { .. }
        | ReviewRefusal::NotUpheld(_)
        | ReviewRefusal::AlreadyCorrected { .. } => codes::RECAP_CORRECTION_REFUSED,
    };
    ApiError::new(code, refusal.to_string())
}
