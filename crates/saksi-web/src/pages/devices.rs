//! `GET /workspace/devices`: the KPPS phones waiting for the KPU
//! Kab/Kota's approval. Approving is a `key` register statement (role
//! `kpps`, region the TPS, the phone's key) signed in this browser with
//! the officer's certified key, one at a time or many in one bulk
//! `POST /api/v1/keys`; rejecting posts a reason; a lost phone's key is
//! revoked by a signed `key` revoke statement.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::pages::{key_name, refused};
use crate::session::SignedIn;
use crate::view;

/// Only a KPU Kab/Kota approves the phones of its TPS.
pub const ROLES: &[Role] = &[Role::KpuKabkota];

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if let Some(refusal) = refused(&state, &signed_in, ROLES) {
        return refusal;
    }
    let frame = signed_in.visitor.frame(&state);
    view::page(
        &frame,
        StatusCode::OK,
        "devices.html",
        context! { key_name => key_name(&signed_in) },
    )
}
