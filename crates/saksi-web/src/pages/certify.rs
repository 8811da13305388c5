//! `GET /workspace/certify`: the keys officers one level down made in
//! their browsers and wait to have certified (kpu-kabkota: its PPS and
//! PPK; kpu-prov: its KPU Kab/Kota). Certifying is a `key` register
//! statement signed in this browser with the officer's own certified key
//! and posted to `POST /api/v1/keys`, so the log, not this page, decides
//! whether the officer may (docs/statements.md).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::pages::{key_name, refused};
use crate::session::SignedIn;
use crate::view;

/// The roles that certify officers' keys.
pub const ROLES: &[Role] = &[Role::KpuKabkota, Role::KpuProv];

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if let Some(refusal) = refused(&state, &signed_in, ROLES) {
        return refusal;
    }
    let frame = signed_in.visitor.frame(&state);
    view::page(
        &frame,
        StatusCode::OK,
        "certify.html",
        context! { key_name => key_name(&signed_in) },
    )
}
