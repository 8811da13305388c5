//! Deciding the review's facts against [`Review`] as it stands after the
//! earlier commands of the batch: an objection (said through a session)
//! against the current version of its form, a PPK member's signed ruling
//! on an objection not yet ruled on. A correction is a form version
//! (`decide.rs` asks [`Review::check_correction`]). Each decided change is
//! applied to the sequencer's review at once, so later commands of the
//! batch see it, and to the readers' copy once the batch is durable; a
//! batch that failed to commit is undone by reading the review back from
//! the store ([`review_from_store`]).

use saksi_api::{RecapAccepted, Receipt};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Election, RegionCode, RegionId};
use saksi_log::Verifier;
use saksi_statement::recap::{Confirmation, Objection, ObjectionEntry, RulingStatement};
use saksi_statement::{
    Correction, Entry, NoFormStatement, Quorum, ReopenStatement, Review, Signed, SignoffStatement,
    Signoffs,
};
use saksi_store::Store;

use super::Sequencer;
use super::decision::{Accepted, Refused};
use super::reload::ReloadError;
use super::run::{Pending, log_entry};

/// An objection to log, checked for its form by the handler.
#[derive(Debug)]
pub struct ObjectionFact {
    /// The TPS's id in the election, to find its form's current version.
    pub tps: RegionId,
    pub objection: Objection,
}

/// A PPK member's ruling, its signature verified by the handler.
#[derive(Debug)]
pub struct RulingFact {
    pub signed: Signed<RulingStatement>,
    pub signer: Verifier,
}

/// A change the review and the sign-offs take once its batch is durable.
#[derive(Debug, Clone)]
pub(super) enum ReviewChange {
    Objection(Objection, u64),
    Ruling(RulingStatement, u64),
    Correction(Correction, u64),
    /// A commissioner's confirmation of a sign-off.
    Signoff {
        statement: Box<SignoffStatement>,
        digest: [u8; 32],
        confirmation: Confirmation,
        logged_at: UnixTime,
    },
    /// A PPK member's reason why a TPS has no form, its digest and index.
    NoForm(Box<NoFormStatement>, [u8; 32], u64),
    /// A commissioner's confirmation of a reopen.
    Reopen {
        statement: Box<ReopenStatement>,
        digest: [u8; 32],
        confirmation: Confirmation,
    },
    /// A new version of a TPS's form: its kecamatan's pending sign-off is
    /// void.
    FormChanged(Contest, RegionCode),
}

impl ReviewChange {
    pub(super) fn apply(&self, review: &mut Review, signoffs: &mut Signoffs) {
        match self {
            ReviewChange::Objection(o, at) => review.apply_objection(o.clone(), *at),
            ReviewChange::Ruling(r, at) => review.apply_ruling(r, *at),
            ReviewChange::Correction(c, at) => review.apply_correction(c, *at),
            ReviewChange::Signoff {
                statement,
                digest,
                confirmation,
                logged_at,
            } => {
                signoffs.apply(statement, *digest, *confirmation, *logged_at);
            }
            ReviewChange::Reopen {
                statement,
                digest,
                confirmation,
            } => {
                signoffs.apply_reopen(statement, *digest, *confirmation);
            }
            ReviewChange::NoForm(statement, digest, at) => {
                signoffs.apply_no_form(statement, *digest, *at);
            }
            ReviewChange::FormChanged(contest, tps) => signoffs.form_changed(*contest, *tps),
        }
    }
}

/// The review and the sign-offs as the store's recap entries state them.
/// They were checked when they were decided, so they are applied as they
/// are (a statement says itself how many confirmations make it final). A
/// reason for no form, and a kecamatan's statement still pending is void if a TPS of it
/// has a version logged after it (form versions are not recap entries, so
/// their effect is read back here).
pub fn review_from_store(
    store: &dyn Store,
    election: &Election,
    quorum: Quorum,
) -> Result<(Review, Signoffs), ReloadError> {
    let mut review = Review::default();
    let mut signoffs = Signoffs::new(quorum);
    for e in store.recap_entries()? {
        let corrupt = |reason: String| ReloadError::Corrupt {
            what: "recap",
            index: e.index,
            reason,
        };
        match Entry::decode(&e.data).map_err(|err| corrupt(err.to_string()))? {
            Entry::ObjectionV1(o) => review.apply_objection(o.objection, e.index),
            Entry::RulingV1(r) => review.apply_ruling(&r.signed.statement, e.index),
            Entry::SignoffV1(s) => {
                let statement = &s.signed.statement;
                let key_id = Verifier::parse(&s.signed.signer)
                    .map_err(|err| corrupt(err.to_string()))?
                    .key_id();
                let confirmation = Confirmation {
                    key_id,
                    log_index: e.index,
                };
                signoffs.apply(statement, s.signed.sha256(), confirmation, s.logged_at);
            }
            Entry::NoFormV1(n) => {
                signoffs.apply_no_form(&n.signed.statement, n.signed.sha256(), e.index);
            }
            Entry::ReopenV1(r) => {
                let key_id = Verifier::parse(&r.signed.signer)
                    .map_err(|err| corrupt(err.to_string()))?
                    .key_id();
                let confirmation = Confirmation {
                    key_id,
                    log_index: e.index,
                };
                signoffs.apply_reopen(&r.signed.statement, r.signed.sha256(), confirmation);
            }
            Entry::FormV2(f) => match &f.signed.statement.correction {
                Some(c) => review.apply_correction(c, e.index),
                None => return Err(corrupt("a form version that corrects nothing".into())),
            },
            other => return Err(corrupt(format!("a {} entry", other.kind()))),
        }
    }
    for (contest, tps, since) in signoffs.no_forms_logged() {
        if store
            .current_form(tps, contest)?
            .is_some_and(|v| v.log_index > since)
        {
            signoffs.form_changed(contest, tps);
        }
    }
    for (contest, kecamatan, since) in signoffs.pending_kecamatan() {
        let Some(id) = election.tree.find(kecamatan) else {
            continue;
        };
        let tree = &election.tree;
        for tps in tree.children(id).flat_map(|desa| tree.children(desa)) {
            let code = tree.get(tps).code;
            if store
                .current_form(code, contest)?
                .is_some_and(|v| v.log_index > since)
            {
                signoffs.form_changed(contest, code);
                break;
            }
        }
    }
    Ok((review, signoffs))
}

impl Sequencer {
    pub(super) fn decide_objection(
        &mut self,
        fact: ObjectionFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let ObjectionFact { tps, objection } = fact;
        self.check_unlocked(objection.contest, objection.tps)?;
        let current = self
            .current_form(tps, objection.tps, objection.contest, pending)?
            .map(|c| c.version);
        self.review
            .check_objection(&objection, current)
            .map_err(Refused::Review)?;
        let data = ObjectionEntry {
            objection: objection.clone(),
            logged_at: now,
        }
        .encode()
        .map_err(Refused::internal)?;
        let receipt = self.log_recap(data, log_index, now, None, pending);
        pending
            .review
            .push(ReviewChange::Objection(objection.clone(), log_index));
        self.review.apply_objection(objection, log_index);
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    pub(super) fn decide_ruling(
        &mut self,
        fact: RulingFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let RulingFact { signed, signer } = fact;
        let tps = self
            .review
            .check_ruling(&signed.statement)
            .map_err(Refused::Review)?
            .objection
            .tps;
        self.registry
            .check_ppk_member(&signer, tps, now)
            .map_err(Refused::Chain)?;
        let receipt = self.log_recap(
            signed.entry(now),
            log_index,
            now,
            Some(signed.sha256()),
            pending,
        );
        let ruling = signed.statement;
        pending
            .review
            .push(ReviewChange::Ruling(ruling.clone(), log_index));
        self.review.apply_ruling(&ruling, log_index);
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    /// Notes an accepted correction of (`tps`, `contest`) logged at
    /// `log_index`: the review's copy now and the readers' once durable.
    pub(super) fn note_correction(
        &mut self,
        correction: &Correction,
        log_index: u64,
        pending: &mut Pending,
    ) {
        pending.batch.recap.push(log_index);
        pending
            .review
            .push(ReviewChange::Correction(correction.clone(), log_index));
        self.review.apply_correction(correction, log_index);
    }

    /// Adds a recap entry to the batch; its unsigned receipt.
    pub(super) fn log_recap(
        &self,
        data: Vec<u8>,
        log_index: u64,
        now: UnixTime,
        statement_sha256: Option<[u8; 32]>,
        pending: &mut Pending,
    ) -> Receipt {
        pending.batch.recap.push(log_index);
        log_entry(data, log_index, now, statement_sha256, pending)
    }
}
