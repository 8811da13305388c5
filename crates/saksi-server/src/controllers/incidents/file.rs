//! `POST /api/v1/incidents`: files an incident, either through a session
//! (`Authorization` + `Idempotency-Key`, body `{"region", "category",
//! "severity", "title", "description", "contests"?, "photos"?}`: any role
//! `decide(.., ReportIncident, region)` allows), or with a KPPS device's
//! signed envelope `{"statement", "signature", "key", "private"}` and no
//! session (which also files from the KPPS app's offline queue). Either
//! way the log gets an `incident` statement whose id names the incident;
//! a session's is built here, its content sealed under a fresh salt.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_core::incident::{Action, Actor, Category, Severity};
use saksi_core::permission::{self, Role, decide};
use saksi_core::{Contest, RegionCode};
use saksi_statement::incident_content::Filing as Content;
use saksi_statement::{Envelope, IncidentStatement, Private};
use serde::Deserialize;
use serde_json::Value;

use super::{content_error, json_body, malformed, request_hash, sequence, session_request};
use crate::codes;
use crate::controllers::forms::submit::STATEMENT_PRINCIPAL;
use crate::controllers::statements::{
    check_origin, envelope_error, signature_invalid, statement_error,
};
use crate::error::ApiError;
use crate::extract::{Authenticated, MaybeSession};
use crate::sequencer::{Filing, IdempotencyKey, IncidentFact};
use crate::state::AppState;
use crate::workspace::parse_region;

/// A session's filing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRequest {
    region: String,
    category: String,
    severity: String,
    title: String,
    description: String,
    #[serde(default)]
    contests: Vec<String>,
    #[serde(default)]
    photos: Vec<String>,
}

const EXPECTED: &str = "{\"region\", \"category\", \"severity\", \"title\", \"description\", \
     \"contests\"?, \"photos\"?} with a session, or {\"statement\", \"signature\", \"key\", \
     \"private\"} signed by a KPPS device";

pub async fn file(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (value, bytes): (Value, Bytes) = json_body(body, EXPECTED)?;
    if value.get("statement").is_some() {
        return signed(&state, value).await;
    }
    let Some(who) = session else {
        return Err(ApiError::new(
            codes::AUTH_REQUIRED,
            "filing needs a session (Authorization: Bearer <token>) or a statement signed by the TPS's KPPS device",
        ));
    };
    let request: FileRequest = serde_json::from_value(value)
        .map_err(|e| malformed(format!("expected {EXPECTED}: {e}")))?;
    let scope = session_request(&who, &headers)?;
    let (statement, private) = session_filing(&state, &who, request)?;
    let fact = filing_fact(
        statement,
        private,
        who.principal.region(),
        who.username.to_string(),
        Actor::officer(who.principal.role(), who.principal.region()),
        Some(who.username.to_string()),
    );
    sequence(&state, scope, request_hash(&[&bytes]), fact).await
}

/// Checks a session's filing and seals its content: the statement and the
/// private content it commits to.
fn session_filing(
    state: &AppState,
    who: &Authenticated,
    request: FileRequest,
) -> Result<(IncidentStatement, Private), ApiError> {
    let category = Category::parse(&request.category).ok_or_else(|| {
        ApiError::new(
            codes::INCIDENT_UNKNOWN_CATEGORY,
            format!("{:?} is not a category", request.category),
        )
    })?;
    let severity = Severity::parse(&request.severity).ok_or_else(|| {
        ApiError::new(
            codes::INCIDENT_UNKNOWN_SEVERITY,
            format!("{:?} is not a severity", request.severity),
        )
    })?;
    let mut contests = request
        .contests
        .iter()
        .map(|c| Contest::parse(c).ok_or_else(|| malformed(format!("{c:?} is not a contest"))))
        .collect::<Result<Vec<_>, _>>()?;
    contests.sort_by_key(|c| c.index());
    contests.dedup();
    let content = Content {
        title: request.title,
        description: request.description,
        photos: request.photos,
    }
    .check()
    .map_err(content_error)?;
    let region = existing(state, parse_region(&request.region)?)?;
    let decision = decide(&who.principal, permission::Action::ReportIncident, region);
    if !decision.is_allowed() {
        return Err(ApiError::new(
            codes::AUTH_FORBIDDEN,
            format!(
                "a {} account at {} may not report an incident at {region} ({decision:?})",
                who.principal.role(),
                who.principal.region()
            ),
        ));
    }
    let private = Private::seal(&content.content(&who.username));
    let statement = IncidentStatement {
        region,
        category,
        severity,
        contests,
        content_sha256: private.commitment(),
        origin: state.log.origin().to_owned(),
        signed_at: state.clock.now(),
    };
    Ok((statement, private))
}

/// `code` if the election has such a region, else 404 `region.not_found`.
fn existing(state: &AppState, code: RegionCode) -> Result<RegionCode, ApiError> {
    match state.election.tree.find(code) {
        Some(_) => Ok(code),
        None => Err(ApiError::new(
            codes::REGION_NOT_FOUND,
            format!("the election has no region {code}"),
        )),
    }
}

/// A KPPS device's signed filing: the envelope's signature, the content
/// its statement commits to, and (in the sequencer) its signer's place in
/// the key chain. A retry of the same statement is answered as first.
async fn signed(state: &AppState, mut value: Value) -> Result<Response, ApiError> {
    let private = value
        .as_object_mut()
        .and_then(|o| o.remove("private"))
        .ok_or_else(|| malformed("a signed filing carries `private`: {\"salt\", \"content\"}"))?;
    let private = Private::parse(&private).map_err(|e| malformed(e.to_string()))?;
    let envelope = Envelope::from_value(value).map_err(envelope_error)?;
    let signed = envelope
        .open::<IncidentStatement>()
        .map_err(statement_error)?;
    check_origin(&signed.statement.origin, state.log.origin())?;
    if !envelope.verify() {
        return Err(signature_invalid());
    }
    if private.commitment() != signed.statement.content_sha256 {
        return Err(ApiError::new(
            codes::INCIDENT_COMMITMENT_MISMATCH,
            "`content_sha256` is not SHA-256 of the salt and the content",
        ));
    }
    let content: Value = serde_json::from_slice(&private.content).map_err(ApiError::internal)?;
    Content::from_content(&content).map_err(content_error)?;
    let tps = existing(state, signed.statement.region)?;
    let sha256 = signed.sha256();
    let scope = IdempotencyKey {
        principal: STATEMENT_PRINCIPAL.to_owned(),
        key: hex::encode(sha256),
    };
    let reporter = envelope.key.to_string();
    let mut fact = filing_fact(
        signed.statement.clone(),
        private,
        tps,
        reporter,
        Actor::officer(Role::Kpps, tps),
        None,
    );
    // The id of what the device signed, byte for byte.
    fact.id = IncidentStatement::id_of(&signed.bytes);
    if let Some(filing) = fact.filing.as_mut() {
        filing.signed = Some((signed, envelope.key));
    }
    sequence(state, scope, sha256, fact).await
}

/// The filing event of `statement`.
fn filing_fact(
    statement: IncidentStatement,
    private: Private,
    filer: RegionCode,
    reporter: String,
    actor: Actor,
    username: Option<String>,
) -> IncidentFact {
    IncidentFact {
        id: statement.id(),
        action: Action::File,
        actor,
        username,
        private: Some(private),
        filing: Some(Box::new(Filing {
            statement,
            filer,
            reporter,
            signed: None,
        })),
        assignee: None,
    }
}
