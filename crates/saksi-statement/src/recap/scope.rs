//! What a sign-off and a reopen both state: the contest and the region
//! they are about (a region the contest's recap reaches), and `k`, the
//! commissioners' confirmations they take, read one way for both.

use saksi_core::{Contest, RegionCode};
use saksi_log::canonical_check;

use super::signoffs::MAX_QUORUM;
use crate::StatementError;
use crate::read::Object;

/// A statement's `contest`, `region` (a recap level the contest reaches)
/// and `k`.
pub(crate) fn read(object: &Object<'_>) -> Result<(Contest, RegionCode, u32), StatementError> {
    let malformed = |m: String| StatementError::Malformed(m);
    let contest = Contest::parse(&object.str("contest")?)
        .ok_or_else(|| malformed("`contest` must be a contest id like \"ppwp\"".into()))?;
    let region = RegionCode::parse(&object.str("region")?)
        .map_err(|e| malformed(format!("`region`: {e}")))?;
    if let Some(why) = contest.no_recap_at(region.level()) {
        return Err(malformed(why));
    }
    let k = canonical_check::as_u64(object.member("k")?)
        .and_then(|k| u32::try_from(k).ok())
        .filter(|k| (1..=MAX_QUORUM as u32).contains(k))
        .ok_or_else(|| {
            malformed(format!(
                "`k` must be the commissioners' confirmations it takes, 1 to {MAX_QUORUM}"
            ))
        })?;
    Ok((contest, region, k))
}
