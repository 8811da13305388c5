//! Reopening a region's final sign-off, schema v1: `{"v": 1, "type":
//! "reopen", "origin", "contest", "region", "final", "reason", "k"}`
//! (docs/statements.md). The commissioners of the level above the region
//! (for a kecamatan its KPU Kab/Kota's, for a kab/kota its KPU
//! Provinsi's, for a province and for the nation the KPU RI's) each sign
//! the identical statement with their own key; each confirmation is its
//! own signed `reopen` v1 entry, and once `k` distinct keys confirmed it
//! the region's final sign-off and every ancestor's are void
//! ([`super::Signoffs`]). Like a sign-off it has no `signed_at`, so that
//! every confirmation signs the same bytes.
//!
//! `final` is the digest of the final sign-off reopened: a statement
//! reopens that sign-off and no later one.

use saksi_core::{Contest, Level, RegionCode};
use serde_json::{Map, Value, json};

use crate::form::MAX_REASON_CHARS;
use crate::read::{Object, hex_digest};
use crate::{Statement, StatementError};

const MEMBERS: &[&str] = &["contest", "final", "k", "origin", "reason", "region"];

/// A parsed reopen statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReopenStatement {
    pub origin: String,
    pub contest: Contest,
    /// A kecamatan, kab/kota, province or national (`0`) the contest's
    /// recap reaches.
    pub region: RegionCode,
    /// The statement digest of the final sign-off reopened.
    pub final_digest: [u8; 32],
    /// 1 to [`MAX_REASON_CHARS`] characters, read out and published.
    pub reason: String,
    /// The confirmations that make it take effect, 1 to [`MAX_QUORUM`](super::signoffs::MAX_QUORUM).
    pub k: u32,
}

impl Statement for ReopenStatement {
    const TYPE: &'static str = "reopen";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<ReopenStatement, StatementError> {
        object.check_header("reopen", MEMBERS)?;
        let malformed = |m: String| StatementError::Malformed(m);
        let (contest, region, k) = super::scope::read(object)?;
        let final_digest = hex_digest(&object.str("final")?).ok_or_else(|| {
            malformed("`final` must be the final sign-off's digest, 64 lowercase hex digits".into())
        })?;
        let reason = object.str("reason")?;
        if !(1..=MAX_REASON_CHARS).contains(&reason.trim().chars().count()) {
            return Err(malformed(format!(
                "`reason` must be 1 to {MAX_REASON_CHARS} characters"
            )));
        }
        Ok(ReopenStatement {
            origin: object.str("origin")?.into_owned(),
            contest,
            region,
            final_digest,
            reason: reason.into_owned(),
            k,
        })
    }
}

impl ReopenStatement {
    /// The region whose commissioners reopen `region`: its parent, and the
    /// KPU RI for a province and for the nation.
    pub fn by_region(region: RegionCode) -> RegionCode {
        match region.level() {
            Level::Nasional | Level::Provinsi => RegionCode::NASIONAL,
            _ => region.parent().unwrap_or(RegionCode::NASIONAL),
        }
    }

    /// The statement object each commissioner's device builds and signs.
    pub fn to_object(&self) -> Map<String, Value> {
        match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "contest": self.contest.id(),
            "region": self.region.to_string(),
            "final": hex::encode(self.final_digest),
            "reason": self.reason,
            "k": self.k,
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

    fn sample() -> ReopenStatement {
        ReopenStatement {
            origin: "saksi.localhost/log".into(),
            contest: Contest::Ppwp,
            region: RegionCode::parse("11.01.01").unwrap(),
            final_digest: [5; 32],
            reason: "Putusan Bawaslu: hitung ulang TPS 003".into(),
            k: 3,
        }
    }

    fn read(object: &Map<String, Value>) -> Result<ReopenStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn a_reopen_round_trips_and_malformed_members_are_refused() {
        assert_eq!(read(&sample().to_object()).unwrap(), sample());
        for (name, value) in [
            ("region", json!("11.01.01.2001")),
            ("region", json!("0")),
            ("contest", json!("pilkada")),
            ("final", json!("ab")),
            ("reason", json!(" ")),
            ("reason", json!("x".repeat(501))),
            ("k", json!(0)),
            ("signed_at", json!("2024-02-14T13:00:00Z")),
        ] {
            let mut object = sample().to_object();
            object.insert(name.into(), value.clone());
            let refused = read(&object).is_err();
            // PPWP reaches the nation: `0` is a region it may reopen.
            assert_eq!(
                refused,
                !(name == "region" && value == "0"),
                "{name} = {value}"
            );
        }
    }

    #[test]
    fn the_level_above_reopens() {
        let code = |s: &str| RegionCode::parse(s).unwrap();
        assert_eq!(ReopenStatement::by_region(code("11.01.01")), code("11.01"));
        assert_eq!(ReopenStatement::by_region(code("11.01")), code("11"));
        assert_eq!(ReopenStatement::by_region(code("11")), RegionCode::NASIONAL);
        assert_eq!(
            ReopenStatement::by_region(RegionCode::NASIONAL),
            RegionCode::NASIONAL
        );
    }
}
