//! `POST /api/v1/objections`: an objection (keberatan) against a TPS's
//! form version, `{"tps", "contest", "version", "fields", "text"}` with
//! `Idempotency-Key`, by a party's or a PPWP pair's witness (`saksi`) or
//! Bawaslu whose region holds the TPS. It is said in the open plenary, so
//! it is logged as it is (`objection` v1): the text, the disputed boxes,
//! and who objected by role, region and party or pair, never by name.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_core::permission::{Role, Witness};
use saksi_core::{Contest, Level, RegionCode};
use saksi_statement::ReviewRefusal;
use saksi_statement::recap::{Objection, Objector};
use serde::Deserialize;

use super::refusal_error;
use crate::codes;
use crate::controllers::session_fact::{json_body, request_hash, sequence, session_request};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::sequencer::{Fact, ObjectionFact};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectionRequest {
    tps: String,
    contest: String,
    version: u32,
    fields: Vec<String>,
    text: String,
}

pub async fn file(
    State(state): State<AppState>,
    who: Authenticated,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let region = who.principal.region();
    let by = match (who.principal.role(), who.principal.witness()) {
        (Role::Saksi, Some(Witness::Party(party))) => Objector::Party { region, party },
        (Role::Saksi, Some(Witness::Paslon(paslon))) => Objector::Paslon { region, paslon },
        (Role::Bawaslu, _) => Objector::Bawaslu { region },
        _ => return Err(refusal_error(ReviewRefusal::NotAnObjector)),
    };
    let (request, bytes): (ObjectionRequest, Bytes) = json_body(
        body,
        "{\"tps\", \"contest\", \"version\", \"fields\", \"text\"}",
        codes::OBJECTION_MALFORMED,
    )?;
    let scope = session_request(&who, &headers, codes::OBJECTION_MALFORMED)?;
    let tps_code = RegionCode::parse(&request.tps)
        .ok()
        .filter(|c| c.level() == Level::Tps)
        .ok_or_else(|| {
            ApiError::new(
                codes::REGION_INVALID_CODE,
                format!(
                    "`tps` {:?} is not a TPS code like 11.01.01.2001.001",
                    request.tps
                ),
            )
        })?;
    let tps = state
        .election
        .tree
        .find(tps_code)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {tps_code}")))?;
    let contest = Contest::parse(&request.contest)
        .filter(|c| state.election.holds(tps, *c))
        .ok_or_else(|| {
            ApiError::new(
                codes::CONTEST_NOT_FOUND,
                format!("TPS {tps_code} holds no contest {:?}", request.contest),
            )
        })?;
    let objection = Objection {
        tps: tps_code,
        contest,
        version: request.version,
        fields: request.fields,
        text: request.text,
        by,
    };
    objection
        .check()
        .map_err(|e| refusal_error(ReviewRefusal::Malformed(e)))?;
    let fact = Fact::Objection(Box::new(ObjectionFact { tps, objection }));
    sequence(&state, scope, request_hash(&[&bytes]), fact).await
}
