//! `GET /api/v1/log/receipt/{index}`: the receipt of an entry, rebuilt from
//! the stored entry; byte for byte the `receipt` of the submission's answer
//! (Ed25519 is deterministic and the time is the entry's).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_log::NodeSource;
use saksi_statement::Entry;

use super::{decimal, invalid_parameter};
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::log::receipt::{ReceiptHeader, receipt};
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(index): RawPath<String>,
) -> Result<Response, ApiError> {
    let index = decimal(&index)
        .ok_or_else(|| invalid_parameter("the log index must be a decimal integer"))?;
    // Nothing is signed while the log refuses to sign.
    if let Some(refusal) = state.log.refusal() {
        return Err(refusal.error());
    }
    let leaf = {
        let live = state.live();
        (index < live.tree.len())
            .then(|| live.tree.node(0, index))
            .transpose()
            .map_err(ApiError::internal)?
    };
    let not_found = || ApiError::new(codes::LOG_ENTRY_NOT_FOUND, format!("no log entry {index}"));
    let leaf = leaf.ok_or_else(not_found)?;
    let entries = state
        .blocking(move |store| store.log_entries(index, index + 1))
        .await?;
    let entry = entries
        .into_iter()
        .find(|e| e.index == index)
        .ok_or_else(|| ApiError::internal(format!("log entry {index} is not stored")))?;
    let decoded = Entry::decode(&entry.data)
        .map_err(|e| ApiError::internal(format!("log entry {index} cannot be read: {e}")))?;
    let header = ReceiptHeader::of(&decoded);
    let receipt = receipt(state.log.signer(), index, &header, &entry.data, &leaf)
        .map_err(ApiError::internal)?;
    Ok(json_of(StatusCode::OK, &receipt))
}
