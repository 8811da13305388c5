//! `GET /api/v1/tps/{code}/diff/{contest}?from=A&to=B`: what changed
//! between two versions of a TPS's form, box by box, with every version
//! in between: who signed it, and for a correction the objection it
//! answers and the plenary's reason. In 2024 totals changed with no trace
//! of why; here the trace is one request. `to` defaults to the current
//! version, `from` to the one before `to`.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{BoxChange, DiffVersion, FormDiff};
use saksi_core::Level;
use saksi_core::form::{self, CHasil};

use super::show::{logged_version, objection};
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::state::AppState;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

pub async fn show(
    State(state): State<AppState>,
    RawPath((code, contest_id)): RawPath<(String, String)>,
    params: Params,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    let contest = contest(&contest_id)?;
    state
        .election
        .tree
        .find(code)
        .filter(|_| code.level() == Level::Tps)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {code}")))?;
    let range = |e: String| ApiError::new(codes::FORM_DIFF_RANGE, e);
    let Query(params) = params.map_err(|e| range(e.body_text()))?;
    if let Some(other) = params.keys().find(|k| *k != "from" && *k != "to") {
        return Err(range(format!(
            "unknown parameter {other:?}: only `from` and `to`"
        )));
    }
    let number = |name: &str| {
        params
            .get(name)
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| range(format!("`{name}` must be a version number, not {v:?}")))
            })
            .transpose()
    };
    let (from, to) = (number("from")?, number("to")?);
    let log_size = state.live().log_size();
    let versions = state
        .blocking(move |store| {
            let mut out = Vec::new();
            for v in store.form_versions(code)? {
                if v.contest == contest && v.log_index < log_size {
                    let logged = logged_version(store, &v)?;
                    out.push((v, logged.signer));
                }
            }
            Ok(out)
        })
        .await?;
    let current = versions.last().map_or(0, |(v, _)| v.version);
    let to = to.unwrap_or(current);
    let from = from.unwrap_or(to.saturating_sub(1));
    if from >= to {
        return Err(range(format!("`from` ({from}) must be before `to` ({to})")));
    }
    let form_of = |version: u32| -> Result<Option<CHasil>, ApiError> {
        if version == 0 {
            return Ok(None);
        }
        let (v, _) = versions
            .iter()
            .find(|(v, _)| v.version == version)
            .ok_or_else(|| {
                ApiError::new(
                    codes::FORM_VERSION_NOT_FOUND,
                    format!("{code} {contest} has no version {version} (current: {current})"),
                )
            })?;
        form::parse(contest, v.form_json.as_bytes())
            .map(Some)
            .map_err(|e| ApiError::internal(format!("stored form {code}/{contest}: {e}")))
    };
    let (old, new) = (form_of(from)?, form_of(to)?);
    let live = state.live();
    let body = FormDiff {
        tps: code.to_string(),
        contest: contest.id().to_owned(),
        from,
        to,
        changes: changes(old.as_ref(), new.as_ref()),
        versions: versions
            .iter()
            .filter(|(v, _)| v.version > from && v.version <= to)
            .map(|(v, signer)| DiffVersion {
                version: v.version,
                log_index: v.log_index,
                submitted_at: v.submitted_at.to_string(),
                objection: signer
                    .as_ref()
                    .and_then(|s| s.correction.as_ref())
                    .and_then(|c| live.review.objection(c.objection))
                    .map(objection),
                signer: signer.clone(),
            })
            .collect(),
    };
    drop(live);
    Ok(json_of(StatusCode::OK, &body))
}

/// The boxes whose counts differ, in the newer form's order, then those
/// only the older one has (version 0: no form, every box new).
fn changes(old: Option<&CHasil>, new: Option<&CHasil>) -> Vec<BoxChange> {
    let old: Vec<(String, u32)> = old.map(CHasil::named_boxes).unwrap_or_default();
    let new: Vec<(String, u32)> = new.map(CHasil::named_boxes).unwrap_or_default();
    let find = |list: &[(String, u32)], field: &str| {
        list.iter().find(|(f, _)| f == field).map(|(_, v)| *v)
    };
    let mut out: Vec<BoxChange> = new
        .iter()
        .filter_map(|(field, to)| {
            let from = find(&old, field);
            (from != Some(*to)).then(|| BoxChange {
                field: field.clone(),
                from,
                to: Some(*to),
            })
        })
        .collect();
    out.extend(
        old.iter()
            .filter(|(field, _)| find(&new, field).is_none())
            .map(|(field, from)| BoxChange {
                field: field.clone(),
                from: Some(*from),
                to: None,
            }),
    );
    out
}
