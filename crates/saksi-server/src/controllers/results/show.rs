//! `GET /api/v1/results/{contest}` and `/api/v1/results/{contest}/{code}`.
//!
//! Beside the totals, each body counts the TPS under the region carrying
//! each anomaly flag; the tallies keep those counts per region, so the
//! national body costs no more than before.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_api::{ChildTotals, DapilTotals, FinalTotals, OrderedMap, Results};
use saksi_core::anomaly::FlagCode;
use saksi_core::tally::{Tallies, Totals};
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_statement::Signoffs;

use super::{current_at, parse_stored};
use crate::codes;
use crate::controllers::{etag_matches, to_bytes, with_etag};
use crate::error::ApiError;
use crate::extract::{RawPath, contest, region_code};
use crate::state::{AppState, CacheKey};

pub async fn national(
    State(state): State<AppState>,
    RawPath(contest_id): RawPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    respond(state, &contest_id, RegionCode::NASIONAL, headers).await
}

pub async fn show(
    State(state): State<AppState>,
    RawPath((contest_id, code)): RawPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    respond(state, &contest_id, region_code(&code)?, headers).await
}

fn etag(log_size: u64, contest: Contest, code: RegionCode) -> String {
    format!("W/\"{log_size}-{contest}-{code}\"")
}

async fn respond(
    state: AppState,
    contest_id: &str,
    code: RegionCode,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let contest = contest(contest_id)?;
    let id = state
        .election
        .tree
        .find(code)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no region {code}")))?;
    let key = CacheKey::Region(contest, id);
    let log_size = state.live().log_size();
    let tag = etag(log_size, contest, code);
    if etag_matches(&headers, &tag) {
        return Ok(with_etag(&headers, tag, Bytes::new));
    }
    if let Some(body) = state.cache.get(key, log_size) {
        return Ok(with_etag(&headers, tag, || body));
    }
    let (log_size, body) = if code.level() >= Level::Desa {
        render_with_tps(&state, contest, id).await?
    } else {
        render_upper(&state, contest, id)
    };
    state.cache.put(key, log_size, body.clone());
    Ok(with_etag(&headers, etag(log_size, contest, code), || body))
}

/// Regions above desa: everything from the tallies, under one read lock.
fn render_upper(state: &AppState, contest: Contest, id: RegionId) -> (u64, Bytes) {
    let election = &state.election;
    let tree = &election.tree;
    let live = state.live();
    let children = tree
        .children(id)
        .map(|c| {
            let child = tree.get(c);
            ChildTotals {
                code: child.code.to_string(),
                name: child.name.clone(),
                totals: (&live.tallies.region(contest, c)).into(),
                final_: live.signoffs.locked_by(contest, child.code).is_some(),
            }
        })
        .collect();
    let body = envelope(
        state,
        contest,
        id,
        Reflects {
            log_size: live.log_size(),
            last_updated: live.last_updated.map(|t| t.to_string()),
            final_: final_totals(&live.signoffs, contest, tree.get(id).code),
        },
        &live.tallies.region(contest, id),
        children,
        dapil_totals(state, contest, id, &live.tallies),
        flag_counts(state, contest, id, &live.tallies),
    );
    (live.log_size(), body)
}

/// A desa (children are TPS) or a TPS: TPS totals come from their current
/// forms in the store, taken as of the log size the tallies reflect.
async fn render_with_tps(
    state: &AppState,
    contest: Contest,
    id: RegionId,
) -> Result<(u64, Bytes), ApiError> {
    let election = &state.election;
    let tree = &election.tree;
    let is_tps = tree.get(id).level() == Level::Tps;
    let tps: Vec<(RegionId, RegionCode)> = if is_tps {
        vec![(id, tree.get(id).code)]
    } else {
        tree.children(id).map(|c| (c, tree.get(c).code)).collect()
    };
    let (log_size, last_updated, desa_totals, dapil, flags, locked) = {
        let live = state.live();
        let totals = (!is_tps).then(|| live.tallies.region(contest, id));
        let dapil = dapil_totals(state, contest, id, &live.tallies);
        let flags = flag_counts(state, contest, id, &live.tallies);
        let locked = live
            .signoffs
            .locked_by(contest, tree.get(id).code)
            .is_some();
        (
            live.log_size(),
            live.last_updated,
            totals,
            dapil,
            flags,
            locked,
        )
    };
    let codes: Vec<RegionCode> = tps.iter().map(|(_, c)| *c).collect();
    let versions = state
        .blocking(move |store| {
            codes
                .iter()
                .map(|c| store.form_versions(*c))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let mut children = Vec::with_capacity(tps.len());
    let mut own = None;
    for ((tps_id, tps_code), versions) in tps.iter().zip(&versions) {
        let form = current_at(versions, contest, log_size)
            .map(|v| parse_stored(*tps_code, v))
            .transpose()?;
        let totals = Totals::of_form(election, *tps_id, contest, form.as_ref());
        if is_tps {
            own = Some(totals);
        } else {
            children.push(ChildTotals {
                code: tps_code.to_string(),
                name: tree.get(*tps_id).name.clone(),
                totals: (&totals).into(),
                final_: locked,
            });
        }
    }
    let totals = desa_totals
        .or(own)
        .ok_or_else(|| ApiError::internal("no totals rendered"))?;
    let body = envelope(
        state,
        contest,
        id,
        Reflects {
            log_size,
            last_updated: last_updated.map(|t| t.to_string()),
            final_: None,
        },
        &totals,
        children,
        dapil,
        flags,
    );
    Ok((log_size, body))
}

/// The dapil of a legislative contest that overlap the region, with their
/// totals; `None` for PPWP.
fn dapil_totals(
    state: &AppState,
    contest: Contest,
    id: RegionId,
    tallies: &Tallies,
) -> Option<Vec<DapilTotals>> {
    if contest == Contest::Ppwp {
        return None;
    }
    let election = &state.election;
    let code = election.tree.get(id).code;
    let list = election
        .dapil
        .iter()
        .enumerate()
        .filter(|(_, d)| d.contest == contest)
        .filter(|(_, d)| {
            d.regions
                .iter()
                .any(|r| code.contains(*r) || r.contains(code))
        })
        .map(|(i, d)| DapilTotals {
            code: d.code.to_string(),
            name: d.name.clone(),
            seats: d.seats,
            totals: (&tallies.dapil(election, i)).into(),
        })
        .collect();
    Some(list)
}

/// How many TPS at or under the region carry each anomaly flag, every
/// code named.
fn flag_counts(
    state: &AppState,
    contest: Contest,
    id: RegionId,
    tallies: &Tallies,
) -> OrderedMap<u64> {
    let counts = tallies.flag_counts(&state.election, contest, id);
    OrderedMap(
        FlagCode::ALL
            .iter()
            .zip(counts)
            .map(|(code, n)| (code.id().to_owned(), n))
            .collect(),
    )
}

/// Names of the options in `totals`, keyed like them: paslon, parties, or
/// (within one province) DPD candidates. Lets a page label every number
/// without a second request.
pub(crate) fn option_names(
    election: &saksi_core::Election,
    contest: Contest,
    id: RegionId,
) -> OrderedMap<String> {
    let names: Vec<(String, String)> = match contest {
        Contest::Ppwp => election
            .paslon
            .iter()
            .map(|p| (p.key(), p.name.clone()))
            .collect(),
        Contest::Dpd => election
            .dapil_of(id, contest)
            .into_iter()
            .flat_map(|d| &d.candidates)
            .map(|c| (c.number.to_string(), c.name.clone()))
            .collect(),
        _ => election
            .parties
            .iter()
            .map(|p| (p.number.to_string(), p.name.clone()))
            .collect(),
    };
    dedup_keys(names)
}

/// A JSON object keeps the last value of a repeated key at the first key's
/// place; the list keeps that, so the bytes are the object's.
fn dedup_keys(list: Vec<(String, String)>) -> OrderedMap<String> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(list.len());
    for (k, v) in list {
        match out.iter_mut().find(|(seen, _)| *seen == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    OrderedMap(out)
}

/// A region's final sign-off as the results show it.
fn final_totals(signoffs: &Signoffs, contest: Contest, code: RegionCode) -> Option<FinalTotals> {
    signoffs.final_of(contest, code).map(|f| FinalTotals {
        totals: (&f.totals).into(),
        log_index: f.log_index,
        signed_at: f.signed_at.to_string(),
    })
}

/// What a body says of the log it reflects and of the final sign-off.
struct Reflects {
    log_size: u64,
    last_updated: Option<String>,
    final_: Option<FinalTotals>,
}

#[expect(clippy::too_many_arguments, reason = "one field each of the body")]
fn envelope(
    state: &AppState,
    contest: Contest,
    id: RegionId,
    live: Reflects,
    totals: &Totals,
    children: Vec<ChildTotals>,
    dapil: Option<Vec<DapilTotals>>,
    flags: OrderedMap<u64>,
) -> Bytes {
    let tree = &state.election.tree;
    let region = tree.get(id);
    to_bytes(&Results {
        code: region.code.to_string(),
        name: region.name.clone(),
        level: region.level(),
        parent: region.parent.map(|p| tree.get(p).code.to_string()),
        contest: contest.id().to_owned(),
        log_size: live.log_size,
        last_updated: live.last_updated,
        provisional: live.final_.is_none(),
        totals: totals.into(),
        option_names: option_names(&state.election, contest, id),
        children,
        dapil,
        flags,
        final_: live.final_,
    })
}
