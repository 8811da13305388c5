//! The key chain: which keys may sign what, decided the same way by the
//! server (in its sequencer, in log order) and by `saksi audit` (replaying
//! the log).
//!
//! - The KPU RI root keys are pinned (given to `saksi init`, published at
//!   `/api/v1/log/roots`, compared out of band by auditors); they register
//!   `kpu-prov` keys for a province and the national commissioners'
//!   `kpu-ri` keys.
//! - A `kpu-prov` key registers `kpu-kabkota` keys for a kab/kota in its
//!   province; a `kpu-kabkota` key registers `kpps` keys for a TPS, `pps`
//!   keys for a desa and `ppk` keys for a kecamatan in its kab/kota, and
//!   `supplier` keys (a printer or warehouse) for its own kab/kota. The
//!   key that may register a key may also revoke it, and a root key may
//!   revoke any key.
//! - A TPS's form is signed by a `kpps` key registered for that TPS, or
//!   on its behalf (the statement says so, with a reason) by a `pps` key
//!   of its desa or a `ppk` key of its kecamatan, or, as a correction
//!   answering an upheld objection (the statement says which), by a `ppk`
//!   key of its kecamatan; by no other key.
//! - A key registered with `"commissioner": true` is a commissioner's: the
//!   commissioners of a region are those keys of its level's role
//!   (`ppk` for a kecamatan, `kpu-kabkota`, `kpu-prov`, `kpu-ri` above).
//! - A key signs only while it is registered and not revoked, and while the
//!   log's time (the entry's `logged_at`, not the signer's own clock) is in
//!   its validity. A revocation is forward-looking: what a key signed
//!   before it was revoked stands, including the keys it registered (a
//!   province officer's lost phone does not void every KPPS key).
//! - A public key is registered at most once, whatever its name.

use std::collections::HashMap;

use saksi_core::RegionCode;
use saksi_core::time::UnixTime;
use saksi_log::Verifier;

use crate::form::SignedBy;
use crate::key::{KeyAction, KeyRole, KeyStatement};

/// A registered key as the chain needs it: a few dozen bytes, so a
/// nation's ~830,000 keys take tens of megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRecord {
    /// The key ID of the registered verifier key (which binds its name).
    pub key_id: u32,
    pub role: KeyRole,
    pub region: RegionCode,
    pub valid_from: UnixTime,
    pub valid_until: UnixTime,
    /// Log index of the registration.
    pub registered_at: u64,
    /// Log index of the revocation.
    pub revoked_at: Option<u64>,
    /// Registered with `"commissioner": true`.
    pub commissioner: bool,
}

/// Who signed: a pinned root key, or a registered key in its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Root,
    Key(KeyRecord),
}

/// Why the chain refuses a statement. Each maps to one stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the key is neither a KPU RI root key nor registered in this log")]
    UnknownKey,
    #[error("the key was revoked (log index {0})")]
    Revoked(u64),
    #[error("the key is valid from {valid_from} until {valid_until}, not at {now}")]
    OutsideValidity {
        valid_from: UnixTime,
        valid_until: UnixTime,
        now: UnixTime,
    },
    #[error("the key belongs to TPS {key_tps}, not {tps}")]
    WrongTps {
        key_tps: RegionCode,
        tps: RegionCode,
    },
    #[error("the {} key of {key_region} signs only for the TPSs in it, not {tps}", role.id())]
    OutsideRegion {
        role: KeyRole,
        key_region: RegionCode,
        tps: RegionCode,
    },
    #[error("a {} key signs a TPS's form only on its behalf: the statement needs `on_behalf`", .0.id())]
    OnBehalfRequired(KeyRole),
    #[error("a KPPS key signs its own TPS's form: `on_behalf` is for PPS and PPK keys only")]
    OnBehalfNotAllowed,
    #[error("a correction is signed by a PPK key of the TPS's kecamatan, not a {} key", .0.id())]
    CorrectionByPpkOnly(KeyRole),
    #[error("{0}")]
    NotAuthorised(String),
    #[error("the key is already registered (log index {0})")]
    AlreadyRegistered(u64),
    #[error("the key is a KPU RI root key, which the log neither registers nor revokes")]
    RootKey,
    #[error("the election has no region {0}")]
    RegionNotFound(RegionCode),
}

/// The registered keys and the pinned roots.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Root public key → its key ID.
    roots: HashMap<[u8; 32], u32>,
    keys: HashMap<[u8; 32], KeyRecord>,
    /// The commissioners' keys of each region, to count them without a
    /// walk over every key.
    commissioners: HashMap<RegionCode, Vec<[u8; 32]>>,
}

impl Registry {
    /// A registry with the pinned root keys and no registered key.
    pub fn new(roots: &[Verifier]) -> Registry {
        Registry {
            roots: roots.iter().map(|r| (r.public_key(), r.key_id())).collect(),
            keys: HashMap::new(),
            commissioners: HashMap::new(),
        }
    }

    /// Adds a registered key as stored (at start-up) or just decided.
    pub fn insert(&mut self, public_key: [u8; 32], record: KeyRecord) {
        if record.commissioner && !self.keys.contains_key(&public_key) {
            self.commissioners
                .entry(record.region)
                .or_default()
                .push(public_key);
        }
        self.keys.insert(public_key, record);
    }

    /// Checks that `key` may confirm a sign-off of `region` at `now`: a
    /// commissioner's key of that region and of its level's role
    /// (`ppk` for a kecamatan, `kpu-kabkota`, `kpu-prov`, `kpu-ri`).
    pub fn check_commissioner(
        &self,
        key: &Verifier,
        region: RegionCode,
        now: UnixTime,
    ) -> Result<KeyRecord, Refusal> {
        match self.authority(key, now)? {
            Authority::Key(r)
                if r.commissioner && r.region == region && r.role.level() == region.level() =>
            {
                Ok(r)
            }
            _ => Err(Refusal::NotAuthorised(format!(
                "a sign-off of {region} is confirmed by the key of one of its commissioners (registered for {region} with \"commissioner\": true)"
            ))),
        }
    }

    /// Every region some commissioner's key was registered for.
    pub fn commissioner_regions(&self) -> impl Iterator<Item = RegionCode> + '_ {
        self.commissioners.keys().copied()
    }

    /// The commissioners of `region` who could sign at log index `index`,
    /// time `now`: registered before it, not revoked before it, within
    /// their validity. Counted the same way when the log is replayed.
    pub fn commissioners(&self, region: RegionCode, index: u64, now: UnixTime) -> usize {
        self.commissioners.get(&region).map_or(0, |keys| {
            keys.iter()
                .filter_map(|k| self.keys.get(k))
                .filter(|r| {
                    r.registered_at < index
                        && r.revoked_at.is_none_or(|at| at >= index)
                        && r.valid_from <= now
                        && now < r.valid_until
                })
                .count()
        })
    }

    /// Registered keys, for reports.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// A registered key's record.
    pub fn get(&self, key: &Verifier) -> Option<&KeyRecord> {
        self.keys
            .get(&key.public_key())
            .filter(|r| r.key_id == key.key_id())
    }

    /// What `key` may do at `now`: a root key, or a registered key that is
    /// unrevoked and within its validity.
    pub fn authority(&self, key: &Verifier, now: UnixTime) -> Result<Authority, Refusal> {
        let public = key.public_key();
        if self.roots.get(&public) == Some(&key.key_id()) {
            return Ok(Authority::Root);
        }
        let record = *self.get(key).ok_or(Refusal::UnknownKey)?;
        if let Some(at) = record.revoked_at {
            return Err(Refusal::Revoked(at));
        }
        if now < record.valid_from || now >= record.valid_until {
            return Err(Refusal::OutsideValidity {
                valid_from: record.valid_from,
                valid_until: record.valid_until,
                now,
            });
        }
        Ok(Authority::Key(record))
    }

    /// Checks that `key` may sign a form of `tps` at `now` as the
    /// statement says it does (`signed_by`: its own KPPS, on its behalf, or
    /// a correction); the signer's role if it may. Whether a correction
    /// answers an upheld objection is the recap's question, not the
    /// chain's.
    pub fn check_form_signer(
        &self,
        key: &Verifier,
        tps: RegionCode,
        signed_by: SignedBy,
        now: UnixTime,
    ) -> Result<KeyRole, Refusal> {
        let record = match self.authority(key, now)? {
            Authority::Key(record) => record,
            Authority::Root => return Err(not_a_form_signer()),
        };
        let role = record.role;
        let on_behalf = match signed_by {
            SignedBy::Session => return Err(not_a_form_signer()),
            SignedBy::Correction if role != KeyRole::Ppk => {
                return Err(Refusal::CorrectionByPpkOnly(role));
            }
            SignedBy::Correction if !record.region.contains(tps) => {
                return Err(Refusal::OutsideRegion {
                    role,
                    key_region: record.region,
                    tps,
                });
            }
            SignedBy::Correction => return Ok(role),
            SignedBy::Kpps => false,
            SignedBy::OnBehalf => true,
        };
        match role {
            KeyRole::Kpps if on_behalf => Err(Refusal::OnBehalfNotAllowed),
            KeyRole::Kpps if record.region != tps => Err(Refusal::WrongTps {
                key_tps: record.region,
                tps,
            }),
            KeyRole::Pps | KeyRole::Ppk if !record.region.contains(tps) => {
                Err(Refusal::OutsideRegion {
                    role,
                    key_region: record.region,
                    tps,
                })
            }
            KeyRole::Pps | KeyRole::Ppk if !on_behalf => Err(Refusal::OnBehalfRequired(role)),
            KeyRole::Kpps | KeyRole::Pps | KeyRole::Ppk => Ok(role),
            KeyRole::KpuRi | KeyRole::KpuProv | KeyRole::KpuKabkota | KeyRole::Supplier => {
                Err(not_a_form_signer())
            }
        }
    }

    /// Checks that `key` may sign at `now` what a PPK member signs about
    /// `tps` (a ruling on an objection against its form, why it has no
    /// form): a PPK member's key of its kecamatan.
    pub fn check_ppk_member(
        &self,
        key: &Verifier,
        tps: RegionCode,
        now: UnixTime,
    ) -> Result<(), Refusal> {
        match self.authority(key, now)? {
            Authority::Key(r) if r.role == KeyRole::Ppk && r.region.contains(tps) => Ok(()),
            Authority::Key(r) if r.role == KeyRole::Ppk => Err(Refusal::OutsideRegion {
                role: r.role,
                key_region: r.region,
                tps,
            }),
            _ => Err(Refusal::NotAuthorised(
                "signed by a PPK member's key of the TPS's kecamatan (an objection's ruling, a reason for no form)".into(),
            )),
        }
    }

    /// Checks that `signer` may make `statement` at `now`; `region_exists`
    /// says whether the election has a region.
    pub fn check_key_statement(
        &self,
        signer: &Verifier,
        statement: &KeyStatement,
        now: UnixTime,
        region_exists: &dyn Fn(RegionCode) -> bool,
    ) -> Result<(), Refusal> {
        let authority = self.authority(signer, now)?;
        let target = statement.key.public_key();
        if self.roots.contains_key(&target) {
            return Err(Refusal::RootKey);
        }
        let (role, region) = match &statement.action {
            KeyAction::Register { role, region, .. } => {
                if let Some(existing) = self.keys.get(&target) {
                    return Err(Refusal::AlreadyRegistered(existing.registered_at));
                }
                if !region_exists(*region) {
                    return Err(Refusal::RegionNotFound(*region));
                }
                (*role, *region)
            }
            KeyAction::Revoke => {
                let record = self.get(&statement.key).ok_or(Refusal::UnknownKey)?;
                if let Some(at) = record.revoked_at {
                    return Err(Refusal::Revoked(at));
                }
                if authority == Authority::Root {
                    return Ok(());
                }
                (record.role, record.region)
            }
        };
        let allowed = match (role.certified_by(), authority) {
            (None, Authority::Root) => true,
            (Some(needed), Authority::Key(r)) => r.role == needed && r.region.contains(region),
            _ => false,
        };
        if allowed {
            return Ok(());
        }
        let by = match role.certified_by() {
            None => "a KPU RI root key".to_owned(),
            Some(r) => format!("a {} key of a region containing {region}", r.id()),
        };
        Err(Refusal::NotAuthorised(format!(
            "a {} key for {region} is registered or revoked only by {by}",
            role.id()
        )))
    }

    /// Applies a checked key statement accepted at log index `index`.
    pub fn apply(&mut self, statement: &KeyStatement, index: u64) {
        let public = statement.key.public_key();
        match &statement.action {
            KeyAction::Register {
                role,
                region,
                valid_from,
                valid_until,
                commissioner,
            } => self.insert(
                public,
                KeyRecord {
                    key_id: statement.key.key_id(),
                    role: *role,
                    region: *region,
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                    registered_at: index,
                    revoked_at: None,
                    commissioner: *commissioner,
                },
            ),
            KeyAction::Revoke => {
                if let Some(r) = self.keys.get_mut(&public) {
                    r.revoked_at.get_or_insert(index);
                }
            }
        }
    }
}

/// An officer key that registers keys but never signs a form.
fn not_a_form_signer() -> Refusal {
    Refusal::NotAuthorised(
        "a TPS's form is signed by its KPPS device key, or on its behalf by a PPS or PPK key of its desa or kecamatan"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use saksi_log::Signer;

    use super::*;

    const NOW: UnixTime = UnixTime(1_707_915_600);

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn signer(name: &str) -> Signer {
        Signer::generate(name).unwrap()
    }

    fn register(key: &Signer, role: KeyRole, region: &str) -> KeyStatement {
        KeyStatement {
            origin: "o".into(),
            key: key.verifier(),
            action: KeyAction::Register {
                role,
                region: code(region),
                valid_from: NOW.plus(-86_400),
                valid_until: NOW.plus(86_400),
                commissioner: false,
            },
            signed_at: NOW,
        }
    }

    fn revoke(key: &Signer) -> KeyStatement {
        KeyStatement {
            origin: "o".into(),
            key: key.verifier(),
            action: KeyAction::Revoke,
            signed_at: NOW,
        }
    }

    /// Checks and applies, as the sequencer does.
    fn accept(
        registry: &mut Registry,
        by: &Signer,
        statement: &KeyStatement,
        index: u64,
    ) -> Result<(), Refusal> {
        registry.check_key_statement(&by.verifier(), statement, NOW, &|_| true)?;
        registry.apply(statement, index);
        Ok(())
    }

    struct Chain {
        registry: Registry,
        root: Signer,
        prov: Signer,
        kab: Signer,
        kpps: Signer,
    }

    fn chain() -> Chain {
        let root = signer("kpu-ri");
        let mut registry = Registry::new(&[root.verifier()]);
        let prov = signer("prov-11");
        let kab = signer("kab-11.01");
        let kpps = signer("kpps-11.01.01.2001.001");
        accept(
            &mut registry,
            &root,
            &register(&prov, KeyRole::KpuProv, "11"),
            0,
        )
        .unwrap();
        accept(
            &mut registry,
            &prov,
            &register(&kab, KeyRole::KpuKabkota, "11.01"),
            1,
        )
        .unwrap();
        accept(
            &mut registry,
            &kab,
            &register(&kpps, KeyRole::Kpps, "11.01.01.2001.001"),
            2,
        )
        .unwrap();
        Chain {
            registry,
            root,
            prov,
            kab,
            kpps,
        }
    }

    #[test]
    fn the_chain_from_root_to_kpps_signs_its_own_tps_only() {
        let c = chain();
        let tps = code("11.01.01.2001.001");
        assert_eq!(
            c.registry
                .check_form_signer(&c.kpps.verifier(), tps, SignedBy::Kpps, NOW),
            Ok(KeyRole::Kpps)
        );
        assert!(matches!(
            c.registry.check_form_signer(
                &c.kpps.verifier(),
                code("11.01.01.2001.002"),
                SignedBy::Kpps,
                NOW
            ),
            Err(Refusal::WrongTps { .. })
        ));
        assert!(matches!(
            c.registry
                .check_form_signer(&c.kab.verifier(), tps, SignedBy::OnBehalf, NOW),
            Err(Refusal::NotAuthorised(_))
        ));
        assert_eq!(
            c.registry
                .check_form_signer(&signer("stranger").verifier(), tps, SignedBy::Kpps, NOW),
            Err(Refusal::UnknownKey)
        );
        assert!(matches!(
            c.registry
                .check_form_signer(&c.kpps.verifier(), tps, SignedBy::Kpps, NOW.plus(86_400)),
            Err(Refusal::OutsideValidity { .. })
        ));
    }

    #[test]
    fn pps_and_ppk_keys_sign_on_behalf_of_the_tps_of_their_desa_or_kecamatan_only() {
        let mut c = chain();
        let pps = signer("pps-11.01.01.2001");
        let ppk = signer("ppk-11.01.01");
        accept(
            &mut c.registry,
            &c.kab,
            &register(&pps, KeyRole::Pps, "11.01.01.2001"),
            3,
        )
        .unwrap();
        accept(
            &mut c.registry,
            &c.kab,
            &register(&ppk, KeyRole::Ppk, "11.01.01"),
            4,
        )
        .unwrap();
        let tps = code("11.01.01.2001.001");
        let same_kecamatan = code("11.01.01.2002.001");
        let elsewhere = code("11.01.02.2001.001");
        let check = |key: &Signer, tps, on_behalf: bool| {
            let on_behalf = if on_behalf {
                SignedBy::OnBehalf
            } else {
                SignedBy::Kpps
            };
            c.registry
                .check_form_signer(&key.verifier(), tps, on_behalf, NOW)
        };
        assert_eq!(check(&pps, tps, true), Ok(KeyRole::Pps));
        assert_eq!(check(&ppk, tps, true), Ok(KeyRole::Ppk));
        assert_eq!(check(&ppk, same_kecamatan, true), Ok(KeyRole::Ppk));
        assert!(matches!(
            check(&pps, same_kecamatan, true),
            Err(Refusal::OutsideRegion {
                role: KeyRole::Pps,
                ..
            })
        ));
        assert!(matches!(
            check(&ppk, elsewhere, true),
            Err(Refusal::OutsideRegion {
                role: KeyRole::Ppk,
                ..
            })
        ));
        assert_eq!(
            check(&pps, tps, false),
            Err(Refusal::OnBehalfRequired(KeyRole::Pps))
        );
        assert_eq!(
            check(&ppk, tps, false),
            Err(Refusal::OnBehalfRequired(KeyRole::Ppk))
        );
        assert_eq!(check(&c.kpps, tps, true), Err(Refusal::OnBehalfNotAllowed));
        assert!(matches!(
            check(&c.root, tps, true),
            Err(Refusal::NotAuthorised(_))
        ));
        // Only a kab/kota officer of the region registers them.
        let stray = signer("pps-stray");
        assert!(matches!(
            accept(
                &mut c.registry,
                &c.prov,
                &register(&stray, KeyRole::Pps, "11.01.01.2001"),
                5
            ),
            Err(Refusal::NotAuthorised(_))
        ));
        assert!(matches!(
            accept(
                &mut c.registry,
                &c.kpps,
                &register(&stray, KeyRole::Ppk, "11.01.01"),
                5
            ),
            Err(Refusal::NotAuthorised(_))
        ));
    }

    #[test]
    fn nobody_registers_outside_their_role_or_region() {
        let mut c = chain();
        let new = signer("x");
        let cases = [
            // A kab/kota officer of another province.
            (&c.prov, register(&new, KeyRole::KpuKabkota, "12.01")),
            // Skipping a level.
            (&c.root, register(&new, KeyRole::KpuKabkota, "11.01")),
            (&c.prov, register(&new, KeyRole::Kpps, "11.01.01.2001.001")),
            (&c.kab, register(&new, KeyRole::Kpps, "11.02.01.2001.001")),
            (&c.kpps, register(&new, KeyRole::Kpps, "11.01.01.2001.001")),
            (&c.kab, register(&new, KeyRole::KpuProv, "11")),
        ];
        for (by, statement) in cases {
            assert!(
                matches!(
                    accept(&mut c.registry, by, &statement, 9),
                    Err(Refusal::NotAuthorised(_))
                ),
                "{statement:?} by {}",
                by.name()
            );
        }
        // A key signed by nobody in the chain (the server's own key).
        let server = signer("saksi.localhost/log");
        assert_eq!(
            accept(
                &mut c.registry,
                &server,
                &register(&new, KeyRole::Kpps, "11.01.01.2001.001"),
                9
            ),
            Err(Refusal::UnknownKey)
        );
        let again = register(&c.kpps, KeyRole::Kpps, "11.01.01.2001.002");
        assert_eq!(
            accept(&mut c.registry, &c.kab, &again, 9),
            Err(Refusal::AlreadyRegistered(2))
        );
        let root_again = register(&c.root, KeyRole::KpuProv, "12");
        assert_eq!(
            accept(&mut c.registry, &c.root, &root_again, 9),
            Err(Refusal::RootKey)
        );
        let missing = register(&new, KeyRole::Kpps, "11.01.01.2001.009");
        assert_eq!(
            c.registry
                .check_key_statement(&c.kab.verifier(), &missing, NOW, &|r| r
                    != code("11.01.01.2001.009")),
            Err(Refusal::RegionNotFound(code("11.01.01.2001.009")))
        );
    }

    #[test]
    fn a_supplier_is_registered_by_the_kpu_kabkota_of_its_own_kab_kota_and_signs_no_form() {
        let mut c = chain();
        let supplier = signer("supplier-11.01");
        for (by, region) in [(&c.prov, "11.01"), (&c.kab, "11.02"), (&c.root, "11.01")] {
            assert!(
                matches!(
                    accept(
                        &mut c.registry,
                        by,
                        &register(&supplier, KeyRole::Supplier, region),
                        3
                    ),
                    Err(Refusal::NotAuthorised(_))
                ),
                "{} for {region}",
                by.name()
            );
        }
        accept(
            &mut c.registry,
            &c.kab,
            &register(&supplier, KeyRole::Supplier, "11.01"),
            3,
        )
        .unwrap();
        assert!(matches!(
            c.registry.check_form_signer(
                &supplier.verifier(),
                code("11.01.01.2001.001"),
                SignedBy::Kpps,
                NOW
            ),
            Err(Refusal::NotAuthorised(_))
        ));
    }

    #[test]
    fn a_revoked_key_signs_nothing_and_a_replacement_takes_over() {
        let mut c = chain();
        let tps = code("11.01.01.2001.001");
        accept(&mut c.registry, &c.kab, &revoke(&c.kpps), 10).unwrap();
        assert_eq!(
            c.registry
                .check_form_signer(&c.kpps.verifier(), tps, SignedBy::Kpps, NOW),
            Err(Refusal::Revoked(10))
        );
        assert_eq!(
            accept(&mut c.registry, &c.kab, &revoke(&c.kpps), 11),
            Err(Refusal::Revoked(10))
        );
        let phone = signer("kpps-11.01.01.2001.001-2");
        accept(
            &mut c.registry,
            &c.kab,
            &register(&phone, KeyRole::Kpps, "11.01.01.2001.001"),
            12,
        )
        .unwrap();
        assert_eq!(
            c.registry
                .check_form_signer(&phone.verifier(), tps, SignedBy::Kpps, NOW),
            Ok(KeyRole::Kpps)
        );
        // What a revoked officer registered stands; the root revokes anyone.
        accept(&mut c.registry, &c.root, &revoke(&c.kab), 13).unwrap();
        assert_eq!(
            c.registry
                .check_form_signer(&phone.verifier(), tps, SignedBy::Kpps, NOW),
            Ok(KeyRole::Kpps)
        );
        let other = signer("y");
        assert_eq!(
            accept(
                &mut c.registry,
                &c.kab,
                &register(&other, KeyRole::Kpps, "11.01.01.2001.002"),
                14
            ),
            Err(Refusal::Revoked(13))
        );
        // Another province's officer may not revoke here.
        let prov12 = signer("prov-12");
        accept(
            &mut c.registry,
            &c.root,
            &register(&prov12, KeyRole::KpuProv, "12"),
            15,
        )
        .unwrap();
        assert!(matches!(
            accept(&mut c.registry, &prov12, &revoke(&c.prov), 16),
            Err(Refusal::NotAuthorised(_))
        ));
    }

    #[test]
    fn corrections_and_rulings_are_a_ppk_of_the_kecamatan_s_and_the_root_registers_kpu_ri() {
        let mut c = chain();
        let ppk = signer("ppk-11.01.01");
        let mut member = register(&ppk, KeyRole::Ppk, "11.01.01");
        if let KeyAction::Register { commissioner, .. } = &mut member.action {
            *commissioner = true;
        }
        accept(&mut c.registry, &c.kab, &member, 3).unwrap();
        assert!(c.registry.get(&ppk.verifier()).unwrap().commissioner);
        let tps = code("11.01.01.2001.001");
        let elsewhere = code("11.01.02.2001.001");
        let correction = |key: &Signer, tps| {
            c.registry
                .check_form_signer(&key.verifier(), tps, SignedBy::Correction, NOW)
        };
        assert_eq!(correction(&ppk, tps), Ok(KeyRole::Ppk));
        assert!(matches!(
            correction(&ppk, elsewhere),
            Err(Refusal::OutsideRegion { .. })
        ));
        assert_eq!(
            correction(&c.kpps, tps),
            Err(Refusal::CorrectionByPpkOnly(KeyRole::Kpps))
        );
        assert_eq!(
            correction(&c.kab, tps),
            Err(Refusal::CorrectionByPpkOnly(KeyRole::KpuKabkota))
        );
        assert_eq!(
            c.registry.check_ppk_member(&ppk.verifier(), tps, NOW),
            Ok(())
        );
        assert!(matches!(
            c.registry.check_ppk_member(&ppk.verifier(), elsewhere, NOW),
            Err(Refusal::OutsideRegion { .. })
        ));
        assert!(matches!(
            c.registry.check_ppk_member(&c.kpps.verifier(), tps, NOW),
            Err(Refusal::NotAuthorised(_))
        ));
        // The national commissioners: by a root key only, and they sign no form.
        let ri = signer("kpu-ri-1");
        assert!(matches!(
            accept(
                &mut c.registry,
                &c.prov,
                &register(&ri, KeyRole::KpuRi, "0"),
                4
            ),
            Err(Refusal::NotAuthorised(_))
        ));
        accept(
            &mut c.registry,
            &c.root,
            &register(&ri, KeyRole::KpuRi, "0"),
            4,
        )
        .unwrap();
        assert!(matches!(
            c.registry
                .check_form_signer(&ri.verifier(), tps, SignedBy::Kpps, NOW),
            Err(Refusal::NotAuthorised(_))
        ));
    }
}
