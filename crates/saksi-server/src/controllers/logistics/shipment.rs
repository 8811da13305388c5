//! `GET /api/v1/logistics/shipments/{id}`: a shipment and its delivery,
//! public, read from their log entries: what the sender and the receiver
//! signed, and the shipped seals the receiver did not find intact.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_statement::{DeliveryStatement, Entry, ShipmentStatement};

use super::{shipment_id, shipment_not_found};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::live::read_live;
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(id): RawPath<String>,
) -> Result<Response, ApiError> {
    let id = shipment_id(&id)?;
    let delivery = read_live(&state.live)
        .logistics
        .shipment(id)
        .map(|s| s.delivery)
        .ok_or_else(|| shipment_not_found(format!("no shipment was logged at index {id}")))?;
    let (shipment, delivered) = state
        .blocking(move |store| {
            let entry = |index: u64| {
                store
                    .log_entries(index, index + 1)
                    .map(|mut e| e.pop().map(|e| e.data))
            };
            Ok((entry(id)?, delivery.map(entry).transpose()?.flatten()))
        })
        .await?;
    let shipment = match shipment.as_deref().map(Entry::decode) {
        Some(Ok(Entry::ShipmentV1(e))) => e.signed.statement,
        _ => return Err(ApiError::internal(format!("no shipment entry at {id}"))),
    };
    let delivery = match (delivery, delivered.as_deref().map(Entry::decode)) {
        (None, _) => None,
        (Some(at), Some(Ok(Entry::DeliveryV1(e)))) => {
            Some(delivered_shape(&shipment, e.signed.statement, at))
        }
        (Some(at), _) => return Err(ApiError::internal(format!("no delivery entry at {at}"))),
    };
    Ok(json_of(
        StatusCode::OK,
        &saksi_api::Shipment {
            id,
            from: shipment.from.to_string(),
            to: shipment.to.to_string(),
            items: shipment.items,
            seals: shipment.seals,
            dispatched_at: shipment.dispatched_at.to_string(),
            due_at: shipment.due_at.to_string(),
            log_index: id,
            delivery,
        },
    ))
}

/// The public shape of the delivery logged at `log_index`.
fn delivered_shape(
    shipment: &ShipmentStatement,
    delivery: DeliveryStatement,
    log_index: u64,
) -> saksi_api::Delivery {
    let seals_missing = shipment
        .seals
        .iter()
        .filter(|s| !delivery.seals_checked.contains(s))
        .cloned()
        .collect();
    saksi_api::Delivery {
        log_index,
        items: delivery
            .items
            .into_iter()
            .map(|(item, r)| {
                let shape = saksi_api::DeliveredItem {
                    accepted: r.accepted,
                    rejected: r.rejected,
                    reason: r.reason.map(|reason| reason.id().to_owned()),
                };
                (item, shape)
            })
            .collect(),
        seals_checked: delivery.seals_checked,
        seals_missing,
        photos: delivery.photos.iter().map(hex::encode).collect(),
        received_at: delivery.received_at.to_string(),
    }
}
