//! `GET /workspace/keys`: the officer's own signing key. The browser makes
//! it (WebCrypto Ed25519, non-extractable, kept in IndexedDB by
//! `signing.js`), sends only its verifier key to
//! `POST /api/v1/officer-keys`, and shows whether the officer one level up
//! has certified it. The private key never leaves this browser, so each
//! browser an officer signs from needs its own key.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::pages::signing_screen;
use crate::session::SignedIn;

/// The roles that sign with a browser key (kpu-ri's keys are roots,
/// pinned at `saksi init`).
pub const ROLES: &[Role] = &[Role::Pps, Role::Ppk, Role::KpuKabkota, Role::KpuProv];

/// Who certifies a key of `role`: the officer one level up (a KPU RI root
/// key holder, with `saksi key certify`, for kpu-prov).
fn certifier(role: Role) -> Role {
    match role {
        Role::KpuKabkota => Role::KpuProv,
        Role::KpuProv => Role::KpuRi,
        _ => Role::KpuKabkota,
    }
}

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let role = signed_in.staff.auth.principal.role();
    signing_screen(
        &state,
        &signed_in,
        ROLES,
        "keys.html",
        context! { certifier => certifier(role).id() },
    )
}
