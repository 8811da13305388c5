//! The logistics chain's state and rules: every shipment and whether it
//! was delivered, and every office's stock (accepted deliveries in, minus
//! shipments out). The server's sequencer and `saksi audit` hold one
//! [`Logistics`] each and feed it the log's shipments and deliveries in
//! log order; both refuse exactly what it refuses. Whether the signing
//! key is registered, unrevoked and valid is the key chain's question
//! ([`crate::Registry::authority`]), asked by the caller, which hands the
//! answer in; which office it may sign for is decided here.
//!
//! The rules (docs/logistics.md):
//!
//! - a shipment goes one level down the chain, from a kab/kota to one of
//!   its kecamatan, a kecamatan to one of its desa, a desa to one of its
//!   TPS, signed by the sending office's key (`kpu-kabkota`, `ppk`, `pps`
//!   of `from`); or from a supplier to the kab/kota it is registered for
//!   (`from` = `to`), signed by its `supplier` key;
//! - an office ships only what it holds: its stock of each item is at
//!   least the quantity shipped, and shipping takes it out at once (in
//!   transit it is nobody's). A supplier's stock is not kept: it ships
//!   what it made;
//! - a shipment is delivered once, by the receiving office's key (at a
//!   TPS, its KPPS device), accounting for every item exactly (`accepted +
//!   rejected` = shipped) and checking only seals that were shipped; what
//!   is accepted enters the receiver's stock, what is rejected nobody's.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use saksi_core::RegionCode;

use super::delivery::DeliveryStatement;
use super::shipment::ShipmentStatement;
use crate::key::KeyRole;
use crate::registry::Authority;

/// A logged shipment, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub from: RegionCode,
    pub to: RegionCode,
    /// What was shipped, by item name, sorted.
    pub items: Box<[(Arc<str>, u64)]>,
    pub seals: Box<[Box<str>]>,
    /// The log index of its delivery, once delivered.
    pub delivery: Option<u64>,
}

/// Why the logistics rules refuse a fact. Each maps to one stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogisticsRefusal {
    #[error(
        "a shipment goes from a kab/kota, kecamatan or desa to one of its own regions one level down (or from a supplier to its own kab/kota), not from {from} to {to}"
    )]
    NotNextLevel { from: RegionCode, to: RegionCode },
    #[error(
        "a shipment from {from} to {to} is signed by {}",
        sender_description(*.from, *.to)
    )]
    NotSender { from: RegionCode, to: RegionCode },
    #[error("{from} holds {held} of {item}, not the {asked} shipped")]
    InsufficientStock {
        from: RegionCode,
        item: String,
        held: u64,
        asked: u64,
    },
    #[error("no shipment was logged at index {0}")]
    ShipmentNotFound(u64),
    #[error("shipment {shipment} was already delivered (log index {at})")]
    AlreadyDelivered { shipment: u64, at: u64 },
    #[error("shipment to {to} is delivered by {}", receiver_description(*.to))]
    NotReceiver { to: RegionCode },
    #[error(
        "item {item}: {shipped} shipped, the delivery accounts for {stated} (accepted + rejected)"
    )]
    ItemsMismatch {
        item: String,
        shipped: u64,
        stated: u64,
    },
    #[error("seal {0} was not shipped: `seals_checked` lists the shipment's seals found intact")]
    SealNotShipped(String),
}

/// Who signs a shipment from `from` to `to`, in words.
fn sender_description(from: RegionCode, to: RegionCode) -> String {
    if from == to {
        return format!("a supplier key registered for {from}");
    }
    match KeyRole::office(from.level()) {
        Some(role) => format!("a {} key registered for {from}", role.id()),
        None => "no key".into(),
    }
}

/// Who signs the delivery of a shipment to `to`, in words.
fn receiver_description(to: RegionCode) -> String {
    match KeyRole::office(to.level()) {
        Some(role) => format!("the {} key registered for {to}", role.id()),
        None => "no key".into(),
    }
}

/// Every shipment of a log and every office's stock.
#[derive(Debug, Clone, Default)]
pub struct Logistics {
    /// By the log index of the shipment's entry.
    shipments: HashMap<u64, Shipment>,
    /// Per office, per item, what it holds.
    stock: HashMap<RegionCode, BTreeMap<Arc<str>, u64>>,
    /// Item names, each kept once however many shipments name it.
    names: HashSet<Arc<str>>,
    deliveries: u64,
}

impl Logistics {
    /// Checks a shipment signed by `signer` (as the key chain found it at
    /// the shipment's time) against the chain and the sender's stock.
    pub fn check_shipment(
        &self,
        statement: &ShipmentStatement,
        signer: Authority,
    ) -> Result<(), LogisticsRefusal> {
        let (from, to) = (statement.from, statement.to);
        let supplier = statement.by_supplier();
        if !super::shipment::is_next_level(from, to) {
            return Err(LogisticsRefusal::NotNextLevel { from, to });
        }
        let role = if supplier {
            Some(KeyRole::Supplier)
        } else {
            KeyRole::office(from.level())
        };
        match signer {
            Authority::Key(r) if Some(r.role) == role && r.region == from => {}
            _ => return Err(LogisticsRefusal::NotSender { from, to }),
        }
        if supplier {
            return Ok(());
        }
        for (item, &asked) in &statement.items {
            let held = self.held(from, item);
            if held < asked {
                return Err(LogisticsRefusal::InsufficientStock {
                    from,
                    item: item.clone(),
                    held,
                    asked,
                });
            }
        }
        Ok(())
    }

    /// Records a checked shipment logged at `log_index`: the sender's
    /// stock (not a supplier's) gives up what it shipped.
    pub fn apply_shipment(&mut self, statement: &ShipmentStatement, log_index: u64) {
        let items: Box<[(Arc<str>, u64)]> = statement
            .items
            .iter()
            .map(|(name, n)| (self.intern(name), *n))
            .collect();
        if !statement.by_supplier() {
            let stock = self.stock.entry(statement.from).or_default();
            for (name, n) in &items {
                if let Some(held) = stock.get_mut(name) {
                    *held = held.saturating_sub(*n);
                }
            }
        }
        self.shipments.insert(
            log_index,
            Shipment {
                from: statement.from,
                to: statement.to,
                items,
                seals: statement.seals.iter().map(|s| s.as_str().into()).collect(),
                delivery: None,
            },
        );
    }

    /// The shipment a delivery signed by `signer` is for, if it may
    /// deliver it: the shipment exists and is not delivered yet, the
    /// signer is the receiving office's key, every item shipped is
    /// accounted for exactly and no other, and only shipped seals are
    /// checked.
    pub fn check_delivery(
        &self,
        statement: &DeliveryStatement,
        signer: Authority,
    ) -> Result<&Shipment, LogisticsRefusal> {
        let id = statement.shipment;
        let shipment = self
            .shipments
            .get(&id)
            .ok_or(LogisticsRefusal::ShipmentNotFound(id))?;
        if let Some(at) = shipment.delivery {
            return Err(LogisticsRefusal::AlreadyDelivered { shipment: id, at });
        }
        let to = shipment.to;
        match signer {
            Authority::Key(r) if Some(r.role) == KeyRole::office(to.level()) && r.region == to => {}
            _ => return Err(LogisticsRefusal::NotReceiver { to }),
        }
        let shipped: BTreeMap<&str, u64> = shipment
            .items
            .iter()
            .map(|(name, n)| (name.as_ref(), *n))
            .collect();
        let mismatch = |item: &str, shipped: u64, stated: u64| LogisticsRefusal::ItemsMismatch {
            item: item.to_owned(),
            shipped,
            stated,
        };
        for (item, &n) in &shipped {
            let stated = statement
                .items
                .get(*item)
                .map_or(0, |r| r.accepted.saturating_add(r.rejected));
            if stated != n {
                return Err(mismatch(item, n, stated));
            }
        }
        if let Some((item, r)) = statement
            .items
            .iter()
            .find(|(item, _)| !shipped.contains_key(item.as_str()))
        {
            return Err(mismatch(item, 0, r.accepted.saturating_add(r.rejected)));
        }
        if let Some(seal) = statement.seals_checked.iter().find(|s| {
            !shipment
                .seals
                .iter()
                .any(|shipped| shipped.as_ref() == s.as_str())
        }) {
            return Err(LogisticsRefusal::SealNotShipped(seal.clone()));
        }
        Ok(shipment)
    }

    /// Records a checked delivery logged at `log_index`: the receiver's
    /// stock takes what it accepted.
    pub fn apply_delivery(&mut self, statement: &DeliveryStatement, log_index: u64) {
        let Some(to) = self.shipments.get(&statement.shipment).map(|s| s.to) else {
            return;
        };
        for (name, r) in &statement.items {
            if r.accepted > 0 {
                let name = self.intern(name);
                *self.stock.entry(to).or_default().entry(name).or_default() += r.accepted;
            }
        }
        if let Some(s) = self.shipments.get_mut(&statement.shipment) {
            s.delivery = Some(log_index);
            self.deliveries += 1;
        }
    }

    /// A shipment by the log index of its entry.
    pub fn shipment(&self, id: u64) -> Option<&Shipment> {
        self.shipments.get(&id)
    }

    /// What the office of `code` holds of each item it holds any of.
    pub fn stock(&self, code: RegionCode) -> impl Iterator<Item = (&str, u64)> {
        self.stock
            .get(&code)
            .into_iter()
            .flatten()
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| (name.as_ref(), *n))
    }

    /// Every office or TPS that holds anything, with what it holds: a
    /// starting server's readiness counters begin from them.
    pub fn stocks(&self) -> impl Iterator<Item = (RegionCode, impl Iterator<Item = (&str, u64)>)> {
        self.stock.keys().map(|code| (*code, self.stock(*code)))
    }

    /// The receiver of every shipment not delivered yet.
    pub fn undelivered(&self) -> impl Iterator<Item = RegionCode> + '_ {
        self.shipments
            .values()
            .filter(|s| s.delivery.is_none())
            .map(|s| s.to)
    }

    /// Shipments logged, and of them those delivered.
    pub fn counts(&self) -> (u64, u64) {
        (self.shipments.len() as u64, self.deliveries)
    }

    fn held(&self, office: RegionCode, item: &str) -> u64 {
        self.stock
            .get(&office)
            .and_then(|s| s.get(item))
            .copied()
            .unwrap_or(0)
    }

    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(known) = self.names.get(name) {
            return known.clone();
        }
        let name: Arc<str> = name.into();
        self.names.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use saksi_core::time::UnixTime;

    use super::*;
    use crate::logistics::delivery::{Received, RejectReason};
    use crate::registry::KeyRecord;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn key(role: KeyRole, region: &str) -> Authority {
        Authority::Key(KeyRecord {
            key_id: 1,
            role,
            region: code(region),
            valid_from: UnixTime(0),
            valid_until: UnixTime(i64::MAX),
            registered_at: 0,
            revoked_at: None,
            commissioner: false,
        })
    }

    fn ship(from: &str, to: &str, items: &[(&str, u64)]) -> ShipmentStatement {
        ShipmentStatement {
            origin: "o".into(),
            from: code(from),
            to: code(to),
            items: items.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect(),
            seals: vec!["S-1".into(), "S-2".into()],
            dispatched_at: UnixTime(1_707_400_000),
            due_at: UnixTime(1_707_500_000),
            signed_at: UnixTime(1_707_400_000),
        }
    }

    fn deliver(shipment: u64, items: &[(&str, u64, u64)]) -> DeliveryStatement {
        DeliveryStatement {
            origin: "o".into(),
            shipment,
            items: items
                .iter()
                .map(|(i, a, r)| {
                    let reason = (*r > 0).then_some(RejectReason::Damaged);
                    let received = Received {
                        accepted: *a,
                        rejected: *r,
                        reason,
                    };
                    ((*i).to_owned(), received)
                })
                .collect(),
            seals_checked: vec!["S-1".into()],
            photos: vec![],
            received_at: UnixTime(1_707_450_000),
            signed_at: UnixTime(1_707_450_000),
        }
    }

    /// Checks and applies, as the sequencer does.
    fn accept_shipment(
        l: &mut Logistics,
        s: &ShipmentStatement,
        by: Authority,
        at: u64,
    ) -> Result<(), LogisticsRefusal> {
        l.check_shipment(s, by)?;
        l.apply_shipment(s, at);
        Ok(())
    }

    fn accept_delivery(
        l: &mut Logistics,
        d: &DeliveryStatement,
        by: Authority,
        at: u64,
    ) -> Result<(), LogisticsRefusal> {
        l.check_delivery(d, by)?;
        l.apply_delivery(d, at);
        Ok(())
    }

    fn stock(l: &Logistics, region: &str) -> Vec<(String, u64)> {
        l.stock(code(region))
            .map(|(i, n)| (i.to_owned(), n))
            .collect()
    }

    #[test]
    fn kits_go_down_the_chain_one_level_a_step_and_stocks_follow_the_accepted_counts() {
        let mut l = Logistics::default();
        let supplier = key(KeyRole::Supplier, "11.01");
        let from_printer = ship("11.01", "11.01", &[("ballot-ppwp", 1000), ("box", 10)]);
        accept_shipment(&mut l, &from_printer, supplier, 10).unwrap();
        assert!(stock(&l, "11.01").is_empty(), "in transit: nobody's");
        let kab = key(KeyRole::KpuKabkota, "11.01");
        accept_delivery(
            &mut l,
            &deliver(10, &[("ballot-ppwp", 990, 10), ("box", 10, 0)]),
            kab,
            11,
        )
        .unwrap();
        assert_eq!(
            stock(&l, "11.01"),
            [("ballot-ppwp".into(), 990), ("box".into(), 10)]
        );
        let steps = [
            ("11.01", "11.01.01", key(KeyRole::KpuKabkota, "11.01")),
            ("11.01.01", "11.01.01.2001", key(KeyRole::Ppk, "11.01.01")),
            (
                "11.01.01.2001",
                "11.01.01.2001.001",
                key(KeyRole::Pps, "11.01.01.2001"),
            ),
        ];
        let receivers = [
            key(KeyRole::Ppk, "11.01.01"),
            key(KeyRole::Pps, "11.01.01.2001"),
            key(KeyRole::Kpps, "11.01.01.2001.001"),
        ];
        for (i, ((from, to, sender), receiver)) in steps.into_iter().zip(receivers).enumerate() {
            let at = 20 + 2 * i as u64;
            accept_shipment(&mut l, &ship(from, to, &[("ballot-ppwp", 255)]), sender, at).unwrap();
            accept_delivery(
                &mut l,
                &deliver(at, &[("ballot-ppwp", 255, 0)]),
                receiver,
                at + 1,
            )
            .unwrap();
            assert_eq!(stock(&l, to), [("ballot-ppwp".into(), 255)]);
            if from != "11.01" {
                assert!(stock(&l, from).is_empty(), "{from} shipped all it had");
            }
        }
        assert_eq!(
            stock(&l, "11.01"),
            [("ballot-ppwp".into(), 735), ("box".into(), 10)]
        );
        assert_eq!(l.counts(), (4, 4));
        assert_eq!(l.shipment(20).unwrap().delivery, Some(21));
    }

    #[test]
    fn a_shipment_goes_one_level_down_from_the_signer_s_own_office_and_within_its_stock() {
        let mut l = Logistics::default();
        let kab = key(KeyRole::KpuKabkota, "11.01");
        accept_shipment(
            &mut l,
            &ship("11.01", "11.01", &[("box", 4)]),
            key(KeyRole::Supplier, "11.01"),
            1,
        )
        .unwrap();
        accept_delivery(&mut l, &deliver(1, &[("box", 4, 0)]), kab, 2).unwrap();
        let cases = [
            // Skipping a level, sideways, up, to itself.
            (ship("11.01", "11.01.01.2001", &[("box", 1)]), kab),
            (ship("11.01", "11.02.01", &[("box", 1)]), kab),
            (
                ship("11.01.01", "11.01", &[("box", 1)]),
                key(KeyRole::Ppk, "11.01.01"),
            ),
            (
                ship("11.01.01", "11.01.01", &[("box", 1)]),
                key(KeyRole::Ppk, "11.01.01"),
            ),
        ];
        for (s, by) in cases {
            assert!(
                matches!(
                    l.check_shipment(&s, by),
                    Err(LogisticsRefusal::NotNextLevel { .. })
                ),
                "{} -> {}",
                s.from,
                s.to
            );
        }
        let down = ship("11.01", "11.01.01", &[("box", 1)]);
        for by in [
            key(KeyRole::KpuKabkota, "11.02"),
            key(KeyRole::Ppk, "11.01.01"),
            key(KeyRole::Supplier, "11.01"),
            key(KeyRole::KpuProv, "11"),
            Authority::Root,
        ] {
            assert_eq!(
                l.check_shipment(&down, by),
                Err(LogisticsRefusal::NotSender {
                    from: code("11.01"),
                    to: code("11.01.01")
                })
            );
        }
        assert!(matches!(
            l.check_shipment(&ship("11.01", "11.01", &[("box", 1)]), kab),
            Err(LogisticsRefusal::NotSender { .. })
        ));
        assert_eq!(l.check_shipment(&down, kab), Ok(()));
        assert_eq!(
            l.check_shipment(&ship("11.01", "11.01.01", &[("box", 5)]), kab),
            Err(LogisticsRefusal::InsufficientStock {
                from: code("11.01"),
                item: "box".into(),
                held: 4,
                asked: 5
            })
        );
        assert!(matches!(
            l.check_shipment(&ship("11.01", "11.01.01", &[("ink", 1)]), kab),
            Err(LogisticsRefusal::InsufficientStock { held: 0, .. })
        ));
        // What is shipped is gone from the sender at once.
        accept_shipment(&mut l, &ship("11.01", "11.01.01", &[("box", 3)]), kab, 3).unwrap();
        assert!(matches!(
            l.check_shipment(&ship("11.01", "11.01.02", &[("box", 2)]), kab),
            Err(LogisticsRefusal::InsufficientStock { held: 1, .. })
        ));
    }

    #[test]
    fn a_delivery_is_the_receiver_s_once_and_accounts_for_every_item_shipped() {
        let mut l = Logistics::default();
        let pps = key(KeyRole::Pps, "11.01.01.2001");
        let kpps = key(KeyRole::Kpps, "11.01.01.2001.001");
        l.apply_shipment(
            &ship(
                "11.01.01.2001",
                "11.01.01.2001.001",
                &[("box", 5), ("ink", 2)],
            ),
            7,
        );
        assert_eq!(
            l.check_delivery(&deliver(8, &[("box", 5, 0)]), kpps)
                .unwrap_err(),
            LogisticsRefusal::ShipmentNotFound(8)
        );
        let good = deliver(7, &[("box", 4, 1), ("ink", 2, 0)]);
        for by in [
            pps,
            key(KeyRole::Kpps, "11.01.01.2001.002"),
            key(KeyRole::Ppk, "11.01.01"),
            Authority::Root,
        ] {
            assert!(matches!(
                l.check_delivery(&good, by),
                Err(LogisticsRefusal::NotReceiver { .. })
            ));
        }
        for (items, item, shipped, stated) in [
            (vec![("box", 5, 0)], "ink", 2, 0),
            (vec![("box", 4, 0), ("ink", 2, 0)], "box", 5, 4),
            (vec![("box", 5, 1), ("ink", 2, 0)], "box", 5, 6),
            (
                vec![("box", 5, 0), ("ink", 2, 0), ("seal", 1, 0)],
                "seal",
                0,
                1,
            ),
        ] {
            assert_eq!(
                l.check_delivery(&deliver(7, &items), kpps).unwrap_err(),
                LogisticsRefusal::ItemsMismatch {
                    item: item.into(),
                    shipped,
                    stated
                }
            );
        }
        let mut forged_seal = good.clone();
        forged_seal.seals_checked = vec!["S-9".into()];
        assert_eq!(
            l.check_delivery(&forged_seal, kpps).unwrap_err(),
            LogisticsRefusal::SealNotShipped("S-9".into())
        );
        accept_delivery(&mut l, &good, kpps, 9).unwrap();
        assert_eq!(
            stock(&l, "11.01.01.2001.001"),
            [("box".into(), 4), ("ink".into(), 2)]
        );
        assert_eq!(
            l.check_delivery(&good, kpps).unwrap_err(),
            LogisticsRefusal::AlreadyDelivered { shipment: 7, at: 9 }
        );
    }
}
