//! Enrolling a second factor: the server makes a TOTP secret and shows it
//! once ([`begin`]); the user's authenticator app proves it holds it with
//! one code ([`confirm`]), and gets one-time recovery codes. From then on
//! a password login needs a code. The API's `/api/v1/auth/totp` endpoints
//! and the web pages both call these.

pub use saksi_api::TotpOffer;
use saksi_store::UserId;

use crate::auth::login::new_recovery_code;
use crate::auth::totp;
use crate::auth::totp_key::TotpKey;
use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

/// How many recovery codes a confirmation gives.
pub const RECOVERY_CODES: usize = 10;

/// The server's TOTP key, or a 500 if it was started without one.
fn key(state: &AppState) -> Result<&TotpKey, ApiError> {
    state
        .config
        .totp_key
        .as_ref()
        .ok_or_else(|| ApiError::internal("the server was started without a TOTP key"))
}

/// Makes a new TOTP secret for the user, replacing one not yet confirmed,
/// and returns it with its `otpauth://` URI. 409
/// `auth.totp_already_enrolled` if the account has confirmed one.
pub async fn begin(state: &AppState, user_id: i64, username: &str) -> Result<TotpOffer, ApiError> {
    let secret = totp::generate_secret().map_err(|e| ApiError::internal(e.to_string()))?;
    let sealed = key(state)?
        .seal(user_id, &secret)
        .map_err(ApiError::internal)?;
    let now = state.clock.now();
    let stored = state
        .blocking(move |store| store.begin_totp(UserId(user_id), &sealed, now))
        .await?;
    if !stored {
        return Err(already_enrolled());
    }
    tracing::info!(user = user_id, "TOTP enrolment begun");
    let secret = totp::base32_encode(&secret);
    Ok(TotpOffer {
        uri: totp::uri(username, &secret),
        secret,
    })
}

/// The secret begun and not yet confirmed, if any, as [`begin`] gave it:
/// the enrolment page shows it again after a reload or a mistyped code,
/// so the officer need not scan a new one. Never a confirmed secret.
pub async fn pending(
    state: &AppState,
    user_id: i64,
    username: &str,
) -> Result<Option<TotpOffer>, ApiError> {
    let key = key(state)?.clone();
    let record = state
        .blocking(move |store| store.totp(UserId(user_id)))
        .await?;
    let Some(record) = record.filter(|r| !r.confirmed) else {
        return Ok(None);
    };
    let secret = key
        .open(user_id, &record.sealed_secret)
        .map_err(ApiError::internal)?;
    let secret = totp::base32_encode(&secret);
    Ok(Some(TotpOffer {
        uri: totp::uri(username, &secret),
        secret,
    }))
}

/// Confirms the user's pending secret with a code from the app and
/// returns [`RECOVERY_CODES`] fresh recovery codes (only their hashes are
/// kept). Every session of the account is a full one at once. 401
/// `auth.totp_invalid` for a wrong code, 409 `auth.totp_already_enrolled`,
/// 409 `auth.totp_not_begun` without a pending secret.
pub async fn confirm(state: &AppState, user_id: i64, code: &str) -> Result<Vec<String>, ApiError> {
    let key = key(state)?.clone();
    let user = UserId(user_id);
    let record = state.blocking(move |store| store.totp(user)).await?;
    let record = match record {
        None => return Err(not_begun()),
        Some(r) if r.confirmed => return Err(already_enrolled()),
        Some(r) => r,
    };
    let secret = key
        .open(user_id, &record.sealed_secret)
        .map_err(ApiError::internal)?;
    let now = state.clock.now();
    let Some(step) = totp::matching_step(&secret, code.trim(), now.0, None) else {
        return Err(ApiError::new(
            codes::AUTH_TOTP_INVALID,
            "the code is not the app's current one; check the phone's clock and try the next code",
        ));
    };
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let (code, hash) = new_recovery_code().map_err(|e| ApiError::internal(e.to_string()))?;
        shown.push(code);
        hashes.push(hash);
    }
    let sealed = record.sealed_secret;
    let (confirmed, revision) = state
        .blocking(move |store| {
            let confirmed = store.confirm_totp(user, &sealed, step, &hashes, now)?;
            Ok((confirmed, store.account_revision()?))
        })
        .await?;
    if !confirmed {
        // Replaced or confirmed by another request meanwhile.
        return Err(not_begun());
    }
    // The account's sessions are full ones now: forget the cached ones
    // (confirming bumped the revision, so other servers do too).
    state.sessions.observe(revision);
    tracing::info!(user = user_id, "TOTP enrolled");
    Ok(shown)
}

fn already_enrolled() -> ApiError {
    ApiError::new(
        codes::AUTH_TOTP_ALREADY_ENROLLED,
        "this account has TOTP enrolled already; the operator can reset it (saksi user totp reset)",
    )
}

fn not_begun() -> ApiError {
    ApiError::new(
        codes::AUTH_TOTP_NOT_BEGUN,
        "there is no TOTP secret to confirm; ask for one with POST /api/v1/auth/totp",
    )
}
