//! A region's recap sign-off, schema v1: `{"v": 1, "type": "signoff",
//! "origin", "contest", "region", "children": [{"code", "digest"}],
//! "totals", "k"}` (docs/statements.md). Each commissioner of the region signs
//! the identical statement with their own key; each confirmation is its
//! own signed `signoff` v1 entry, and the sign-off is final once enough
//! distinct commissioners confirmed it ([`super::Signoffs`]). Identical
//! means the same RFC 8785 bytes, so the statement has no `signed_at`:
//! each entry's `logged_at` times its confirmation.
//!
//! `children` names, in ascending code order, what the region's totals
//! sum: for a kecamatan each TPS holding the contest with the digest of
//! its current form version (what the next version's `prev` names), above
//! each child region with the statement digest of its final sign-off.
//! `totals` is the results API's `T` for the region, so anyone can check
//! it against the children's. `k` is how many commissioners' confirmations
//! make it final: it is signed, so every commissioner agrees to it, and
//! the log alone says when a sign-off became final, whatever quorum a
//! server is later started with.

use saksi_core::tally::{FIXED, Totals, option_number};
use saksi_core::{Contest, Level, RegionCode};
use serde_json::{Map, Value, json};

use crate::read::{Object, hex_digest};
use crate::{Statement, StatementError};

const MEMBERS: &[&str] = &["children", "contest", "k", "origin", "region", "totals"];

/// The largest statement body the API takes: the biggest kecamatan
/// (Cakung, 1,591 TPS) names about 140 KB of children.
pub const MAX_SIGNOFF_BYTES: usize = 1 << 20;

/// One child a sign-off sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Child {
    pub code: RegionCode,
    /// The TPS's current version digest, or the child region's final
    /// sign-off statement digest.
    pub digest: [u8; 32],
}

/// A parsed sign-off statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffStatement {
    pub origin: String,
    pub contest: Contest,
    /// A kecamatan, kab/kota, province or national (`0`), at or below the
    /// level that decides the contest.
    pub region: RegionCode,
    /// In ascending code order, each once, each a child of `region`.
    pub children: Vec<Child>,
    /// Options in ballot order.
    pub totals: Totals,
    /// The confirmations that make it final, 1 to [`MAX_QUORUM`](super::signoffs::MAX_QUORUM).
    pub k: u32,
}

impl Statement for SignoffStatement {
    const TYPE: &'static str = "signoff";
    const ENTRY_VERSION: u64 = 1;

    fn read(object: &Object<'_>) -> Result<SignoffStatement, StatementError> {
        object.check_header("signoff", MEMBERS)?;
        let malformed = |m: String| StatementError::Malformed(m);
        let (contest, region, k) = super::scope::read(object)?;
        let children: Vec<Value> =
            serde_json::from_slice(object.member("children")?).map_err(|_| {
                malformed("`children` must be an array of {\"code\", \"digest\"}".into())
            })?;
        let children = children
            .iter()
            .map(read_child)
            .collect::<Result<Vec<_>, _>>()
            .map_err(malformed)?;
        let totals: Value = serde_json::from_slice(object.member("totals")?)
            .map_err(|e| malformed(format!("`totals`: {e}")))?;
        let statement = SignoffStatement {
            origin: object.str("origin")?.into_owned(),
            contest,
            region,
            children,
            totals: read_totals(&totals).map_err(malformed)?,
            k,
        };
        statement.check().map_err(malformed)?;
        Ok(statement)
    }
}

impl SignoffStatement {
    /// What makes a sign-off well formed on its own, beyond its scope
    /// (`super::scope`): children below the region, in order.
    fn check(&self) -> Result<(), String> {
        let level = self.region.level();
        let child_level = if level == Level::Kecamatan {
            Level::Tps
        } else {
            level.child().unwrap_or(Level::Tps)
        };
        for pair in self.children.windows(2) {
            if pair[0].code >= pair[1].code {
                return Err(format!(
                    "`children` must be in ascending code order, each once ({} then {})",
                    pair[0].code, pair[1].code
                ));
            }
        }
        if let Some(c) = self
            .children
            .iter()
            .find(|c| c.code.level() != child_level || !self.region.contains(c.code))
        {
            return Err(format!(
                "{} is not a {} of {}",
                c.code,
                child_level.as_str(),
                self.region
            ));
        }
        if self.children.is_empty() {
            return Err("`children` names at least one child".into());
        }
        Ok(())
    }

    /// The statement object each commissioner's device builds and signs.
    pub fn to_object(&self) -> Map<String, Value> {
        let children: Vec<Value> = self
            .children
            .iter()
            .map(|c| json!({"code": c.code.to_string(), "digest": hex::encode(c.digest)}))
            .collect();
        match json!({
            "v": 1,
            "type": Self::TYPE,
            "origin": self.origin,
            "contest": self.contest.id(),
            "region": self.region.to_string(),
            "children": children,
            "totals": self.totals,
            "k": self.k,
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

fn read_child(value: &Value) -> Result<Child, String> {
    let shape = || "each child is {\"code\", \"digest\"}".to_owned();
    let object = value
        .as_object()
        .filter(|o| o.len() == 2)
        .ok_or_else(shape)?;
    let code = object
        .get("code")
        .and_then(Value::as_str)
        .ok_or_else(shape)?;
    let code = RegionCode::parse(code).map_err(|e| format!("child {code:?}: {e}"))?;
    let digest = object
        .get("digest")
        .and_then(Value::as_str)
        .and_then(hex_digest)
        .ok_or_else(|| format!("child {code}: `digest` must be 64 lowercase hex digits"))?;
    Ok(Child { code, digest })
}

/// Reads `T`: every [`FIXED`] count and `options`, each a count; options
/// come back in ballot order.
fn read_totals(value: &Value) -> Result<Totals, String> {
    let shape = || {
        format!(
            "`totals` must be the results API's T: {} and `options`, each a count",
            FIXED.join(", ")
        )
    };
    let object = value
        .as_object()
        .filter(|o| o.len() == FIXED.len() + 1)
        .ok_or_else(shape)?;
    let mut fixed = [0u64; FIXED.len()];
    for (slot, name) in fixed.iter_mut().zip(FIXED) {
        *slot = object.get(name).and_then(Value::as_u64).ok_or_else(shape)?;
    }
    let mut options = object
        .get("options")
        .and_then(Value::as_object)
        .ok_or_else(shape)?
        .iter()
        .map(|(k, v)| {
            let votes = v.as_u64().ok_or_else(shape)?;
            let number = option_number(k);
            let canonical = (1..=999).contains(&number)
                && (k == &number.to_string() || k == &format!("{number:02}"));
            if !canonical {
                return Err(format!("`totals.options` key {k:?} is not a ballot number"));
            }
            Ok((k.clone(), votes))
        })
        .collect::<Result<Vec<_>, _>>()?;
    options.sort_by_key(|(k, _)| option_number(k));
    Ok(Totals { fixed, options })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_statement;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    pub(crate) fn sample() -> SignoffStatement {
        SignoffStatement {
            origin: "saksi.localhost/log".into(),
            contest: Contest::Ppwp,
            region: code("11.01.01"),
            children: vec![
                Child {
                    code: code("11.01.01.2001.001"),
                    digest: [1; 32],
                },
                Child {
                    code: code("11.01.01.2001.002"),
                    digest: [2; 32],
                },
            ],
            totals: Totals {
                fixed: [500, 400, 390, 10, 400, 2, 2],
                options: vec![("01".into(), 100), ("02".into(), 90), ("03".into(), 200)],
            },
            k: 3,
        }
    }

    fn read(object: &Map<String, Value>) -> Result<SignoffStatement, StatementError> {
        decode_statement(&saksi_log::canonical_json(&Value::Object(object.clone())).unwrap())
    }

    #[test]
    fn a_signoff_round_trips_with_options_in_ballot_order() {
        let mut s = sample();
        assert_eq!(read(&s.to_object()).unwrap(), s);
        s.contest = Contest::Dpr;
        s.totals.options = (1..=12).map(|n| (n.to_string(), n)).collect();
        let back = read(&s.to_object()).unwrap();
        assert_eq!(back.totals.options, s.totals.options, "10 sorts after 9");
    }

    #[test]
    fn malformed_signoffs_are_refused() {
        let child = |c: &str| json!({"code": c, "digest": hex::encode([7u8; 32])});
        for (name, value) in [
            ("contest", json!("pilkada")),
            ("region", json!("11.01.01.2001")),
            ("region", json!("11.01.01.2001.001")),
            ("children", json!([])),
            ("children", json!([child("11.01.02.2001.001")])),
            ("children", json!([child("11.01.01.2001")])),
            (
                "children",
                json!([child("11.01.01.2001.002"), child("11.01.01.2001.001")]),
            ),
            (
                "children",
                json!([child("11.01.01.2001.001"), child("11.01.01.2001.001")]),
            ),
            (
                "children",
                json!([{"code": "11.01.01.2001.001", "digest": "ab"}]),
            ),
            ("totals", json!({"dpt": 1})),
            ("totals", json!(sample_totals_with("suara_sah", json!(-1)))),
            (
                "totals",
                json!(sample_totals_with("options", json!({"x": 1}))),
            ),
            (
                "totals",
                json!(sample_totals_with("options", json!({"001": 1}))),
            ),
            ("signed_at", json!("2024-02-14T13:00:00Z")),
            ("k", json!(0)),
            ("k", json!(51)),
            ("v", json!(2)),
        ] {
            let mut object = sample().to_object();
            object.insert(name.into(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
    }

    #[test]
    fn a_contest_is_signed_off_up_to_the_level_that_decides_it() {
        let mut s = sample();
        s.region = code("11");
        s.children = vec![Child {
            code: code("11.01"),
            digest: [3; 32],
        }];
        for (contest, ok) in [
            (Contest::Ppwp, true),
            (Contest::Dpd, true),
            (Contest::DprdProv, true),
            (Contest::DprdKabkota, false),
        ] {
            s.contest = contest;
            assert_eq!(read(&s.to_object()).is_ok(), ok, "{contest}");
        }
        s.region = RegionCode::NASIONAL;
        s.children[0].code = code("11");
        s.contest = Contest::Dpd;
        assert!(
            read(&s.to_object()).is_err(),
            "DPD is never summed nationally"
        );
        s.contest = Contest::Dpr;
        assert!(read(&s.to_object()).is_ok());
    }

    fn sample_totals_with(name: &str, value: Value) -> Value {
        let mut t = serde_json::to_value(&sample().totals).unwrap();
        t[name] = value;
        t
    }
}
