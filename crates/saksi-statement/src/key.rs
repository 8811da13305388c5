//! An officer's key statement, schema v1: a registration
//! `{"v": 1, "type": "key", "action": "register", "origin", "key", "role",
//! "region", "valid_from", "valid_until", "signed_at"}` (with
//! `"commissioner": true` for a member of a commission who signs its recap
//! off; absent otherwise, so older registrations keep their bytes) or a
//! revocation
//! `{"v": 1, "type": "key", "action": "revoke", "origin", "key",
//! "signed_at"}`, signed by the officer whose key vouches for it.

use saksi_core::time::UnixTime;
use saksi_core::{Level, RegionCode};
use saksi_log::Verifier;
use serde_json::{Map, Value, json};

use saksi_log::canonical_check;

use crate::read::Object;
use crate::{Statement, StatementError};

/// The roles a registered key acts in, each certified by the one above it
/// (the KPU RI root keys certify `kpu-prov` and `kpu-ri`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// A KPU RI commissioner: signs the national recap off.
    KpuRi,
    /// A KPU Provinsi officer: certifies KPU Kab/Kota officers' keys.
    KpuProv,
    /// A KPU Kab/Kota officer: registers KPPS device, PPS and PPK keys.
    KpuKabkota,
    /// A KPPS device: signs its TPS's forms.
    Kpps,
    /// A PPS (the desa's committee): signs a form on behalf of a TPS of
    /// its desa that has no working phone.
    Pps,
    /// A PPK (the kecamatan's committee): signs a form on behalf of a TPS
    /// of its kecamatan that has no working phone, rules on objections and
    /// signs the corrections an upheld one calls for.
    Ppk,
    /// A printer or warehouse supplying a kab/kota: signs the shipments it
    /// sends to the KPU Kab/Kota's warehouse, and nothing else. Registered
    /// by the KPU Kab/Kota for its own kab/kota.
    Supplier,
}

impl KeyRole {
    /// The stable id, the same as the account role's.
    pub fn id(self) -> &'static str {
        match self {
            KeyRole::KpuRi => "kpu-ri",
            KeyRole::KpuProv => "kpu-prov",
            KeyRole::KpuKabkota => "kpu-kabkota",
            KeyRole::Kpps => "kpps",
            KeyRole::Pps => "pps",
            KeyRole::Ppk => "ppk",
            KeyRole::Supplier => "supplier",
        }
    }

    /// Every role, top down (the supplier, which is outside the
    /// commission, last).
    pub const ALL: [KeyRole; 7] = [
        KeyRole::KpuRi,
        KeyRole::KpuProv,
        KeyRole::KpuKabkota,
        KeyRole::Kpps,
        KeyRole::Pps,
        KeyRole::Ppk,
        KeyRole::Supplier,
    ];

    pub fn parse(id: &str) -> Option<KeyRole> {
        KeyRole::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The level of the region a key of this role is bound to.
    pub fn level(self) -> Level {
        match self {
            KeyRole::KpuRi => Level::Nasional,
            KeyRole::KpuProv => Level::Provinsi,
            KeyRole::KpuKabkota | KeyRole::Supplier => Level::Kabkota,
            KeyRole::Kpps => Level::Tps,
            KeyRole::Pps => Level::Desa,
            KeyRole::Ppk => Level::Kecamatan,
        }
    }

    /// The role whose keys may register (and revoke) keys of this role;
    /// `None`: the pinned root keys.
    pub fn certified_by(self) -> Option<KeyRole> {
        match self {
            KeyRole::KpuRi | KeyRole::KpuProv => None,
            KeyRole::KpuKabkota => Some(KeyRole::KpuProv),
            KeyRole::Kpps | KeyRole::Pps | KeyRole::Ppk | KeyRole::Supplier => {
                Some(KeyRole::KpuKabkota)
            }
        }
    }

    /// The role of the office at a level of the logistics chain: the one
    /// that receives (and, above a TPS, sends on) a region's kits. A
    /// kab/kota's warehouse is its KPU Kab/Kota's, a kecamatan's its PPK's,
    /// a desa's its PPS's, a TPS's its KPPS device's; no other level keeps
    /// stock.
    pub fn office(level: Level) -> Option<KeyRole> {
        match level {
            Level::Kabkota => Some(KeyRole::KpuKabkota),
            Level::Kecamatan => Some(KeyRole::Ppk),
            Level::Desa => Some(KeyRole::Pps),
            Level::Tps => Some(KeyRole::Kpps),
            Level::Nasional | Level::Provinsi => None,
        }
    }

    /// Whether a form this role's key signs must say it is signed on
    /// behalf of the TPS (`on_behalf`): PPS and PPK keys sign only so.
    pub fn signs_on_behalf(self) -> bool {
        matches!(self, KeyRole::Pps | KeyRole::Ppk)
    }

    /// Whether a key of this role may be a commissioner's, one of those
    /// whose signatures make a level's recap final: the PPK's members and
    /// the KPU's commissioners at each level above.
    pub fn may_be_commissioner(self) -> bool {
        matches!(
            self,
            KeyRole::Ppk | KeyRole::KpuKabkota | KeyRole::KpuProv | KeyRole::KpuRi
        )
    }
}

/// What a key statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAction {
    Register {
        role: KeyRole,
        region: RegionCode,
        valid_from: UnixTime,
        /// The key is valid while the log's time is before this.
        valid_until: UnixTime,
        /// The key is a commissioner's (`"commissioner": true`): it counts
        /// towards its level's sign-off quorum. An officer's key that
        /// registers devices does not.
        commissioner: bool,
    },
    Revoke,
}

/// A parsed key statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatement {
    pub origin: String,
    /// The key registered or revoked.
    pub key: Verifier,
    pub action: KeyAction,
    pub signed_at: UnixTime,
}

const REGISTER_MEMBERS: &[&str] = &[
    "action",
    "commissioner",
    "origin",
    "key",
    "role",
    "region",
    "valid_from",
    "valid_until",
    "signed_at",
];
const REVOKE_MEMBERS: &[&str] = &["action", "origin", "key", "signed_at"];

impl Statement for KeyStatement {
    const TYPE: &'static str = "key";
    const ENTRY_VERSION: u64 = 1;

    /// Reads a key statement. A weak or malformed `key` is refused here,
    /// so a small-order key can never be registered.
    fn read(object: &Object<'_>) -> Result<KeyStatement, StatementError> {
        let malformed = |m: String| StatementError::Malformed(m);
        let action = object.get("action").and_then(canonical_check::as_str);
        let members = match action.as_deref() {
            Some("register") => REGISTER_MEMBERS,
            Some("revoke") => REVOKE_MEMBERS,
            _ => {
                return Err(malformed(
                    "`action` must be \"register\" or \"revoke\"".into(),
                ));
            }
        };
        object.check_header("key", members)?;
        let key = Verifier::parse(&object.str("key")?)
            .map_err(|e| malformed(format!("`key` is not a usable verifier key: {e}")))?;
        let action = if action.as_deref() == Some("register") {
            let role = KeyRole::parse(&object.str("role")?).ok_or_else(|| {
                malformed(
                    "`role` must be kpu-ri, kpu-prov, kpu-kabkota, kpps, pps, ppk or supplier"
                        .into(),
                )
            })?;
            let region = RegionCode::parse(&object.str("region")?)
                .ok()
                .filter(|r| r.level() == role.level())
                .ok_or_else(|| {
                    malformed(format!(
                        "`region` must be the code of a {} for a {} key",
                        role.level().as_str(),
                        role.id()
                    ))
                })?;
            let valid_from = object.time("valid_from")?;
            let valid_until = object.time("valid_until")?;
            if valid_until <= valid_from {
                return Err(malformed("`valid_until` must be after `valid_from`".into()));
            }
            // Only `true`: absent is the one way to say no, so a
            // registration has one encoding.
            let commissioner = match object.get("commissioner") {
                None => false,
                Some(b"true") if role.may_be_commissioner() => true,
                Some(b"true") => {
                    return Err(malformed(format!(
                        "a {} key is never a commissioner's: `commissioner` is for ppk, kpu-kabkota, kpu-prov and kpu-ri keys",
                        role.id()
                    )));
                }
                Some(_) => {
                    return Err(malformed(
                        "`commissioner` is true when present (leave it out otherwise)".into(),
                    ));
                }
            };
            KeyAction::Register {
                role,
                region,
                valid_from,
                valid_until,
                commissioner,
            }
        } else {
            KeyAction::Revoke
        };
        Ok(KeyStatement {
            origin: object.str("origin")?.into_owned(),
            key,
            action,
            signed_at: object.time("signed_at")?,
        })
    }
}

impl KeyStatement {
    /// The statement object, as `saksi key certify` builds it.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut value = json!({
            "v": 1,
            "type": "key",
            "origin": self.origin,
            "key": self.key.to_string(),
            "signed_at": self.signed_at.to_string(),
        });
        match &self.action {
            KeyAction::Register {
                role,
                region,
                valid_from,
                valid_until,
                commissioner,
            } => {
                value["action"] = json!("register");
                if *commissioner {
                    value["commissioner"] = json!(true);
                }
                value["role"] = json!(role.id());
                value["region"] = json!(region.to_string());
                value["valid_from"] = json!(valid_from.to_string());
                value["valid_until"] = json!(valid_until.to_string());
            }
            KeyAction::Revoke => value["action"] = json!("revoke"),
        }
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use saksi_log::Signer;

    use super::*;

    fn read(object: &Map<String, Value>) -> Result<KeyStatement, StatementError> {
        let bytes = saksi_log::canonical_json(&Value::Object(object.clone())).unwrap();
        crate::decode_statement(&bytes)
    }

    fn register() -> KeyStatement {
        KeyStatement {
            origin: "saksi.localhost/log".into(),
            key: Signer::from_seed("kpps-11.01.01.2001.001", &[1; 32])
                .unwrap()
                .verifier(),
            action: KeyAction::Register {
                role: KeyRole::Kpps,
                region: RegionCode::parse("11.01.01.2001.001").unwrap(),
                valid_from: UnixTime(1_700_000_000),
                valid_until: UnixTime(1_720_000_000),
                commissioner: false,
            },
            signed_at: UnixTime(1_707_000_000),
        }
    }

    #[test]
    fn registrations_and_revocations_round_trip() {
        let r = register();
        assert_eq!(read(&r.to_object()).unwrap(), r);
        let revoke = KeyStatement {
            action: KeyAction::Revoke,
            ..r
        };
        assert_eq!(read(&revoke.to_object()).unwrap(), revoke);
    }

    #[test]
    fn malformed_key_statements_are_refused() {
        for (name, value) in [
            ("action", json!("rotate")),
            ("role", json!("kpu-pusat")),
            ("commissioner", json!(false)),
            ("commissioner", json!(true)),
            ("region", json!("11.01")),
            ("valid_until", json!("2023-01-01T00:00:00Z")),
            ("key", json!("x+00000000+AQ==")),
            ("v", json!(3)),
            ("reason", json!("lost")),
        ] {
            let mut object = register().to_object();
            object.insert(name.to_owned(), value.clone());
            assert!(read(&object).is_err(), "{name} = {value} was accepted");
        }
        // A revocation carries no role.
        let mut object = register().to_object();
        object.insert("action".into(), json!("revoke"));
        assert!(read(&object).is_err());
    }
}
