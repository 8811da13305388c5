//! `GET /api/v1/tps/{code}`: a TPS with every contest's current form and
//! all its versions with their warnings, log index and leaf hash (for an
//! inclusion proof), as of the log size stated.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{FormVersion, Issue, TpsContest, TpsPage};
use saksi_core::{Contest, Level};
use saksi_log::NodeSource;

use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
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
        .blocking(move |store| store.form_versions(code))
        .await?;
    // Leaf hashes from the tree, which holds every index below `log_size`.
    let leaves: std::collections::HashMap<u64, String> = {
        let live = state.live();
        versions
            .iter()
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
            .filter(|v| v.contest == contest && v.log_index < log_size)
            .map(|v| {
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
