//! `GET /workspace/devices`: the KPPS phones waiting for the KPU
//! Kab/Kota's approval. Approving is a `key` register statement (role
//! `kpps`, region the TPS, the phone's key) signed in this browser with
//! the officer's certified key, one at a time or many in one bulk
//! `POST /api/v1/keys`; rejecting posts a reason; a lost phone's key is
//! revoked by a signed `key` revoke statement.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::pages::signing_screen;
use crate::session::SignedIn;

/// Only a KPU Kab/Kota approves the phones of its TPS.
pub const ROLES: &[Role] = &[Role::KpuKabkota];

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    signing_screen(&state, &signed_in, ROLES, "devices.html", context! {})
}
