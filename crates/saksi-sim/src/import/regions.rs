//! Turns the checked rows into the regions of the tree: the desa and their
//! TPS from the commission's list, and the provinsi, kab/kota and kecamatan
//! their codes imply, named from the Ministry's list where it has the code.

use std::collections::{BTreeSet, HashMap, HashSet};

use saksi_core::{Dpt, Level, RegionCode, RegionInput};

use super::desa::DesaRow;
use super::{ImportReport, ImportedRegions, LevelCounts};
use crate::generate::table;

/// Builds every region (TPS without DPT) and the report. The rows are
/// well-formed and unique, which the readers checked.
pub(super) fn assemble(
    rows: &[DesaRow],
    names: Option<&HashMap<RegionCode, String>>,
) -> ImportedRegions {
    let mut above_desa = BTreeSet::new();
    for row in rows {
        let mut code = row.code;
        while let Some(parent) = code.parent().filter(|p| *p != RegionCode::NASIONAL) {
            if !above_desa.insert(parent) {
                break;
            }
            code = parent;
        }
    }
    let tps: usize = rows.iter().map(|r| r.tps_numbers().count()).sum();
    let mut regions = Vec::with_capacity(above_desa.len() + rows.len() + tps);
    let mut without_name = LevelCounts::default();
    let mut name_of =
        |code: RegionCode, fallback: &dyn Fn() -> String| match names.and_then(|n| n.get(&code)) {
            Some(name) => name.clone(),
            None => {
                without_name.add(code.level());
                fallback()
            }
        };
    for &code in &above_desa {
        let name = name_of(code, &|| synthetic_name(code));
        regions.push(region(code, name));
    }
    for row in rows {
        let name = name_of(row.code, &|| row.name.clone());
        regions.push(region(row.code, name));
        for number in row.tps_numbers() {
            // Numbers were checked to be 1..=999, so the child code exists.
            if let Some(code) = row.code.child(number) {
                regions.push(region(code, format!("TPS {number:03}")));
            }
        }
    }
    let mut imported = LevelCounts::default();
    for r in &regions {
        imported.add(r.code.level());
    }
    let only_in_names = names.map_or_else(LevelCounts::default, |names| {
        let desa: HashSet<RegionCode> = rows.iter().map(|r| r.code).collect();
        let mut only = LevelCounts::default();
        for code in names.keys() {
            if !desa.contains(code) && !above_desa.contains(code) {
                only.add(code.level());
            }
        }
        only
    });
    ImportedRegions {
        regions,
        report: ImportReport {
            imported,
            names_read: names.is_some(),
            only_in_names,
            without_name,
        },
    }
}

/// A region with no DPT of its own yet.
fn region(code: RegionCode, name: String) -> RegionInput {
    RegionInput {
        code,
        name,
        dpt: Dpt::default(),
    }
}

/// The name of a region above desa that the names list does not give: the
/// real province name where the code is one of the 38, else a synthetic one.
fn synthetic_name(code: RegionCode) -> String {
    match code.level() {
        Level::Provinsi => u8::try_from(code.number())
            .ok()
            .and_then(table::province)
            .map_or_else(|| format!("Provinsi {code}"), |p| p.name.to_owned()),
        Level::Kabkota => format!("Kab/Kota {code}"),
        _ => format!("Kecamatan {code}"),
    }
}
