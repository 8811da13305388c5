//! Deciding a commissioner's confirmation of a region's sign-off against
//! the sign-offs, the review and the forms as they stand after the earlier
//! commands of the batch: the key is a commissioner's of that region and
//! level, the region is not locked, the statement is the pending one (if
//! any) and this key has not confirmed it, it names exactly the region's
//! children holding the contest, each as it currently is (a TPS's current
//! version, a child region's final sign-off), no objection below is left
//! open, and its totals are the children's sum. A reopen is confirmed by
//! a commissioner of the level above, of a region final with the sign-off
//! it names.

use saksi_api::RecapAccepted;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode, RegionId};
use saksi_log::Verifier;
use saksi_statement::recap::signoffs::{check_sum, unsettled_objection};
use saksi_statement::recap::{Confirmation, SignoffStatement};
use saksi_statement::{NoFormStatement, ReopenStatement, Signed, SignoffRefusal};

use super::Sequencer;
use super::decision::{Accepted, Refused};
use super::review::ReviewChange;
use super::run::Pending;

/// A commissioner's confirmation, its signature verified by the handler.
#[derive(Debug)]
pub struct SignoffFact {
    pub signed: Signed<SignoffStatement>,
    pub signer: Verifier,
}

/// A PPK member's reason why a TPS has no form, its signature verified by
/// the handler.
#[derive(Debug)]
pub struct NoFormFact {
    /// The TPS's id in the election, to find its form's current version.
    pub tps: RegionId,
    pub signed: Signed<NoFormStatement>,
    pub signer: Verifier,
}

/// A commissioner's confirmation of a reopen, its signature verified by
/// the handler.
#[derive(Debug)]
pub struct ReopenFact {
    pub signed: Signed<ReopenStatement>,
    pub signer: Verifier,
}

impl Sequencer {
    pub(super) fn decide_signoff(
        &mut self,
        fact: SignoffFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let SignoffFact { signed, signer } = fact;
        let statement = &signed.statement;
        let region = self
            .election
            .tree
            .find(statement.region)
            .ok_or(Refused::Chain(saksi_statement::Refusal::RegionNotFound(
                statement.region,
            )))?;
        let key = self
            .registry
            .check_commissioner(&signer, statement.region, now)
            .map_err(Refused::Chain)?;
        let digest = signed.sha256();
        let registered = self
            .registry
            .commissioners(statement.region, log_index, now);
        self.signoffs
            .check(statement, digest, key.key_id, registered)
            .map_err(Refused::Signoff)?;
        let started = std::time::Instant::now();
        let checked = self.check_children(statement, region, pending);
        self.metrics.signoff_check(started.elapsed());
        checked?;
        let receipt = self.log_recap(signed.entry(now), log_index, now, Some(digest), pending);
        let change = ReviewChange::Signoff {
            statement: Box::new(signed.statement),
            digest,
            confirmation: Confirmation {
                key_id: key.key_id,
                log_index,
            },
            logged_at: now,
        };
        change.apply(&mut self.review, &mut self.signoffs);
        pending.review.push(change);
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    /// Decides a confirmation of a reopen: a commissioner of the level
    /// above (`ReopenStatement::by_region`), the region final with the
    /// sign-off named, the pending reopen (if any) and this key not in it.
    pub(super) fn decide_reopen(
        &mut self,
        fact: ReopenFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let ReopenFact { signed, signer } = fact;
        let statement = &signed.statement;
        let by = ReopenStatement::by_region(statement.region);
        let key = self
            .registry
            .check_commissioner(&signer, by, now)
            .map_err(Refused::Chain)?;
        let digest = signed.sha256();
        let registered = self.registry.commissioners(by, log_index, now);
        self.signoffs
            .check_reopen(statement, digest, key.key_id, registered)
            .map_err(Refused::Signoff)?;
        let receipt = self.log_recap(signed.entry(now), log_index, now, Some(digest), pending);
        let change = ReviewChange::Reopen {
            statement: Box::new(signed.statement),
            digest,
            confirmation: Confirmation {
                key_id: key.key_id,
                log_index,
            },
        };
        change.apply(&mut self.review, &mut self.signoffs);
        pending.review.push(change);
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    /// Decides a PPK member's reason why a TPS has no form: a PPK key of
    /// its kecamatan, and what the sign-offs allow (not below a final
    /// region, a settling reason only for a TPS with no form, an incident
    /// filed there).
    pub(super) fn decide_no_form(
        &mut self,
        fact: NoFormFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let NoFormFact {
            tps,
            signed,
            signer,
        } = fact;
        let statement = &signed.statement;
        self.registry
            .check_ppk_member(&signer, statement.tps, now)
            .map_err(Refused::Chain)?;
        let has_form = self
            .current_form(tps, statement.tps, statement.contest, pending)?
            .is_some();
        {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            self.signoffs
                .check_no_form(statement, has_form, &live.incidents)
                .map_err(Refused::Signoff)?;
        }
        let digest = signed.sha256();
        let receipt = self.log_recap(signed.entry(now), log_index, now, Some(digest), pending);
        let change = ReviewChange::NoForm(Box::new(signed.statement), digest, log_index);
        change.apply(&mut self.review, &mut self.signoffs);
        pending.review.push(change);
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    /// Refuses a fact about a form of `tps` (a version, an objection) when
    /// a final sign-off at or above its kecamatan locks it.
    pub(super) fn check_unlocked(&self, contest: Contest, tps: RegionCode) -> Result<(), Refused> {
        match self.signoffs.locked_by(contest, tps) {
            Some(region) => Err(Refused::Signoff(SignoffRefusal::Locked { contest, region })),
            None => Ok(()),
        }
    }

    /// The regions whose commissioners a batch registered or revoked.
    pub(super) fn commissioner_regions_changed(&self, pending: &Pending) -> Vec<RegionCode> {
        let registered = pending
            .batch
            .keys
            .iter()
            .filter(|k| k.commissioner)
            .map(|k| k.region);
        let revoked = pending.batch.revocations.iter().filter_map(|r| {
            let key = Verifier::parse(&r.key).ok()?;
            self.registry
                .get(&key)
                .filter(|k| k.commissioner)
                .map(|k| k.region)
        });
        registered.chain(revoked).collect()
    }

    /// Notes a new version of a form of `tps`: a statement pending for its
    /// kecamatan no longer sums what is current, so it is void.
    pub(super) fn note_form_changed(
        &mut self,
        contest: Contest,
        tps: RegionCode,
        pending: &mut Pending,
    ) {
        if self.signoffs.touched_by_form(contest, tps) {
            let change = ReviewChange::FormChanged(contest, tps);
            change.apply(&mut self.review, &mut self.signoffs);
            pending.review.push(change);
        }
    }

    /// The children a statement names against the region's, each as it
    /// currently is, and the totals against their sum.
    fn check_children(
        &self,
        statement: &SignoffStatement,
        region: RegionId,
        pending: &Pending,
    ) -> Result<(), Refused> {
        let refuse = |r: SignoffRefusal| Refused::Signoff(r);
        let contest = statement.contest;
        let tree = &self.election.tree;
        let expected: Vec<(RegionId, RegionCode)> = if statement.region.level() == Level::Kecamatan
        {
            self.election
                .kecamatan_tps(region, contest)
                .map(|tps| (tps, tree.get(tps).code))
                .collect()
        } else {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            tree.children(region)
                .filter(|c| live.tallies.region(contest, *c).get("tps_expected") > Some(0))
                .map(|c| (c, tree.get(c).code))
                .collect()
        };
        let mut expected_sorted = expected;
        expected_sorted.sort_by_key(|(_, code)| *code);
        let named: Vec<RegionCode> = statement.children.iter().map(|c| c.code).collect();
        if let Some((_, missing)) = expected_sorted
            .iter()
            .find(|(_, code)| named.binary_search(code).is_err())
        {
            return Err(refuse(SignoffRefusal::ChildMissing(*missing)));
        }
        if named.len() != expected_sorted.len() {
            let extra = named
                .iter()
                .find(|code| {
                    expected_sorted
                        .binary_search_by_key(*code, |(_, c)| *c)
                        .is_err()
                })
                .copied()
                .unwrap_or(statement.region);
            return Err(refuse(SignoffRefusal::ChildUnexpected(extra)));
        }
        let sum = if statement.region.level() == Level::Kecamatan {
            for ((tps, code), child) in expected_sorted.iter().zip(&statement.children) {
                // A version decided earlier in this batch is not in the
                // tallies yet: the sum cannot be checked against it.
                if pending.forms.contains_key(&(*tps, contest)) {
                    return Err(refuse(SignoffRefusal::ChildChanged(*code)));
                }
                let digest = match self.signoffs.no_form(contest, *code) {
                    Some(no_form) if no_form.reason.settles() => no_form.digest,
                    Some(_) => return Err(refuse(SignoffRefusal::ChildNotIn(*code))),
                    None => self
                        .current_digest(*tps, *code, contest, pending)?
                        .ok_or(refuse(SignoffRefusal::ChildNotIn(*code)))?,
                };
                if digest != child.digest {
                    return Err(refuse(SignoffRefusal::ChildChanged(*code)));
                }
                if let Some(open) = unsettled_objection(&self.review, *code, contest) {
                    return Err(refuse(open));
                }
            }
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            live.tallies.region(contest, region)
        } else {
            self.signoffs.children_sum(statement).map_err(refuse)?
        };
        check_sum(&statement.totals, &sum).map_err(refuse)
    }
}
