//! One module per page.

pub mod assets;
pub mod home;
pub mod kpps;
pub mod lang;
pub mod login;
pub mod totp;

use axum::http::Uri;
use axum::response::Redirect;

/// `/workspace` and `/kpps` to their pages (with the slash, so relative
/// links resolve alike).
pub async fn redirect_to_slash(uri: Uri) -> Redirect {
    Redirect::permanent(&format!("{}/", uri.path()))
}
