//! KPPS device enrolment: a KPU Kab/Kota issues one-time codes for TPS of
//! its kab/kota; a phone at the TPS sends the code with its new key; the
//! officer approves it by registering the key (a signed `key` statement,
//! `POST /api/v1/keys`) or rejects it with a reason.
//!
//! A code is 12 random digits, typed on a phone's numeric keyboard and
//! shown as `1234-5678-9012` (accepted with or without dashes and spaces).
//! Only its SHA-256 is stored: 10^12 codes against a throttle of a few
//! guesses a window need no slow hash. A code is used once, lasts
//! [`CODE_TTL_SECS`], and issuing another for the same TPS voids it.

use saksi_api::{Enrolment, EnrolmentCreated, EnrolmentEntry, EnrolmentStatus, IssuedCode};
use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};
use saksi_store::{NewEnrolment, NewEnrolmentCode, StoredEnrolment};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{parse_verifier, require_role, require_tps};
use crate::codes;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;

/// How long an enrolment code lasts: a week, long enough to hand the
/// printed sheet to every TPS before election day.
pub const CODE_TTL_SECS: i64 = 7 * 86_400;

/// The most TPS in one request for codes.
pub const MAX_TPS: usize = 1000;

/// The longest rejection reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Digits in a code.
const CODE_DIGITS: usize = 12;

/// The stored form of a code's digits.
fn code_hash(digits: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"saksi-enrolment-code\n");
    h.update(digits.as_bytes());
    h.finalize().to_vec()
}

/// The 12 digits of a code as typed (dashes and spaces ignored), or `None`.
fn code_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A fresh code's digits: 12 uniformly random decimal digits.
fn new_code() -> Result<String, ApiError> {
    const LIMIT: u64 = 1_000_000_000_000;
    // Rejection sampling keeps every code equally likely.
    let zone = u64::MAX - u64::MAX % LIMIT;
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
        let n = u64::from_le_bytes(bytes);
        if n < zone {
            return Ok(format!("{:012}", n % LIMIT));
        }
    }
}

/// `123456789012` as shown: `1234-5678-9012`.
fn shown(digits: &str) -> String {
    format!("{}-{}-{}", &digits[..4], &digits[4..8], &digits[8..])
}

/// 403 `enrolment.outside_jurisdiction` unless `tps` lies in `kabkota`.
fn require_in(kabkota: RegionCode, tps: RegionCode) -> Result<(), ApiError> {
    if kabkota.contains(tps) {
        return Ok(());
    }
    Err(ApiError::new(
        codes::ENROLMENT_OUTSIDE_JURISDICTION,
        format!("TPS {tps} is not in kab/kota {kabkota}"),
    )
    .with_details(json!({"tps": tps.to_string()})))
}

/// Issues one code per TPS (voiding each TPS's unused one), for a KPU
/// Kab/Kota and TPS of its kab/kota only; every TPS is checked before
/// anything is stored. A TPS named twice gets one code.
pub async fn issue_codes(
    state: &AppState,
    who: &Authenticated,
    tps: Vec<RegionCode>,
) -> Result<Vec<IssuedCode>, ApiError> {
    let kabkota = require_role(who, Role::KpuKabkota, "issuing enrolment codes")?;
    issue_codes_as(state, saksi_store::UserId(who.user_id), kabkota, tps).await
}

/// [`issue_codes`] for the KPU Kab/Kota account `issuer` of `kabkota`,
/// whose role the caller checked: for `saksi demo`, which issues codes
/// for its own demo account without a session.
pub async fn issue_codes_as(
    state: &AppState,
    issuer: saksi_store::UserId,
    kabkota: RegionCode,
    tps: Vec<RegionCode>,
) -> Result<Vec<IssuedCode>, ApiError> {
    if tps.is_empty() || tps.len() > MAX_TPS {
        return Err(ApiError::new(
            codes::ENROLMENT_TPS_COUNT,
            format!("{} TPS; name 1 to {MAX_TPS}", tps.len()),
        ));
    }
    let mut distinct: Vec<RegionCode> = Vec::with_capacity(tps.len());
    for code in tps {
        require_tps(state, code)?;
        require_in(kabkota, code)?;
        if !distinct.contains(&code) {
            distinct.push(code);
        }
    }
    let now = state.clock.now();
    let expires_at = now.plus(CODE_TTL_SECS);
    let mut issued = Vec::with_capacity(distinct.len());
    let mut stored = Vec::with_capacity(distinct.len());
    for code in distinct {
        let digits = new_code()?;
        stored.push(NewEnrolmentCode {
            tps: code,
            code_hash: code_hash(&digits),
            issued_by: issuer,
            issued_at: now,
            expires_at,
        });
        issued.push(IssuedCode {
            tps: code.to_string(),
            code: shown(&digits),
            expires_at: expires_at.to_string(),
        });
    }
    let count = stored.len();
    state
        .blocking(move |store| store.issue_enrolment_codes(&stored))
        .await?;
    tracing::info!(user = issuer.0, count, "enrolment codes issued");
    Ok(issued)
}

/// A phone's enrolment: the TPS, the code it was given and its new
/// verifier key. Wrong, used and expired codes are each refused with their
/// own code; wrong ones count against the TPS's and the address's budgets.
pub async fn enrol(
    state: &AppState,
    addr: &str,
    tps: RegionCode,
    code: &str,
    key: &str,
) -> Result<EnrolmentCreated, ApiError> {
    require_tps(state, tps)?;
    let key = parse_verifier(key)?;
    let now = state.clock.now();
    let secs = u64::try_from(now.0).unwrap_or(0);
    let reservation = state
        .enrolment_throttle
        .reserve(tps, addr, secs)
        .map_err(|wait| {
            ApiError::new(
                codes::ENROLMENT_THROTTLED,
                "too many wrong enrolment codes; wait before trying again",
            )
            .retry_after(wait)
        })?;
    let invalid = || {
        ApiError::new(
            codes::ENROLMENT_CODE_INVALID,
            format!("this is not an enrolment code of TPS {tps}; check it and the TPS"),
        )
    };
    // A malformed code is a wrong guess like any other, and keeps its place.
    let digits = code_digits(code).ok_or_else(invalid)?;
    let hash = code_hash(&digits);
    let found = state
        .blocking(move |store| store.enrolment_code(tps, &hash))
        .await;
    let found = match found {
        Ok(found) => found,
        Err(err) => {
            state.enrolment_throttle.refund(reservation);
            return Err(err);
        }
    };
    let Some(stored) = found.filter(|c| c.voided_at.is_none()) else {
        tracing::info!(%addr, %tps, "enrolment refused: wrong code");
        return Err(invalid());
    };
    // From here on the code was the right one: no guess.
    state.enrolment_throttle.refund(reservation);
    let used = || {
        ApiError::new(
            codes::ENROLMENT_CODE_USED,
            "this enrolment code was already used; ask the KPU Kab/Kota for a new one",
        )
    };
    if stored.used_at.is_some() {
        return Err(used());
    }
    if now >= stored.expires_at {
        return Err(ApiError::new(
            codes::ENROLMENT_CODE_EXPIRED,
            "this enrolment code expired; ask the KPU Kab/Kota for a new one",
        ));
    }
    let kabkota = tps
        .ancestor_at(Level::Kabkota)
        .ok_or_else(|| ApiError::internal(format!("TPS {tps} has no kab/kota")))?;
    let id = new_id()?;
    let enrolment = NewEnrolment {
        id: id.clone(),
        tps,
        kabkota,
        key,
        created_at: now,
    };
    let code_id = stored.id;
    let taken = state
        .blocking(move |store| store.enrol(code_id, &enrolment))
        .await?;
    if !taken {
        // Another phone used it between the lookup and now.
        return Err(used());
    }
    tracing::info!(%tps, enrolment = %id, "device enrolled, pending approval");
    Ok(EnrolmentCreated {
        id,
        status: EnrolmentStatus::Pending,
    })
}

/// A fresh enrolment id: 32 lowercase hex digits (128 random bits), so
/// the id the phone polls with cannot be guessed.
fn new_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// True for 32 lowercase hex digits.
fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// An enrolment's status: approved or revoked as the key registry holds
/// its key (registered as `kpps` for its TPS), else rejected or pending.
pub fn status_of(e: &StoredEnrolment) -> EnrolmentStatus {
    match &e.registration {
        Some(r) if r.role == "kpps" && r.region == e.tps => {
            if r.revoked {
                EnrolmentStatus::Revoked
            } else {
                EnrolmentStatus::Approved
            }
        }
        _ if e.rejected_at.is_some() => EnrolmentStatus::Rejected,
        _ => EnrolmentStatus::Pending,
    }
}

fn answer(e: &StoredEnrolment) -> Enrolment {
    Enrolment {
        id: e.id.clone(),
        tps: e.tps.to_string(),
        status: status_of(e),
        reason: e.reason.clone(),
    }
}

/// Looks an enrolment up (404 `enrolment.not_found`).
async fn find(state: &AppState, id: &str) -> Result<StoredEnrolment, ApiError> {
    let not_found = || ApiError::new(codes::ENROLMENT_NOT_FOUND, "no enrolment has this id");
    if !valid_id(id) {
        return Err(not_found());
    }
    let id = id.to_owned();
    state
        .blocking(move |store| store.enrolment(&id))
        .await?
        .ok_or_else(not_found)
}

/// What the phone polls: no session, the unguessable id is the secret.
pub async fn show(state: &AppState, id: &str) -> Result<Enrolment, ApiError> {
    Ok(answer(&find(state, id).await?))
}

/// The enrolments of TPS in the KPU Kab/Kota's kab/kota, oldest first,
/// with `status` only if given.
pub async fn list(
    state: &AppState,
    who: &Authenticated,
    status: Option<EnrolmentStatus>,
) -> Result<Vec<EnrolmentEntry>, ApiError> {
    let kabkota = require_role(who, Role::KpuKabkota, "listing enrolments")?;
    let stored = state
        .blocking(move |store| store.enrolments(kabkota))
        .await?;
    Ok(stored
        .iter()
        .map(|e| (e, status_of(e)))
        .filter(|(_, s)| status.is_none_or(|wanted| wanted == *s))
        .map(|(e, status)| EnrolmentEntry {
            id: e.id.clone(),
            tps: e.tps.to_string(),
            key: e.key.clone(),
            status,
            created_at: e.created_at.to_string(),
            reason: e.reason.clone(),
        })
        .collect())
}

/// Rejects a pending enrolment of the KPU Kab/Kota's kab/kota with a
/// reason the phone shows.
pub async fn reject(
    state: &AppState,
    who: &Authenticated,
    id: &str,
    reason: &str,
) -> Result<Enrolment, ApiError> {
    let kabkota = require_role(who, Role::KpuKabkota, "rejecting enrolments")?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::new(
            codes::ENROLMENT_REASON_INVALID,
            format!("give a reason of 1 to {MAX_REASON_CHARS} characters"),
        ));
    }
    let found = find(state, id).await?;
    require_in(kabkota, found.tps)?;
    let not_pending = |status: EnrolmentStatus| {
        ApiError::new(
            codes::ENROLMENT_NOT_PENDING,
            format!("the enrolment is {}, not pending", status.id()),
        )
        .with_details(json!({"status": status.id()}))
    };
    let status = status_of(&found);
    if status != EnrolmentStatus::Pending {
        return Err(not_pending(status));
    }
    let now = state.clock.now();
    let (id, why) = (found.id.clone(), reason.clone());
    let rejected = state
        .blocking(move |store| store.reject_enrolment(&id, &why, now))
        .await?;
    if !rejected {
        return Err(not_pending(EnrolmentStatus::Rejected));
    }
    tracing::info!(user = who.user_id, enrolment = %found.id, "enrolment rejected");
    Ok(Enrolment {
        id: found.id,
        tps: found.tps.to_string(),
        status: EnrolmentStatus::Rejected,
        reason: Some(reason),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_digits_shown_in_fours_and_typed_any_way() {
        let digits = new_code().unwrap();
        assert_eq!(digits.len(), 12);
        let shown = shown(&digits);
        assert_eq!(shown.len(), 14);
        assert_eq!(code_digits(&shown).as_deref(), Some(digits.as_str()));
        assert_eq!(
            code_digits("1234 5678 9012").as_deref(),
            Some("123456789012")
        );
        assert_eq!(code_digits("123456789012").as_deref(), Some("123456789012"));
        assert_eq!(code_digits("1234-5678-901"), None);
        assert_eq!(code_digits("1234-5678-901x"), None);
        assert_eq!(code_digits("١٢٣٤٥٦٧٨٩٠١٢"), None);
    }

    #[test]
    fn ids_are_32_lowercase_hex_digits() {
        let id = new_id().unwrap();
        assert!(valid_id(&id), "{id}");
        assert!(!valid_id(&id.to_uppercase()));
        assert!(!valid_id(&id[1..]));
    }
}
