//! Replaying the recap's sign-offs (docs/log-entries.md, "The recap"): a
//! `signoff` confirmation is applied only if its signature verifies, its
//! signer is a commissioner's key of the region and level at `logged_at`
//! (`saksi_statement::Registry`), the sign-offs allow it (the region is not
//! locked, the statement is the pending one, the key has not confirmed it:
//! `saksi_statement::Signoffs`, the rules the server applies), each child
//! it names is what the log says it is at that point, no objection below
//! is left open, and its totals are the sum of the children it names.
//!
//! The auditor holds no election frame, so for a kecamatan it recounts
//! what the forms say (`pengguna_total_j`, `suara_sah`, `suara_tidak_sah`,
//! `suara_total`, the votes per option) and checks `tps_expected` and
//! `tps_reported` against the children named; `dpt` is taken as stated,
//! and that every TPS of the kecamatan is named is the server's check.

use saksi_core::Level;
use saksi_core::tally::{FIXED, Totals};
use saksi_statement::recap::signoffs::{check_sum, unsettled_objection};
use saksi_statement::recap::{Applied, Confirmation, SignoffRefusal, SignoffStatement};

use crate::entry::SignoffEntry;
use crate::forms::option_name;
use crate::ledger::Ledger;
use crate::report::Discrepancy;

impl Ledger {
    /// Replays one commissioner's confirmation.
    pub(crate) fn signoff(
        &mut self,
        index: u64,
        s: SignoffEntry,
        mut problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &s.statement;
        let at = s.signed.logged_at;
        problems.extend(self.signature_problem(&s.signed));
        if let Err(refusal) =
            self.registry
                .check_commissioner(&s.signed.signer, statement.region, at)
        {
            problems.push(format!(
                "the key chain refuses its signer {} at {at}: {refusal}",
                s.signed.signer
            ));
        }
        let key_id = s.signed.signer.key_id();
        let registered = self.registry.commissioners(statement.region, index, at);
        let checked = self
            .signoffs
            .check(statement, s.digest, key_id, registered)
            .and_then(|()| self.children(statement));
        if let Err(refusal) = checked {
            problems.push(format!("the sign-offs refuse it: {refusal}"));
        }
        if !problems.is_empty() {
            self.stats.signoffs_refused += 1;
            let subject = format!("signoff v1 of {} {}", statement.contest, statement.region);
            Discrepancy::each(found, index, &subject, problems, " (not applied)");
            return;
        }
        self.stats.confirmations += 1;
        let confirmation = Confirmation {
            key_id,
            log_index: index,
        };
        if self.signoffs.apply(statement, s.digest, confirmation, at) == Applied::Final {
            self.stats.signoffs_final[statement.region.level().depth()] += 1;
        }
    }

    /// Each child as the log has it now, and the totals as their sum.
    fn children(&self, statement: &SignoffStatement) -> Result<(), SignoffRefusal> {
        if statement.region.level() != Level::Kecamatan {
            let sum = self.signoffs.children_sum(statement)?;
            return check_sum(&statement.totals, &sum);
        }
        let contest = statement.contest;
        let mut sum = Totals {
            fixed: [0; FIXED.len()],
            options: Vec::new(),
        };
        for child in &statement.children {
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
        check_sum(&voted(&statement.totals), &voted(&sum))
    }
}
