//! `GET /workspace/`: the staff home, what needs the officer's attention in
//! their jurisdiction. PPS and PPK see each of their TPS with its forms,
//! warnings and anomaly flags (the queue they review); officers above see, per region one level down, how many
//! TPS have reported. The later issues (incidents, recap, logistics) add
//! their sections here.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use saksi_api::EnrolmentStatus;
use saksi_core::permission::Role;
use saksi_core::{Contest, Election, Level, RegionCode, RegionId};
use saksi_server::state::AppState;
use saksi_server::workspace::{enrolment, officer_keys};
use serde::Serialize;

use crate::session::SignedIn;
use crate::view;

/// The most TPS listed one by one (a kecamatan has a few hundred).
const MAX_TPS_LISTED: usize = 2000;

/// One TPS of a PPS's or PPK's list.
#[derive(Debug, Serialize)]
struct TpsRow {
    code: String,
    name: String,
    href: String,
    /// Contests with a current form, out of those held at the TPS.
    reported: usize,
    held: usize,
    warnings: usize,
    /// Per contest held: its id and current version (0: none yet).
    contests: Vec<(&'static str, u32)>,
    /// The anomaly flags of its current forms: the contest's id and the
    /// reason, for the reviewer to look at (they block nothing).
    flags: Vec<(&'static str, String)>,
}

/// One region of an upper officer's summary.
#[derive(Debug, Serialize)]
struct AreaRow {
    code: String,
    name: String,
    href: String,
    expected: u64,
    reported: u64,
    missing: u64,
    /// TPS whose current form (any contest) carries warnings.
    warnings: usize,
}

/// What waits for the officer's own action, by task.
#[derive(Debug, Default, Serialize)]
struct Waiting {
    /// KPPS phones to approve (KPU Kab/Kota).
    devices: Option<usize>,
    /// Officers' browser keys to certify (KPU Kab/Kota, KPU Provinsi).
    keys: Option<usize>,
}

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { visitor, staff } = signed_in;
    let principal = staff.auth.principal;
    if principal.role() == Role::Kpps {
        return Redirect::to("/kpps/").into_response();
    }
    let frame = visitor.frame(&state);
    let election = &state.election;
    let Some(region) = election.tree.find(principal.region()) else {
        return view::error_page(&visitor, &state, StatusCode::FORBIDDEN, "region.not_found");
    };
    let tps_list = matches!(principal.role(), Role::Pps | Role::Ppk);
    let (tps, areas) = if tps_list {
        match tps_rows(&state, region).await {
            Ok(rows) => (rows, Vec::new()),
            Err(e) => return e.into_response(),
        }
    } else {
        match area_rows(&state, region).await {
            Ok(rows) => (Vec::new(), rows),
            Err(e) => return e.into_response(),
        }
    };
    let waiting = match waiting(&state, &staff.auth).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let totals = areas
        .iter()
        .fold((0, 0), |(e, r), a| (e + a.expected, r + a.reported));
    view::page(
        &frame,
        StatusCode::OK,
        "home.html",
        context! {
            tps => tps,
            tps_list => tps_list,
            areas => areas,
            expected => totals.0,
            reported => totals.1,
            waiting => waiting,
            child_level => election.tree.get(region).level().child().map(Level::as_str),
        },
    )
}

/// The public results page's link to a region or TPS.
fn href(code: RegionCode) -> String {
    if code.level() == Level::Tps {
        format!("/#/tps/{code}")
    } else {
        format!("/#/ppwp/{code}")
    }
}

/// Per child region: TPS expected and reported for the presidential
/// contest (held at every TPS), from the live tallies, and the TPS whose
/// current forms carry warnings (one store query for the whole region).
async fn area_rows(
    state: &AppState,
    region: RegionId,
) -> Result<Vec<AreaRow>, saksi_server::ApiError> {
    let election = &state.election;
    let code = election.tree.get(region).code;
    let warned = state
        .blocking(move |store| store.tps_with_warnings(code))
        .await?;
    let child_level = election.tree.get(region).level().child();
    let live = state.live();
    Ok(election
        .tree
        .children(region)
        .filter(|id| id.index() < election.tree.upper_len())
        .map(|id| {
            let r = election.tree.get(id);
            let totals = live.tallies.region(Contest::Ppwp, id);
            let expected = totals_get(&totals, "tps_expected");
            let reported = totals_get(&totals, "tps_reported");
            let warnings = warned
                .iter()
                .filter(|tps| child_level.and_then(|l| tps.ancestor_at(l)) == Some(r.code))
                .count();
            AreaRow {
                code: r.code.to_string(),
                name: r.name.clone(),
                href: href(r.code),
                expected,
                reported,
                missing: expected.saturating_sub(reported),
                warnings,
            }
        })
        .collect())
}

/// How many phones wait for approval and keys for certification, for the
/// officers who do those.
async fn waiting(
    state: &AppState,
    who: &saksi_server::auth::Authenticated,
) -> Result<Waiting, saksi_server::ApiError> {
    let role = who.principal.role();
    let mut waiting = Waiting::default();
    if role == Role::KpuKabkota {
        let pending = enrolment::list(state, who, Some(EnrolmentStatus::Pending)).await?;
        waiting.devices = Some(pending.len());
    }
    if matches!(role, Role::KpuKabkota | Role::KpuProv) {
        waiting.keys = Some(officer_keys::pending_for(state, who).await?.len());
    }
    Ok(waiting)
}

fn totals_get(totals: &saksi_core::tally::Totals, name: &str) -> u64 {
    totals.get(name).unwrap_or(0)
}

/// Every TPS under `region` with its current versions and warnings, read
/// from the store in one blocking call.
async fn tps_rows(
    state: &AppState,
    region: RegionId,
) -> Result<Vec<TpsRow>, saksi_server::ApiError> {
    let election = std::sync::Arc::clone(&state.election);
    let mut ids = Vec::new();
    collect_tps(&election, region, &mut ids);
    ids.truncate(MAX_TPS_LISTED);
    // From the live tallies, which carry the flags (no store read).
    let flags: Vec<Vec<(&'static str, String)>> = {
        let live = state.live();
        ids.iter()
            .map(|id| {
                live.tallies
                    .flags(&election, *id)
                    .into_iter()
                    .map(|f| (f.contest.id(), f.message))
                    .collect()
            })
            .collect()
    };
    state
        .blocking(move |store| {
            let mut rows = Vec::with_capacity(ids.len());
            for (id, flags) in ids.into_iter().zip(flags) {
                let r = election.tree.get(id);
                let versions = store.form_versions(r.code)?;
                let mut contests = Vec::new();
                let mut warnings = 0;
                for contest in Contest::ALL {
                    if !election.holds(id, contest) {
                        continue;
                    }
                    let current = versions
                        .iter()
                        .filter(|v| v.contest == contest)
                        .max_by_key(|v| v.version);
                    if let Some(v) = current {
                        warnings += warning_count(&v.warnings_json);
                    }
                    contests.push((contest.id(), current.map_or(0, |v| v.version)));
                }
                rows.push(TpsRow {
                    code: r.code.to_string(),
                    name: r.name.clone(),
                    href: href(r.code),
                    reported: contests.iter().filter(|(_, v)| *v > 0).count(),
                    held: contests.len(),
                    warnings,
                    contests,
                    flags,
                });
            }
            Ok(rows)
        })
        .await
}

/// The TPS below `id`, in code order.
fn collect_tps(election: &Election, id: RegionId, out: &mut Vec<RegionId>) {
    for child in election.tree.children(id) {
        if out.len() >= MAX_TPS_LISTED {
            return;
        }
        if election.tree.get(child).level() == Level::Tps {
            out.push(child);
        } else {
            collect_tps(election, child, out);
        }
    }
}

/// The number of warnings stored with a version (a JSON array).
fn warning_count(json: &str) -> usize {
    serde_json::from_str::<Vec<serde_json::Value>>(json).map_or(0, |w| w.len())
}
