//! `GET /api/v1/recap/{contest}/{kecamatan}/queue` (session): the PPK's
//! review queue of a kecamatan for a contest. Every TPS holding it, each
//! with its current version (digest, log index, photos), the version's
//! arithmetic warnings, its anomaly flags, the incidents still open there,
//! the objections against the form and the reason recorded for having
//! none; those needing attention first. The current versions come from
//! the store in one query; everything else from the live state, under one
//! read lock, so the TPS and the recap state agree.
//!
//! Any staff whose region holds the kecamatan may read it: the PPK, the
//! KPU above it, and Bawaslu and the witnesses who object in the plenary.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{Issue, QueueCounts, QueueNoForm, QueueTps, ReviewQueue};
use saksi_core::permission::{Action, Principal, decide};
use saksi_core::{Contest, Election, Level, RegionCode};

use super::kecamatan::{Standing, TpsForm, standing, tps_forms};
use crate::codes;
use crate::controllers::json_of;
use crate::controllers::tps::show::{flags, objections};
use crate::error::ApiError;
use crate::extract::{Authenticated, RawPath, contest, region_code};
use crate::live::Live;
use crate::state::AppState;

/// Every reason a TPS may need attention, most pressing first: what keeps
/// the kecamatan from its sign-off (the recap state's words), then what
/// the reviewers should look at though it blocks nothing.
const ATTENTION: [&str; 8] = [
    "objection_open",
    "correction_due",
    "no_form",
    "revote_ordered",
    "incident",
    "warnings",
    "flags",
    "incidents_open",
];

pub async fn show(
    State(state): State<AppState>,
    who: Authenticated,
    RawPath((contest_id, code)): RawPath<(String, String)>,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let code = region_code(&code)?;
    if code.level() != Level::Kecamatan {
        return Err(ApiError::new(
            codes::RECAP_NOT_A_KECAMATAN,
            format!(
                "{code} is a {}: a review queue is a kecamatan's",
                code.level().as_str()
            ),
        ));
    }
    let id = super::recap_region(&state.election, contest, code)?;
    if !may_review(&who.principal, code) {
        return Err(ApiError::new(
            codes::AUTH_FORBIDDEN,
            format!("this account may not review the TPS of {code}"),
        ));
    }
    let forms = tps_forms(&state, contest, id).await?;
    let live = state.live();
    let standings: Vec<Standing> = forms.iter().map(|f| standing(&live, contest, f)).collect();
    let recap = super::show::kecamatan(&state, &live, contest, code, id, &standings);
    let mut tps = forms
        .into_iter()
        .zip(standings)
        .map(|(form, standing)| row(&state.election, &live, contest, form, standing))
        .collect::<Result<Vec<_>, _>>()?;
    // Stable: within a rank, the forms' code order.
    tps.sort_by_key(rank);
    let count = |f: fn(&QueueTps) -> bool| tps.iter().filter(|t| f(t)).count() as u64;
    let counts = QueueCounts {
        total: tps.len() as u64,
        with_form: count(|t| t.version.is_some()),
        no_form_reason: count(|t| t.version.is_none() && t.no_form.is_some()),
        missing: count(|t| t.version.is_none() && t.no_form.is_none()),
        attention: count(|t| !t.attention.is_empty()),
    };
    let body = ReviewQueue {
        contest: contest.id().to_owned(),
        kecamatan: code.to_string(),
        name: state.election.tree.get(id).name.clone(),
        log_size: live.log_size(),
        state: recap.state,
        counts,
        tps,
    };
    drop(live);
    Ok(json_of(StatusCode::OK, &body))
}

/// Staff whose region holds the kecamatan: those who may see its
/// restricted records (the PPK, the KPU above it) and those who object in
/// its plenary (Bawaslu, the witnesses).
fn may_review(who: &Principal, kecamatan: RegionCode) -> bool {
    [Action::ViewRestricted, Action::FileObjection]
        .into_iter()
        .any(|action| decide(who, action, kecamatan).is_allowed())
}

/// Where a TPS sorts: by its most pressing reason, those with none last.
fn rank(tps: &QueueTps) -> usize {
    tps.attention
        .first()
        .and_then(|a| ATTENTION.iter().position(|r| r == a))
        .unwrap_or(ATTENTION.len())
}

/// One TPS of the queue, as of `live`.
fn row(
    election: &Election,
    live: &Live,
    contest: Contest,
    form: TpsForm,
    standing: Standing,
) -> Result<QueueTps, ApiError> {
    let code = form.code;
    let (version, logged) = form.current.unzip();
    let warnings: Vec<Issue> = match &version {
        Some(v) => serde_json::from_str(&v.warnings_json)
            .map_err(|e| ApiError::internal(format!("stored warnings {code}/{contest}: {e}")))?,
        None => Vec::new(),
    };
    let flags: Vec<_> = flags(election, live, form.id)
        .into_iter()
        .filter(|f| f.contest == contest.id())
        .collect();
    let incidents_open = live
        .incidents
        .unresolved_at(code)
        .filter(|(_, r)| r.public.contests.is_empty() || r.public.contests.contains(&contest))
        .count() as u64;
    let mut attention = standing.blocked_by;
    for (reason, present) in [
        ("warnings", !warnings.is_empty()),
        ("flags", !flags.is_empty()),
        ("incidents_open", incidents_open > 0),
    ] {
        if present {
            attention.push(reason);
        }
    }
    attention.sort_by_key(|a| ATTENTION.iter().position(|r| r == a));
    attention.dedup();
    Ok(QueueTps {
        tps: code.to_string(),
        name: election.tree.get(form.id).name.clone(),
        version: version.as_ref().map(|v| v.version),
        digest: logged.as_ref().and_then(|l| l.digest.clone()),
        log_index: version.as_ref().map(|v| v.log_index),
        photos: logged
            .map(|l| l.photos.iter().map(hex::encode).collect())
            .unwrap_or_default(),
        warnings,
        flags,
        incidents_open,
        objections: objections(live, code, contest, live.log_size()),
        no_form: live.signoffs.no_form(contest, code).map(|r| QueueNoForm {
            reason: r.reason.id().to_owned(),
            log_index: r.log_index,
        }),
        attention: attention.into_iter().map(str::to_owned).collect(),
    })
}
