//! The officers' workspace: server-rendered pages for staff at the
//! kecamatan and KPU offices and for the KPPS chair's phone.
//!
//! Pages are HTML rendered on the server from templates that escape every
//! value ([`view`]), in Bahasa Indonesia unless the visitor chooses English
//! ([`i18n`]); the only JavaScript is what must run on the device itself
//! (making and using a signing key), served from `/static/` under a
//! Content-Security-Policy that forbids inline script. Handlers call the
//! same functions as the JSON API (`saksi_server`), so a page can never do
//! what the API would refuse.
//!
//! Layout: one module per page under [`pages`], the session cookie and the
//! CSRF check in [`session`].

mod compress;
pub mod i18n;
pub mod pages;
pub mod qr;
pub mod session;
pub mod view;

use axum::Router;
use axum::routing::{get, post};
use saksi_server::state::AppState;

/// Every page of the workspace, to serve beside the API
/// (`saksi_server::App::with_pages`).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/lang", get(pages::lang::choose))
        .route("/workspace", get(pages::redirect_to_slash))
        .route("/workspace/", get(pages::home::show))
        .route(
            "/workspace/totp",
            get(pages::totp::show).post(pages::totp::confirm),
        )
        .route("/workspace/keys", get(pages::keys::show))
        .route("/workspace/certify", get(pages::certify::show))
        .route(
            "/workspace/enrolment-codes",
            get(pages::enrolment_codes::show),
        )
        .route("/workspace/devices", get(pages::devices::show))
        .route("/workspace/entry/{tps}", get(pages::entry::show))
        .route("/workspace/review", get(pages::review::show))
        .route("/workspace/incidents", get(pages::incidents::list))
        .route("/workspace/incidents/new", get(pages::incidents::new))
        .route("/workspace/incidents/{id}", get(pages::incidents::show))
        .route("/recap/{contest}/{code}/d-hasil", get(pages::d_hasil::show))
        .route("/kpps", get(pages::redirect_to_slash))
        .route("/kpps/", get(pages::kpps::show))
        .route("/kpps/sw.js", get(pages::service_worker::show))
        .route("/static/{*file}", get(pages::assets::show))
        .layer(axum::middleware::from_fn(compress::negotiate))
}
