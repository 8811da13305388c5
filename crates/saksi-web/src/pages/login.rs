//! `GET /login`, `POST /login`, `POST /logout`: the staff login form, which
//! opens the same session as `POST /api/v1/auth/login` and keeps its token
//! in an `HttpOnly` cookie.
//!
//! The login form has its own CSRF token (a random cookie echoed in the
//! form), so another site cannot sign a browser into an account of its
//! choosing.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use saksi_core::permission::Role;
use saksi_server::auth::csrf;
use saksi_server::auth::login::attempt;
use saksi_server::extract::ClientAddr;
use saksi_server::state::AppState;
use serde::Deserialize;

use crate::session::{
    SignedIn, TOTP_PAGE, Visitor, constant_time_eq, cookie, local_path, set_cookie,
};
use crate::view::{self, error_page};

/// The login form's own CSRF cookie.
const LOGIN_COOKIE: &str = "saksi_login";

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    /// The authenticator's code, or a recovery code; empty when the
    /// account has none yet.
    #[serde(default)]
    totp: String,
    csrf: String,
    next: Option<String>,
}

/// Where a role starts: the KPPS app, or the staff home.
fn home_of(role: Role) -> &'static str {
    if role == Role::Kpps {
        "/kpps/"
    } else {
        "/workspace/"
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    if let Some(staff) = &visitor.staff {
        let to = local_path(q.next.as_deref()).unwrap_or(home_of(staff.auth.principal.role()));
        return Redirect::to(to).into_response();
    }
    render(
        &state,
        &visitor,
        &headers,
        StatusCode::OK,
        q.next.as_deref(),
        "",
        None,
    )
}

/// The login form, with an error message if the last try failed.
fn render(
    state: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    status: StatusCode,
    next: Option<&str>,
    username: &str,
    error: Option<(String, &str)>,
) -> Response {
    let (token, fresh) = match cookie(headers, LOGIN_COOKIE).filter(|t| t.len() == 32) {
        Some(t) => (t.to_owned(), false),
        None => (random_hex(), true),
    };
    let frame = visitor.frame(state);
    let mut response = view::page(
        &frame,
        status,
        "login.html",
        context! {
            login_csrf => token,
            next => local_path(next).unwrap_or(""),
            username => username,
            error => error.as_ref().map(|(m, _)| m.as_str()),
            error_code => error.as_ref().map(|(_, c)| *c),
        },
    );
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(LOGIN_COOKIE, &token, 3600, true, visitor.tls),
        );
    }
    response
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the form cannot be protected; an empty token
    // never matches, so login then fails safe.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    hex::encode(bytes)
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return view::malformed_form(&visitor, &state);
    };
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return error_page(&visitor, &state, StatusCode::FORBIDDEN, "auth.csrf_invalid");
    }
    let catalogue = visitor.choice.lang.catalogue();
    let totp = Some(form.totp.trim().to_owned()).filter(|t| !t.is_empty());
    let outcome = attempt(&state, &addr, form.username.clone(), form.password, totp).await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            let message = catalogue.error(e.code(), e.message());
            let mut response = render(
                &state,
                &visitor,
                &headers,
                e.status(),
                form.next.as_deref(),
                &form.username,
                Some((message, e.code())),
            );
            if let Some(wait) = e.wait() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.into());
            }
            return response;
        }
    };
    let session = saksi_server::auth::session_of(&state, &outcome.token).await;
    let role = match session {
        Ok((s, _)) => s.principal.role(),
        Err(e) => return e.into_response(),
    };
    let now = state.clock.now();
    let max_age = u64::try_from(outcome.expires_at.0.saturating_sub(now.0)).unwrap_or(0);
    let to = if outcome.totp_enrolment_required {
        TOTP_PAGE
    } else {
        local_path(form.next.as_deref()).unwrap_or(home_of(role))
    };
    let mut response = Redirect::to(to).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(csrf::COOKIE, &outcome.token, max_age, true, visitor.tls),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", 0, true, visitor.tls),
    );
    response
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let SignedIn { visitor, staff } = signed_in;
    let posted = form.ok().and_then(|Form(f)| f.csrf);
    if !staff.check_csrf(posted.as_deref()) {
        return error_page(&visitor, &state, StatusCode::FORBIDDEN, "auth.csrf_invalid");
    }
    let hash = staff.auth.token_hash;
    let now = state.clock.now();
    state.sessions.remove(&hash);
    if let Err(e) = state
        .blocking(move |store| store.end_session(&hash, now))
        .await
    {
        return e.into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(csrf::COOKIE, "", 0, true, visitor.tls),
    );
    response
}
