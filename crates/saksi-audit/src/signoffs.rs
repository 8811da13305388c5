//! Replaying the recap's sign-offs (docs/log-entries.md, "The recap"): a
//! `signoff` confirmation is applied only if its signature verifies, its
//! signer is a commissioner's key of the region and level at `logged_at`
//! (`saksi_statement::Registry`), the sign-offs allow it (the region is not
//! locked, the statement is the pending one, the key has not confirmed it:
//! `saksi_statement::Signoffs`, the rules the server applies), each child
//! it names is what the log says it is at that point, no objection below
//! is left open, and its totals are the sum of the children it names. A
//! `reopen` confirmation is applied only if its signer is a commissioner
//! of the level above and the region is final with the sign-off it names;
//! at its `k`-th key it voids the region's final sign-off and those above.
//!
//! The auditor holds no election frame, so for a kecamatan it recounts
//! what the forms say (`pengguna_total_j`, `suara_sah`, `suara_tidak_sah`,
//! `suara_total`, the votes per option) and checks `tps_expected` and
//! `tps_reported` against the children named; `dpt` is taken as stated,
//! and that every TPS of the kecamatan is named is the server's check.

use saksi_core::tally::{FIXED, Totals};
use saksi_core::{Level, RegionCode};
use saksi_statement::recap::signoffs::{sum_differences, unsettled_objection};
use saksi_statement::recap::{
    Applied, Confirmation, ReopenStatement, SignoffRefusal, SignoffStatement,
};

use crate::entry::{NoFormEntry, ReopenEntry, Signed, SignoffEntry};
use crate::forms::option_name;
use crate::ledger::Ledger;
use crate::report::Discrepancy;

impl Ledger {
    /// Replays one commissioner's confirmation.
    pub(crate) fn signoff(
        &mut self,
        index: u64,
        s: SignoffEntry,
        problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &s.statement;
        let subject = format!("signoff v1 of {} {}", statement.contest, statement.region);
        let mut summing = std::time::Duration::ZERO;
        let checked = self.confirmation(
            index,
            &s.signed,
            statement.region,
            (problems, found, &subject),
            |ledger, key_id, registered| {
                ledger
                    .signoffs
                    .check(statement, s.digest, key_id, registered)
                    .map_err(|refusal| vec![refusal])?;
                let started = std::time::Instant::now();
                let children = ledger.children(statement);
                summing = started.elapsed();
                children
            },
        );
        self.stats.signoff_sums += summing;
        let Some(confirmation) = checked else {
            return;
        };
        let at = s.signed.logged_at;
        if self.signoffs.apply(statement, s.digest, confirmation, at) == Applied::Final {
            self.stats.signoffs_final[statement.region.level().depth()] += 1;
        }
    }

    /// Replays one commissioner's confirmation of a reopen: a
    /// commissioner of the level above, of a region final with the
    /// sign-off named.
    pub(crate) fn reopen(
        &mut self,
        index: u64,
        r: ReopenEntry,
        problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &r.statement;
        let subject = format!("reopen v1 of {} {}", statement.contest, statement.region);
        let checked = self.confirmation(
            index,
            &r.signed,
            ReopenStatement::by_region(statement.region),
            (problems, found, &subject),
            |ledger, key_id, registered| {
                ledger
                    .signoffs
                    .check_reopen(statement, r.digest, key_id, registered)
                    .map_err(|refusal| vec![refusal])
            },
        );
        if let Some(confirmation) = checked
            && self
                .signoffs
                .apply_reopen(statement, r.digest, confirmation)
                == Applied::Final
        {
            self.stats.reopens += 1;
        }
    }

    /// Replays a PPK member's reason why a TPS has no form.
    pub(crate) fn no_form(
        &mut self,
        index: u64,
        n: NoFormEntry,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &n.statement;
        let at = n.signed.logged_at;
        problems.extend(self.signature_problem(&n.signed));
        if let Err(refusal) = self
            .registry
            .check_ppk_member(&n.signed.signer, statement.tps, at)
        {
            problems.push(format!(
                "the key chain refuses its signer {} at {at}: {refusal}",
                n.signed.signer
            ));
        }
        let has_form = self
            .forms
            .current(statement.tps, statement.contest)
            .is_some();
        if let Err(refusal) =
            self.signoffs
                .check_no_form(statement, has_form, self.incidents.book())
        {
            problems.push(format!("the sign-offs refuse it: {refusal}"));
        }
        if !problems.is_empty() {
            self.stats.signoffs_refused += 1;
            let subject = format!("no_form v1 of {} {}", statement.tps, statement.contest);
            Discrepancy::each(found, index, &subject, problems, " (not applied)");
            return;
        }
        self.stats.no_forms += 1;
        self.signoffs.apply_no_form(statement, n.digest, index);
    }

    /// What a sign-off's and a reopen's confirmations both pass: the
    /// signature, a commissioner's key of `by` at `logged_at`, and the
    /// sign-offs' own check (`check`, given the key id and the
    /// commissioners registered for `by`, refusing for one reason or, for
    /// totals that are not the sum, for each count that differs). The
    /// confirmation to apply, or `None` with each problem reported under
    /// `subject`.
    fn confirmation(
        &mut self,
        index: u64,
        signed: &Signed,
        by: RegionCode,
        (mut problems, found, subject): (Vec<String>, &mut Vec<Discrepancy>, &str),
        check: impl FnOnce(&Ledger, u32, usize) -> Result<(), Vec<SignoffRefusal>>,
    ) -> Option<Confirmation> {
        let at = signed.logged_at;
        problems.extend(self.signature_problem(signed));
        if let Err(refusal) = self.registry.check_commissioner(&signed.signer, by, at) {
            problems.push(format!(
                "the key chain refuses its signer {} at {at}: {refusal}",
                signed.signer
            ));
        }
        let key_id = signed.signer.key_id();
        let registered = self.registry.commissioners(by, index, at);
        if let Err(refusals) = check(self, key_id, registered) {
            problems.extend(
                refusals
                    .iter()
                    .map(|refusal| format!("the sign-offs refuse it: {refusal}")),
            );
        }
        if !problems.is_empty() {
            self.stats.signoffs_refused += 1;
            Discrepancy::each(found, index, subject, problems, " (not applied)");
            return None;
        }
        self.stats.confirmations += 1;
        Some(Confirmation {
            key_id,
            log_index: index,
        })
    }

    /// Each child as the log has it now, and the totals as their sum:
    /// refused for the first child that is not, or for every count that
    /// is not the sum (a forger's changes are named, not only the first).
    fn children(&self, statement: &SignoffStatement) -> Result<(), Vec<SignoffRefusal>> {
        let (stated, sum) = self.children_sum(statement).map_err(|r| vec![r])?;
        let differences = sum_differences(&stated, &sum);
        if differences.is_empty() {
            Ok(())
        } else {
            Err(differences)
        }
    }

    /// The totals as stated and the sum of the children named, each child
    /// as the log has it now.
    fn children_sum(
        &self,
        statement: &SignoffStatement,
    ) -> Result<(Totals, Totals), SignoffRefusal> {
        if statement.region.level() != Level::Kecamatan {
            let sum = self.signoffs.children_sum(statement)?;
            return Ok((statement.totals.clone(), sum));
        }
        let contest = statement.contest;
        let mut sum = Totals {
            fixed: [0; FIXED.len()],
            options: Vec::new(),
        };
        for child in &statement.children {
            if let Some(no_form) = self.signoffs.no_form(contest, child.code) {
                if !no_form.reason.settles() {
                    return Err(SignoffRefusal::ChildNotIn(child.code));
                }
                if no_form.digest != child.digest {
                    return Err(SignoffRefusal::ChildChanged(child.code));
                }
                // In, with no votes: it counts as expected, not reported.
                sum.fixed[5] += 1;
                continue;
            }
            let slot = self
                .forms
                .current(child.code, contest)
                .filter(|s| !s.excluded)
                .ok_or(SignoffRefusal::ChildNotIn(child.code))?;
            if slot.digest != child.digest {
                return Err(SignoffRefusal::ChildChanged(child.code));
            }
            if let Some(o) = unsettled_objection(&self.review, child.code, contest) {
                return Err(o);
            }
            let counts = slot.counts.map(u64::from);
            let form = Totals {
                fixed: [0, counts[0], counts[1], counts[2], counts[3], 1, 1],
                options: self
                    .forms
                    .options(slot)
                    .map(|(key, votes)| (option_name(key), u64::from(votes)))
                    .collect(),
            };
            sum.add(&form);
        }
        sum.fixed[0] = statement.totals.fixed[0];
        // Options with no vote may be listed or not (a ballot's empty box).
        let voted = |t: &Totals| Totals {
            fixed: t.fixed,
            options: t.options.iter().filter(|(_, v)| *v > 0).cloned().collect(),
        };
        Ok((voted(&statement.totals), voted(&sum)))
    }
}
