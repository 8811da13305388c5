//! The officers' workspace: KPPS device enrolment and
//! officers' key certification, as domain functions that the API
//! controllers (`controllers::enrolments`, `controllers::officer_keys`)
//! and the web pages both call, so the rules live once.
//!
//! Nothing here decides who holds which key: approval and certification
//! are key statements in the log (`POST /api/v1/keys`), and the status of
//! an enrolment or a submitted key is read back from the key registry's
//! tables on every request.

pub mod enrolment;
pub mod officer_keys;

pub use crate::credentials::enrolment_throttle as throttle;

use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};
use saksi_log::Verifier;

use crate::codes;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;

/// The account's region if it has `role`, else 403
/// `workspace.role_forbidden` saying what the action needs.
pub(crate) fn require_role(
    who: &Authenticated,
    role: Role,
    what: &str,
) -> Result<RegionCode, ApiError> {
    if who.principal.role() != role {
        return Err(ApiError::new(
            codes::WORKSPACE_ROLE_FORBIDDEN,
            format!(
                "{what} is for {} accounts; this one is {}",
                role.id(),
                who.principal.role().id()
            ),
        ));
    }
    Ok(who.principal.region())
}

/// `code` if the election has a TPS with it, else 404 `region.not_found`.
pub(crate) fn require_tps(state: &AppState, code: RegionCode) -> Result<RegionCode, ApiError> {
    let tree = &state.election.tree;
    match tree.find(code) {
        Some(id) if tree.get(id).level() == Level::Tps => Ok(code),
        _ => Err(ApiError::new(
            codes::REGION_NOT_FOUND,
            format!("the election has no TPS {code}"),
        )),
    }
}

/// A region code from a request body (400 `region.invalid_code`).
pub(crate) fn parse_region(text: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(text.trim())
        .map_err(|e| ApiError::new(codes::REGION_INVALID_CODE, format!("{text:?}: {e}")))
}

/// A verifier key as submitted, in its canonical text (400
/// `key.invalid_verifier`).
pub fn parse_verifier(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.len() > 512 {
        return Err(ApiError::new(
            codes::KEY_INVALID_VERIFIER,
            "the key is longer than any verifier key",
        ));
    }
    Verifier::parse(text).map(|v| v.to_string()).map_err(|e| {
        ApiError::new(
            codes::KEY_INVALID_VERIFIER,
            format!("not a verifier key: {e}"),
        )
    })
}
