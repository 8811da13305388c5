//! One module per page.

pub mod assets;
pub mod certify;
pub mod d_hasil;
pub mod devices;
pub mod enrolment_codes;
pub mod entry;
pub mod home;
pub mod incidents;
pub mod keys;
pub mod kpps;
pub mod lang;
pub mod login;
pub mod review;
pub mod service_worker;
pub mod totp;

use axum::http::{StatusCode, Uri};
use axum::response::{Redirect, Response};
use saksi_core::permission::Role;
use saksi_server::state::AppState;

use crate::session::SignedIn;
use crate::view;

/// The code of the error page shown to a signed-in officer whose role may
/// not use a workspace page (a PPS opening the enrolment codes): the same
/// code the API answers that role with.
pub const FORBIDDEN: &str = "workspace.role_forbidden";

/// The 403 error page in the officer's language if their role is not one
/// of `roles`, else `None`. The API checks the same roles again on every
/// call the page's script makes, so this only spares an officer a screen
/// whose every action would be refused.
pub fn refused(state: &AppState, signed_in: &SignedIn, roles: &[Role]) -> Option<Response> {
    (!roles.contains(&signed_in.staff.auth.principal.role()))
        .then(|| view::error_page(&signed_in.visitor, state, StatusCode::FORBIDDEN, FORBIDDEN))
}

/// A signing screen: refused to the roles not in `roles`, else `template`
/// drawn with the officer's key name and the page's own `values`.
pub fn signing_screen(
    state: &AppState,
    signed_in: &SignedIn,
    roles: &[Role],
    template: &str,
    values: minijinja::Value,
) -> Response {
    if let Some(refusal) = refused(state, signed_in, roles) {
        return refusal;
    }
    let frame = signed_in.visitor.frame(state);
    view::page(
        &frame,
        StatusCode::OK,
        template,
        minijinja::context! { key_name => key_name(signed_in), ..values },
    )
}

/// The name of the officer's browser signing key, `<role>-<region>`
/// (`ppk-11.01.01`): the log publishes it with everything the key signs,
/// so it names a post, never a person (docs/statements.md, "Keys").
pub fn key_name(signed_in: &SignedIn) -> String {
    let principal = signed_in.staff.auth.principal;
    format!("{}-{}", principal.role().id(), principal.region())
}

/// `/workspace` and `/kpps` to their pages (with the slash, so relative
/// links resolve alike).
pub async fn redirect_to_slash(uri: Uri) -> Redirect {
    Redirect::permanent(&format!("{}/", uri.path()))
}
