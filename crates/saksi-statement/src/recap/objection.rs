//! An objection (keberatan), logged as `objection` v1:
//! `{"by", "contest", "fields", "logged_at", "text", "tps", "type": "objection",
//! "v": 1, "version"}` (docs/log-entries.md). It is said aloud in the open
//! plenary, so its text is public; who said it is named by role, region
//! and party or pair, never by name. Made through a session: an objection
//! changes no number by itself, only a PPK's signed ruling and correction
//! do.

use saksi_core::form::CHasil;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level, RegionCode};
use saksi_log::canonical_check::{self, Layout};
use serde_json::{Value, json};

use crate::entry::EntryError;
use crate::read::Object;

/// The most fields one objection may dispute.
pub const MAX_FIELDS: usize = 64;

/// The longest objection text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

const MEMBERS: [&str; 9] = [
    "by",
    "contest",
    "fields",
    "logged_at",
    "text",
    "tps",
    "type",
    "v",
    "version",
];

/// Who objects: a party's witness, a PPWP pair's witness, or Bawaslu, each
/// at the region their account is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objector {
    Party { region: RegionCode, party: u8 },
    Paslon { region: RegionCode, paslon: u8 },
    Bawaslu { region: RegionCode },
}

impl Objector {
    pub fn region(self) -> RegionCode {
        match self {
            Objector::Party { region, .. }
            | Objector::Paslon { region, .. }
            | Objector::Bawaslu { region } => region,
        }
    }

    fn to_value(self) -> Value {
        match self {
            Objector::Party { region, party } => {
                json!({"party": party, "region": region.to_string(), "role": "saksi"})
            }
            Objector::Paslon { region, paslon } => {
                json!({"paslon": paslon, "region": region.to_string(), "role": "saksi"})
            }
            Objector::Bawaslu { region } => {
                json!({"region": region.to_string(), "role": "bawaslu"})
            }
        }
    }

    fn read(object: &Object<'_>) -> Result<Objector, String> {
        let region = object
            .str("region")
            .ok()
            .and_then(|r| RegionCode::parse(&r).ok())
            .filter(|r| r.level() != Level::Tps)
            .ok_or("`by.region` must be the code of a region above the TPS")?;
        let number = |name: &str| {
            object
                .get(name)
                .and_then(canonical_check::as_u64)
                .and_then(|n| u8::try_from(n).ok())
                .filter(|n| *n >= 1)
        };
        let role = object.str("role").map_err(|e| e.to_string())?;
        let names = object.names();
        match (role.as_ref(), names.as_slice()) {
            ("saksi", ["party", "region", "role"]) => Ok(Objector::Party {
                region,
                party: number("party").ok_or("`by.party` must be a party number")?,
            }),
            ("saksi", ["paslon", "region", "role"]) => Ok(Objector::Paslon {
                region,
                paslon: number("paslon").ok_or("`by.paslon` must be a pair's number")?,
            }),
            ("bawaslu", ["region", "role"]) => Ok(Objector::Bawaslu { region }),
            _ => Err(
                "`by` must be a saksi with `party` or `paslon`, or bawaslu, and its `region`"
                    .into(),
            ),
        }
    }
}

/// What an objection says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub tps: RegionCode,
    pub contest: Contest,
    /// The version disputed: the current one when it was made.
    pub version: u32,
    /// The disputed boxes by field name (`suara_sah`, `options.01`, ...),
    /// 1 to [`MAX_FIELDS`], each once.
    pub fields: Vec<String>,
    /// 1 to [`MAX_TEXT_CHARS`] characters.
    pub text: String,
    pub by: Objector,
}

impl Objection {
    /// What makes an objection well formed on its own (the election and
    /// the form it disputes are [`super::Review`]'s to check).
    pub fn check(&self) -> Result<(), String> {
        if self.tps.level() != Level::Tps {
            return Err("`tps` must be a TPS code like 11.01.01.2001.001".into());
        }
        if self.version == 0 {
            return Err("`version` must be an integer from 1".into());
        }
        if self.fields.is_empty() || self.fields.len() > MAX_FIELDS {
            return Err(format!(
                "`fields` names 1 to {MAX_FIELDS} boxes of the form"
            ));
        }
        let mut sorted = self.fields.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != self.fields.len() {
            return Err("`fields` names each box once".into());
        }
        if let Some(f) = self
            .fields
            .iter()
            .find(|f| !CHasil::is_box_name(self.contest, f))
        {
            return Err(format!(
                "`{f}` is not a box of a {} C.Hasil (a count such as `suara_sah`, or an option such as {})",
                self.contest.id(),
                match self.contest {
                    Contest::Ppwp => "`options.01`",
                    Contest::Dpd => "`options.7`",
                    _ => "`options.7.party` or `options.7.candidates.3`",
                }
            ));
        }
        if !(1..=MAX_TEXT_CHARS).contains(&self.text.trim().chars().count()) {
            return Err(format!("`text` must be 1 to {MAX_TEXT_CHARS} characters"));
        }
        Ok(())
    }
}

/// An objection as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionEntry {
    pub objection: Objection,
    pub logged_at: UnixTime,
}

impl ObjectionEntry {
    pub const TYPE: &'static str = "objection";
    pub const VERSION: u64 = 1;

    /// The entry's RFC 8785 bytes; the text is free, so it goes through
    /// the general encoder.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let o = &self.objection;
        let value = json!({
            "by": o.by.to_value(),
            "contest": o.contest.id(),
            "fields": o.fields,
            "logged_at": self.logged_at.to_string(),
            "text": o.text,
            "tps": o.tps.to_string(),
            "type": Self::TYPE,
            "v": Self::VERSION,
            "version": o.version,
        });
        saksi_log::canonical_json(&value).map_err(|e| EntryError::Encode(e.to_string()))
    }

    /// Reads the entry's members (`type` and `v` already known).
    pub(crate) fn read(object: &Object<'_>, layout: &Layout) -> Result<ObjectionEntry, String> {
        if object.names() != MEMBERS {
            return Err(format!("members are {:?}, not {MEMBERS:?}", object.names()));
        }
        let by = object.object(layout, "by").ok_or("`by` is not an object")?;
        let tps = object
            .str("tps")
            .ok()
            .and_then(|t| RegionCode::parse(&t).ok())
            .ok_or("`tps` is not a region code")?;
        let contest = object
            .str("contest")
            .ok()
            .and_then(|c| Contest::parse(&c))
            .ok_or("`contest` is not a contest")?;
        let version = object
            .get("version")
            .and_then(canonical_check::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or("`version` is not a version number")?;
        let fields = object
            .get("fields")
            .and_then(canonical_check::items)
            .ok_or("`fields` is not a list")?
            .into_iter()
            .map(|f| canonical_check::as_str(f).map(|s| s.into_owned()))
            .collect::<Option<Vec<_>>>()
            .ok_or("`fields` holds a member that is not a string")?;
        let objection = Objection {
            tps,
            contest,
            version,
            fields,
            text: object.str("text").map_err(|e| e.to_string())?.into_owned(),
            by: Objector::read(&by)?,
        };
        objection.check()?;
        Ok(ObjectionEntry {
            objection,
            logged_at: object.utc_seconds("logged_at").map_err(|e| e.to_string())?,
        })
    }
}
