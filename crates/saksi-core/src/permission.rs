//! Who may do what, where: the one rule behind every endpoint.
//!
//! Each principal is bound to one region and may act only inside
//! that region's subtree, and only with its role's verbs. Every endpoint asks
//! [`decide`] and nothing else, so the whole access policy reads in one
//! screen and is tested exhaustively (role x action x region relation).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Level, RegionCode};

/// A role. Ids are fixed (`saksi user add --role`, the store, the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// The polling-station team: submits its own TPS's C.Hasil.
    #[serde(rename = "kpps")]
    Kpps,
    /// Desa committee.
    #[serde(rename = "pps")]
    Pps,
    /// Kecamatan committee: reviews and corrects TPS forms, signs off.
    #[serde(rename = "ppk")]
    Ppk,
    #[serde(rename = "kpu-kabkota")]
    KpuKabkota,
    #[serde(rename = "kpu-prov")]
    KpuProv,
    #[serde(rename = "kpu-ri")]
    KpuRi,
    /// Supervisory body at any level: inspects and objects.
    #[serde(rename = "bawaslu")]
    Bawaslu,
    /// A party's witness (needs a party): observes and objects.
    #[serde(rename = "saksi")]
    Saksi,
    /// Read-only inspection of non-public records in a subtree.
    #[serde(rename = "auditor")]
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 9] = [
        Role::Kpps,
        Role::Pps,
        Role::Ppk,
        Role::KpuKabkota,
        Role::KpuProv,
        Role::KpuRi,
        Role::Bawaslu,
        Role::Saksi,
        Role::Auditor,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Role::Kpps => "kpps",
            Role::Pps => "pps",
            Role::Ppk => "ppk",
            Role::KpuKabkota => "kpu-kabkota",
            Role::KpuProv => "kpu-prov",
            Role::KpuRi => "kpu-ri",
            Role::Bawaslu => "bawaslu",
            Role::Saksi => "saksi",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a stable id.
    pub fn parse(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The level a role's region must be at, for the roles tied to one
    /// committee; `None` for roles that may sit at any level.
    pub fn level(self) -> Option<Level> {
        match self {
            Role::Kpps => Some(Level::Tps),
            Role::Pps => Some(Level::Desa),
            Role::Ppk => Some(Level::Kecamatan),
            Role::KpuKabkota => Some(Level::Kabkota),
            Role::KpuProv => Some(Level::Provinsi),
            Role::KpuRi => Some(Level::Nasional),
            Role::Bawaslu | Role::Saksi | Role::Auditor => None,
        }
    }

    /// True for the roles whose staff log in with a second factor (TOTP,
    /// RFC 6238) besides the password: every role but `kpps`. A KPPS
    /// device is enrolled with a one-time code and signs with its own key,
    /// so it has no password login to protect; every other role reaches
    /// more than one polling station's data or acts on many.
    pub fn needs_totp(self) -> bool {
        self != Role::Kpps
    }

    /// True for the commission's own committees (KPPS up to KPU RI).
    fn is_commission(self) -> bool {
        self.level().is_some()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Why a role/region/party combination cannot be a principal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    #[error("role {role} sits at the {expected} level, but region {region} is a {found}")]
    WrongLevel {
        role: Role,
        expected: Level,
        region: RegionCode,
        found: Level,
    },
    #[error("role saksi needs a party number or a PPWP pair's number")]
    PartyRequired,
    #[error("only role saksi has a party or a PPWP pair")]
    PartyNotAllowed,
    #[error("a saksi witnesses for a party or for a PPWP pair, not both")]
    PartyAndPaslon,
}

/// Whom a saksi witnesses for: a party, or a PPWP pair (paslon), whose
/// witnesses sit in the same plenaries and may object to the PPWP form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Witness {
    Party(u8),
    Paslon(u8),
}

impl Witness {
    /// The witness an account's `party` and `paslon` columns name.
    pub fn of(party: Option<u8>, paslon: Option<u8>) -> Result<Option<Witness>, PrincipalError> {
        match (party, paslon) {
            (Some(_), Some(_)) => Err(PrincipalError::PartyAndPaslon),
            (Some(p), None) => Ok(Some(Witness::Party(p))),
            (None, Some(n)) => Ok(Some(Witness::Paslon(n))),
            (None, None) => Ok(None),
        }
    }
}

/// Someone acting: a role bound to one region (and, for a saksi, the party
/// or pair witnessed for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    role: Role,
    region: RegionCode,
    witness: Option<Witness>,
}

impl Principal {
    /// Checks that the role fits the region's level and the witness rule.
    pub fn new(
        role: Role,
        region: RegionCode,
        witness: Option<Witness>,
    ) -> Result<Principal, PrincipalError> {
        if let Some(expected) = role.level()
            && region.level() != expected
        {
            return Err(PrincipalError::WrongLevel {
                role,
                expected,
                region,
                found: region.level(),
            });
        }
        match (role, witness) {
            (Role::Saksi, None) => Err(PrincipalError::PartyRequired),
            (Role::Saksi, Some(_)) | (_, None) => Ok(Principal {
                role,
                region,
                witness,
            }),
            (_, Some(_)) => Err(PrincipalError::PartyNotAllowed),
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn region(&self) -> RegionCode {
        self.region
    }

    pub fn party(&self) -> Option<u8> {
        match self.witness {
            Some(Witness::Party(p)) => Some(p),
            _ => None,
        }
    }

    pub fn witness(&self) -> Option<Witness> {
        self.witness
    }
}

/// Something a principal asks to do at a target region. Reading public data
/// is not an action: it needs no principal at all. Entering a C.Hasil is
/// not one either: no session enters a form; a form is a statement signed
/// by a key of the key chain (docs/statements.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Enter a corrected version of a TPS form in the kecamatan plenary.
    CorrectForm,
    /// File a keberatan against a region's forms or recap.
    FileObjection,
    /// Decide a keberatan.
    ResolveObjection,
    /// Sign off a region's recap for a contest (the target is the region).
    SignOff,
    /// Report an incident at a region.
    ReportIncident,
    /// Create accounts for officers at the target region.
    ManageUsers,
    /// See non-public records (incident details, users) of a region.
    ViewRestricted,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 7] = [
        Action::CorrectForm,
        Action::FileObjection,
        Action::ResolveObjection,
        Action::SignOff,
        Action::ReportIncident,
        Action::ManageUsers,
        Action::ViewRestricted,
    ];
}

/// The answer, with the reason when it is no, so a 403 can say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The target lies outside the principal's region.
    OutsideJurisdiction,
    /// The role may not do this at all.
    RoleCannot,
    /// The role may do this, but not at the target's level.
    WrongLevel,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Decides whether `who` may do `action` at `target`. Pure and total: the
/// single permission rule of Saksi.
pub fn decide(who: &Principal, action: Action, target: RegionCode) -> Decision {
    if !who.region.contains(target) {
        return Decision::OutsideJurisdiction;
    }
    let own = target == who.region;
    let role = who.role;
    let allowed_anywhere_below = match action {
        Action::CorrectForm => {
            return verb(role == Role::Ppk, target.level() == Level::Tps);
        }
        Action::SignOff => {
            return verb(
                matches!(
                    role,
                    Role::Ppk | Role::KpuKabkota | Role::KpuProv | Role::KpuRi
                ),
                own,
            );
        }
        Action::ManageUsers => {
            return verb(
                matches!(role, Role::KpuKabkota | Role::KpuProv | Role::KpuRi),
                !own,
            );
        }
        Action::FileObjection => matches!(role, Role::Bawaslu | Role::Saksi),
        Action::ResolveObjection => {
            matches!(
                role,
                Role::Ppk | Role::KpuKabkota | Role::KpuProv | Role::KpuRi
            )
        }
        Action::ReportIncident => role.is_commission() || role == Role::Bawaslu,
        Action::ViewRestricted => role != Role::Saksi,
    };
    verb(allowed_anywhere_below, true)
}

fn verb(role_may: bool, level_fits: bool) -> Decision {
    match (role_may, level_fits) {
        (false, _) => Decision::RoleCannot,
        (true, false) => Decision::WrongLevel,
        (true, true) => Decision::Allow,
    }
}
