//! Drawing pages: templates compiled into the binary, HTML-escaped by the
//! engine (every value, unless a template says otherwise, and none does),
//! in the frame every page shares (language, who is signed in, the CSRF
//! token), with the security headers every workspace answer carries.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use saksi_server::ApiError;
use saksi_server::error::DisplayChain;
use saksi_server::state::AppState;
use serde::Serialize;

use crate::i18n::Lang;
use crate::session::Visitor;

/// Only our own files: no inline script or style, no eval, nothing from
/// elsewhere; forms post only here; `data:` images for the QR code drawn
/// on the server.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; connect-src 'self'; form-action 'self'; \
                       base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'; \
                       worker-src 'self'";

/// The templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("kpps.html", include_str!("../templates/kpps.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("totp.html", include_str!("../templates/totp.html")),
    (
        "totp_done.html",
        include_str!("../templates/totp_done.html"),
    ),
    ("keys.html", include_str!("../templates/keys.html")),
    ("certify.html", include_str!("../templates/certify.html")),
    (
        "enrolment_codes.html",
        include_str!("../templates/enrolment_codes.html"),
    ),
    ("devices.html", include_str!("../templates/devices.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("review.html", include_str!("../templates/review.html")),
    (
        "review_chooser.html",
        include_str!("../templates/review_chooser.html"),
    ),
    (
        "incidents.html",
        include_str!("../templates/incidents.html"),
    ),
    (
        "incident_new.html",
        include_str!("../templates/incident_new.html"),
    ),
    ("incident.html", include_str!("../templates/incident.html")),
    ("d_hasil.html", include_str!("../templates/d_hasil.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A misspelt variable or catalogue key is an error (caught by the
    // tests that render every page in both languages), not an empty
    // string on an officer's screen.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
});

/// Who is signed in, as the frame shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub username: String,
    pub role: &'static str,
    pub region: String,
    pub region_name: String,
}

/// What every page is drawn with.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub lang: &'static str,
    pub other_lang: &'static str,
    /// The switch link's target (`/lang?to=..&back=..`).
    pub switch_href: String,
    /// The offer to switch, in the other language, for a browser that
    /// prefers it; empty when not offered.
    pub offer: String,
    pub user: Option<UserView>,
    pub csrf: String,
    pub simulation: bool,
}

impl Frame {
    pub fn new(visitor: &Visitor, state: &AppState) -> Frame {
        let lang = visitor.choice.lang;
        let other = lang.other();
        let user = visitor.staff.as_ref().map(|s| {
            let region = s.auth.principal.region();
            let region_name = state
                .election
                .tree
                .find(region)
                .map_or_else(String::new, |id| state.election.tree.get(id).name.clone());
            UserView {
                username: s.auth.username.to_string(),
                role: s.auth.principal.role().id(),
                region: region.to_string(),
                region_name,
            }
        });
        Frame {
            lang: lang.code(),
            other_lang: other.code(),
            switch_href: format!(
                "/lang?to={}&back={}",
                other.code(),
                crate::session::percent_encode(&visitor.path)
            ),
            offer: if visitor.choice.offer_other {
                other
                    .catalogue()
                    .get("common.offer")
                    .unwrap_or_default()
                    .to_owned()
            } else {
                String::new()
            },
            user,
            csrf: visitor.staff.as_ref().map(|s| s.csrf()).unwrap_or_default(),
            simulation: state.simulation,
        }
    }

    fn lang(&self) -> Lang {
        Lang::parse(self.lang).unwrap_or(Lang::Id)
    }
}

/// Renders `template` in `frame` with the page's own values, as a
/// response with `status` and the workspace's headers.
pub fn page(frame: &Frame, status: StatusCode, template: &str, values: impl Serialize) -> Response {
    let catalogue = frame.lang().catalogue();
    let rendered = ENV.get_template(template).and_then(|t| {
        t.render(context! {
            frame => frame,
            t => catalogue.tree(),
            page => values,
        })
    });
    match rendered {
        Ok(html) => html_response(status, html),
        Err(e) => {
            tracing::error!(template, error = %e, "a page failed to render");
            html_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><html lang=\"id\"><title>Saksi</title><p>Internal error / Kesalahan server.</p></html>".to_owned(),
            )
        }
    }
}

/// Where an error page leads back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    /// The staff home (a workspace page).
    Workspace,
    /// The public results (a public page, such as the D.Hasil).
    Results,
}

/// An error page in the visitor's language for an API error code, with
/// the code itself shown (officers read it out to the help desk).
pub fn error_page(visitor: &Visitor, state: &AppState, status: StatusCode, code: &str) -> Response {
    error_page_to(visitor, state, status, code, Back::Workspace)
}

/// [`error_page`], leading back to `back`.
pub fn error_page_to(
    visitor: &Visitor,
    state: &AppState,
    status: StatusCode,
    code: &str,
    back: Back,
) -> Response {
    let frame = visitor.frame(state);
    let catalogue = frame.lang().catalogue();
    let message = catalogue.error(code, code);
    let (href, label) = match back {
        Back::Workspace => ("/workspace/", "error_page.back"),
        Back::Results => ("/", "error_page.results"),
    };
    page(
        &frame,
        status,
        "error.html",
        context! {
            code => code,
            message => message,
            back => href,
            back_label => catalogue.get(label).unwrap_or(href),
        },
    )
}

/// The error page of an API error; an internal one's cause is logged
/// here, once (the page shows only the code `internal`).
pub fn api_error_page(
    visitor: &Visitor,
    state: &AppState,
    error: &ApiError,
    back: Back,
) -> Response {
    if let ApiError::Internal(cause) = error {
        tracing::error!(error = %DisplayChain(&**cause), path = %visitor.path, "a page failed");
    }
    error_page_to(visitor, state, error.status(), error.code(), back)
}

/// A form post the page did not send (fields missing or not form data):
/// 400 `request.malformed_form`, a code of the pages alone (the API's
/// bodies are JSON).
pub fn malformed_form(visitor: &Visitor, state: &AppState) -> Response {
    error_page(
        visitor,
        state,
        StatusCode::BAD_REQUEST,
        "request.malformed_form",
    )
}

/// An HTML answer with the headers every workspace page carries; pages
/// hold an officer's own data, so nothing is cached.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(headers);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The headers of every workspace answer, page or asset: the results
/// page's, with the workspace's policy; links within the site keep their
/// origin (the login page's `next`), none leaves with it.
pub fn secure_headers(headers: &mut axum::http::HeaderMap) {
    saksi_server::controllers::web::page_headers(headers, CSP, "same-origin");
}
