//! The published region list (`GET /api/v1/regions/...`), fixed before
//! voting, as far as the key chain and the forms need it. The caller
//! fetches; this module knows what to ask for and what the answers mean:
//!
//! - provinces and kab/kota are fetched before the first entry (40
//!   requests for the nation), so a `kpu-prov` or `kpu-kabkota` key for a
//!   region the election lacks is refused exactly as the server refuses it;
//! - a TPS (of a KPPS key or a form) is checked against its desa's list,
//!   fetched once per desa after the entries are verified (83,731 small
//!   requests for the nation, over the same connections), so the stream of
//!   entries never waits for them. Until then a TPS of the right level is
//!   taken to exist; one that does not is then reported at the first entry
//!   naming it, and its forms stop counting. (The server refuses such a key
//!   outright; for the auditor the only difference is that a key
//!   registered for a TPS that does not exist stays registered, which can
//!   only let it sign forms for that TPS, and those are not counted.)

use std::collections::{HashMap, HashSet};

use saksi_api::Region;
use saksi_core::{Level, RegionCode};

/// What is known of the region list.
#[derive(Debug, Default)]
pub struct Regions {
    provinces: HashSet<RegionCode>,
    kabkota: HashSet<RegionCode>,
    /// Desa already fetched: their TPS, sorted (empty for a desa the list
    /// does not have).
    desa: HashMap<RegionCode, Box<[RegionCode]>>,
    /// TPS named by the log whose desa is not fetched yet: the first log
    /// index naming each.
    unchecked: HashMap<RegionCode, u64>,
    /// TPS named by the log that the list does not have.
    missing: HashSet<RegionCode>,
    /// Distinct TPS checked against their desa's list.
    pub tps_checked: u64,
}

/// A region list answer the audit cannot use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListError {
    /// Not the documented region answer.
    #[error("not the documented region answer: {0}")]
    Shape(String),
    /// A child that cannot be where the list puts it.
    #[error("a child that is not a {level} of {parent}")]
    WrongChild {
        /// The level the children must have.
        level: &'static str,
        /// The region whose children they are.
        parent: RegionCode,
    },
}

/// The children of `parent` at `level`, from its `/api/v1/regions` answer.
pub fn children(
    body: &[u8],
    parent: RegionCode,
    level: Level,
) -> Result<Vec<RegionCode>, ListError> {
    let region: Region =
        serde_json::from_slice(body).map_err(|e| ListError::Shape(e.to_string()))?;
    region
        .children
        .iter()
        .map(|c| {
            RegionCode::parse(&c.code)
                .ok()
                .filter(|c| c.level() == level && c.parent() == Some(parent))
                .ok_or(ListError::WrongChild {
                    level: level.as_str(),
                    parent,
                })
        })
        .collect()
}

/// Where the region list of `code` is published.
pub fn region_path(code: RegionCode) -> String {
    if code == RegionCode::NASIONAL {
        "/api/v1/regions".to_owned()
    } else {
        format!("/api/v1/regions/{code}")
    }
}

impl Regions {
    /// The list as far as the provinces and kab/kota: what the key chain
    /// needs before the first entry.
    pub fn new(
        provinces: impl IntoIterator<Item = RegionCode>,
        kabkota: impl IntoIterator<Item = RegionCode>,
    ) -> Regions {
        Regions {
            provinces: provinces.into_iter().collect(),
            kabkota: kabkota.into_iter().collect(),
            ..Regions::default()
        }
    }

    /// Provinces and kab/kota in the list.
    pub fn upper_counts(&self) -> (usize, usize) {
        (self.provinces.len(), self.kabkota.len())
    }

    /// Whether the election has `code`, as the key chain asks it: always
    /// for the nation (of a KPU RI commissioner's key); exactly for
    /// provinces and kab/kota; for a kecamatan or desa (of a PPK or PPS
    /// key), if its kab/kota is in the list; for a TPS, unless it is known
    /// not to (it is checked later, see the module docs).
    pub fn exists(&self, code: RegionCode) -> bool {
        match code.level() {
            Level::Nasional => true,
            Level::Provinsi => self.provinces.contains(&code),
            Level::Kabkota => self.kabkota.contains(&code),
            Level::Kecamatan | Level::Desa => code
                .ancestor_at(Level::Kabkota)
                .is_some_and(|k| self.kabkota.contains(&k)),
            Level::Tps => !self.missing.contains(&code),
        }
    }

    /// Whether `tps` is known not to be in the list.
    pub fn is_missing(&self, tps: RegionCode) -> bool {
        self.missing.contains(&tps)
    }

    /// Notes a TPS named at log index `index` (by a counted form or a
    /// registered KPPS key). `false` if it is already known not to exist.
    pub fn note_tps(&mut self, tps: RegionCode, index: u64) -> bool {
        if self.missing.contains(&tps) {
            return false;
        }
        match tps.parent().and_then(|d| self.desa.get(&d)) {
            Some(list) if list.binary_search(&tps).is_ok() => true,
            Some(_) => {
                self.missing.insert(tps);
                self.tps_checked += 1;
                false
            }
            None => {
                self.unchecked.entry(tps).or_insert(index);
                true
            }
        }
    }

    /// The desa whose lists are needed to check the TPS noted so far:
    /// fetch them and give them to [`Regions::learn`].
    pub fn desa_wanted(&self) -> Vec<RegionCode> {
        let mut wanted: Vec<RegionCode> = self
            .unchecked
            .keys()
            .filter_map(|t| t.parent())
            .filter(|d| !self.desa.contains_key(d))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted
    }

    /// Takes the fetched desa lists (`None` for a desa the list does not
    /// have) and checks every TPS noted. Returns the TPS the list does not
    /// have, each with the first log index that named it, in log order.
    pub fn learn(
        &mut self,
        lists: impl IntoIterator<Item = (RegionCode, Option<Vec<RegionCode>>)>,
    ) -> Vec<(RegionCode, u64)> {
        for (desa, list) in lists {
            let mut list = list.unwrap_or_default();
            list.sort_unstable();
            self.desa.insert(desa, list.into());
        }
        let mut missing = Vec::new();
        for (tps, index) in std::mem::take(&mut self.unchecked) {
            self.tps_checked += 1;
            let present = tps
                .parent()
                .and_then(|d| self.desa.get(&d))
                .is_some_and(|list| list.binary_search(&tps).is_ok());
            if !present {
                self.missing.insert(tps);
                missing.push((tps, index));
            }
        }
        missing.sort_unstable_by_key(|(_, i)| *i);
        missing
    }

    /// Desa fetched so far.
    pub fn desa_fetched(&self) -> usize {
        self.desa.len()
    }

    /// TPS named by the log that the list does not have.
    pub fn missing_count(&self) -> usize {
        self.missing.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    /// A desa's answer as the server writes it.
    fn desa(code: &str, tps: &[&str]) -> Vec<u8> {
        serde_json::to_vec(&Region {
            code: code.into(),
            name: "Desa".into(),
            level: Level::Desa,
            parent: None,
            dpt: saksi_api::Dpt { l: 1, p: 1, j: 2 },
            children: tps
                .iter()
                .map(|c| saksi_api::RegionChild {
                    code: (*c).into(),
                    name: "TPS".into(),
                    level: Level::Tps,
                })
                .collect(),
        })
        .unwrap()
    }

    #[test]
    fn children_must_be_of_the_level_below_their_parent() {
        let body = desa("11.01.01.2001", &["11.01.01.2001.001", "11.01.01.2001.002"]);
        let tps = children(&body, code("11.01.01.2001"), Level::Tps).unwrap();
        assert_eq!(tps.len(), 2);
        assert_eq!(
            children(&body, code("11.01.01.2002"), Level::Tps),
            Err(ListError::WrongChild {
                level: "tps",
                parent: code("11.01.01.2002")
            })
        );
        assert!(matches!(
            children(br#"{"children":[]}"#, code("11"), Level::Kabkota),
            Err(ListError::Shape(_))
        ));
        assert!(matches!(
            children(b"<html>", code("11"), Level::Kabkota),
            Err(ListError::Shape(_))
        ));
    }

    #[test]
    fn the_nation_exists_in_every_list() {
        // The KPU RI's commissioners' keys are registered for it.
        assert!(Regions::default().exists(RegionCode::NASIONAL));
    }

    #[test]
    fn a_tps_is_taken_to_exist_until_its_desa_is_fetched() {
        let mut r = Regions::default();
        r.kabkota.insert(code("11.01"));
        assert!(r.exists(code("11.01")) && !r.exists(code("11.02")));
        assert!(r.exists(code("11.01.01.2001.009")));
        assert!(r.note_tps(code("11.01.01.2001.009"), 7));
        assert_eq!(r.desa_wanted(), [code("11.01.01.2001")]);
        assert_eq!(
            r.learn([(code("11.01.01.2001"), Some(vec![code("11.01.01.2001.001")]))]),
            [(code("11.01.01.2001.009"), 7)]
        );
        assert!(r.desa_wanted().is_empty());
        assert!(!r.note_tps(code("11.01.01.2001.002"), 9));
        assert!(r.is_missing(code("11.01.01.2001.002")));
        assert!(!r.exists(code("11.01.01.2001.002")));
        assert!(r.note_tps(code("11.01.01.2001.001"), 9));
    }
}
