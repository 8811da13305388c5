//! Every URL of the server, in one place.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use tower_http::timeout::TimeoutLayer;

use crate::config::MetricsAccess;
use crate::controllers::{
    auth, enrolments, forms, incidents, keys, log, logistics, objections, officer_keys, photos,
    recap, regions, results, system, tps, web,
};
use crate::state::AppState;

/// The whole HTTP API over `state`.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The HTTP API and `pages` (the workspace's, from the web crate, which
/// depends on this one) under the same limits, timeouts and headers.
pub fn router_with(state: AppState, pages: Router<AppState>) -> Router {
    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    let mut routes = Router::new();
    // Only with a token here; otherwise it is 404 like any unknown path
    // (served elsewhere by `metrics_router`, or not at all).
    if let MetricsAccess::Token(_) = state.config.metrics {
        routes = routes.route("/metrics", get(system::metrics::show));
    }
    let routes = routes
        .route("/", get(web::index))
        .route("/app.js", get(web::script))
        .route("/app.css", get(web::style))
        .route("/healthz", get(system::health::show))
        .route("/api/v1/openapi.json", get(system::openapi::show))
        .route("/api/v1/auth/login", post(auth::login::login))
        .route("/api/v1/auth/logout", post(auth::logout::logout))
        .route("/api/v1/auth/session", get(auth::session::show))
        .route("/api/v1/auth/totp", post(auth::totp::begin))
        .route("/api/v1/auth/totp/confirm", post(auth::totp::confirm))
        .route("/api/v1/regions", get(regions::show::national))
        .route(
            "/api/v1/logistics/allocation/{code}",
            get(logistics::allocation::show),
        )
        .route("/api/v1/logistics/shipments", post(logistics::ship::ship))
        .route(
            "/api/v1/logistics/shipments/{id}",
            get(logistics::shipment::show),
        )
        .route(
            "/api/v1/logistics/shipments/{id}/delivery",
            post(logistics::deliver::deliver),
        )
        .route(
            "/api/v1/logistics/reconciliation/{contest}/{code}",
            get(logistics::reconciliation::show),
        )
        .route(
            "/api/v1/logistics/stock/{code}",
            get(logistics::stock::show),
        )
        .route(
            "/api/v1/logistics/readiness/{code}",
            get(logistics::readiness::show),
        )
        .route("/api/v1/regions/{code}", get(regions::show::show))
        .route("/api/v1/results/{contest}", get(results::show::national))
        .route("/api/v1/results/{contest}/{code}", get(results::show::show))
        .route(
            "/api/v1/results/{contest}/dapil/{dapil}",
            get(results::dapil::show),
        )
        .route("/api/v1/forms/rules", get(forms::rules::show))
        .route("/api/v1/tps/{code}", get(tps::show::show))
        .route("/api/v1/tps/{code}/diff/{contest}", get(tps::diff::show))
        .route(
            "/api/v1/tps/{code}/forms/{contest}",
            post(forms::submit::submit),
        )
        .route(
            "/api/v1/keys",
            post(keys::register::register).layer(DefaultBodyLimit::max(keys::register::BODY_LIMIT)),
        )
        .route("/api/v1/keys/defaults", get(keys::defaults::show))
        .route(
            "/api/v1/photos/{sha256}",
            put(photos::upload::upload)
                .layer(DefaultBodyLimit::max(photos::upload::BODY_LIMIT))
                .get(photos::show::show),
        )
        .route("/api/v1/incidents/stream", get(incidents::stream::stream))
        .route("/api/v1/enrolment-codes", post(enrolments::codes::issue))
        .route(
            "/api/v1/enrolments",
            post(enrolments::create::create).get(enrolments::list::list),
        )
        .route("/api/v1/enrolments/{id}", get(enrolments::show::show))
        .route(
            "/api/v1/enrolments/{id}/reject",
            post(enrolments::reject::reject),
        )
        .route(
            "/api/v1/officer-keys",
            post(officer_keys::submit::submit).get(officer_keys::list::to_certify),
        )
        .route("/api/v1/officer-keys/mine", get(officer_keys::list::mine))
        .route(
            "/api/v1/incidents",
            post(incidents::file::file).get(incidents::list::list),
        )
        .route("/api/v1/incidents/stats", get(incidents::stats::national))
        .route(
            "/api/v1/incidents/stats/{code}",
            get(incidents::stats::show),
        )
        .route("/api/v1/incidents/{id}", get(incidents::show::show))
        .route(
            "/api/v1/incidents/{id}/photos/{sha256}",
            put(incidents::photos::upload)
                .layer(DefaultBodyLimit::max(photos::upload::BODY_LIMIT))
                .get(incidents::photos::show),
        )
        .route(
            "/api/v1/incidents/{id}/events",
            post(incidents::event::event),
        )
        .route("/api/v1/objections", post(objections::file::file))
        .route(
            "/api/v1/objections/{log_index}/ruling",
            post(objections::rule::rule),
        )
        .route("/api/v1/recap/{contest}/{code}", get(recap::show::show))
        .route(
            "/api/v1/recap/{contest}/{code}/signoffs",
            post(recap::signoff::confirm).layer(DefaultBodyLimit::max(recap::signoff::BODY_LIMIT)),
        )
        .route(
            "/api/v1/recap/{contest}/{code}/reopen",
            post(recap::reopen::confirm),
        )
        .route(
            "/api/v1/recap/{contest}/{kecamatan}/queue",
            get(recap::queue::show),
        )
        .route(
            "/api/v1/recap/{contest}/{kecamatan}/no-form/{tps}",
            post(recap::no_form::record),
        )
        .route("/api/v1/log/checkpoint", get(log::checkpoint::show))
        .route("/api/v1/log/key", get(log::key::show))
        .route("/api/v1/log/roots", get(log::roots::show))
        .route("/api/v1/log/entries", get(log::entries::list))
        .route("/api/v1/log/proof/inclusion", get(log::proof::inclusion))
        .route(
            "/api/v1/log/proof/consistency",
            get(log::proof::consistency),
        )
        .route("/api/v1/log/receipt/{index}", get(log::receipt::show))
        .merge(pages)
        .fallback(system::not_found)
        .method_not_allowed_fallback(system::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_responses,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Outermost, so that even an answer made by another layer (a
        // timeout) says it comes from a simulation.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::simulation::header,
        ))
        .with_state(state);
    crate::hygiene::hygiene_layers(routes)
}

/// `/metrics` alone, for a listener of its own (`--metrics-listen`).
pub fn metrics_router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    let routes = Router::new()
        .route("/metrics", get(system::metrics::show))
        .fallback(system::not_found)
        .method_not_allowed_fallback(system::method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state);
    crate::hygiene::hygiene_layers(routes)
}

/// Counts answers by status for `/metrics`.
async fn count_responses(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    state.metrics.response(response.status().as_u16());
    response
}
