//! `GET /api/v1/log/entries?start=S&end=E`: the entries with
//! `S <= index < E`, `E` clamped to the latest checkpoint's size, to at
//! most [`PAGE`] entries and to about [`PAGE_BYTES`] of entry bytes (at
//! least one entry): `{"entries": [{"index", "data", "leaf_hash"}]}` with
//! `data` the standard base64 of the exact bytes hashed. A client asks
//! again from where a short page ends.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{LogEntries, LogEntry};
use saksi_store::LogEntry as StoredEntry;

use super::{Params, beyond_checkpoint, invalid_range, param};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::state::AppState;

/// The most entries one page holds.
pub const PAGE: u64 = 1000;

/// The entry bytes after which a page ends early: a thousand forms are
/// about 2 MB, but a thousand kecamatan sign-offs (each naming every TPS,
/// up to 1 MiB) would be a gigabyte, past what any client reads at once.
pub const PAGE_BYTES: usize = 8 << 20;

/// Entries read from the store at a time while a page fills, so a page of
/// large entries stops reading soon after its budget.
const READ: u64 = 100;

pub async fn list(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let start = param(&params, "start")?;
    let end = param(&params, "end")?;
    if start > end {
        return Err(invalid_range(format!("start {start} is after end {end}")));
    }
    let size = state.log.latest()?.checkpoint.size;
    if start > size {
        return Err(beyond_checkpoint("start", start, size));
    }
    let end = end.min(size).min(start.saturating_add(PAGE));
    let entries = state
        .blocking(move |store| {
            fill(start, end, PAGE_BYTES, |from, to| {
                store.log_entries(from, to)
            })
        })
        .await?;
    let in_order = (start..).zip(&entries).all(|(index, e)| e.index == index);
    if !in_order || (entries.is_empty() && start < end) {
        return Err(ApiError::internal(format!(
            "the store has {} of the log entries {start}..{end}",
            entries.len()
        )));
    }
    let entries = entries
        .iter()
        .map(|e| LogEntry {
            index: e.index,
            data: STANDARD.encode(&e.data),
            leaf_hash: STANDARD.encode(e.leaf_hash),
        })
        .collect();
    Ok(json_of(StatusCode::OK, &LogEntries { entries }))
}

/// Entries `start..end` read `READ` at a time with `read`, until they hold
/// `budget` bytes (the entry that crosses it included, so a page is never
/// empty).
fn fill<E>(
    start: u64,
    end: u64,
    budget: usize,
    mut read: impl FnMut(u64, u64) -> Result<Vec<StoredEntry>, E>,
) -> Result<Vec<StoredEntry>, E> {
    let mut page = Vec::new();
    let mut bytes = 0;
    let mut at = start;
    while at < end && bytes < budget {
        let to = end.min(at + READ);
        for e in read(at, to)? {
            if bytes >= budget {
                break;
            }
            bytes += e.data.len();
            page.push(e);
        }
        at = to;
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries of `size` bytes each, as a store reads them.
    fn entries(size: usize) -> impl FnMut(u64, u64) -> Result<Vec<StoredEntry>, ()> {
        move |from, to| {
            Ok((from..to)
                .map(|index| StoredEntry {
                    index,
                    data: vec![b'x'; size],
                    leaf_hash: [0; 32],
                })
                .collect())
        }
    }

    #[test]
    fn a_page_of_large_entries_ends_once_past_its_budget_and_is_never_empty() {
        // Small entries: the whole range.
        assert_eq!(fill(0, 1000, 8 << 20, entries(500)).unwrap().len(), 1000);
        // 1 MiB sign-offs: eight fill 8 MiB, the ninth is not read.
        let page = fill(10, 1000, 8 << 20, entries(1 << 20)).unwrap();
        assert_eq!(page.len(), 8);
        assert_eq!(page.first().map(|e| e.index), Some(10));
        assert_eq!(page.last().map(|e| e.index), Some(17));
        // One entry larger than the budget is still served alone.
        assert_eq!(fill(3, 9, 100, entries(1000)).unwrap().len(), 1);
        assert!(fill(5, 5, 100, entries(1000)).unwrap().is_empty());
    }
}
