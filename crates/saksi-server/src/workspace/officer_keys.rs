//! Officers' keys made in the browser and certified by the officer one
//! level up: a kpu-kabkota certifies the pps (desa) and ppk (kecamatan)
//! keys of its kab/kota, a kpu-prov the kpu-kabkota keys of its province,
//! and a KPU RI root key holder the kpu-prov keys (`saksi key certify`;
//! their submissions are listed only to their owner, by [`mine`]).
//!
//! A submission is a request, not a key: certifying is the existing
//! signed `key` registration (`POST /api/v1/keys`), and a submission's
//! status is read from the key registry: certified once its key is
//! registered in its owner's role and region, revoked once that key is
//! revoked. kpu-ri keys are kept too, and stay pending until the log has
//! a kpu-ri key role (the Recap issue).

use saksi_api::{OfficerKeyEntry, OfficerKeyStatus, OfficerKeySubmitted};
use saksi_core::permission::Role;
use saksi_core::{Level, RegionCode};
use saksi_store::{NewOfficerKey, OfficerKeyFilter, StoreError, SubmittedOfficerKey, UserId};

use super::parse_verifier;
use crate::codes;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;

/// The certifier role of a kpu-prov (and kpu-ri) key: a KPU RI root key.
pub const ROOT: &str = "root";

/// Who certifies a key of `role` at `region`: their role and region.
fn certifier(role: Role, region: RegionCode) -> Option<(&'static str, RegionCode)> {
    match role {
        Role::Pps | Role::Ppk => Some((Role::KpuKabkota.id(), region.ancestor_at(Level::Kabkota)?)),
        Role::KpuKabkota => Some((Role::KpuProv.id(), region.ancestor_at(Level::Provinsi)?)),
        Role::KpuProv | Role::KpuRi => Some((ROOT, RegionCode::NASIONAL)),
        _ => None,
    }
}

/// A submission's status, from the key registry.
pub fn status_of(k: &SubmittedOfficerKey) -> OfficerKeyStatus {
    match &k.registration {
        Some(r) if r.role == k.role && r.region == k.region => {
            if r.revoked {
                OfficerKeyStatus::Revoked
            } else {
                OfficerKeyStatus::Certified
            }
        }
        _ => OfficerKeyStatus::Pending,
    }
}

fn entry(k: &SubmittedOfficerKey) -> OfficerKeyEntry {
    OfficerKeyEntry {
        id: k.id,
        key: k.key.clone(),
        role: k.role.clone(),
        region: k.region.to_string(),
        username: k.username.clone(),
        status: status_of(k),
        created_at: k.created_at.to_string(),
    }
}

/// Submits the account's own key for certification, in its role and
/// region. A key is submitted once (409 `officer_key.already_submitted`).
pub async fn submit(
    state: &AppState,
    who: &Authenticated,
    key: &str,
) -> Result<OfficerKeySubmitted, ApiError> {
    let role = who.principal.role();
    let region = who.principal.region();
    let Some((certifier_role, certifier_region)) = certifier(role, region) else {
        return Err(ApiError::new(
            codes::WORKSPACE_ROLE_FORBIDDEN,
            format!(
                "{} accounts sign nothing with an officer's key; pps, ppk, kpu-kabkota, kpu-prov and kpu-ri do",
                role.id()
            ),
        ));
    };
    let key = parse_verifier(key)?;
    let new = NewOfficerKey {
        key: key.clone(),
        user_id: UserId(who.user_id),
        role: role.id().to_owned(),
        region,
        certifier_role: certifier_role.to_owned(),
        certifier_region,
        created_at: state.clock.now(),
    };
    let stored = state.store.clone();
    let id = tokio::task::spawn_blocking(move || stored.submit_officer_key(&new))
        .await?
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::new(
                codes::OFFICER_KEY_ALREADY_SUBMITTED,
                "this key was already submitted; make a new key to submit another",
            ),
            e => e.into(),
        })?;
    tracing::info!(
        user = who.user_id,
        id,
        role = role.id(),
        "officer key submitted"
    );
    Ok(OfficerKeySubmitted {
        id,
        key,
        role: role.id().to_owned(),
        region: region.to_string(),
        status: OfficerKeyStatus::Pending,
    })
}

/// The submitted keys the caller certifies (a kpu-kabkota: pps and ppk of
/// its kab/kota; a kpu-prov: kpu-kabkota of its province), with `status`
/// only if given; 403 `workspace.role_forbidden` for other roles.
pub async fn to_certify(
    state: &AppState,
    who: &Authenticated,
    status: Option<OfficerKeyStatus>,
) -> Result<Vec<OfficerKeyEntry>, ApiError> {
    let role = who.principal.role();
    if !matches!(role, Role::KpuKabkota | Role::KpuProv) {
        return Err(ApiError::new(
            codes::WORKSPACE_ROLE_FORBIDDEN,
            format!(
                "officers' keys are certified by kpu-kabkota and kpu-prov accounts; this one is {}",
                role.id()
            ),
        ));
    }
    let filter = OfficerKeyFilter::Certifier {
        role: role.id().to_owned(),
        region: who.principal.region(),
    };
    let keys = state
        .blocking(move |store| store.officer_keys_submitted(&filter))
        .await?;
    Ok(keys
        .iter()
        .map(entry)
        .filter(|e| status.is_none_or(|s| s == e.status))
        .collect())
}

/// The pending keys the caller certifies: [`to_certify`] with `pending`.
pub async fn pending_for(
    state: &AppState,
    who: &Authenticated,
) -> Result<Vec<OfficerKeyEntry>, ApiError> {
    to_certify(state, who, Some(OfficerKeyStatus::Pending)).await
}

/// The keys the caller submitted, whatever their status.
pub async fn mine(state: &AppState, who: &Authenticated) -> Result<Vec<OfficerKeyEntry>, ApiError> {
    let filter = OfficerKeyFilter::Owner(UserId(who.user_id));
    let keys = state
        .blocking(move |store| store.officer_keys_submitted(&filter))
        .await?;
    Ok(keys.iter().map(entry).collect())
}

/// How long a key registered in the browser is valid by default: 180
/// days, as `saksi key certify`.
pub const DEFAULT_VALIDITY_SECS: i64 = 180 * 86_400;

/// What a browser puts into a key registration it signs: this log's
/// origin and a validity window from now, decided by the server (whose
/// clock the log judges validity by) rather than by the browser's clock.
pub fn defaults(state: &AppState) -> saksi_api::KeyDefaults {
    let now = state.clock.now();
    saksi_api::KeyDefaults {
        origin: state.log.origin().to_owned(),
        valid_from: now.to_string(),
        valid_until: now.plus(DEFAULT_VALIDITY_SECS).to_string(),
    }
}
