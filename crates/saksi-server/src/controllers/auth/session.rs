//! `GET /api/v1/auth/session`: whose the bearer token is and until when.
//!
//! A client can check that its token still works without trying a write,
//! and an operator can see that a token revoked with `saksi user` is
//! refused: the answer goes through the same session check as every
//! authenticated request, cache included. A session that may only enrol
//! TOTP is shown too (`totp_enrolled` false), so a client can tell why
//! its other requests are refused.

use axum::http::StatusCode;
use axum::response::Response;
use saksi_api::SessionInfo;

use crate::controllers::json_of;
use crate::extract::Enrolling;

pub async fn show(Enrolling { session: auth, .. }: Enrolling) -> Response {
    json_of(
        StatusCode::OK,
        &SessionInfo {
            username: auth.username.to_string(),
            role: auth.principal.role().id().to_owned(),
            region: auth.principal.region().to_string(),
            party: auth.principal.party(),
            expires_at: auth.expires_at.to_string(),
            totp_enrolled: auth.totp_enrolled,
        },
    )
}
