//! `GET /api/v1/incidents?region=&status=&severity=&category=&owner_level=
//! &overdue=&page=&per_page=`: a session's list of the incidents it may
//! read, from the in-memory book: at or below `region` (by default the
//! session's own region), which its restricted view must cover (else 403
//! `auth.forbidden`); overdue first, then by the earliest running
//! deadline; with how many match under each child region, for dashboards.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{IncidentChildCount, IncidentList, IncidentSummary};
use saksi_core::incident::book::Filter;
use saksi_core::incident::{Category, Severity, Status};
use saksi_core::permission::{self, decide};
use saksi_core::{Level, RegionCode};
use saksi_statement::IncidentId;

use super::malformed;
use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::live::read_live;
use crate::state::AppState;
use crate::workspace::parse_region;

/// The longest page.
const MAX_PER_PAGE: u64 = 500;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// A query parameter parsed by `parse`, if present (400
/// `incident.malformed` for a value it does not know).
fn param<T>(
    params: &HashMap<String, String>,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    params
        .get(name)
        .map(|v| parse(v).ok_or_else(|| malformed(format!("`{name}`: {v:?} is not known"))))
        .transpose()
}

pub async fn list(
    State(state): State<AppState>,
    who: Authenticated,
    params: Params,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| malformed(e.body_text()))?;
    let region = match params.get("region") {
        Some(code) => parse_region(code)?,
        None => who.principal.region(),
    };
    if !decide(&who.principal, permission::Action::ViewRestricted, region).is_allowed() {
        return Err(ApiError::new(
            codes::AUTH_FORBIDDEN,
            format!("this account may not read the incidents of {region}"),
        ));
    }
    let filter = Filter {
        region: Some(region),
        status: param(&params, "status", Status::parse)?,
        severity: param(&params, "severity", Severity::parse)?,
        category: param(&params, "category", Category::parse)?,
        owner_level: param(&params, "owner_level", |l| {
            Level::parse(l).filter(|l| *l <= Level::Kabkota)
        })?,
        owner_within: None,
        overdue: param(&params, "overdue", |b| b.parse().ok())?,
    };
    let page = param(&params, "page", |p| {
        p.parse::<u64>().ok().filter(|p| *p >= 1)
    })?
    .unwrap_or(1);
    let per_page = param(&params, "per_page", |p| {
        p.parse::<u64>()
            .ok()
            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
    })?
    .unwrap_or(50);
    let now = state.clock.now();
    let tree = &state.election.tree;
    let live = read_live(&state.live);
    let found = live.incidents.list(&filter, now);
    let mut children: Vec<IncidentChildCount> = tree
        .find(region)
        .map(|id| {
            tree.children(id)
                .map(|c| {
                    let child = tree.get(c);
                    IncidentChildCount {
                        code: child.code.to_string(),
                        name: child.name.clone(),
                        total: 0,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let slot: HashMap<RegionCode, usize> = tree
        .find(region)
        .map(|id| {
            tree.children(id)
                .enumerate()
                .map(|(i, c)| (tree.get(c).code, i))
                .collect()
        })
        .unwrap_or_default();
    let child_level = region.level().child();
    for (_, record) in &found {
        let child = child_level.and_then(|l| record.public.region.ancestor_at(l));
        if let Some(i) = child.and_then(|c| slot.get(&c)) {
            children[*i].total += 1;
        }
    }
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let incidents = found
        .iter()
        .skip(skip)
        .take(per_page as usize)
        .map(|(id, r)| IncidentSummary::of(IncidentId(**id).to_string(), r, now))
        .collect();
    let list = IncidentList {
        region: region.to_string(),
        total: found.len() as u64,
        page,
        per_page,
        incidents,
        children,
    };
    drop(live);
    Ok(json_of(StatusCode::OK, &list))
}
