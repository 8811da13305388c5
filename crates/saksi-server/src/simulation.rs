//! A demo's data must never pass for an election's: the demo shows the
//! real candidates and parties with invented numbers, and a screenshot or
//! a scraped answer could circulate as real results. A store that `saksi
//! demo` made carries a mark; a server over it puts a banner in every page
//! as served (so it is there with JavaScript off) and a header on every
//! answer (so a script sees it too).
//!
//! The mark lives in the store's metadata rather than in a file beside it,
//! so a demo on PostgreSQL, a backup and a restore all keep it.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use saksi_store::{Result as StoreResult, Store};

use crate::state::AppState;

/// The metadata key of the mark, and its one value.
const META_KEY: &str = "simulation";
const META_VALUE: &str = "true";

/// The header on every answer of a simulation.
pub const HEADER: &str = "x-saksi-simulation";

/// The text every page of a simulation shows.
pub const BANNER: &str = "DATA SIMULASI";

/// Marks the store as a simulation, for good.
pub fn mark(store: &dyn Store) -> StoreResult<()> {
    store.set_meta(META_KEY, META_VALUE)
}

/// Whether the store was marked by [`mark`].
pub fn is_marked(store: &dyn Store) -> StoreResult<bool> {
    Ok(store.meta(META_KEY)?.as_deref() == Some(META_VALUE))
}

/// Adds `X-Saksi-Simulation: true` to every answer of a simulation.
pub async fn header(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if state.simulation {
        response
            .headers_mut()
            .insert(HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// The banner's markup, put where a page holds [`PLACEHOLDER`].
const BANNER_HTML: &str = "<div class=\"simulation\" role=\"note\"><strong>DATA SIMULASI</strong>: \
     angka-angka di halaman ini dikarang oleh demo Saksi, bukan hasil pemilu.</div>";

/// Where a page says the banner goes.
pub const PLACEHOLDER: &str = "<!-- simulation banner -->";

/// `page` with the banner in place of its placeholder for a simulation,
/// and without the placeholder otherwise.
pub fn page(page: &str, simulation: bool) -> String {
    page.replacen(PLACEHOLDER, if simulation { BANNER_HTML } else { "" }, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_shows_only_in_a_simulation() {
        let html = "<body>\n<!-- simulation banner -->\n<main></main>";
        assert!(page(html, true).contains(BANNER));
        assert!(BANNER_HTML.contains(BANNER));
        let real = page(html, false);
        assert!(!real.contains(BANNER) && !real.contains(PLACEHOLDER));
    }
}
