//! A leg's signed statements: its shipment, signed with the sender's key
//! (in parcels when a quantity is more than one shipment may carry, as a
//! large kab/kota's ballots are at national scale), and the receiver's
//! proof of delivery of each parcel, with what it rejects. Seal numbers
//! and times are the plan's, so the bytes are the same on every run.

use std::collections::BTreeMap;

use saksi_core::{Level, RegionCode};
use saksi_log::Signer;
use saksi_statement::logistics::{MAX_QUANTITY, MAX_SEALS, Received, RejectReason};
use saksi_statement::{DeliveryStatement, Envelope, ShipmentStatement};

use super::Chain;
use super::plan::{Cargo, Leg, calendar};
use crate::commands::demo_incidents::Failure;

/// Boxes a seal closes above the TPS: a truck's load. At a TPS each box
/// has its own.
const BOXES_PER_SEAL: u64 = 100;

impl Chain {
    /// The leg's shipments, one a parcel, and the key that signs them.
    pub(super) fn shipments(
        &self,
        leg: &Leg,
    ) -> Result<(Vec<ShipmentStatement>, &Signer), Failure> {
        let to = self.election.tree.get(leg.to).code;
        let (from, key, prefix) = self.sender(to).ok_or_else(|| no_key("sender", to))?;
        let dispatched_at = calendar(leg.dispatch);
        let mut seal = 0;
        let shipments = parcels(&self.cargo(leg))
            .into_iter()
            .map(|items| {
                let boxes = ["box", "ksk-box"]
                    .iter()
                    .filter_map(|b| items.get(*b))
                    .sum::<u64>();
                let count = match (leg.cargo, to.level()) {
                    (Cargo::Replacement { .. }, _) => 1,
                    (Cargo::Kit, Level::Tps) => boxes,
                    (Cargo::Kit, _) => boxes.div_ceil(BOXES_PER_SEAL),
                }
                .clamp(1, MAX_SEALS as u64);
                let tag = if leg.cargo == Cargo::Kit { "" } else { "R" };
                let seals = (0..count)
                    .map(|_| {
                        seal += 1;
                        format!("{prefix}-{}-{tag}{seal}", to.compact())
                    })
                    .collect();
                ShipmentStatement {
                    origin: self.keys.origin().to_owned(),
                    from,
                    to,
                    items,
                    seals,
                    dispatched_at,
                    due_at: calendar(leg.due),
                    signed_at: dispatched_at,
                }
            })
            .collect();
        Ok((shipments, key))
    }

    /// The receiver's deliveries of the leg's shipments, logged at `ids`,
    /// and the key that signs them. A damaged item's seal is left out of
    /// the seals found intact.
    pub(super) fn deliveries(
        &self,
        leg: &Leg,
        ids: &[u64],
    ) -> Result<(Vec<DeliveryStatement>, &Signer), Failure> {
        let to = self.election.tree.get(leg.to).code;
        let key = self.receiver(leg).ok_or_else(|| no_key("receiver", to))?;
        let (shipments, _) = self.shipments(leg)?;
        let names = self.allocation.items();
        let mut left = leg.reject.map_or(0, |r| r.quantity);
        let received_at = calendar(leg.received);
        let deliveries = shipments
            .iter()
            .zip(ids)
            .map(|(shipment, id)| {
                let mut broken = false;
                let items = shipment
                    .items
                    .iter()
                    .map(|(name, n)| {
                        let reject = leg.reject.filter(|r| names[r.item] == *name);
                        let rejected = reject.map_or(0, |_| left.min(*n));
                        left -= rejected;
                        let reason = reject.filter(|_| rejected > 0).map(|r| r.reason);
                        broken |= reason == Some(RejectReason::Damaged);
                        let received = Received {
                            accepted: n - rejected,
                            rejected,
                            reason,
                        };
                        (name.clone(), received)
                    })
                    .collect();
                DeliveryStatement {
                    origin: self.keys.origin().to_owned(),
                    shipment: *id,
                    items,
                    seals_checked: shipment.seals[usize::from(broken)..].to_vec(),
                    photos: vec![],
                    received_at,
                    signed_at: received_at,
                }
            })
            .collect();
        Ok((deliveries, key))
    }

    /// What the leg carries, by item.
    fn cargo(&self, leg: &Leg) -> BTreeMap<String, u64> {
        match leg.cargo {
            Cargo::Kit => self
                .allocation
                .named(&self.election, leg.to)
                .into_iter()
                .map(|(item, n)| (item.to_owned(), n))
                .collect(),
            Cargo::Replacement { item, quantity, .. } => {
                [(self.allocation.items()[item].clone(), quantity)].into()
            }
        }
    }

    /// Who ships to `to`: its office's region, key and seal prefix (a
    /// supplier's `PRN`, the commission's offices' `KPU`).
    fn sender(&self, to: RegionCode) -> Option<(RegionCode, &Signer, &'static str)> {
        if to.level() == Level::Kabkota {
            return Some((to, self.offices.supplier(to)?, "PRN"));
        }
        let from = to.parent()?;
        let key = match from.level() {
            Level::Kabkota => self.keys.kabkota(from)?,
            _ => self.offices.office(from)?,
        };
        Some((from, key, "KPU"))
    }

    /// Who signs the leg's delivery: the receiving office's key, at a TPS
    /// its KPPS device's.
    fn receiver(&self, leg: &Leg) -> Option<&Signer> {
        let to = self.election.tree.get(leg.to).code;
        match to.level() {
            Level::Kabkota => self.keys.kabkota(to),
            Level::Tps => self.keys.kpps(leg.to),
            _ => self.offices.office(to),
        }
    }
}

/// A statement signed with `key`, as the POST body.
pub(super) fn signed(
    statement: serde_json::Map<String, serde_json::Value>,
    key: &Signer,
) -> Result<Vec<u8>, Failure> {
    let envelope = Envelope::sign(statement, key).map_err(|e| Failure::Local(e.into()))?;
    Ok(envelope.to_value().to_string().into_bytes())
}

fn no_key(whose: &str, to: RegionCode) -> Failure {
    Failure::Local(anyhow::anyhow!(
        "the demo holds no key of the {whose} of a shipment to {to}"
    ))
}

/// `items` in as few parcels as keep every quantity within what one
/// shipment may carry ([`MAX_QUANTITY`]), each item spread evenly.
fn parcels(items: &BTreeMap<String, u64>) -> Vec<BTreeMap<String, u64>> {
    let most = items.values().copied().max().unwrap_or(0);
    let n = most.div_ceil(MAX_QUANTITY).max(1);
    (0..n)
        .map(|p| {
            items
                .iter()
                .filter_map(|(name, q)| {
                    let share = q / n + u64::from(p < q % n);
                    (share > 0).then(|| (name.clone(), share))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cargo_above_what_one_shipment_carries_goes_in_even_parcels_that_add_up() {
        let items: BTreeMap<String, u64> = [
            ("ballot-ppwp".to_owned(), 2 * MAX_QUANTITY + 1),
            ("booth".to_owned(), 2),
        ]
        .into();
        let split = parcels(&items);
        assert_eq!(split.len(), 3);
        for name in items.keys() {
            let total: u64 = split.iter().filter_map(|p| p.get(name)).sum();
            assert_eq!(total, items[name], "{name}");
        }
        assert!(split.iter().all(|p| p.values().all(|q| *q <= MAX_QUANTITY)));
        assert!(!split[2].contains_key("booth"), "no parcel carries 0");
        let small: BTreeMap<String, u64> = [("box".to_owned(), 5)].into();
        assert_eq!(parcels(&small), vec![small]);
    }
}
