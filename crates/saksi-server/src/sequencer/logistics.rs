//! Deciding the logistics chain's facts against [`Logistics`] as it stands
//! after the earlier commands of the batch: a shipment by the sending
//! office's key (or a supplier's to its own kab/kota), one level down and
//! within the sender's stock; a delivery by the receiving office's key, of
//! a shipment not yet delivered, accounting for every item shipped. The
//! signer must be registered, unrevoked and valid at this time
//! ([`saksi_statement::Registry::authority`]); the rest is
//! [`Logistics`]'s, the rules `saksi audit` replays. Each decided change is
//! applied to the sequencer's copy at once, so later commands of the batch
//! see it (a second delivery of one shipment in the same batch is
//! refused), and to the readers' copy once the batch is durable; a batch
//! that failed to commit is undone by reading the state back from the
//! store ([`logistics_from_store`]).

use saksi_api::{RecapAccepted, Receipt};
use saksi_core::logistics::reconcile::{Reconciliation, ballot_contest};
use saksi_core::time::UnixTime;
use saksi_core::{Election, Level};
use saksi_log::Verifier;
use saksi_statement::{
    Authority, DeliveryStatement, Entry, Logistics, LogisticsRefusal, ShipmentStatement, Signed,
    Statement,
};
use saksi_store::{PhotoName, Store};

use super::Sequencer;
use super::decision::{Accepted, Refused};
use super::reload::ReloadError;
use super::run::{Pending, log_entry};
use crate::readiness::Readiness;

/// A shipment, its signature verified by the handler.
#[derive(Debug)]
pub struct ShipmentFact {
    pub signed: Signed<ShipmentStatement>,
    pub signer: Verifier,
}

/// A proof of delivery, its signature verified by the handler.
#[derive(Debug)]
pub struct DeliveryFact {
    pub signed: Signed<DeliveryStatement>,
    pub signer: Verifier,
}

/// A change the logistics state takes, logged at its index.
#[derive(Debug, Clone)]
pub(super) enum LogisticsChange {
    Shipment(Box<ShipmentStatement>, u64),
    Delivery(Box<DeliveryStatement>, u64),
}

impl LogisticsChange {
    pub(super) fn apply(&self, logistics: &mut Logistics) {
        match self {
            LogisticsChange::Shipment(s, at) => logistics.apply_shipment(s, *at),
            LogisticsChange::Delivery(d, at) => logistics.apply_delivery(d, *at),
        }
    }

    /// Applies the change to the readers' copy and moves the readiness
    /// counters with it.
    pub(super) fn apply_read(&self, logistics: &mut Logistics, readiness: &mut Readiness) {
        match self {
            LogisticsChange::Shipment(s, _) => {
                self.apply(logistics);
                readiness.shipped(s.to);
            }
            LogisticsChange::Delivery(d, _) => {
                let to = logistics.shipment(d.shipment).map(|s| s.to);
                let before = to.and_then(|to| readiness.held_before(logistics, to));
                self.apply(logistics);
                if let Some(to) = to {
                    readiness.delivered(logistics, to, before.as_deref());
                }
            }
        }
    }

    /// Counts the ballots a delivery into a TPS accepted as received,
    /// once `logistics` holds the change.
    pub(super) fn reconcile(
        &self,
        election: &Election,
        logistics: &Logistics,
        reconciliation: &mut Reconciliation,
    ) {
        let LogisticsChange::Delivery(d, _) = self else {
            return;
        };
        let Some(to) = logistics.shipment(d.shipment).map(|s| s.to) else {
            return;
        };
        let Some(tps) = election.tree.find(to).filter(|_| to.level() == Level::Tps) else {
            return;
        };
        for (item, r) in &d.items {
            if let Some(contest) = ballot_contest(item) {
                reconciliation.add_received(&election.tree, tps, contest, r.accepted);
            }
        }
    }
}

/// The reconciliation of the forms already in it with the ballots every
/// TPS holds: a TPS never ships, so what it holds is what it accepted.
pub fn received_from(
    election: &Election,
    logistics: &Logistics,
    reconciliation: &mut Reconciliation,
) {
    for (code, held) in logistics.stocks().filter(|(c, _)| c.level() == Level::Tps) {
        let Some(tps) = election.tree.find(code) else {
            continue;
        };
        for (item, n) in held {
            if let Some(contest) = ballot_contest(item) {
                reconciliation.add_received(&election.tree, tps, contest, n);
            }
        }
    }
}

/// Every shipment, delivery and stock as the store's logistics entries
/// state them. They were checked when they were decided, so they are
/// applied as they are.
pub fn logistics_from_store(store: &dyn Store) -> Result<Logistics, ReloadError> {
    let mut logistics = Logistics::default();
    for e in store.logistics_entries()? {
        let corrupt = |reason: String| ReloadError::Corrupt {
            what: "logistics",
            index: e.index,
            reason,
        };
        match Entry::decode(&e.data).map_err(|err| corrupt(err.to_string()))? {
            Entry::ShipmentV1(s) => logistics.apply_shipment(&s.signed.statement, e.index),
            Entry::DeliveryV1(d) => logistics.apply_delivery(&d.signed.statement, e.index),
            other => {
                return Err(corrupt(format!(
                    "a {} entry, not a shipment or a delivery",
                    other.kind()
                )));
            }
        }
    }
    Ok(logistics)
}

impl Sequencer {
    pub(super) fn decide_shipment(
        &mut self,
        fact: ShipmentFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let ShipmentFact { signed, signer } = fact;
        let receipt = self.log_logistics(&signed, &signer, (log_index, now), pending, |l, a| {
            l.check_shipment(&signed.statement, a)
        })?;
        self.note_logistics(
            LogisticsChange::Shipment(Box::new(signed.statement), log_index),
            pending,
        );
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    pub(super) fn decide_delivery(
        &mut self,
        fact: DeliveryFact,
        log_index: u64,
        now: UnixTime,
        pending: &mut Pending,
    ) -> Result<Accepted, Refused> {
        let DeliveryFact { signed, signer } = fact;
        let receipt = self.log_logistics(&signed, &signer, (log_index, now), pending, |l, a| {
            l.check_delivery(&signed.statement, a).map(drop)
        })?;
        // The photos the entry names may now be uploaded (README: Photos).
        pending.batch.photos.extend(
            signed
                .statement
                .photos
                .iter()
                .map(|&sha256| PhotoName { sha256, log_index }),
        );
        self.note_logistics(
            LogisticsChange::Delivery(Box::new(signed.statement), log_index),
            pending,
        );
        Ok(Accepted::Recap(RecapAccepted { log_index, receipt }))
    }

    /// Decides a logistics fact signed by `signer`: the key valid now,
    /// then `rule` given its authority. If both allow it, adds its entry
    /// to the batch, marked for the start-up replay; its unsigned receipt.
    fn log_logistics<S: Statement>(
        &self,
        signed: &Signed<S>,
        signer: &Verifier,
        (log_index, now): (u64, UnixTime),
        pending: &mut Pending,
        rule: impl FnOnce(&Logistics, Authority) -> Result<(), LogisticsRefusal>,
    ) -> Result<Receipt, Refused> {
        let authority = self
            .registry
            .authority(signer, now)
            .map_err(Refused::Chain)?;
        rule(&self.logistics, authority).map_err(Refused::Logistics)?;
        pending.batch.logistics.push(log_index);
        Ok(log_entry(
            signed.entry(now),
            log_index,
            now,
            Some(signed.sha256()),
            pending,
        ))
    }

    /// Applies a decided change to the sequencer's copy now and to the
    /// readers' once durable.
    fn note_logistics(&mut self, change: LogisticsChange, pending: &mut Pending) {
        change.apply(&mut self.logistics);
        pending.logistics.push(change);
    }
}
