//! `/api/v1/logistics`: what every polling unit is sent (`allocation`),
//! the shipments down the chain and their proofs of delivery (`ship`,
//! `deliver`: signed statements, no session), and where they stand
//! (`shipment`, `stock`, `readiness`), and the ballots accounted for
//! after the count (`reconciliation`). The reads are public and counts
//! only: no login, no person's name. What a shipment or a delivery must
//! satisfy against the log is decided by the sequencer
//! (`sequencer/logistics.rs`) with the rules `saksi audit` replays
//! (`saksi_statement::Logistics`).

pub mod allocation;
pub mod deliver;
pub mod readiness;
pub mod reconciliation;
pub mod ship;
pub mod shipment;
pub mod stock;

use saksi_core::{RegionCode, RegionId};
use saksi_statement::LogisticsRefusal;
use serde_json::json;

use crate::codes;
use crate::error::ApiError;

/// The logistics chain's refusal as the API answers it.
pub(crate) fn refusal_error(refusal: LogisticsRefusal) -> ApiError {
    let message = refusal.to_string();
    match refusal {
        LogisticsRefusal::NotNextLevel { .. } => {
            ApiError::new(codes::LOGISTICS_NOT_NEXT_LEVEL, message)
        }
        LogisticsRefusal::NotSender { .. } => ApiError::new(codes::LOGISTICS_NOT_SENDER, message),
        LogisticsRefusal::InsufficientStock {
            item, held, asked, ..
        } => ApiError::new(codes::LOGISTICS_INSUFFICIENT_STOCK, message)
            .with_details(json!({"item": item, "held": held, "asked": asked})),
        LogisticsRefusal::ShipmentNotFound(_) => shipment_not_found(message),
        LogisticsRefusal::AlreadyDelivered { at, .. } => {
            ApiError::new(codes::LOGISTICS_ALREADY_DELIVERED, message)
                .with_details(json!({"delivery_log_index": at}))
        }
        LogisticsRefusal::NotReceiver { .. } => {
            ApiError::new(codes::LOGISTICS_NOT_RECEIVER, message)
        }
        LogisticsRefusal::ItemsMismatch {
            item,
            shipped,
            stated,
        } => ApiError::new(codes::LOGISTICS_ITEMS_MISMATCH, message)
            .with_details(json!({"item": item, "shipped": shipped, "stated": stated})),
        LogisticsRefusal::SealNotShipped(seal) => {
            ApiError::new(codes::LOGISTICS_SEAL_NOT_SHIPPED, message)
                .with_details(json!({"seal": seal}))
        }
    }
}

/// The region of `code` in the election (404 `region.not_found`).
fn region(election: &saksi_core::Election, code: RegionCode) -> Result<RegionId, ApiError> {
    election
        .tree
        .find(code)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no region {code}")))
}

/// 404 `logistics.shipment_not_found`.
fn shipment_not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(codes::LOGISTICS_SHIPMENT_NOT_FOUND, message)
}

/// The shipment id of a path: a log index (404 for anything else, as for
/// an index with no shipment).
fn shipment_id(text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| shipment_not_found(format!("{text:?} is not the log index of a shipment")))
}
