//! Replaying the logistics chain (docs/log-entries.md, "Logistics"): a
//! `shipment` entry is applied only if its signature verifies, its signer
//! is a key registered, unrevoked and valid at `logged_at`
//! (`saksi_statement::Registry::authority`) of the sending office, the
//! shipment goes one level down the chain (or from a supplier to its own
//! kab/kota) and the sender holds what it ships, and both regions are in
//! the published list; a `delivery` entry only if its signature verifies,
//! its signer is the receiving office's key, the shipment exists and has
//! no delivery yet, and it accounts for every item shipped exactly
//! (`saksi_statement::Logistics`, the rules the server applies). A refused
//! entry moves no stock, so every office's stock is recomputed from the
//! entries that passed and never goes below zero.
//!
//! The auditor holds no allocation table, so it does not check that an
//! item is one the server's table names (the server refuses others); an
//! item's name has the table's form (docs/logistics.md) whoever reads it.

use saksi_statement::{Authority, Logistics, LogisticsRefusal};

use crate::entry::{DeliveryEntry, ShipmentEntry, Signed};
use crate::ledger::Ledger;
use crate::report::Discrepancy;

impl Ledger {
    /// Replays a shipment.
    pub(crate) fn shipment(
        &mut self,
        index: u64,
        s: ShipmentEntry,
        problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &s.statement;
        let mut problems = self.logistics_problems(&s.signed, problems, |logistics, signer| {
            logistics.check_shipment(statement, signer)
        });
        for region in [statement.from, statement.to] {
            if !self.regions.exists(region) {
                problems.push(format!("{region} is not in the published region list"));
            }
        }
        if !problems.is_empty() {
            let subject = format!("shipment v1 from {} to {}", statement.from, statement.to);
            self.logistics_refused(index, &subject, problems, found);
            return;
        }
        self.stats.shipments += 1;
        self.logistics.apply_shipment(statement, index);
    }

    /// Replays a proof of delivery.
    pub(crate) fn delivery(
        &mut self,
        index: u64,
        d: DeliveryEntry,
        problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        let statement = &d.statement;
        let problems = self.logistics_problems(&d.signed, problems, |logistics, signer| {
            logistics.check_delivery(statement, signer).map(|_| ())
        });
        if !problems.is_empty() {
            let subject = format!("delivery v1 of the shipment at {}", statement.shipment);
            self.logistics_refused(index, &subject, problems, found);
            return;
        }
        self.stats.deliveries += 1;
        self.logistics.apply_delivery(statement, index);
    }

    /// `problems` and what a logistics entry signed by `signed` fails:
    /// its signature, the key chain at its `logged_at`, and `rule` given
    /// the signer's authority.
    fn logistics_problems(
        &mut self,
        signed: &Signed,
        mut problems: Vec<String>,
        rule: impl FnOnce(&Logistics, Authority) -> Result<(), LogisticsRefusal>,
    ) -> Vec<String> {
        let at = signed.logged_at;
        problems.extend(self.signature_problem(signed));
        match self.registry.authority(&signed.signer, at) {
            Ok(authority) => {
                if let Err(refusal) = rule(&self.logistics, authority) {
                    problems.push(format!("the logistics chain refuses it: {refusal}"));
                }
            }
            Err(refusal) => problems.push(format!(
                "the key chain refuses its signer {} at {at}: {refusal}",
                signed.signer
            )),
        }
        problems
    }

    fn logistics_refused(
        &mut self,
        index: u64,
        subject: &str,
        problems: Vec<String>,
        found: &mut Vec<Discrepancy>,
    ) {
        self.stats.logistics_refused += 1;
        Discrepancy::each(found, index, subject, problems, " (not applied)");
    }
}
