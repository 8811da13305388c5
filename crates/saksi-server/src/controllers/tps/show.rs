//! `GET /api/v1/tps/{code}`: a TPS with every contest's current form and
//! all its versions with their warnings, signer, log index and leaf hash
//! (for an inclusion proof), as of the log size stated.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{FormSigner, FormVersion, Issue, OnBehalfReason, TpsContest, TpsPage};
use saksi_core::{Contest, Level};
use saksi_log::{NodeSource, Verifier};
use saksi_statement::Entry;
use saksi_store::{Store, StoreError, StoredVersion};

use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::keys;
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    let tree = &state.election.tree;
    let id = tree
        .find(code)
        .filter(|_| code.level() == Level::Tps)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {code}")))?;
    let log_size = state.live().log_size();
    let versions = state
        .blocking(move |store| {
            let versions = store.form_versions(code)?;
            let mut signers = Vec::with_capacity(versions.len());
            for v in &versions {
                signers.push(signer(store, v)?);
            }
            Ok(versions.into_iter().zip(signers).collect::<Vec<_>>())
        })
        .await?;
    // Leaf hashes from the tree, which holds every index below `log_size`.
    let leaves: std::collections::HashMap<u64, String> = {
        let live = state.live();
        versions
            .iter()
            .map(|(v, _)| v)
            .filter(|v| v.log_index < log_size)
            .map(|v| {
                let leaf = live.tree.node(0, v.log_index).map_err(ApiError::internal)?;
                Ok((v.log_index, STANDARD.encode(leaf)))
            })
            .collect::<Result<_, ApiError>>()?
    };
    let mut contests = Vec::with_capacity(Contest::ALL.len());
    for contest in Contest::ALL {
        let list: Vec<FormVersion> = versions
            .iter()
            .filter(|(v, _)| v.contest == contest && v.log_index < log_size)
            .map(|(v, signer)| {
                let form = serde_json::from_str(&v.form_json).map_err(|e| {
                    ApiError::internal(format!("stored form {code}/{contest} is not JSON: {e}"))
                })?;
                let warnings: Vec<Issue> = serde_json::from_str(&v.warnings_json).map_err(|e| {
                    ApiError::internal(format!("stored warnings {code}/{contest}: {e}"))
                })?;
                Ok(FormVersion {
                    version: v.version,
                    log_index: v.log_index,
                    leaf_hash: leaves.get(&v.log_index).cloned(),
                    submitted_at: v.submitted_at.to_string(),
                    signer: signer.clone(),
                    form,
                    warnings,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        contests.push(TpsContest {
            contest: contest.id().to_owned(),
            held: state.election.holds(id, contest),
            current: list.last().cloned(),
            versions: list,
        });
    }
    let header = crate::controllers::regions::header(tree, id);
    let body = TpsPage {
        code: header.code,
        name: header.name,
        level: header.level,
        parent: header.parent,
        dpt: header.dpt,
        log_size,
        contests,
    };
    Ok(json_of(StatusCode::OK, &body))
}

/// Who signed a stored version: the role and key its `submitted_by`
/// records and, for a version signed on behalf, the reason its log entry
/// states; `None` for a version entered through a session.
fn signer(store: &dyn Store, v: &StoredVersion) -> Result<Option<FormSigner>, StoreError> {
    let Some((role, key)) = keys::signer_of(&v.submitted_by) else {
        return Ok(None);
    };
    let corrupt = |why: String| StoreError::Corrupt {
        what: "form version signer",
        value: format!(
            "{} {} v{} at log index {}: {why}",
            v.tps, v.contest, v.version, v.log_index
        ),
    };
    let verifier = Verifier::parse(key).map_err(|e| corrupt(format!("signer key: {e}")))?;
    let on_behalf = if role.signs_on_behalf() {
        let entries = store.log_entries(v.log_index, v.log_index + 1)?;
        let reason = entries
            .first()
            .and_then(|e| match Entry::decode(&e.data) {
                Ok(Entry::FormV2(e)) => e.signed.statement.on_behalf,
                _ => None,
            })
            .ok_or_else(|| corrupt("no signed statement on behalf in the log".into()))?;
        Some(OnBehalfReason {
            reason: reason.reason,
        })
    } else {
        None
    };
    Ok(Some(FormSigner {
        role: role.id().to_owned(),
        key_id: format!("{:08x}", verifier.key_id()),
        key: key.to_owned(),
        on_behalf,
    }))
}
