//! What the review decided below a region: every objection against a TPS
//! under it, with its ruling's reason and the correction that answered
//! it, as the D.Hasil lists them. The reasons are read from the rulings'
//! and corrections' own signed entries, so the page quotes what was
//! signed.

use saksi_core::RegionCode;
use saksi_statement::Entry;
use saksi_statement::recap::ObjectionState;
use saksi_store::{Store, StoreError};

use super::{entry_at, not_a};
use crate::error::ApiError;
use crate::state::AppState;

/// At most this many objections are listed (in log order); a region above
/// the kecamatan may have many more, which the D.Hasil counts per child.
const MAX_LISTED: usize = 200;

/// The objections below a region.
#[derive(Debug, Clone)]
pub struct ReviewBelow {
    /// The first [`MAX_LISTED`], in log order.
    pub listed: Vec<ObjectionRecap>,
    /// How many there are in all.
    pub total: usize,
    /// The TPS of every objection, listed or not, for the counts.
    against: Vec<RegionCode>,
}

impl ReviewBelow {
    /// How many objections were made against a TPS at or under `region`.
    pub fn count_in(&self, region: RegionCode) -> usize {
        self.against.iter().filter(|t| region.contains(**t)).count()
    }
}

/// One objection and what became of it.
#[derive(Debug, Clone)]
pub struct ObjectionRecap {
    pub state: ObjectionState,
    /// The ruling's reason, read out in the plenary.
    pub ruling_reason: Option<String>,
    pub correction: Option<CorrectionRecap>,
}

/// The PPK's correction of an upheld objection: a form version.
#[derive(Debug, Clone)]
pub struct CorrectionRecap {
    pub log_index: u64,
    pub version: u32,
    pub reason: String,
}

/// The review below a region from its objections (in log order).
pub(super) async fn below(
    state: &AppState,
    objections: Vec<ObjectionState>,
) -> Result<ReviewBelow, ApiError> {
    let total = objections.len();
    let against = objections.iter().map(|o| o.objection.tps).collect();
    let listed: Vec<ObjectionState> = objections.into_iter().take(MAX_LISTED).collect();
    let listed = state
        .blocking(move |store| listed.into_iter().map(|o| recap(store, o)).collect())
        .await?;
    Ok(ReviewBelow {
        listed,
        total,
        against,
    })
}

fn recap(store: &dyn Store, state: ObjectionState) -> Result<ObjectionRecap, StoreError> {
    let ruling_reason = match state.ruling {
        Some((_, at)) => match entry_at(store, at, "ruling")? {
            Entry::RulingV1(e) => Some(e.signed.statement.reason),
            _ => return Err(not_a("ruling", at)),
        },
        None => None,
    };
    let correction = match state.corrected_by {
        Some(at) => match entry_at(store, at, "correction")? {
            Entry::FormV2(e) => {
                let statement = e.signed.statement;
                let reason = statement
                    .correction
                    .ok_or_else(|| not_a("correction", at))?;
                Some(CorrectionRecap {
                    log_index: at,
                    version: statement.version,
                    reason: reason.reason,
                })
            }
            _ => return Err(not_a("correction", at)),
        },
        None => None,
    };
    Ok(ObjectionRecap {
        state,
        ruling_reason,
        correction,
    })
}
