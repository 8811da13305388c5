//! `GET /workspace/certify`: the keys officers one level down made in
//! their browsers and wait to have certified (kpu-kabkota: its PPS and
//! PPK; kpu-prov: its KPU Kab/Kota). Certifying is a `key` register
//! statement signed in this browser with the officer's own certified key
//! and posted to `POST /api/v1/keys`, so the log, not this page, decides
//! whether the officer may (docs/statements.md).

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::pages::signing_screen;
use crate::session::SignedIn;

/// The roles that certify officers' keys.
pub const ROLES: &[Role] = &[Role::KpuKabkota, Role::KpuProv];

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    signing_screen(&state, &signed_in, ROLES, "certify.html", context! {})
}
