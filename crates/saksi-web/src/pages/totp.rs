//! `GET /workspace/totp`, `POST /workspace/totp`: enrolling an
//! authenticator app. Every role but `kpps` needs one; until it is
//! enrolled, a session opened with the password alone can do nothing but
//! this (the API answers 403 `auth.totp_enrolment_required`).
//!
//! The page shows the secret as a QR code (drawn on the server, as an
//! image the Content-Security-Policy allows: [`crate::qr`]) and as text,
//! asks for one code to prove the app has it, and then shows the one-time
//! recovery codes, once.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use saksi_server::auth::totp_enrolment;
use saksi_server::state::AppState;
use serde::Deserialize;

use crate::session::SignedIn;
use crate::view::{self, error_page};

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { visitor, staff } = signed_in;
    if !staff.totp_pending {
        return view::page(
            &visitor.frame(&state),
            StatusCode::OK,
            "totp.html",
            context! { enrolled => true },
        );
    }
    let (id, name) = (staff.auth.user_id, &staff.auth.username);
    // The secret already shown, if the officer reloads or mistyped a code;
    // a new one otherwise.
    let offer = match totp_enrolment::pending(&state, id, name).await {
        Ok(Some(offer)) => Ok(offer),
        Ok(None) => totp_enrolment::begin(&state, id, name).await,
        Err(e) => Err(e),
    };
    let offer = match offer {
        Ok(offer) => offer,
        Err(e) => return view::api_error_page(&visitor, &state, &e, view::Back::Workspace),
    };
    let qr = match crate::qr::data_uri(&offer.uri, 220) {
        Some(qr) => qr,
        None => {
            return error_page(
                &visitor,
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            );
        }
    };
    view::page(
        &visitor.frame(&state),
        StatusCode::OK,
        "totp.html",
        context! {
            enrolled => false,
            qr => qr,
            secret => group(&offer.secret),
            error => None::<String>,
        },
    )
}

#[derive(Deserialize)]
pub struct Confirm {
    csrf: String,
    code: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: Result<Form<Confirm>, FormRejection>,
) -> Response {
    let SignedIn { visitor, staff } = signed_in;
    let Ok(Form(form)) = form else {
        return view::malformed_form(&visitor, &state);
    };
    if !staff.check_csrf(Some(&form.csrf)) {
        return error_page(&visitor, &state, StatusCode::FORBIDDEN, "auth.csrf_invalid");
    }
    if !staff.totp_pending {
        return Redirect::to("/workspace/").into_response();
    }
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    match totp_enrolment::confirm(&state, staff.auth.user_id, &code).await {
        Ok(recovery_codes) => view::page(
            &visitor.frame(&state),
            StatusCode::OK,
            "totp_done.html",
            context! { recovery_codes => recovery_codes },
        ),
        // The same secret stays pending: the page links back to it.
        Err(e) => view::api_error_page(&visitor, &state, &e, view::Back::Workspace),
    }
}

/// The secret in groups of four, as authenticator apps show it for typing.
fn group(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
