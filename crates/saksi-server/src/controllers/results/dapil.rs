//! `GET /api/v1/results/{contest}/dapil/{dapil}`: candidate-level results
//! of one dapil (above a dapil, legislative results are by party).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use saksi_api::{CandidateVotes, DapilResults, PartyVotes};
use saksi_core::DapilCode;

use crate::codes;
use crate::controllers::{etag_matches, to_bytes, with_etag};
use crate::error::ApiError;
use crate::extract::{RawPath, contest};
use crate::state::{AppState, CacheKey};

pub async fn show(
    State(state): State<AppState>,
    RawPath((contest_id, dapil)): RawPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let contest = contest(&contest_id)?;
    let not_found = || {
        ApiError::new(
            codes::DAPIL_NOT_FOUND,
            format!("{contest} has no dapil {dapil}"),
        )
    };
    let code = DapilCode::parse(&dapil).map_err(|_| not_found())?;
    let index = state
        .election
        .dapil_index(contest, &code)
        .ok_or_else(not_found)?;
    let key = CacheKey::Dapil(index);
    let etag = |log_size: u64| format!("W/\"{log_size}-{contest}-dapil-{code}\"");
    let log_size = state.live().log_size();
    if etag_matches(&headers, &etag(log_size)) {
        return Ok(with_etag(&headers, etag(log_size), Bytes::new));
    }
    if let Some(body) = state.cache.get(key, log_size) {
        return Ok(with_etag(&headers, etag(log_size), || body));
    }
    let (log_size, body) = render(&state, index);
    state.cache.put(key, log_size, body.clone());
    Ok(with_etag(&headers, etag(log_size), || body))
}

fn render(state: &AppState, index: usize) -> (u64, Bytes) {
    let election = &state.election;
    let d = &election.dapil[index];
    let names: HashMap<(Option<u8>, u16), &str> = d
        .candidates
        .iter()
        .map(|c| ((c.party, c.number), c.name.as_str()))
        .collect();
    let party_name = |p: u8| {
        election
            .parties
            .iter()
            .find(|q| q.number == p)
            .map(|q| q.name.clone())
    };
    let name_of =
        |party: Option<u8>, number: u16| names.get(&(party, number)).map(|n| (*n).to_owned());
    let live = state.live();
    let mut parties: Vec<PartyVotes> = Vec::new();
    let mut individuals: Vec<CandidateVotes> = Vec::new();
    for (party, number, votes) in live.tallies.dapil_boxes(index) {
        match party {
            None => individuals.push(CandidateVotes {
                number,
                name: name_of(None, number),
                votes,
            }),
            Some(p) if number == 0 => parties.push(PartyVotes {
                number: p,
                name: party_name(p),
                party_votes: votes,
                total: votes,
                candidates: Vec::new(),
            }),
            Some(p) => {
                if let Some(entry) = parties.last_mut()
                    && entry.number == p
                {
                    entry.total += votes;
                    entry.candidates.push(CandidateVotes {
                        number,
                        name: name_of(Some(p), number),
                        votes,
                    });
                }
            }
        }
    }
    let party_list = d.contest.is_party_list();
    let body = DapilResults {
        contest: d.contest.id().to_owned(),
        code: d.code.to_string(),
        name: d.name.clone(),
        seats: d.seats,
        regions: d.regions.iter().map(ToString::to_string).collect(),
        log_size: live.log_size(),
        last_updated: live.last_updated.map(|t| t.to_string()),
        provisional: true,
        totals: (&live.tallies.dapil(election, index)).into(),
        parties: party_list.then_some(parties),
        candidates: (!party_list).then_some(individuals),
    };
    (live.log_size(), to_bytes(&body))
}
