//! `/api/v1/results`: live totals per contest and region, and per dapil.
//!
//! Bodies are rendered from the live tallies at most once per batch per
//! (contest, region), cached as bytes, and served with an ETag naming the
//! log size they reflect.

pub mod dapil;
pub mod show;

use saksi_core::form;
use saksi_core::{Contest, RegionCode};
use saksi_store::StoredVersion;

/// The latest version of `contest` among `versions` that the log of size
/// `log_size` holds: what a reader at that log size sees.
pub(crate) fn current_at(
    versions: &[StoredVersion],
    contest: Contest,
    log_size: u64,
) -> Option<&StoredVersion> {
    versions
        .iter()
        .filter(|v| v.contest == contest && v.log_index < log_size)
        .max_by_key(|v| v.version)
}

/// Parses a stored form; a form that does not parse is a corrupt store.
pub(crate) fn parse_stored(
    tps: RegionCode,
    stored: &StoredVersion,
) -> Result<form::CHasil, crate::ApiError> {
    form::parse(stored.contest, stored.form_json.as_bytes()).map_err(|e| {
        crate::ApiError::internal(format!(
            "stored form {tps}/{} v{} does not parse: {e}",
            stored.contest, stored.version
        ))
    })
}
