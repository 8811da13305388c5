//! `GET /workspace/entry/{tps}`: a C.Hasil entered on behalf of a TPS
//! that has no working KPPS phone, by the PPS of its desa or the PPK of
//! its kecamatan. The numbers are entered as on the phone (the same
//! `chasil.js`: the paper's layout, the server's rules as they are typed,
//! double entry, photos) and signed in this browser with the officer's
//! own certified key, with `on_behalf` and a reason; the log, not this
//! page, decides whether that key may sign for the TPS
//! (docs/statements.md, `form`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_core::Level;
use saksi_core::permission::Role;
use saksi_server::extract::{RawPath, region_code};
use saksi_server::state::AppState;

use crate::pages::{FORBIDDEN, refused, signing_screen};
use crate::session::SignedIn;
use crate::view;

/// The roles that may sign a form on a TPS's behalf.
pub const ROLES: &[Role] = &[Role::Pps, Role::Ppk];

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawPath(tps): RawPath<String>,
) -> Response {
    if let Some(refusal) = refused(&state, &signed_in, ROLES) {
        return refusal;
    }
    let visitor = &signed_in.visitor;
    let code = match region_code(&tps) {
        Ok(code) => code,
        Err(e) => return view::api_error_page(visitor, &state, &e, view::Back::Workspace),
    };
    let tree = &state.election.tree;
    let Some(id) = tree.find(code).filter(|_| code.level() == Level::Tps) else {
        return view::error_page(visitor, &state, StatusCode::NOT_FOUND, "region.not_found");
    };
    // A PPS enters for the TPS of its desa, a PPK for those of its
    // kecamatan: the key the log would accept, and no other.
    if !signed_in.staff.auth.principal.region().contains(code) {
        return view::error_page(visitor, &state, StatusCode::FORBIDDEN, FORBIDDEN);
    }
    signing_screen(
        &state,
        &signed_in,
        ROLES,
        "entry.html",
        context! { tps => code.to_string(), tps_name => tree.get(id).name.clone() },
    )
}
