//! A shipment down the logistics chain, schema v1: `{"v": 1, "type":
//! "shipment", "origin", "from", "to", "items": {"<item>": n}, "seals":
//! [...], "dispatched_at", "due_at", "signed_at"}` (docs/statements.md),
//! signed by the sending office's key and logged as a signed `shipment` v1
//! entry, whose log index is the shipment's id.
//!
//! `from` is the sending office's region: a kab/kota (its KPU Kab/Kota's
//! warehouse), a kecamatan (its PPK) or a desa (its PPS); `to` the
//! receiving office's, one level down. A supplier (a printer or warehouse
//! registered for a kab/kota) ships to the kab/kota it serves: `from` and
//! `to` are both that kab/kota. Which pairs are allowed, and who signs, is
//! [`super::state`]'s rule; here, what a well-formed statement is.

use std::collections::BTreeMap;

use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use serde_json::{Map, Value, json};

use super::{quantity, read_items, read_seals};
use crate::read::Object;
use crate::{KeyRole, Statement, StatementError};

const MEMBERS: &[&str] = &[
    "dispatched_at",
    "due_at",
    "from",
    "items",
    "origin",
    "seals",
    "signed_at",
    "to",
];

/// A parsed shipment statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentStatement {
    pub origin: String,
    /// The sending office's region (for a supplier, the kab/kota it is
    /// registered for).
    pub from: RegionCode,
    /// The receiving office's region.
    pub to: RegionCode,
    /// Each item shipped and how many: 1 to 64 items, each 1 to 1,000,000.
    pub items: BTreeMap<String, u64>,
    /// The seal numbers of the sealed boxes, in the sender's order.
    pub seals: Vec<String>,
    pub dispatched_at: UnixTime,
    /// When it is due at the receiver; not before `dispatched_at`.
    pub due_at: UnixTime,
    pub signed_at: UnixTime,
}

impl Statement for ShipmentStatement {
    const TYPE: &'static str = "shipment";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<ShipmentStatement, StatementError> {
        object.check_header("shipment", MEMBERS)?;
        let malformed = |m: &str| StatementError::Malformed(m.to_owned());
        let region = |name: &str, levels: &[Level], what: &str| {
            RegionCode::parse(&object.str(name)?)
                .ok()
                .filter(|c| levels.contains(&c.level()))
                .ok_or_else(|| malformed(&format!("`{name}` must be the code of {what}")))
        };
        let from = region(
            "from",
            &[Level::Kabkota, Level::Kecamatan, Level::Desa],
            "a kab/kota, kecamatan or desa",
        )?;
        let to = region(
            "to",
            &[Level::Kabkota, Level::Kecamatan, Level::Desa, Level::Tps],
            "a kab/kota, kecamatan, desa or TPS",
        )?;
        let items = read_items(object.member("items")?, |v| quantity(v, 1))?;
        let dispatched_at = object.time("dispatched_at")?;
        let due_at = object.time("due_at")?;
        if due_at < dispatched_at {
            return Err(malformed("`due_at` must not be before `dispatched_at`"));
        }
        Ok(ShipmentStatement {
            origin: object.str("origin")?.into_owned(),
            from,
            to,
            items,
            seals: read_seals(object, "seals")?,
            dispatched_at,
            due_at,
            signed_at: object.time("signed_at")?,
        })
    }
}

/// Whether a shipment may go from `from` to `to`: from a kab/kota,
/// kecamatan or desa office to one of its own regions one level down, or
/// from a supplier to the kab/kota it is registered for (`to` is `from`).
/// The chain's rule ([`super::Logistics::check_shipment`]), also asked by
/// `saksi logistics ship` of each CSV row before anything is signed.
pub fn is_next_level(from: RegionCode, to: RegionCode) -> bool {
    if from == to {
        KeyRole::Supplier.level() == from.level()
    } else {
        to.parent() == Some(from) && KeyRole::office(from.level()).is_some()
    }
}

impl ShipmentStatement {
    /// Whether a supplier sends it: a supplier ships to the kab/kota it is
    /// registered for, so `to` is `from`; every office ships one level
    /// down.
    pub fn by_supplier(&self) -> bool {
        self.from == self.to
    }

    /// The statement object, as the sender's device builds it.
    pub fn to_object(&self) -> Map<String, Value> {
        match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "items": self.items,
            "seals": self.seals,
            "dispatched_at": self.dispatched_at.to_string(),
            "due_at": self.due_at.to_string(),
            "signed_at": self.signed_at.to_string(),
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::decode_statement;

    pub(crate) fn sample() -> ShipmentStatement {
        ShipmentStatement {
            origin: "saksi.localhost/log".into(),
            from: RegionCode::parse("11.01.01.2001").unwrap(),
            to: RegionCode::parse("11.01.01.2001.001").unwrap(),
            items: [("ballot-ppwp".to_owned(), 255), ("box".to_owned(), 5)]
                .into_iter()
                .collect(),
            seals: vec!["KPU-0001".into(), "KPU-0002".into()],
            dispatched_at: UnixTime(1_707_400_000),
            due_at: UnixTime(1_707_500_000),
            signed_at: UnixTime(1_707_400_100),
        }
    }

    fn read(object: &Map<String, Value>) -> Result<ShipmentStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn a_shipment_round_trips_and_malformed_members_are_refused() {
        assert_eq!(read(&sample().to_object()).unwrap(), sample());
        assert!(!sample().by_supplier());
        let many: Map<String, Value> = (0..65).map(|i| (format!("item-{i}"), json!(1))).collect();
        for (name, value) in [
            ("from", json!("11")),
            ("from", json!("11.01.01.2001.001")),
            ("to", json!("11")),
            ("to", json!("nowhere")),
            ("items", json!({})),
            ("items", json!({"box": 0})),
            ("items", json!({"box": -1})),
            ("items", json!({"box": 1_000_001})),
            ("items", json!({"box": "5"})),
            ("items", json!({"Box": 5})),
            ("items", json!({"kotak suara": 5})),
            ("items", json!([["box", 5]])),
            ("items", Value::Object(many)),
            ("seals", json!(["KPU-1", "KPU-1"])),
            ("seals", json!([""])),
            ("seals", json!(["KPU 1"])),
            ("seals", json!(["x".repeat(33)])),
            ("seals", json!(["é"])),
            ("seals", json!(vec!["s"; 65])),
            ("seals", json!("KPU-1")),
            ("due_at", json!("2024-02-01T00:00:00Z")),
            ("dispatched_at", json!("kemarin")),
            ("v", json!(2)),
            ("note", json!("x")),
        ] {
            let mut object = sample().to_object();
            object.insert(name.into(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        let mut object = sample().to_object();
        object.remove("seals");
        assert!(read(&object).is_err(), "seals may be empty, not absent");
        object.insert("seals".into(), json!([]));
        assert!(read(&object).is_ok());
    }
}
