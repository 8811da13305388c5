//! The incident screens: `GET /workspace/incidents` (my
//! office's queue, overdue first, the dashboard of my region with its
//! children, and live notices), `GET /workspace/incidents/new` (filing a
//! report) and `GET /workspace/incidents/{id}` (one incident: its history
//! and the actions allowed to me). Each page is drawn here and filled by
//! its script from the JSON API with the officer's session, so a screen
//! can never do what the API would refuse.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_server::extract::RawPath;
use saksi_server::state::AppState;

use crate::session::SignedIn;
use crate::view;

/// The page `template` with the officer's role and region for its script.
fn screen(
    state: &AppState,
    signed_in: &SignedIn,
    template: &str,
    values: minijinja::Value,
) -> Response {
    let principal = signed_in.staff.auth.principal;
    let frame = signed_in.visitor.frame(state);
    view::page(
        &frame,
        StatusCode::OK,
        template,
        context! { role => principal.role().id(), region => principal.region().to_string(), ..values },
    )
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    screen(&state, &signed_in, "incidents.html", context! {})
}

pub async fn new(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    screen(&state, &signed_in, "incident_new.html", context! {})
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawPath(id): RawPath<String>,
) -> Response {
    // An id is 32 lowercase hex digits; anything else names no incident.
    if id.len() != 32
        || !id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return view::error_page(
            &signed_in.visitor,
            &state,
            StatusCode::NOT_FOUND,
            "incident.not_found",
        );
    }
    screen(&state, &signed_in, "incident.html", context! { id => id })
}
