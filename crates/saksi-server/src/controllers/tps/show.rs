//! `GET /api/v1/tps/{code}`: a TPS with every contest's current form and
//! all its versions with their warnings, signer, photos (and whether each
//! is uploaded yet), digest, log index and leaf hash (for an inclusion
//! proof), and the anomaly flags of its current forms, as of the log size
//! stated.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_api::{
    CorrectionReason, FormPhoto, FormSigner, FormVersion, Issue, OnBehalfReason, TpsContest,
    TpsFlag, TpsIncident, TpsLogistics, TpsObjection, TpsObjector, TpsPage,
};
use saksi_core::incident::Severity;
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_log::{NodeSource, Verifier};
use saksi_statement::form::version_digest;
use saksi_statement::recap::{self, ObjectionState};
use saksi_statement::{Entry, IncidentId};
use saksi_store::{BlobStore, LogEntry, Store, StoreError, StoredVersion};

use crate::codes;
use crate::controllers::json_of;
use crate::error::ApiError;
use crate::extract::{RawPath, region_code};
use crate::keys;
use crate::live::Live;
use crate::state::AppState;

pub async fn show(
    State(state): State<AppState>,
    RawPath(code): RawPath<String>,
) -> Result<Response, ApiError> {
    let code = region_code(&code)?;
    let tree = &state.election.tree;
    let id = tree
        .find(code)
        .filter(|_| code.level() == Level::Tps)
        .ok_or_else(|| ApiError::new(codes::REGION_NOT_FOUND, format!("no TPS {code}")))?;
    // The flags, judged on the forms the log of that size holds (the
    // tallies carry them, so they cost no look at the store), and the kit
    // as of the same log.
    let (log_size, anomalies, logistics) = {
        let live = state.live();
        (
            live.log_size(),
            flags(&state.election, &live, id),
            kit(&live, id, code),
        )
    };
    // The versions, what their log entries say, and whether each photo is
    // uploaded yet (a look at the photo store each), in one blocking task.
    let photos = state.config.photos.clone();
    let versions = state
        .blocking(move |store| {
            let mut out = Vec::new();
            for v in store.form_versions(code)? {
                let logged = logged_version(store, &v)?;
                let photos = logged
                    .photos
                    .iter()
                    .map(|sha256| {
                        Ok(FormPhoto {
                            sha256: hex::encode(sha256),
                            stored: stored(photos.as_deref(), sha256)?,
                        })
                    })
                    .collect::<std::io::Result<Vec<_>>>()?;
                out.push((v, logged.signer, logged.digest, photos));
            }
            Ok(out)
        })
        .await?;
    // Leaf hashes from the tree, which holds every index below `log_size`.
    let leaves: std::collections::HashMap<u64, String> = {
        let live = state.live();
        versions
            .iter()
            .map(|(v, ..)| v)
            .filter(|v| v.log_index < log_size)
            .map(|v| {
                let leaf = live.tree.node(0, v.log_index).map_err(ApiError::internal)?;
                Ok((v.log_index, STANDARD.encode(leaf)))
            })
            .collect::<Result<_, ApiError>>()?
    };
    let mut contests = Vec::with_capacity(Contest::ALL.len());
    let live = state.live();
    for contest in Contest::ALL {
        let list: Vec<FormVersion> = versions
            .iter()
            .filter(|(v, ..)| v.contest == contest && v.log_index < log_size)
            .map(|(v, signer, digest, photos)| {
                let form = serde_json::from_str(&v.form_json).map_err(|e| {
                    ApiError::internal(format!("stored form {code}/{contest} is not JSON: {e}"))
                })?;
                let warnings: Vec<Issue> = serde_json::from_str(&v.warnings_json).map_err(|e| {
                    ApiError::internal(format!("stored warnings {code}/{contest}: {e}"))
                })?;
                Ok(FormVersion {
                    version: v.version,
                    log_index: v.log_index,
                    leaf_hash: leaves.get(&v.log_index).cloned(),
                    submitted_at: v.submitted_at.to_string(),
                    signer: signer.clone(),
                    form,
                    warnings,
                    photos: photos.clone(),
                    digest: digest.clone(),
                })
            })
            .collect::<Result<_, ApiError>>()?;
        contests.push(TpsContest {
            contest: contest.id().to_owned(),
            held: state.election.holds(id, contest),
            current: list.last().cloned(),
            versions: list,
            objections: objections(&live, code, contest, log_size),
        });
    }
    drop(live);
    let header = crate::controllers::regions::header(tree, id);
    let body = TpsPage {
        code: header.code,
        name: header.name,
        level: header.level,
        parent: header.parent,
        dpt: header.dpt,
        log_size,
        contests,
        incidents: incident_flags(&state, id, code),
        flags: anomalies,
        logistics,
    };
    Ok(json_of(StatusCode::OK, &body))
}

/// The flags of a TPS's current forms, every contest, in ballot order:
/// the anomaly flags, then `ballots_unreconciled` where the ballots the
/// TPS received do not add up with its C.Hasil
/// (`saksi_core::logistics::reconcile`), with the numbers.
pub(crate) fn flags(election: &saksi_core::Election, live: &Live, id: RegionId) -> Vec<TpsFlag> {
    let mut flags: Vec<TpsFlag> = live
        .tallies
        .flags(election, id)
        .into_iter()
        .map(flag)
        .collect();
    for contest in Contest::ALL {
        let Some(ballots) = live.reconciliation.ballots(id, contest) else {
            continue;
        };
        let why = ballots.mismatches();
        if !why.is_empty() {
            flags.push(TpsFlag {
                code: UNRECONCILED.to_owned(),
                message: format!("The ballots do not add up: {}.", why.join("; ")),
                contest: contest.id().to_owned(),
            });
        }
    }
    // Stable: within a contest, the anomaly flags first.
    flags.sort_by_key(|f| Contest::parse(&f.contest).map(Contest::index));
    flags
}

/// The flag of a TPS whose ballots do not add up.
const UNRECONCILED: &str = "ballots_unreconciled";

/// What reached the TPS of its kit (a TPS ships nothing on: its stock is
/// what it accepted) and whether that is all of it.
fn kit(live: &Live, id: RegionId, code: RegionCode) -> TpsLogistics {
    TpsLogistics {
        received: live
            .logistics
            .stock(code)
            .map(|(item, n)| (item.to_owned(), n))
            .collect(),
        ready: live.readiness.is_ready(&live.logistics, id),
    }
}

/// An anomaly flag as the API shows it.
fn flag(f: saksi_core::anomaly::Flag) -> TpsFlag {
    TpsFlag {
        code: f.code.id().to_owned(),
        message: f.message,
        contest: f.contest.id().to_owned(),
    }
}

/// The incidents that flag this TPS: open or acknowledged, `high` or
/// `critical`, filed here and naming a contest held here (only those
/// contests are listed), by id.
fn incident_flags(state: &AppState, id: RegionId, code: RegionCode) -> Vec<TpsIncident> {
    let live = state.live();
    let mut out: Vec<TpsIncident> = live
        .incidents
        .flagging(code, Severity::High)
        .filter_map(|(incident, r)| {
            let p = &r.public;
            let contests: Vec<String> = p
                .contests
                .iter()
                .filter(|c| state.election.holds(id, **c))
                .map(|c| c.id().to_owned())
                .collect();
            (!contests.is_empty()).then(|| TpsIncident {
                id: IncidentId(*incident).to_string(),
                category: p.category.id().to_owned(),
                severity: p.severity.id().to_owned(),
                status: p.status.id().to_owned(),
                contests,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The objections against a TPS's form of `contest`, in log order, those
/// a log of `log_size` entries holds.
pub(crate) fn objections(
    live: &Live,
    code: RegionCode,
    contest: Contest,
    log_size: u64,
) -> Vec<TpsObjection> {
    live.review
        .of_form(code, contest)
        .into_iter()
        .filter(|o| o.log_index < log_size)
        .map(objection)
        .collect()
}

/// An objection as the page shows it: its ruling and correction only if
/// logged by now (the readers' review holds committed facts only).
pub(super) fn objection(o: &ObjectionState) -> TpsObjection {
    let (role, party, paslon) = match o.objection.by {
        recap::Objector::Party { party, .. } => ("saksi", Some(party), None),
        recap::Objector::Paslon { paslon, .. } => ("saksi", None, Some(paslon)),
        recap::Objector::Bawaslu { .. } => ("bawaslu", None, None),
    };
    TpsObjection {
        log_index: o.log_index,
        version: o.objection.version,
        fields: o.objection.fields.clone(),
        text: o.objection.text.clone(),
        by: TpsObjector {
            role: role.to_owned(),
            region: o.objection.by.region().to_string(),
            party,
            paslon,
        },
        status: o.status().id().to_owned(),
        ruling_log_index: o.ruling.map(|(_, at)| at),
        corrected_log_index: o.corrected_by,
    }
}

/// Whether `sha256` is in the photo store; with none, nothing is.
fn stored(photos: Option<&dyn BlobStore>, sha256: &[u8; 32]) -> std::io::Result<bool> {
    photos.map_or(Ok(false), |p| p.has(sha256))
}

/// What a version's log entry says of it beyond the stored row.
pub(crate) struct Logged {
    pub signer: Option<FormSigner>,
    /// Lowercase hex of the version's digest, the next version's `prev`.
    pub digest: Option<String>,
    /// The photos its statement names, in its order.
    pub photos: Vec<[u8; 32]>,
}

impl Logged {
    /// The version's digest, as the next version's `prev` and a
    /// kecamatan's sign-off name it.
    pub(crate) fn digest(&self) -> Option<[u8; 32]> {
        self.digest
            .as_deref()
            .and_then(saksi_statement::read::hex_digest)
    }
}

/// Reads a stored version's log entry from the store: see [`logged`].
pub(crate) fn logged_version(store: &dyn Store, v: &StoredVersion) -> Result<Logged, StoreError> {
    let entries = store.log_entries(v.log_index, v.log_index + 1)?;
    logged(v, entries.first().filter(|e| e.index == v.log_index))
}

/// What a stored version's log entry says of it: who signed it (the role
/// and key its `submitted_by` records and, for a version signed on behalf,
/// the reason its statement states; `None` for a version entered through
/// a session), its digest and its photos.
pub(crate) fn logged(v: &StoredVersion, entry: Option<&LogEntry>) -> Result<Logged, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt {
        what: "form version",
        value: format!(
            "{} {} v{} at log index {}: {why}",
            v.tps, v.contest, v.version, v.log_index
        ),
    };
    let data = entry
        .map(|e| &e.data)
        .ok_or_else(|| corrupt("no log entry".into()))?;
    let entry = Entry::decode(data).map_err(|e| corrupt(format!("log entry: {e}")))?;
    let digest = version_digest(&entry, data).map(hex::encode);
    let statement = match entry {
        Entry::FormV2(e) => Some(e.signed.statement),
        _ => None,
    };
    let Some((role, key)) = keys::signer_of(&v.submitted_by) else {
        return Ok(Logged {
            signer: None,
            digest,
            photos: statement.map(|s| s.photos).unwrap_or_default(),
        });
    };
    let verifier = Verifier::parse(key).map_err(|e| corrupt(format!("signer key: {e}")))?;
    let on_behalf = statement
        .as_ref()
        .and_then(|s| s.on_behalf.clone())
        .map(|o| OnBehalfReason { reason: o.reason });
    let correction = statement
        .as_ref()
        .and_then(|s| s.correction.clone())
        .map(|c| CorrectionReason {
            objection: c.objection,
            reason: c.reason,
        });
    if role.signs_on_behalf() && on_behalf.is_none() && correction.is_none() {
        return Err(corrupt(
            "no signed statement on behalf or correction in the log".into(),
        ));
    }
    Ok(Logged {
        signer: Some(FormSigner {
            role: role.id().to_owned(),
            key_id: format!("{:08x}", verifier.key_id()),
            key: key.to_owned(),
            on_behalf,
            correction,
        }),
        digest,
        photos: statement.map(|s| s.photos).unwrap_or_default(),
    })
}
