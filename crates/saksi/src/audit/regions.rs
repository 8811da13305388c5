//! The published region list (`GET /api/v1/regions/...`), fixed before
//! voting, as far as the key chain and the forms need it:
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

use anyhow::{Context, Result, anyhow, bail};
use saksi_core::{Level, RegionCode};
use serde_json::Value;

use super::fetch::Pool;

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

/// The children of a region at `level`, from its `/api/v1/regions` answer.
fn children(body: &[u8], parent: RegionCode, level: Level) -> Result<Vec<RegionCode>> {
    let value: Value = serde_json::from_slice(body).context("not JSON")?;
    let list = value
        .get("children")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("no `children` array"))?;
    list.iter()
        .map(|c| {
            c.get("code")
                .and_then(Value::as_str)
                .and_then(|s| RegionCode::parse(s).ok())
                .filter(|c| c.level() == level && c.parent() == Some(parent))
                .ok_or_else(|| anyhow!("a child that is not a {} of {parent}", level.as_str()))
        })
        .collect()
}

fn region_path(code: RegionCode) -> String {
    if code == RegionCode::NASIONAL {
        "/api/v1/regions".to_owned()
    } else {
        format!("/api/v1/regions/{code}")
    }
}

impl Regions {
    /// Fetches the provinces and every kab/kota.
    pub async fn fetch(pool: &mut Pool) -> Result<Regions> {
        let path = region_path(RegionCode::NASIONAL);
        let body = pool.main.get_ok(&path).await?;
        let provinces = children(&body, RegionCode::NASIONAL, Level::Provinsi)
            .with_context(|| format!("GET {path}"))?;
        let paths = provinces.iter().map(|p| region_path(*p)).collect();
        let lists = pool
            .get_each(paths, |path, status, body| {
                let parent = path
                    .rsplit('/')
                    .next()
                    .and_then(|c| RegionCode::parse(c).ok())
                    .unwrap_or(RegionCode::NASIONAL);
                if status != 200 {
                    bail!("GET {path} answered {status}");
                }
                children(&body, parent, Level::Kabkota).with_context(|| format!("GET {path}"))
            })
            .await?;
        let mut regions = Regions {
            provinces: provinces.into_iter().collect(),
            ..Regions::default()
        };
        for list in lists {
            regions.kabkota.extend(list?);
        }
        Ok(regions)
    }

    /// A list with these provinces and kab/kota (for tests).
    #[cfg(test)]
    pub fn with(provinces: &[RegionCode], kabkota: &[RegionCode]) -> Regions {
        Regions {
            provinces: provinces.iter().copied().collect(),
            kabkota: kabkota.iter().copied().collect(),
            ..Regions::default()
        }
    }

    /// Provinces and kab/kota in the list.
    pub fn upper_counts(&self) -> (usize, usize) {
        (self.provinces.len(), self.kabkota.len())
    }

    /// Whether the election has `code`, as the key chain asks it: exactly
    /// for provinces and kab/kota; for a TPS, unless it is known not to
    /// (it is checked later, see the module docs).
    pub fn exists(&self, code: RegionCode) -> bool {
        match code.level() {
            Level::Provinsi => self.provinces.contains(&code),
            Level::Kabkota => self.kabkota.contains(&code),
            Level::Tps => !self.missing.contains(&code),
            _ => false,
        }
    }

    /// Whether `tps` is known not to be in the list.
    #[cfg(test)]
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

    /// Fetches the desa of every TPS noted and not yet checked, and checks
    /// them. Returns the TPS the list does not have, each with the first
    /// log index that named it, in log order.
    pub async fn resolve(&mut self, pool: &Pool) -> Result<Vec<(RegionCode, u64)>> {
        if self.unchecked.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted: Vec<RegionCode> = self
            .unchecked
            .keys()
            .filter_map(|t| t.parent())
            .filter(|d| !self.desa.contains_key(d))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let bar = crate::progress::bar("region list", wanted.len() as u64, "desa");
        let paths = wanted.iter().map(|d| region_path(*d)).collect();
        let progress = bar.clone();
        let lists = pool
            .get_each(paths, move |path, status, body| {
                progress.inc(1);
                let desa = path
                    .rsplit('/')
                    .next()
                    .and_then(|c| RegionCode::parse(c).ok())
                    .unwrap_or(RegionCode::NASIONAL);
                match status {
                    200 => children(&body, desa, Level::Tps)
                        .map(Some)
                        .with_context(|| format!("GET {path}")),
                    404 => Ok(None),
                    _ => Err(anyhow!("GET {path} answered {status}")),
                }
            })
            .await?;
        bar.finish_and_clear();
        for (desa, list) in wanted.into_iter().zip(lists) {
            let mut list = list?.unwrap_or_default();
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
        Ok(missing)
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

    #[test]
    fn children_must_be_of_the_level_below_their_parent() {
        let body = br#"{"code":"11.01.01.2001","children":[{"code":"11.01.01.2001.001"},{"code":"11.01.01.2001.002"}]}"#;
        let tps = children(body, code("11.01.01.2001"), Level::Tps).unwrap();
        assert_eq!(tps.len(), 2);
        assert!(children(body, code("11.01.01.2002"), Level::Tps).is_err());
        assert!(children(b"{}", code("11"), Level::Kabkota).is_err());
    }

    #[test]
    fn a_tps_is_taken_to_exist_until_its_desa_is_fetched() {
        let mut r = Regions::default();
        r.kabkota.insert(code("11.01"));
        assert!(r.exists(code("11.01")) && !r.exists(code("11.02")));
        assert!(r.exists(code("11.01.01.2001.009")));
        assert!(r.note_tps(code("11.01.01.2001.009"), 7));
        r.desa.insert(
            code("11.01.01.2001"),
            vec![code("11.01.01.2001.001")].into(),
        );
        assert!(!r.note_tps(code("11.01.01.2001.002"), 9));
        assert!(r.is_missing(code("11.01.01.2001.002")));
        assert!(!r.exists(code("11.01.01.2001.002")));
        assert!(r.note_tps(code("11.01.01.2001.001"), 9));
    }
}
