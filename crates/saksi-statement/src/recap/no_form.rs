//! Why a TPS has no form for a contest, schema v1: `{"v": 1, "type":
//! "no_form", "origin", "tps", "contest", "reason", "note", "incident"?,
//! "signed_at"}` (docs/statements.md), signed by a PPK member's `ppk` key
//! of the TPS's kecamatan and logged as a signed `no_form` v1 entry. A TPS
//! with no signal is no reason: the paper C.Hasil exists and the PPK
//! enters it on behalf. The reasons:
//!
//! - `not_held` (no vote took place there) and `no_voters` (nobody voted):
//!   the TPS is in, with no votes, and the statement's digest is its child
//!   digest in the kecamatan's sign-off;
//! - `revote_ordered` (PSU): the sign-off waits for the revote's form;
//! - `incident` (naming the incident, filed at the TPS): the sign-off
//!   waits for a form or another reason once it is resolved.
//!
//! Whichever comes last counts: a form version after a `no_form` replaces
//! it ([`super::Signoffs::form_changed`]).

use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use serde_json::{Map, Value, json};

use crate::form::MAX_REASON_CHARS;
use crate::incident::IncidentId;
use crate::read::Object;
use crate::{Statement, StatementError};

const MEMBERS: &[&str] = &[
    "contest",
    "incident",
    "note",
    "origin",
    "reason",
    "signed_at",
    "tps",
];

/// Why a TPS has no form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoFormReason {
    NotHeld,
    NoVoters,
    RevoteOrdered,
    Incident,
}

impl NoFormReason {
    pub const ALL: [NoFormReason; 4] = [
        NoFormReason::NotHeld,
        NoFormReason::NoVoters,
        NoFormReason::RevoteOrdered,
        NoFormReason::Incident,
    ];

    pub fn id(self) -> &'static str {
        match self {
            NoFormReason::NotHeld => "not_held",
            NoFormReason::NoVoters => "no_voters",
            NoFormReason::RevoteOrdered => "revote_ordered",
            NoFormReason::Incident => "incident",
        }
    }

    pub fn parse(id: &str) -> Option<NoFormReason> {
        NoFormReason::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Whether the TPS is in, with no votes (else the sign-off waits).
    pub fn settles(self) -> bool {
        matches!(self, NoFormReason::NotHeld | NoFormReason::NoVoters)
    }
}

/// A parsed `no_form` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFormStatement {
    pub origin: String,
    pub tps: RegionCode,
    pub contest: Contest,
    pub reason: NoFormReason,
    /// The incident filed at the TPS, for reason `incident` only.
    pub incident: Option<IncidentId>,
    /// 1 to [`MAX_REASON_CHARS`] characters: what happened, published.
    pub note: String,
    pub signed_at: UnixTime,
}

impl Statement for NoFormStatement {
    const TYPE: &'static str = "no_form";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<NoFormStatement, StatementError> {
        object.check_header("no_form", MEMBERS)?;
        let malformed = |m: String| StatementError::Malformed(m);
        let tps = RegionCode::parse(&object.str("tps")?)
            .ok()
            .filter(|c| c.level() == Level::Tps)
            .ok_or_else(|| malformed("`tps` must be a TPS code like 11.01.01.2001.001".into()))?;
        let contest = Contest::parse(&object.str("contest")?)
            .ok_or_else(|| malformed("`contest` must be a contest id like \"ppwp\"".into()))?;
        let reason = NoFormReason::parse(&object.str("reason")?).ok_or_else(|| {
            malformed(
                "`reason` must be \"not_held\", \"no_voters\", \"revote_ordered\" or \"incident\""
                    .into(),
            )
        })?;
        let incident = match object.get("incident") {
            None => None,
            Some(_) => Some(IncidentId::parse(&object.str("incident")?).ok_or_else(|| {
                malformed("`incident` must be an incident id, 32 lowercase hex digits".into())
            })?),
        };
        if incident.is_some() != (reason == NoFormReason::Incident) {
            return Err(malformed(
                "`incident` names the incident for reason \"incident\", and is absent otherwise"
                    .into(),
            ));
        }
        let note = object.str("note")?;
        if !(1..=MAX_REASON_CHARS).contains(&note.trim().chars().count()) {
            return Err(malformed(format!(
                "`note` must be 1 to {MAX_REASON_CHARS} characters"
            )));
        }
        Ok(NoFormStatement {
            origin: object.str("origin")?.into_owned(),
            tps,
            contest,
            reason,
            incident,
            note: note.into_owned(),
            signed_at: object.time("signed_at")?,
        })
    }
}

impl NoFormStatement {
    /// The statement object the PPK member's device builds and signs.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut object = match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "tps": self.tps.to_string(),
            "contest": self.contest.id(),
            "reason": self.reason.id(),
            "note": self.note,
            "signed_at": self.signed_at.to_string(),
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        if let Some(id) = self.incident {
            object.insert("incident".into(), json!(id.to_string()));
        }
        object
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_statement;

    pub(crate) fn sample(reason: NoFormReason) -> NoFormStatement {
        NoFormStatement {
            origin: "saksi.localhost/log".into(),
            tps: RegionCode::parse("11.01.01.2001.003").unwrap(),
            contest: Contest::Ppwp,
            reason,
            incident: (reason == NoFormReason::Incident).then_some(IncidentId([7; 16])),
            note: "Banjir: TPS tidak dapat dibuka".into(),
            signed_at: UnixTime(1_707_915_600),
        }
    }

    fn read(object: &Map<String, Value>) -> Result<NoFormStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn each_reason_round_trips_and_malformed_members_are_refused() {
        for reason in NoFormReason::ALL {
            assert_eq!(read(&sample(reason).to_object()).unwrap(), sample(reason));
        }
        for (name, value) in [
            ("reason", json!("flood")),
            ("tps", json!("11.01.01.2001")),
            ("contest", json!("pilkada")),
            ("note", json!("")),
            ("note", json!("x".repeat(501))),
            ("incident", json!(hex::encode([7u8; 16]))),
            ("signed_at", json!("kemarin")),
        ] {
            let mut object = sample(NoFormReason::NotHeld).to_object();
            object.insert(name.into(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        let mut object = sample(NoFormReason::Incident).to_object();
        object.remove("incident");
        assert!(
            read(&object).is_err(),
            "an incident reason names its incident"
        );
    }
}
