//! The D.Hasil: a region's final recap of one contest as one document, read
//! back from what the log holds (the web crate prints it at
//! `/recap/{contest}/{code}/d-hasil`).
//!
//! Everything comes from signed facts: the children and their digests and
//! the totals from the final `signoff` statement itself (the statement of
//! the confirmation that made it final), each child's totals from what
//! that digest names (a TPS's form version, a child region's final
//! sign-off), the objections below with their rulings and corrections,
//! the commissioners' keys from their confirmations' entries, and the
//! signed checkpoint that includes the final confirmation. So a printed
//! D.Hasil can be checked line by line against the log by anyone.

mod children;
mod review;
mod signatures;

use std::sync::Arc;

use saksi_core::tally::Totals;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode};
use saksi_statement::Entry;
use saksi_store::{Store, StoreError};

pub use children::ChildRecap;
pub use review::{CorrectionRecap, ObjectionRecap, ReviewBelow};
pub use signatures::Confirmed;

use crate::controllers::recap::recap_region;
use crate::controllers::results::show::option_names;
use crate::error::ApiError;
use crate::extract;
use crate::log::Published;
use crate::state::AppState;

/// A region's final recap of a contest, as the D.Hasil shows it.
#[derive(Debug, Clone)]
pub struct DHasil {
    pub contest: Contest,
    pub code: RegionCode,
    pub name: String,
    /// SHA-256 of the signed statement: what the parent's sign-off names.
    pub digest: [u8; 32],
    /// The confirmations that made it final, as the statement states.
    pub k: u32,
    /// The statement's totals (the results' `T`), options in ballot order.
    pub totals: Totals,
    /// The options' names, keyed as in `totals` (as the results'
    /// `option_names`).
    pub option_names: Vec<(String, String)>,
    /// In the statement's order (ascending code).
    pub children: Vec<ChildRecap>,
    pub review: ReviewBelow,
    /// Each commissioner's confirmation, in log order.
    pub confirmations: Vec<Confirmed>,
    /// The confirmation that made it final, and when it was logged.
    pub log_index: u64,
    pub signed_at: UnixTime,
    /// The latest signed checkpoint if it includes `log_index`; `None`
    /// until the publisher signs one that does (within a second or so).
    pub checkpoint: Option<Arc<Published>>,
}

/// Why there is no D.Hasil to show.
#[derive(Debug, thiserror::Error)]
pub enum DHasilError {
    /// A recap level the contest reaches, but not signed off yet.
    #[error("the {contest} recap of {region} is not final")]
    NotFinal {
        contest: Contest,
        region: RegionCode,
    },
    /// No such contest or region, a level the contest's recap does not
    /// reach, or a failure to read it (the API's codes).
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// The D.Hasil of `code` (`0` is national) for `contest`, as a path names
/// them.
pub async fn load(state: &AppState, contest: &str, code: &str) -> Result<DHasil, DHasilError> {
    let contest = extract::contest(contest)?;
    let code = extract::region_code(code)?;
    let id = recap_region(&state.election, contest, code)?;
    // A final region is locked: nothing at or below it changes while it is
    // read piece by piece.
    let (last, objections) = {
        let live = state.live();
        let last = live
            .signoffs
            .final_of(contest, code)
            .cloned()
            .ok_or(DHasilError::NotFinal {
                contest,
                region: code,
            })?;
        let objections = live
            .review
            .within(code, contest)
            .into_iter()
            .cloned()
            .collect();
        (last, objections)
    };
    let signed = signatures::read(state, &last).await?;
    let children = children::recap(state, contest, code, &signed.statement.children).await?;
    let review = review::below(state, objections).await?;
    Ok(DHasil {
        contest,
        code,
        name: state.election.tree.get(id).name.clone(),
        digest: last.digest,
        k: signed.statement.k,
        totals: signed.statement.totals,
        option_names: option_names(&state.election, contest, id).0,
        children,
        review,
        confirmations: signed.confirmations,
        log_index: last.log_index,
        signed_at: last.signed_at,
        checkpoint: signatures::covering(state, last.log_index)?,
    })
}

/// The log entry at `index`, decoded; `what` names it when it is missing
/// or unreadable (a corrupt store).
fn entry_at(store: &dyn Store, index: u64, what: &'static str) -> Result<Entry, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt {
        what,
        value: format!("log index {index}: {why}"),
    };
    let entries = store.log_entries(index, index + 1)?;
    let data = entries
        .first()
        .filter(|e| e.index == index)
        .map(|e| &e.data)
        .ok_or_else(|| corrupt("no log entry".into()))?;
    Entry::decode(data).map_err(|e| corrupt(e.to_string()))
}

/// An entry the recap points at is of another kind: a corrupt store.
fn not_a(what: &'static str, index: u64) -> StoreError {
    StoreError::Corrupt {
        what,
        value: format!("log index {index} is not a {what}"),
    }
}
