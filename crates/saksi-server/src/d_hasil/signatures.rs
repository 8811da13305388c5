//! Who made a sign-off final and where the log proves it: the final
//! `signoff` statement and each commissioner's key, read from the
//! confirmations' own entries, and the signed checkpoint that includes
//! the final confirmation (its inclusion proof is the public log API's).

use std::sync::Arc;

use saksi_core::time::UnixTime;
use saksi_statement::recap::{Final, SignoffStatement};
use saksi_statement::{Entry, SignedEntry};
use saksi_store::{Store, StoreError};

use super::{entry_at, not_a};
use crate::error::ApiError;
use crate::log::Published;
use crate::state::AppState;

/// One commissioner's confirmation.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub key_id: u32,
    pub log_index: u64,
    /// The verifier key that signed it (`name+<key id>+<base64>`).
    pub key: String,
    pub logged_at: UnixTime,
}

/// The statement every confirmation signed, and the confirmations.
pub(super) struct Signed {
    pub statement: SignoffStatement,
    pub confirmations: Vec<Confirmed>,
}

/// Reads the final sign-off's confirmations; the statement is that of the
/// one that made it final (all signed the same bytes).
pub(super) async fn read(state: &AppState, last: &Final) -> Result<Signed, ApiError> {
    let wanted = last.confirmations.clone();
    let final_index = last.log_index;
    let entries = state
        .blocking(move |store| {
            wanted
                .iter()
                .map(|c| Ok((c.key_id, c.log_index, signoff_at(store, c.log_index)?)))
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .await?;
    let mut statement = None;
    let mut confirmations = Vec::with_capacity(entries.len());
    for (key_id, log_index, entry) in entries {
        confirmations.push(Confirmed {
            key_id,
            log_index,
            key: entry.signed.signer,
            logged_at: entry.logged_at,
        });
        if log_index == final_index {
            statement = Some(entry.signed.statement);
        }
    }
    let statement = statement.ok_or_else(|| {
        ApiError::internal(format!(
            "the final confirmation at {final_index} is not among its confirmations"
        ))
    })?;
    Ok(Signed {
        statement,
        confirmations,
    })
}

/// The `signoff` entry at `index`.
fn signoff_at(store: &dyn Store, index: u64) -> Result<SignedEntry<SignoffStatement>, StoreError> {
    match entry_at(store, index, "sign-off confirmation")? {
        Entry::SignoffV1(e) => Ok(e),
        _ => Err(not_a("sign-off confirmation", index)),
    }
}

/// The latest signed checkpoint if it includes the entry at `log_index`.
/// A server that refuses to sign answers why (503), as the log API does.
pub(super) fn covering(
    state: &AppState,
    log_index: u64,
) -> Result<Option<Arc<Published>>, ApiError> {
    let latest = state.log.latest()?;
    Ok((latest.checkpoint.size > log_index).then_some(latest))
}
