//! `POST /api/v1/logistics/shipments`: a shipment down the chain, a
//! `shipment` statement signed with the sending office's own key (a
//! `kpu-kabkota`, `ppk` or `pps` key of `from`, or a supplier's
//! `supplier` key; `{"statement", "signature", "key"}`, no session: the
//! signature is the sender's word). The envelope, the statement, the
//! origin, the regions (both in the election), the items (each one the
//! allocation table names) and the signature are checked here; who may
//! ship what, from which stock, is the sequencer's to decide, in log
//! order.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use saksi_statement::ShipmentStatement;
use serde_json::json;

use crate::codes;
use crate::controllers::statements::{
    check_origin, open_envelope, sequence_signed, signature_invalid,
};
use crate::error::ApiError;
use crate::sequencer::{Fact, ShipmentFact};
use crate::state::AppState;

pub async fn ship(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (envelope, signed) = open_envelope::<ShipmentStatement>(body)?;
    let statement = &signed.statement;
    check_origin(&statement.origin, state.log.origin())?;
    for code in [statement.from, statement.to] {
        super::region(&state.election, code)?;
    }
    let catalogue = state.allocation.items();
    if let Some(item) = statement
        .items
        .keys()
        .find(|item| catalogue.binary_search(item).is_err())
    {
        return Err(ApiError::new(
            codes::LOGISTICS_UNKNOWN_ITEM,
            format!("the allocation table names no item {item:?}"),
        )
        .with_details(json!({"item": item})));
    }
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    let sha256 = signed.sha256();
    let fact = Fact::Shipment(Box::new(ShipmentFact {
        signed,
        signer: envelope.key,
    }));
    sequence_signed(&state, sha256, fact).await
}
