//! `POST /api/v1/logistics/shipments/{id}/delivery`: the proof of delivery
//! of the shipment logged at `id`, a `delivery` statement signed with the
//! receiving office's own key (at a TPS, its KPPS device's;
//! `{"statement", "signature", "key"}`, no session). The envelope, the
//! statement, the origin, the path and the signature are checked here;
//! whether the shipment is still undelivered, the key the receiver's and
//! the items those shipped is the sequencer's to decide, in log order.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::DeliveryStatement;

use super::shipment_id;
use crate::codes;
use crate::controllers::statements::{
    check_origin, open_envelope, sequence_signed, signature_invalid,
};
use crate::error::ApiError;
use crate::extract::RawPath;
use crate::sequencer::{DeliveryFact, Fact};
use crate::state::AppState;

pub async fn deliver(
    State(state): State<AppState>,
    RawPath(id): RawPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let shipment = shipment_id(&id)?;
    let (envelope, signed) = open_envelope::<DeliveryStatement>(body)?;
    check_origin(&signed.statement.origin, state.log.origin())?;
    if signed.statement.shipment != shipment {
        return Err(ApiError::new(
            codes::STATEMENT_PATH_MISMATCH,
            format!(
                "the statement delivers the shipment at {}, the URL names {shipment}",
                signed.statement.shipment
            ),
        ));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let sha256 = signed.sha256();
    let fact = Fact::Delivery(Box::new(DeliveryFact {
        signed,
        signer: envelope.key,
    }));
    sequence_signed(&state, sha256, fact).await
}
