//! `GET /lang?to=en&back=/path`: the language link on every page. It is a
//! plain link (works without JavaScript), remembered in a cookie for a
//! year, and leads back to the page it was followed from.

use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::i18n::{COOKIE, Lang};
use crate::session::{local_path, over_tls, set_cookie};

#[derive(Deserialize)]
pub struct Choose {
    to: Option<String>,
    back: Option<String>,
}

/// A year, in seconds.
const REMEMBER: u64 = 365 * 24 * 3600;

pub async fn choose(headers: axum::http::HeaderMap, Query(q): Query<Choose>) -> Response {
    let back = local_path(q.back.as_deref())
        .unwrap_or("/workspace/")
        .to_owned();
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = q.to.as_deref().and_then(Lang::parse) {
        // Readable by the pages' script (not HttpOnly): it holds no secret.
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(COOKIE, lang.code(), REMEMBER, false, over_tls(&headers)),
        );
    }
    response
}
