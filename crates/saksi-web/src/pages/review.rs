//! `GET /workspace/review?kecamatan=&contest=`: a kecamatan's review queue
//! for a contest (`GET /api/v1/recap/{contest}/{kecamatan}/queue`, drawn by
//! `review.js`), the TPS needing attention first, each linked to its public
//! page. A PPK member of that kecamatan whose browser key is certified
//! rules there on open objections (a `ruling` statement signed in this
//! browser, posted to `POST /api/v1/objections/{log_index}/ruling`) and
//! confirms the kecamatan's sign-off once its recap is ready (the
//! `signoff` statement the recap state offers, signed here and posted to
//! `POST /api/v1/recap/{contest}/{code}/signoffs`); the log, not this
//! page, decides whether the key may (docs/statements.md). The officers
//! above, Bawaslu, witnesses and auditors read the queues of the
//! kecamatan their region holds.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_core::{Contest, Level, RegionCode};
use saksi_server::extract::region_code;
use saksi_server::state::AppState;

use crate::pages::{refused, signing_screen};
use crate::session::SignedIn;
use crate::view;

/// The roles that read a review queue (the API decides again, by region).
pub const ROLES: &[Role] = &[
    Role::Ppk,
    Role::KpuKabkota,
    Role::KpuProv,
    Role::KpuRi,
    Role::Bawaslu,
    Role::Saksi,
    Role::Auditor,
];

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    if let Some(refusal) = refused(&state, &signed_in, ROLES) {
        return refusal;
    }
    let visitor = &signed_in.visitor;
    let principal = signed_in.staff.auth.principal;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let contest = match params.get("contest").filter(|c| !c.is_empty()) {
        None => Contest::Ppwp,
        Some(id) => match Contest::parse(id) {
            Some(c) => c,
            None => {
                return view::error_page(
                    visitor,
                    &state,
                    StatusCode::NOT_FOUND,
                    "contest.not_found",
                );
            }
        },
    };
    // The officer's own kecamatan unless another is asked for; officers
    // above choose one.
    let own = (principal.region().level() == Level::Kecamatan).then_some(principal.region());
    let kecamatan = match params.get("kecamatan").filter(|k| !k.trim().is_empty()) {
        None => own,
        Some(code) => match kecamatan_of(&state, principal.region(), code.trim()) {
            Ok(code) => Some(code),
            Err((status, code)) => return view::error_page(visitor, &state, status, code),
        },
    };
    let tree = &state.election.tree;
    let name = kecamatan
        .and_then(|k| tree.find(k))
        .map(|id| tree.get(id).name.clone());
    signing_screen(
        &state,
        &signed_in,
        ROLES,
        "review.html",
        context! {
            kecamatan => kecamatan.map(|k| k.to_string()),
            kecamatan_name => name,
            contest => contest.id(),
            contests => Contest::ALL.iter().map(|c| c.id()).collect::<Vec<_>>(),
            can_sign => principal.role() == Role::Ppk && kecamatan == own,
        },
    )
}

/// The kecamatan `code` names, if it is one in the officer's `region`;
/// else the status and error code of the page that says why.
fn kecamatan_of(
    state: &AppState,
    region: RegionCode,
    code: &str,
) -> Result<RegionCode, (StatusCode, &'static str)> {
    let code = region_code(code).map_err(|_| (StatusCode::BAD_REQUEST, "region.invalid_code"))?;
    if code.level() != Level::Kecamatan {
        return Err((StatusCode::NOT_FOUND, "recap.not_a_kecamatan"));
    }
    if state.election.tree.find(code).is_none() {
        return Err((StatusCode::NOT_FOUND, "region.not_found"));
    }
    if !region.contains(code) {
        return Err((StatusCode::FORBIDDEN, "auth.forbidden"));
    }
    Ok(code)
}
