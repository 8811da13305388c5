//! A PPK member's ruling on an objection, schema v1:
//! `{"v": 1, "type": "ruling", "origin", "objection", "decision", "reason",
//! "signed_at"}` (docs/statements.md), signed with the member's own `ppk`
//! key of the TPS's kecamatan and logged as a signed `ruling` v1 entry. An
//! upheld objection is then answered by a correction (a form version with
//! `correction`); a rejected one changes nothing.

use saksi_core::time::UnixTime;
use saksi_log::canonical_check;
use serde_json::{Map, Value, json};

use crate::form::MAX_REASON_CHARS;
use crate::read::Object;
use crate::{Statement, StatementError};

const MEMBERS: &[&str] = &["decision", "objection", "origin", "reason", "signed_at"];

/// What the PPK decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The objection stands: the form is to be corrected.
    Upheld,
    /// The form stands as it is.
    Rejected,
}

impl Decision {
    pub fn id(self) -> &'static str {
        match self {
            Decision::Upheld => "upheld",
            Decision::Rejected => "rejected",
        }
    }

    pub fn parse(id: &str) -> Option<Decision> {
        [Decision::Upheld, Decision::Rejected]
            .into_iter()
            .find(|d| d.id() == id)
    }
}

/// A parsed ruling statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulingStatement {
    pub origin: String,
    /// The log index of the objection's entry.
    pub objection: u64,
    pub decision: Decision,
    /// 1 to [`MAX_REASON_CHARS`] characters, read out in the plenary.
    pub reason: String,
    pub signed_at: UnixTime,
}

impl Statement for RulingStatement {
    const TYPE: &'static str = "ruling";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<RulingStatement, StatementError> {
        object.check_header("ruling", MEMBERS)?;
        let malformed = |m: &str| StatementError::Malformed(m.to_owned());
        let objection = canonical_check::as_u64(object.member("objection")?)
            .ok_or_else(|| malformed("`objection` must be the log index of an objection"))?;
        let decision = Decision::parse(&object.str("decision")?)
            .ok_or_else(|| malformed("`decision` must be \"upheld\" or \"rejected\""))?;
        let reason = object.str("reason")?;
        if !(1..=MAX_REASON_CHARS).contains(&reason.trim().chars().count()) {
            return Err(StatementError::Malformed(format!(
                "`reason` must be 1 to {MAX_REASON_CHARS} characters"
            )));
        }
        Ok(RulingStatement {
            origin: object.str("origin")?.into_owned(),
            objection,
            decision,
            reason: reason.into_owned(),
            signed_at: object.time("signed_at")?,
        })
    }
}

impl RulingStatement {
    /// The statement object, as the PPK member's device builds it.
    pub fn to_object(&self) -> Map<String, Value> {
        match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "objection": self.objection,
            "decision": self.decision.id(),
            "reason": self.reason,
            "signed_at": self.signed_at.to_string(),
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_statement;

    fn sample() -> RulingStatement {
        RulingStatement {
            origin: "saksi.localhost/log".into(),
            objection: 41,
            decision: Decision::Upheld,
            reason: "C.Hasil plano menunjukkan 112, bukan 121".into(),
            signed_at: UnixTime(1_707_915_600),
        }
    }

    fn read(object: &Map<String, Value>) -> Result<RulingStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn a_ruling_round_trips_and_malformed_members_are_refused() {
        assert_eq!(read(&sample().to_object()).unwrap(), sample());
        for (name, value) in [
            ("decision", json!("accepted")),
            ("objection", json!(-1)),
            ("objection", json!("41")),
            ("reason", json!("")),
            ("reason", json!("x".repeat(501))),
            ("signed_at", json!("yesterday")),
            ("v", json!(2)),
            ("fields", json!([])),
        ] {
            let mut object = sample().to_object();
            object.insert(name.into(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        let mut object = sample().to_object();
        object.remove("reason");
        assert!(read(&object).is_err());
    }
}
