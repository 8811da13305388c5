//! A kecamatan's TPS as its recap reads them: each TPS holding the
//! contest with its current version (one store query for the whole
//! kecamatan, the largest holding 1,591 TPS), and where each stands: the
//! child it gives the sign-off and what of it keeps the kecamatan open.
//! The recap state (`show`) and the review queue (`queue`) both read
//! them here, so the queue's attention and the state's `blocked_by` can
//! never disagree.

use saksi_core::incident::Status;
use saksi_core::incident::book::Book;
use saksi_core::{Contest, RegionCode, RegionId};
use saksi_statement::IncidentId;
use saksi_statement::recap::signoffs::NoFormRecord;
use saksi_statement::recap::{Child, NoFormReason, Status as Objection};
use saksi_store::StoredVersion;

use crate::controllers::tps::show::{Logged, logged};
use crate::error::ApiError;
use crate::live::Live;
use crate::state::AppState;

/// One TPS of the kecamatan holding the contest.
pub(crate) struct TpsForm {
    pub code: RegionCode,
    pub id: RegionId,
    /// Its current version and what the version's log entry says of it.
    pub current: Option<(StoredVersion, Logged)>,
}

impl TpsForm {
    /// The current version's digest, what the sign-off names.
    pub(crate) fn digest(&self) -> Option<[u8; 32]> {
        self.current.as_ref().and_then(|(_, l)| l.digest())
    }
}

/// Every TPS of kecamatan `id` holding `contest`, in code order, with its
/// current version read from the store in one query.
pub(crate) async fn tps_forms(
    state: &AppState,
    contest: Contest,
    id: RegionId,
) -> Result<Vec<TpsForm>, ApiError> {
    let election = &state.election;
    let tree = &election.tree;
    let code = tree.get(id).code;
    let mut current = state
        .blocking(move |store| {
            store
                .current_forms(code, contest)?
                .into_iter()
                .map(|v| {
                    let logged = logged(&v.version, v.entry.as_ref())?;
                    Ok((v.version.tps, (v.version, logged)))
                })
                .collect::<Result<std::collections::HashMap<_, _>, _>>()
        })
        .await?;
    let mut forms: Vec<TpsForm> = election
        .kecamatan_tps(id, contest)
        .map(|t| {
            let code = tree.get(t).code;
            TpsForm {
                code,
                id: t,
                current: current.remove(&code),
            }
        })
        .collect();
    forms.sort_by_key(|f| f.code);
    Ok(forms)
}

/// Where one TPS stands in its kecamatan's recap of a contest.
pub(crate) struct Standing {
    pub code: RegionCode,
    /// The child it gives the sign-off: its current version's digest, or
    /// that of a recorded reason that settles it; `None` while not in.
    pub child: Option<Child>,
    /// What of it keeps the kecamatan open, in the recap state's words
    /// (`no_form`, `revote_ordered`, `incident`, `objection_open`,
    /// `correction_due`), in that order.
    pub blocked_by: Vec<&'static str>,
}

/// Where the TPS of `form` stands, as of `live`.
pub(crate) fn standing(live: &Live, contest: Contest, form: &TpsForm) -> Standing {
    let tps = form.code;
    let mut blocked_by = Vec::new();
    // A reason for no form is the TPS's latest fact if recorded.
    let child = match (live.signoffs.no_form(contest, tps), form.digest()) {
        (Some(r), _) if r.reason.settles() => Some(Child {
            code: tps,
            digest: r.digest,
        }),
        (Some(r), _) => {
            blocked_by.push(waiting_for(r, &live.incidents));
            None
        }
        (None, Some(digest)) => Some(Child { code: tps, digest }),
        (None, None) => {
            blocked_by.push("no_form");
            None
        }
    };
    for o in live.review.of_form(tps, contest) {
        match o.status() {
            Objection::Open => blocked_by.push("objection_open"),
            Objection::Upheld if o.corrected_by.is_none() => blocked_by.push("correction_due"),
            _ => {}
        }
    }
    Standing {
        code: tps,
        child,
        blocked_by,
    }
}

/// What a TPS whose recorded reason does not settle it waits for: the
/// revote's form, or its incident's resolution (then a form or a reason).
fn waiting_for(record: &NoFormRecord, incidents: &Book) -> &'static str {
    let unresolved = |id: &IncidentId| {
        incidents
            .get(&id.0)
            .is_some_and(|r| matches!(r.public.status, Status::Open | Status::Acknowledged))
    };
    match (record.reason, &record.incident) {
        (NoFormReason::RevoteOrdered, _) => "revote_ordered",
        (NoFormReason::Incident, Some(id)) if unresolved(id) => "incident",
        _ => "no_form",
    }
}
