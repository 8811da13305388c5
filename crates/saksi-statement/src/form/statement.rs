//! A signed C.Hasil statement, schema v1:
//! `{"v": 1, "type": "form", "origin", "tps", "contest", "version", "prev",
//! "form": {...}, "photos": [], "signed_at"}` (docs/statements.md), signed
//! by the TPS's KPPS device; or the same with one more member,
//! `"on_behalf": {"reason"}`, signed by a PPS or PPK key for a TPS with no
//! working phone; or with `"correction": {"objection", "reason"}`, signed by
//! a PPK key of the TPS's kecamatan for the version an upheld objection
//! (the log index of its entry) calls for. Without either member a
//! statement is exactly what it was before the members existed: same
//! bytes, same digest.
//!
//! `prev` chains the versions of one (TPS, contest): it is the digest of
//! the previous version ([`super::version_digest`]), so a version cannot be
//! slipped between two others.

use saksi_core::form::{self, CHasil};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::canonical_check;
use serde_json::{Map, Value, json};

use super::SignedBy;
use crate::read::{Object, hex_digest};
use crate::{Statement, StatementError};

/// The members a form statement may have besides `v` and `type`: every
/// one is required but `on_behalf` and `correction` (at most one of them).
const MEMBERS: &[&str] = &[
    "correction",
    "on_behalf",
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

/// The longest `on_behalf.reason`, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a PPS or PPK signed a TPS's form in its KPPS's place (`"on_behalf":
/// {"reason"}`): the reason is published with the numbers, so whoever
/// reads them knows the TPS's own device did not sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnBehalf {
    /// 1 to [`MAX_REASON_CHARS`] characters.
    pub reason: String,
}

impl OnBehalf {
    /// Reads `{"reason": "<1 to 500 characters>"}`, nothing else, from the
    /// member's canonical bytes.
    fn read(bytes: &[u8]) -> Result<OnBehalf, StatementError> {
        let malformed = || {
            StatementError::Malformed(format!(
                "`on_behalf` must be {{\"reason\": \"<1 to {MAX_REASON_CHARS} characters>\"}}"
            ))
        };
        let layout = canonical_check::check(bytes).map_err(|_| malformed())?;
        let object = Object::top(bytes, &layout).ok_or_else(malformed)?;
        if object.names() != ["reason"] {
            return Err(malformed());
        }
        Ok(OnBehalf {
            reason: reason(&object).ok_or_else(malformed)?,
        })
    }
}

/// Why a PPK signed a new version of a TPS's form (`"correction":
/// {"objection", "reason"}`): the objection it answers, which its ruling
/// upheld, and the plenary's reason, published with the numbers so that
/// every change has an author, a reason and the objection behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The log index of the objection's entry.
    pub objection: u64,
    /// 1 to [`MAX_REASON_CHARS`] characters.
    pub reason: String,
}

impl Correction {
    /// Reads `{"objection": <log index>, "reason": "<1 to 500
    /// characters>"}`, nothing else.
    fn read(bytes: &[u8]) -> Result<Correction, StatementError> {
        let malformed = || {
            StatementError::Malformed(format!(
                "`correction` must be {{\"objection\": <log index>, \"reason\": \"<1 to {MAX_REASON_CHARS} characters>\"}}"
            ))
        };
        let layout = canonical_check::check(bytes).map_err(|_| malformed())?;
        let object = Object::top(bytes, &layout).ok_or_else(malformed)?;
        if object.names() != ["objection", "reason"] {
            return Err(malformed());
        }
        let objection = object
            .get("objection")
            .and_then(canonical_check::as_u64)
            .ok_or_else(malformed)?;
        Ok(Correction {
            objection,
            reason: reason(&object).ok_or_else(malformed)?,
        })
    }
}

/// The `reason` member of `on_behalf` or `correction`: 1 to
/// [`MAX_REASON_CHARS`] characters.
fn reason(object: &Object<'_>) -> Option<String> {
    let reason = object.str("reason").ok()?;
    (1..=MAX_REASON_CHARS)
        .contains(&reason.chars().count())
        .then(|| reason.into_owned())
}

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
    /// Present when a PPS or PPK key signs for the TPS; the key chain
    /// requires it of those keys and refuses it of a KPPS key.
    pub on_behalf: Option<OnBehalf>,
    /// Present when a PPK key signs the version an upheld objection calls
    /// for; never together with `on_behalf`.
    pub correction: Option<Correction>,
}

impl Statement for FormStatement {
    const TYPE: &'static str = "form";
    const ENTRY_VERSION: u64 = 2;

    fn read(object: &Object<'_>) -> Result<FormStatement, StatementError> {
        object.check_header("form", MEMBERS)?;
        let malformed = |m: &str| StatementError::Malformed(m.to_owned());
        let origin = object.str("origin")?.into_owned();
        let tps = RegionCode::parse(&object.str("tps")?)
            .ok()
            .filter(|c| c.level() == Level::Tps)
            .ok_or_else(|| malformed("`tps` must be a TPS code like 11.01.01.2001.001"))?;
        let contest = Contest::parse(&object.str("contest")?).ok_or_else(|| {
            malformed("`contest` must be ppwp, dpr, dpd, dprd-prov or dprd-kabkota")
        })?;
        let version = canonical_check::as_u64(object.member("version")?)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v >= 1)
            .ok_or_else(|| malformed("`version` must be an integer from 1"))?;
        let prev =
            match object.member("prev")? {
                b"null" => None,
                p => {
                    let text = canonical_check::as_str(p)
                        .ok_or_else(|| malformed("`prev` must be null or a string"))?;
                    Some(hex_digest(&text).ok_or_else(|| {
                        malformed("`prev` must be null or 64 lowercase hex digits")
                    })?)
                }
            };
        if (version == 1) != prev.is_none() {
            return Err(malformed(
                "`prev` must be null for version 1 and a digest for later versions",
            ));
        }
        let photos = canonical_check::items(object.member("photos")?)
            .filter(|p| p.len() <= MAX_PHOTOS)
            .ok_or_else(|| malformed("`photos` must be a list of at most 64 digests"))?
            .into_iter()
            .map(|p| canonical_check::as_str(p).and_then(|s| hex_digest(&s)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("each photo must be 64 lowercase hex digits"))?;
        let form_bytes = object.member("form")?;
        if !canonical_check::is_object(form_bytes) {
            return Err(malformed("`form` must be an object"));
        }
        let on_behalf = object.get("on_behalf").map(OnBehalf::read).transpose()?;
        let correction = object.get("correction").map(Correction::read).transpose()?;
        if on_behalf.is_some() && correction.is_some() {
            return Err(malformed(
                "a statement has `on_behalf` or `correction`, not both",
            ));
        }
        let form = form::parse(contest, form_bytes).map_err(|e| StatementError::Form(e.0))?;
        Ok(FormStatement {
            origin,
            tps,
            contest,
            version,
            prev,
            form,
            photos,
            signed_at: object.time("signed_at")?,
            on_behalf,
            correction,
        })
    }
}

impl FormStatement {
    /// Who vouches for the version: the KPPS device, or (`on_behalf`) a
    /// PPS or PPK key; the key chain checks the signer matches.
    pub fn signed_by(&self) -> SignedBy {
        if self.on_behalf.is_some() {
            SignedBy::OnBehalf
        } else if self.correction.is_some() {
            SignedBy::Correction
        } else {
            SignedBy::Kpps
        }
    }

    /// The statement object, as a KPPS app builds it before signing.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut value = json!({
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
        if let Some(on_behalf) = &self.on_behalf {
            value["on_behalf"] = json!({"reason": on_behalf.reason});
        }
        if let Some(c) = &self.correction {
            value["correction"] = json!({"objection": c.objection, "reason": c.reason});
        }
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_statement;

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
            on_behalf: None,
            correction: None,
        }
    }

    fn read(object: &Map<String, Value>) -> Result<FormStatement, StatementError> {
        let bytes = saksi_log::canonical_json(&Value::Object(object.clone())).unwrap();
        decode_statement(&bytes)
    }

    #[test]
    fn a_statement_round_trips_through_its_object() {
        let s = sample();
        assert_eq!(read(&s.to_object()).unwrap(), s);
        let v2 = FormStatement {
            version: 2,
            prev: Some([0xab; 32]),
            photos: vec![[1; 32]],
            ..s
        };
        assert_eq!(read(&v2.to_object()).unwrap(), v2);
        let mut compact = sample().to_object();
        compact.insert("tps".into(), json!("1101012001001"));
        assert_eq!(read(&compact).unwrap(), sample());
        let on_behalf = FormStatement {
            on_behalf: Some(OnBehalf {
                reason: "HP KPPS rusak".into(),
            }),
            ..sample()
        };
        assert_eq!(read(&on_behalf.to_object()).unwrap(), on_behalf);
        let correction = FormStatement {
            correction: Some(Correction {
                objection: 41,
                reason: "keberatan saksi 01 diterima, dihitung ulang".into(),
            }),
            ..sample()
        };
        assert_eq!(read(&correction.to_object()).unwrap(), correction);
        assert_eq!(correction.signed_by(), SignedBy::Correction);
    }

    #[test]
    fn a_correction_names_its_objection_and_a_reason_and_never_comes_with_on_behalf() {
        for (value, ok) in [
            (json!({"objection": 0, "reason": "x"}), true),
            (json!({"objection": 7, "reason": "é".repeat(500)}), true),
            (json!({"objection": -1, "reason": "x"}), false),
            (json!({"objection": "7", "reason": "x"}), false),
            (json!({"objection": 7, "reason": ""}), false),
            (json!({"objection": 7}), false),
            (json!({"objection": 7, "reason": "x", "by": "ppk"}), false),
            (json!(7), false),
        ] {
            let mut object = sample().to_object();
            object.insert("correction".into(), value.clone());
            assert_eq!(read(&object).is_ok(), ok, "correction = {value}");
        }
        let mut both = sample().to_object();
        both.insert("correction".into(), json!({"objection": 7, "reason": "x"}));
        both.insert("on_behalf".into(), json!({"reason": "x"}));
        assert!(read(&both).is_err());
    }

    #[test]
    fn a_statement_without_on_behalf_has_the_bytes_it_always_had() {
        let bytes = saksi_log::canonical_json(&Value::Object(sample().to_object())).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("on_behalf"), "{text}");
        assert!(text.starts_with(r#"{"contest":"ppwp","form":{"#), "{text}");
        assert!(
            text.ends_with(r#""origin":"saksi.localhost/log","photos":[],"prev":null,"signed_at":"2024-02-14T13:00:00Z","tps":"11.01.01.2001.001","type":"form","v":1,"version":1}"#),
            "{text}"
        );
    }

    #[test]
    fn on_behalf_holds_a_reason_of_1_to_500_characters_and_nothing_else() {
        for (value, ok) in [
            (json!({"reason": "x"}), true),
            (json!({"reason": "é".repeat(500)}), true),
            (json!({"reason": ""}), false),
            (json!({"reason": "x".repeat(501)}), false),
            (json!({"reason": 5}), false),
            (json!({}), false),
            (json!({"reason": "x", "by": "pps"}), false),
            (json!("HP rusak"), false),
            (json!(null), false),
        ] {
            let mut object = sample().to_object();
            object.insert("on_behalf".into(), value.clone());
            assert_eq!(read(&object).is_ok(), ok, "on_behalf = {value}");
        }
    }

    #[test]
    fn every_malformed_member_is_refused() {
        let digest = "ab".repeat(32);
        let cases: Vec<(&str, Value)> = vec![
            ("v", json!(2)),
            ("v", json!("1")),
            ("type", json!("key")),
            ("type", json!(1)),
            ("tps", json!("11.01")),
            ("tps", json!(5)),
            ("contest", json!("dprd")),
            ("version", json!(0)),
            ("version", json!(2)),
            ("version", json!(-1)),
            ("version", json!(4_294_967_296u64)),
            ("prev", json!("AB".repeat(32))),
            ("prev", json!(digest.clone())),
            ("prev", json!(3)),
            ("photos", json!(["zz"])),
            ("photos", json!(vec![digest.clone(); 65])),
            ("photos", json!({})),
            ("signed_at", json!("yesterday")),
            ("form", json!({"suara_sah": 1})),
            ("form", json!([])),
            ("extra", json!(true)),
            ("origin", json!(7)),
        ];
        for (name, value) in cases {
            let mut object = sample().to_object();
            object.insert(name.to_owned(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        for name in ["photos", "prev", "v", "type", "form", "signed_at", "origin"] {
            let mut object = sample().to_object();
            object.remove(name);
            assert!(read(&object).is_err(), "without {name}");
        }
        // A fraction of a second is a valid RFC 3339 time for the signer.
        let mut object = sample().to_object();
        object.insert("signed_at".into(), json!("2024-02-14T13:05:09.123Z"));
        assert!(read(&object).is_ok());
    }
}
