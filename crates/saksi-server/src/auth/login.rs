//! A staff login: the password, then the second factor, then a session.
//! The API's `POST /api/v1/auth/login` and the web's `POST /login` both
//! call [`attempt`], so the throttle, the timing and the TOTP rules are
//! the same for both.
//!
//! Throttling: the attempt takes its place in the throttle before the
//! password is checked (see [`crate::auth::throttle`]); only a login that
//! passes both factors gives it back as a success. A right password with
//! a missing or wrong TOTP code stays counted like a wrong password, so
//! codes cannot be guessed faster than passwords.

use std::sync::Arc;

use saksi_core::permission::Role;
use saksi_core::time::UnixTime;
use saksi_core::username::Username;
use saksi_store::{Store, StoreError, User};
use sha2::{Digest, Sha256};

use crate::auth::totp_key::TotpKey;
use crate::auth::{password, policy, token, totp};
use crate::codes;
use crate::error::ApiError;
use crate::state::AppState;

/// Seconds a login refused for lack of a free core is told to wait: one
/// check takes a fraction of that.
const BUSY_RETRY_AFTER: u64 = 1;

/// A session opened by a login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The session token (for the Bearer header or the session cookie).
    pub token: String,
    pub expires_at: UnixTime,
    /// The account must enrol TOTP first: the session may only enrol.
    pub totp_enrolment_required: bool,
}

/// Checks `username`'s password (and TOTP code, if the account has TOTP
/// enrolled: a 6-digit code or one of its recovery codes) from client
/// address `addr`, and opens a session. Refusals: 400
/// `auth.invalid_username`, 429 `auth.throttled`, 503 `auth.busy`, 401
/// `auth.invalid_credentials`, 401 `auth.totp_required`, 401
/// `auth.totp_invalid`, 403 `auth.account_disabled`.
pub async fn attempt(
    state: &AppState,
    addr: &str,
    username: String,
    password: String,
    totp: Option<String>,
) -> Result<LoginOutcome, ApiError> {
    if let Err(e) = Username::parse(&username) {
        return Err(ApiError::new(codes::AUTH_INVALID_USERNAME, e.to_string()));
    }
    let now = state.clock.now();
    let secs = u64::try_from(now.0).unwrap_or(0);
    // Counted before the password is checked, so that guesses sent at once
    // cannot all slip in before the first is counted.
    let attempt = state
        .throttle
        .reserve(&username, addr, secs)
        .map_err(|wait| {
            ApiError::new(
                codes::AUTH_THROTTLED,
                "too many login attempts; wait before trying again",
            )
            .retry_after(wait)
        })?;
    // Argon2 takes a core for a while: beyond one check per core, answer
    // at once instead of queueing, so a login flood cannot starve the
    // write path of CPU (nor pile up blocking threads).
    let Ok(permit) = Arc::clone(&state.password_checks).try_acquire_owned() else {
        state.throttle.refund(attempt);
        return Err(ApiError::new(
            codes::AUTH_BUSY,
            "too many passwords are being checked; retry shortly",
        )
        .retry_after(BUSY_RETRY_AFTER));
    };
    let dummy = state.dummy_hash.clone();
    let key = state.config.totp_key.clone();
    let checked = state
        .blocking(move |store| {
            let _permit = permit;
            let user = store.user_by_username(&username)?;
            let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
            // Verify even when there is nothing to verify against, so the
            // time taken does not tell which usernames exist.
            let ok = password.len() <= policy::MAX_BYTES
                && password::verify(&password, hash.unwrap_or(&dummy))
                && hash.is_some();
            let Some(user) = user.filter(|_| ok) else {
                return Ok(Checked::WrongPassword);
            };
            if !user.totp_enrolled {
                return Ok(Checked::Passed(user));
            }
            let Some(code) = totp else {
                return Ok(Checked::TotpMissing);
            };
            Ok(
                match second_factor(store, key.as_ref(), &user, &code, now)? {
                    Ok(()) => Checked::Passed(user),
                    Err(SecondFactor::Wrong) => Checked::TotpWrong,
                    Err(SecondFactor::NoKey) => Checked::NoKey,
                },
            )
        })
        .await;
    let checked = match checked {
        Ok(checked) => checked,
        Err(err) => {
            // The store failed before the attempt was judged: not a guess.
            state.throttle.refund(attempt);
            return Err(err);
        }
    };
    let user = match checked {
        Checked::Passed(user) => user,
        Checked::WrongPassword => {
            tracing::info!(%addr, "login refused");
            return Err(ApiError::new(
                codes::AUTH_INVALID_CREDENTIALS,
                "wrong username or password",
            ));
        }
        Checked::TotpMissing => {
            tracing::info!(%addr, "login refused: no TOTP code");
            return Err(ApiError::new(
                codes::AUTH_TOTP_REQUIRED,
                "this account needs a TOTP code from its authenticator app (\"totp\")",
            ));
        }
        Checked::TotpWrong => {
            tracing::info!(%addr, "login refused: wrong TOTP code");
            return Err(ApiError::new(
                codes::AUTH_TOTP_INVALID,
                "the TOTP code is wrong or already used; wait for the next one",
            ));
        }
        Checked::NoKey => {
            state.throttle.refund(attempt);
            return Err(ApiError::internal(
                "the server was started without a TOTP key",
            ));
        }
    };
    // Both factors are right: no guess, whatever the account's state.
    state.throttle.succeeded(attempt);
    // Said only after the right password, so a disabled account looks like
    // any other to a guesser, and its officer learns why the login fails.
    if user.disabled_at.is_some() {
        tracing::info!(%addr, user = user.id.0, "login refused: account disabled");
        return Err(ApiError::new(
            codes::AUTH_ACCOUNT_DISABLED,
            "this account is disabled; ask the election's operator to enable it",
        ));
    }
    let totp_enrolment_required =
        !user.totp_enrolled && Role::parse(&user.role).is_some_and(Role::needs_totp);
    let token = token::generate().map_err(|e| ApiError::internal(e.to_string()))?;
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let expires_at = now.plus(ttl);
    let session = saksi_store::Session {
        token_hash: token::hash(&token).to_vec(),
        user_id: user.id,
        created_at: now,
        expires_at,
        minted: false,
    };
    state
        .blocking(move |store| store.insert_session(&session))
        .await?;
    tracing::info!(user = user.id.0, role = %user.role, totp_enrolment_required, "login");
    Ok(LoginOutcome {
        token,
        expires_at,
        totp_enrolment_required,
    })
}

/// What the password and second-factor check found.
enum Checked {
    Passed(User),
    WrongPassword,
    TotpMissing,
    TotpWrong,
    NoKey,
}

/// Why a second factor was not accepted.
enum SecondFactor {
    Wrong,
    NoKey,
}

/// Checks a TOTP code (six digits) or a recovery code of an enrolled
/// user, using it up: the step or the recovery code is recorded in the
/// same statement that checks it was unused.
fn second_factor(
    store: &dyn Store,
    key: Option<&TotpKey>,
    user: &User,
    code: &str,
    now: UnixTime,
) -> Result<Result<(), SecondFactor>, StoreError> {
    let code = code.trim();
    if !totp::looks_like_code(code) {
        let Some(hash) = recovery_hash(code) else {
            return Ok(Err(SecondFactor::Wrong));
        };
        return Ok(if store.use_recovery_code(user.id, &hash, now)? {
            tracing::info!(user = user.id.0, "recovery code used");
            Ok(())
        } else {
            Err(SecondFactor::Wrong)
        });
    }
    let Some(key) = key else {
        return Ok(Err(SecondFactor::NoKey));
    };
    let Some(record) = store.totp(user.id)? else {
        return Ok(Err(SecondFactor::Wrong));
    };
    let Ok(secret) = key.open(user.id.0, &record.sealed_secret) else {
        tracing::error!(
            user = user.id.0,
            "a stored TOTP secret does not open with this server's totp.key"
        );
        return Ok(Err(SecondFactor::NoKey));
    };
    let Some(step) = totp::matching_step(&secret, code, now.0, record.last_step) else {
        return Ok(Err(SecondFactor::Wrong));
    };
    Ok(if store.use_totp_step(user.id, step)? {
        Ok(())
    } else {
        Err(SecondFactor::Wrong)
    })
}

/// Random bytes of a recovery code.
pub(crate) const RECOVERY_BYTES: usize = 10;

/// A fresh recovery code: 80 random bits as 16 lowercase base32 letters in
/// groups of four (`abcd-efgh-ijkl-mnop`), and the hash it is stored as.
pub(crate) fn new_recovery_code() -> Result<(String, Vec<u8>), getrandom::Error> {
    let mut bytes = [0u8; RECOVERY_BYTES];
    getrandom::fill(&mut bytes)?;
    let letters = totp::base32_encode(&bytes).to_lowercase();
    let groups: Vec<&str> = (0..letters.len())
        .step_by(4)
        .map(|i| &letters[i..i + 4])
        .collect();
    Ok((groups.join("-"), hash_recovery(&bytes)))
}

/// The stored hash of a typed recovery code (dashes, spaces and case
/// ignored), or `None` if it cannot be one.
pub(crate) fn recovery_hash(code: &str) -> Option<Vec<u8>> {
    let letters: String = code.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if letters.len() != 16 {
        return None;
    }
    let bytes = totp::base32_decode(&letters)?;
    (bytes.len() == RECOVERY_BYTES).then(|| hash_recovery(&bytes))
}

/// 80 random bits are beyond guessing, so a plain SHA-256 suffices (as for
/// session tokens).
fn hash_recovery(bytes: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(b"saksi-recovery\n");
    hasher.update(bytes);
    hasher.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_code_hashes_alike_however_it_is_typed() {
        let (code, hash) = new_recovery_code().unwrap();
        assert_eq!(code.len(), 19);
        assert_eq!(recovery_hash(&code), Some(hash.clone()));
        assert_eq!(recovery_hash(&code.to_uppercase()), Some(hash.clone()));
        assert_eq!(recovery_hash(&code.replace('-', " ")), Some(hash));
        assert_eq!(recovery_hash("abcd"), None);
        assert_eq!(recovery_hash("1111-1111-1111-1111"), None);
    }
}
