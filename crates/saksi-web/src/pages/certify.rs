//! `GET /workspace/certify`: the keys officers one level down made in
//! their browsers and wait to have certified (kpu-kabkota: its PPS and
//! PPK; kpu-prov: its KPU Kab/Kota). Certifying is a `key` register
//! statement signed in this browser with the officer's own certified key
//! and posted to `POST /api/v1/keys`, so the log, not this page, decides
//! whether the officer may (docs/statements.md). A key of a role whose
//! members sign off the recap (ppk, kpu-kabkota) may be certified as a
//! commissioner's (`"commissioner": true`); which roles those are comes
//! from the statements' own rule, so page and log agree.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;
use saksi_statement::KeyRole;

use crate::pages::signing_screen;
use crate::session::SignedIn;

/// The roles that certify officers' keys.
pub const ROLES: &[Role] = &[Role::KpuKabkota, Role::KpuProv];

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let commissioner_roles: Vec<&str> = KeyRole::ALL
        .into_iter()
        .filter(|r| r.may_be_commissioner())
        .map(KeyRole::id)
        .collect();
    signing_screen(
        &state,
        &signed_in,
        ROLES,
        "certify.html",
        context! { commissioner_roles },
    )
}
