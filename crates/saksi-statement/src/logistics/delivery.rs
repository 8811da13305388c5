//! A proof of delivery, schema v1: `{"v": 1, "type": "delivery",
//! "origin", "shipment": <log index>, "items": {"<item>": {"accepted": n,
//! "rejected": n, "reason"?}}, "seals_checked": [...], "photos": [...],
//! "received_at", "signed_at"}` (docs/statements.md), signed by the
//! receiving office's key (at a TPS, its KPPS device) and logged as a
//! signed `delivery` v1 entry.
//!
//! For every item of the shipment, exactly, `accepted + rejected` is what
//! was shipped ([`super::state`] holds it against the shipment); a
//! rejection states why (`reason`, present exactly when `rejected` is not
//! 0): `damaged`, `wrong_contest`, `wrong_dapil`, or `short`, the stated
//! shortfall of items that never arrived. `seals_checked` lists the
//! shipment's seal numbers found intact; a shipped seal it leaves out was
//! broken or missing. `photos` names up to 3 photos by their SHA-256, to
//! upload as a form's are (README: Photos).

use std::collections::BTreeMap;

use saksi_core::time::UnixTime;
use saksi_log::canonical_check;
use serde_json::{Map, Value, json};

use super::{quantity, read_items, read_seals};
use crate::read::{Object, hex_digest};
use crate::{Statement, StatementError};

const MEMBERS: &[&str] = &[
    "items",
    "origin",
    "photos",
    "received_at",
    "seals_checked",
    "shipment",
    "signed_at",
];

/// At most this many photos of what arrived.
pub const MAX_DELIVERY_PHOTOS: usize = 3;

/// Why items were rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Arrived broken, wet or unusable.
    Damaged,
    /// Ballots or forms of a contest the receiver does not hold.
    WrongContest,
    /// Ballots of another dapil.
    WrongDapil,
    /// Never arrived: the stated shortfall.
    Short,
}

impl RejectReason {
    pub const ALL: [RejectReason; 4] = [
        RejectReason::Damaged,
        RejectReason::WrongContest,
        RejectReason::WrongDapil,
        RejectReason::Short,
    ];

    pub fn id(self) -> &'static str {
        match self {
            RejectReason::Damaged => "damaged",
            RejectReason::WrongContest => "wrong_contest",
            RejectReason::WrongDapil => "wrong_dapil",
            RejectReason::Short => "short",
        }
    }

    pub fn parse(id: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// What the receiver found of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Taken into the receiver's stock.
    pub accepted: u64,
    /// Refused or missing; not in anyone's stock.
    pub rejected: u64,
    /// Why, exactly when `rejected` is not 0.
    pub reason: Option<RejectReason>,
}

impl Received {
    /// Reads `{"accepted", "rejected", "reason"?}`.
    fn read(bytes: &[u8]) -> Result<Received, String> {
        let shape = || {
            "each item is {\"accepted\": n, \"rejected\": n} with a \"reason\" when rejected is not 0"
                .to_owned()
        };
        let layout = canonical_check::check(bytes).map_err(|_| shape())?;
        let object = Object::top(bytes, &layout).ok_or_else(shape)?;
        let names = object.names();
        if !matches!(
            names.as_slice(),
            ["accepted", "rejected"] | ["accepted", "reason", "rejected"]
        ) {
            return Err(shape());
        }
        let count = |name: &str| quantity(object.get(name).unwrap_or_default(), 0);
        let accepted = count("accepted")?;
        let rejected = count("rejected")?;
        let reason = match object.get("reason") {
            None => None,
            Some(bytes) => Some(
                canonical_check::as_str(bytes)
                    .and_then(|r| RejectReason::parse(&r))
                    .ok_or(
                        "`reason` is \"damaged\", \"wrong_contest\", \"wrong_dapil\" or \"short\"",
                    )?,
            ),
        };
        if reason.is_some() != (rejected > 0) {
            return Err(shape());
        }
        Ok(Received {
            accepted,
            rejected,
            reason,
        })
    }

    fn to_value(self) -> Value {
        let mut value = json!({"accepted": self.accepted, "rejected": self.rejected});
        if let Some(reason) = self.reason {
            value["reason"] = json!(reason.id());
        }
        value
    }
}

/// A parsed delivery statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStatement {
    pub origin: String,
    /// The log index of the shipment's entry: the shipment's id.
    pub shipment: u64,
    pub items: BTreeMap<String, Received>,
    /// The shipment's seal numbers found intact, in the receiver's order.
    pub seals_checked: Vec<String>,
    /// SHA-256 digests of up to [`MAX_DELIVERY_PHOTOS`] photos.
    pub photos: Vec<[u8; 32]>,
    pub received_at: UnixTime,
    pub signed_at: UnixTime,
}

impl Statement for DeliveryStatement {
    const TYPE: &'static str = "delivery";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<DeliveryStatement, StatementError> {
        object.check_header("delivery", MEMBERS)?;
        let malformed = |m: String| StatementError::Malformed(m);
        let shipment = canonical_check::as_u64(object.member("shipment")?)
            .ok_or_else(|| malformed("`shipment` must be the log index of a shipment".into()))?;
        let photos = canonical_check::items(object.member("photos")?)
            .filter(|p| p.len() <= MAX_DELIVERY_PHOTOS)
            .and_then(|p| {
                p.into_iter()
                    .map(|p| canonical_check::as_str(p).and_then(|s| hex_digest(&s)))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| {
                malformed(format!(
                    "`photos` must be a list of at most {MAX_DELIVERY_PHOTOS} SHA-256 digests, 64 lowercase hex digits each"
                ))
            })?;
        Ok(DeliveryStatement {
            origin: object.str("origin")?.into_owned(),
            shipment,
            items: read_items(object.member("items")?, Received::read)?,
            seals_checked: read_seals(object, "seals_checked")?,
            photos,
            received_at: object.time("received_at")?,
            signed_at: object.time("signed_at")?,
        })
    }
}

impl DeliveryStatement {
    /// The statement object, as the receiver's device builds it.
    pub fn to_object(&self) -> Map<String, Value> {
        let items: Map<String, Value> = self
            .items
            .iter()
            .map(|(name, r)| (name.clone(), r.to_value()))
            .collect();
        match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "shipment": self.shipment,
            "items": items,
            "seals_checked": self.seals_checked,
            "photos": self.photos.iter().map(hex::encode).collect::<Vec<_>>(),
            "received_at": self.received_at.to_string(),
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

    pub(crate) fn sample() -> DeliveryStatement {
        DeliveryStatement {
            origin: "saksi.localhost/log".into(),
            shipment: 41,
            items: [
                (
                    "ballot-ppwp".to_owned(),
                    Received {
                        accepted: 250,
                        rejected: 5,
                        reason: Some(RejectReason::Damaged),
                    },
                ),
                (
                    "box".to_owned(),
                    Received {
                        accepted: 5,
                        rejected: 0,
                        reason: None,
                    },
                ),
            ]
            .into_iter()
            .collect(),
            seals_checked: vec!["KPU-0001".into()],
            photos: vec![[7; 32]],
            received_at: UnixTime(1_707_450_000),
            signed_at: UnixTime(1_707_450_100),
        }
    }

    fn read(object: &Map<String, Value>) -> Result<DeliveryStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn a_delivery_round_trips_and_malformed_members_are_refused() {
        assert_eq!(read(&sample().to_object()).unwrap(), sample());
        for reason in RejectReason::ALL {
            assert_eq!(RejectReason::parse(reason.id()), Some(reason));
        }
        let digest = json!("ab".repeat(32));
        for (name, value) in [
            ("shipment", json!(-1)),
            ("shipment", json!("41")),
            ("items", json!({})),
            ("items", json!({"box": 5})),
            ("items", json!({"box": {"accepted": 5}})),
            ("items", json!({"box": {"accepted": -1, "rejected": 0}})),
            (
                "items",
                json!({"box": {"accepted": 1_000_001, "rejected": 0}}),
            ),
            ("items", json!({"box": {"accepted": 4, "rejected": 1}})),
            (
                "items",
                json!({"box": {"accepted": 5, "rejected": 0, "reason": "damaged"}}),
            ),
            (
                "items",
                json!({"box": {"accepted": 4, "rejected": 1, "reason": "lost"}}),
            ),
            (
                "items",
                json!({"box": {"accepted": 4, "rejected": 1, "reason": "short", "note": "x"}}),
            ),
            ("seals_checked", json!(["a", "a"])),
            ("photos", json!([digest, digest, digest, digest])),
            ("photos", json!(["AB".repeat(32)])),
            ("received_at", json!("tadi")),
            ("v", json!(2)),
        ] {
            let mut object = sample().to_object();
            object.insert(name.into(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
    }
}
