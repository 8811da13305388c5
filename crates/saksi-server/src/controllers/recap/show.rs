//! `GET /api/v1/recap/{contest}/{code}` (public, no login; `0` is
//! national): where a region's recap of a contest stands, what keeps it
//! open, who confirmed it, and, once it can be signed off, the very
//! statement each commissioner signs. A region whose final sign-off a
//! reopen voided is `reopened` until one is final again (with the statement
//! offered once nothing blocks it). A kecamatan's children are its TPS
//! (their current versions are read from the store); above, the child
//! regions and their final sign-offs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::{Blocker, RecapConfirmation, RecapState};
use saksi_core::tally::Totals;
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_statement::SignoffStatement;
use saksi_statement::recap::{Child, Confirmation};

use super::kecamatan::{Standing, standing, tps_forms};
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::live::Live;
use crate::state::AppState;

/// At most this many blockers are listed.
const MAX_BLOCKERS: usize = 100;

pub async fn show(
    State(state): State<AppState>,
    RawPath((contest_id, code)): RawPath<(String, String)>,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let code = region_code(&code)?;
    let id = super::recap_region(&state.election, contest, code)?;
    let body = if code.level() == Level::Kecamatan {
        let forms = tps_forms(&state, contest, id).await?;
        let live = state.live();
        let standings: Vec<Standing> = forms.iter().map(|f| standing(&live, contest, f)).collect();
        kecamatan(&state, &live, contest, code, id, &standings)
    } else {
        upper(&state, contest, code, id)
    };
    Ok(json_of(StatusCode::OK, &body))
}

/// What every region's answer shares: the sign-offs' view of it.
struct Frame {
    state: &'static str,
    k: usize,
    confirmations: Vec<Confirmation>,
}

fn frame(live: &Live, contest: Contest, code: RegionCode, blocked: bool) -> Frame {
    let registered = live.commissioners.get(&code).copied().unwrap_or(0);
    let k = live.signoffs.k(code.level(), registered);
    let recap = live.signoffs.region(contest, code);
    if let Some(f) = live.signoffs.final_of(contest, code) {
        return Frame {
            state: "final",
            k,
            confirmations: f.confirmations.clone(),
        };
    }
    match recap.and_then(|r| r.pending.as_ref()) {
        Some(round) => Frame {
            state: "pending",
            k,
            confirmations: round.confirmations.clone(),
        },
        None => Frame {
            state: match recap.and_then(|r| r.reopened) {
                Some(_) => "reopened",
                None if blocked => "open",
                None => "ready",
            },
            k,
            confirmations: Vec::new(),
        },
    }
}

fn answer(
    state: &AppState,
    live: &Live,
    contest: Contest,
    code: RegionCode,
    children: Vec<Child>,
    totals: Totals,
    blocked_by: Vec<Blocker>,
) -> RecapState {
    let frame = frame(live, contest, code, !blocked_by.is_empty());
    let offered = match frame.state {
        "ready" | "pending" => true,
        "reopened" => blocked_by.is_empty(),
        _ => false,
    };
    let statement = offered.then(|| {
        SignoffStatement {
            origin: state.log.origin().to_owned(),
            contest,
            region: code,
            children,
            totals,
            k: frame.k as u32,
        }
        .to_object()
    });
    RecapState {
        code: code.to_string(),
        contest: contest.id().to_owned(),
        state: frame.state.to_owned(),
        k: frame.k as u64,
        confirmations: frame
            .confirmations
            .iter()
            .map(|c| RecapConfirmation {
                key_id: format!("{:08x}", c.key_id),
                log_index: c.log_index,
            })
            .collect(),
        blocked_by: blocked_by.into_iter().take(MAX_BLOCKERS).collect(),
        statement,
    }
}

fn blocker(code: RegionCode, reason: &str) -> Blocker {
    Blocker {
        code: code.to_string(),
        reason: reason.to_owned(),
    }
}

/// A kecamatan, from where each TPS holding the contest stands (as of
/// `live`): its current version or its recorded reason for having none.
pub(crate) fn kecamatan(
    state: &AppState,
    live: &Live,
    contest: Contest,
    code: RegionCode,
    id: RegionId,
    standings: &[Standing],
) -> RecapState {
    let mut blocked_by = Vec::new();
    let mut children = Vec::with_capacity(standings.len());
    for s in standings {
        children.extend(s.child);
        blocked_by.extend(s.blocked_by.iter().map(|r| blocker(s.code, r)));
    }
    let totals = live.tallies.region(contest, id);
    answer(state, live, contest, code, children, totals, blocked_by)
}

/// Above the kecamatan: each child region holding the contest, with its
/// final sign-off.
fn upper(state: &AppState, contest: Contest, code: RegionCode, id: RegionId) -> RecapState {
    let tree = &state.election.tree;
    let mut blocked_by = Vec::new();
    let mut children = Vec::new();
    let mut totals = Totals {
        fixed: Default::default(),
        options: Vec::new(),
    };
    let live = state.live();
    for c in tree.children(id) {
        if live.tallies.region(contest, c).get("tps_expected") == Some(0) {
            continue;
        }
        let child = tree.get(c).code;
        match live.signoffs.final_of(contest, child) {
            Some(f) => {
                children.push(Child {
                    code: child,
                    digest: f.digest,
                });
                totals.add(&f.totals);
            }
            None => blocked_by.push(blocker(child, "not_final")),
        }
    }
    children.sort_by_key(|c| c.code);
    answer(state, &live, contest, code, children, totals, blocked_by)
}
