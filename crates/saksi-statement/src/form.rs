//! A KPPS's signed C.Hasil statement, schema v1:
//! `{"v": 1, "type": "form", "origin", "tps", "contest", "version", "prev",
//! "form": {...}, "photos": [], "signed_at"}`.
//!
//! `prev` chains the versions of one (TPS, contest): it is the hex SHA-256
//! of the previous version's statement bytes (or, if that version was
//! entered through an officer's session and has no statement, of its log
//! entry's bytes), so a version cannot be slipped between two others.

use saksi_core::form::{self, CHasil};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use serde_json::{Map, Value, json};

use crate::{StatementError, check_header, member, string_member, time_member};

/// The members a form statement has besides `v` and `type`.
const MEMBERS: &[&str] = &[
    "origin",
    "tps",
    "contest",
    "version",
    "prev",
    "form",
    "photos",
    "signed_at",
];

/// At most this many photos per statement (a C.Hasil is a few sheets).
pub const MAX_PHOTOS: usize = 64;

/// A parsed form statement. The form has been parsed (every field present
/// and in range) but not validated against the election: that needs the
/// region tree, and is the server's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormStatement {
    pub origin: String,
    pub tps: RegionCode,
    pub contest: Contest,
    pub version: u32,
    pub prev: Option<[u8; 32]>,
    pub form: CHasil,
    /// SHA-256 digests of the photos the numbers rest on.
    pub photos: Vec<[u8; 32]>,
    pub signed_at: UnixTime,
}

impl FormStatement {
    /// Reads a statement object.
    pub fn from_object(object: &Map<String, Value>) -> Result<FormStatement, StatementError> {
        check_header(object, "form", MEMBERS)?;
        let malformed = |m: &str| StatementError::Malformed(m.to_owned());
        let origin = string_member(object, "origin")?.to_owned();
        let tps = RegionCode::parse(string_member(object, "tps")?)
            .ok()
            .filter(|c| c.level() == Level::Tps)
            .ok_or_else(|| malformed("`tps` must be a TPS code like 11.01.01.2001.001"))?;
        let contest = Contest::parse(string_member(object, "contest")?).ok_or_else(|| {
            malformed("`contest` must be ppwp, dpr, dpd, dprd-prov or dprd-kabkota")
        })?;
        let version = member(object, "version")?
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v >= 1)
            .ok_or_else(|| malformed("`version` must be an integer from 1"))?;
        let prev = match member(object, "prev")? {
            Value::Null => None,
            Value::String(s) => Some(
                hex_digest(s)
                    .ok_or_else(|| malformed("`prev` must be null or 64 lowercase hex digits"))?,
            ),
            _ => return Err(malformed("`prev` must be null or a string")),
        };
        if (version == 1) != prev.is_none() {
            return Err(malformed(
                "`prev` must be null for version 1 and a digest for later versions",
            ));
        }
        let photos = member(object, "photos")?
            .as_array()
            .filter(|p| p.len() <= MAX_PHOTOS)
            .ok_or_else(|| malformed("`photos` must be a list of at most 64 digests"))?
            .iter()
            .map(|p| p.as_str().and_then(hex_digest))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("each photo must be 64 lowercase hex digits"))?;
        let form_value = member(object, "form")?;
        if !form_value.is_object() {
            return Err(malformed("`form` must be an object"));
        }
        let form_bytes = serde_json::to_vec(form_value).map_err(|e| malformed(&e.to_string()))?;
        let form = form::parse(contest, &form_bytes).map_err(|e| StatementError::Form(e.0))?;
        Ok(FormStatement {
            origin,
            tps,
            contest,
            version,
            prev,
            form,
            photos,
            signed_at: time_member(object, "signed_at")?,
        })
    }

    /// The statement object, as a KPPS app builds it before signing.
    pub fn to_object(&self) -> Map<String, Value> {
        let value = json!({
            "v": 1,
            "type": "form",
            "origin": self.origin,
            "tps": self.tps.to_string(),
            "contest": self.contest.id(),
            "version": self.version,
            "prev": self.prev.map(hex::encode),
            "form": serde_json::to_value(&self.form).unwrap_or(Value::Null),
            "photos": self.photos.iter().map(hex::encode).collect::<Vec<_>>(),
            "signed_at": self.signed_at.to_string(),
        });
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

/// 64 lowercase hex digits as 32 bytes.
pub(crate) fn hex_digest(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {

    use super::*;

    pub(crate) fn sample() -> FormStatement {
        FormStatement {
            origin: "saksi.localhost/log".into(),
            tps: RegionCode::parse("11.01.01.2001.001").unwrap(),
            contest: Contest::Ppwp,
            version: 1,
            prev: None,
            form: CHasil::example_ppwp(),
            photos: vec![],
            signed_at: UnixTime(1_707_915_600),
        }
    }

    #[test]
    fn a_statement_round_trips_through_its_object() {
        let s = sample();
        assert_eq!(FormStatement::from_object(&s.to_object()).unwrap(), s);
        let v2 = FormStatement {
            version: 2,
            prev: Some([0xab; 32]),
            photos: vec![[1; 32]],
            ..s
        };
        assert_eq!(FormStatement::from_object(&v2.to_object()).unwrap(), v2);
    }

    #[test]
    fn every_malformed_member_is_refused() {
        let cases: Vec<(&str, Value)> = vec![
            ("v", json!(2)),
            ("type", json!("key")),
            ("tps", json!("11.01")),
            ("contest", json!("dprd")),
            ("version", json!(0)),
            ("version", json!(2)),
            ("prev", json!("AB".repeat(32))),
            ("photos", json!(["zz"])),
            ("signed_at", json!("yesterday")),
            ("form", json!({"suara_sah": 1})),
            ("extra", json!(true)),
        ];
        for (name, value) in cases {
            let mut object = sample().to_object();
            object.insert(name.to_owned(), value.clone());
            let refused = FormStatement::from_object(&object);
            assert!(refused.is_err(), "{name} = {value} was accepted");
        }
        let mut object = sample().to_object();
        object.remove("photos");
        assert!(FormStatement::from_object(&object).is_err());
    }
}
