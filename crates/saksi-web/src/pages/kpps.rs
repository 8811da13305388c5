//! `GET /kpps/`: the KPPS device app on the phone. No password lives on
//! the phone: the device enrols with its TPS code and a one-time code from
//! the KPU Kab/Kota, makes its own signing key (WebCrypto, kept in the
//! browser), and waits for the officer to approve it. The C.Hasil entry
//! issue adds the form entry behind enrolment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use saksi_server::state::AppState;

use crate::session::Visitor;
use crate::view;

pub async fn show(State(state): State<AppState>, visitor: Visitor) -> Response {
    let frame = visitor.frame(&state);
    view::page(&frame, StatusCode::OK, "kpps.html", context! {})
}
