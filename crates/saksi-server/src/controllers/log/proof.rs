//! `GET /api/v1/log/proof/inclusion?index=I&size=N` (RFC 9162 §2.1.3) and
//! `GET /api/v1/log/proof/consistency?from=M&to=N` (§2.1.4):
//! `{"proof": ["<base64 hash>", ...]}`, bottom-up, for any sizes up to the
//! latest checkpoint's, computed from the in-memory tree (which keeps every
//! complete node, so older sizes cost the same).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::Proof;
use saksi_log::{Hash, consistency_proof, inclusion_proof};

use super::{Params, beyond_checkpoint, invalid_range, param};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::state::AppState;

fn answer(proof: Vec<Hash>) -> Response {
    let proof = proof.iter().map(|h| STANDARD.encode(h)).collect();
    json_of(StatusCode::OK, &Proof { proof })
}

pub async fn inclusion(
    State(state): State<AppState>,
    params: Params,
) -> Result<Response, ApiError> {
    let index = param(&params, "index")?;
    let size = param(&params, "size")?;
    let checkpoint = state.log.latest()?.checkpoint.size;
    if size > checkpoint {
        return Err(beyond_checkpoint("size", size, checkpoint));
    }
    if index >= size {
        return Err(invalid_range(format!(
            "index {index} is not below size {size}"
        )));
    }
    let proof = inclusion_proof(&state.live().tree, index, size).map_err(ApiError::internal)?;
    Ok(answer(proof))
}

pub async fn consistency(
    State(state): State<AppState>,
    params: Params,
) -> Result<Response, ApiError> {
    let from = param(&params, "from")?;
    let to = param(&params, "to")?;
    if from == 0 || from > to {
        return Err(invalid_range(format!(
            "consistency needs 0 < from <= to, got from {from} and to {to}"
        )));
    }
    let checkpoint = state.log.latest()?.checkpoint.size;
    if to > checkpoint {
        return Err(beyond_checkpoint("to", to, checkpoint));
    }
    let proof = consistency_proof(&state.live().tree, from, to).map_err(ApiError::internal)?;
    Ok(answer(proof))
}
