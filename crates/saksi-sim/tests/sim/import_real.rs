//! The importer over the real 2024 lists in `../shared/data`, when present:
//! exactly the commission's counts come out, named from the Ministry's list.
//!
//! Without the files the test says it skipped, except under `CI=true`, where
//! the files must be there.

use std::path::PathBuf;
use std::time::Instant;

use saksi_core::{Level, RegionCode};
use saksi_sim::import::{LevelCounts, import_files};

/// The reference data directory, beside the project.
fn data_file(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} not found, and CI=true requires it",
        path.display()
    );
    println!("skipped: {} not found", path.display());
    None
}

#[test]
fn the_real_lists_import_with_exactly_the_2024_counts_and_make_an_election() {
    let (Some(desa), Some(names)) = (
        data_file("kpu2024_desa_tps.csv"),
        data_file("wilayah_kemendagri_2025.csv"),
    ) else {
        return;
    };
    let total = std::fs::metadata(&desa).unwrap().len() + std::fs::metadata(&names).unwrap().len();
    let mut last = 0;
    let start = Instant::now();
    let imported = import_files(&desa, Some(&names), &mut |bytes| last = bytes).unwrap();
    println!("imported in {:?}: {}", start.elapsed(), imported.report);
    assert_eq!(last, total);

    let domestic = |level: Level| {
        imported
            .regions
            .iter()
            .filter(|r| r.code.level() == level && !r.code.is_luar_negeri())
            .count()
    };
    let expected = LevelCounts {
        provinsi: 38,
        kabkota: 514,
        kecamatan: 7_277,
        desa: 83_731,
        tps: 820_161,
    };
    for level in [
        Level::Provinsi,
        Level::Kabkota,
        Level::Kecamatan,
        Level::Desa,
        Level::Tps,
    ] {
        assert_eq!(domestic(level), expected.get(level), "{level}");
    }
    assert_eq!(imported.report.imported, expected);

    let name = |code: &str| {
        let code = RegionCode::parse(code).unwrap();
        imported
            .regions
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.as_str())
    };
    assert_eq!(name("11"), Some("Aceh"));
    assert_eq!(name("11.01"), Some("Kabupaten Aceh Selatan"));
    assert_eq!(name("11.01.01"), Some("Bakongan"));
    assert_eq!(name("11.01.01.2001"), Some("Keude Bakongan"));
    assert_eq!(name("12.07.28.1007"), Some("Lubuk Pakam I,II"));
    assert_eq!(name("11.01.01.2001.003"), Some("TPS 003"));
    assert_eq!(name("11.01.01.2001.004"), None);

    // The two lists differ below kab/kota level, and that is only reported.
    let report = &imported.report;
    assert_eq!(report.only_in_names.provinsi, 0);
    assert_eq!(report.only_in_names.kabkota, 0);
    assert_eq!(report.without_name.provinsi, 0);
    assert_eq!(report.without_name.kabkota, 0);
    assert!(report.only_in_names.kecamatan >= 8);

    // The election over it: overseas added, voters drawn to the real total.
    let start = Instant::now();
    let election = imported.into_election(42).unwrap();
    println!("election built in {:?}", start.elapsed());
    let tree = &election.tree;
    let root = tree.root();
    assert_eq!(tree.children(root).len(), 39);
    let mut domestic = [0usize; 6];
    let mut dpt = 0u64;
    for (_, r) in tree.iter() {
        if !r.code.is_luar_negeri() {
            domestic[r.level().depth()] += 1;
            if r.level() == Level::Tps {
                dpt += u64::from(r.dpt.total());
                assert!(r.dpt.total() > 0, "{} has no voters", r.code);
            }
        }
    }
    assert_eq!(domestic, [1, 38, 514, 7_277, 83_731, 820_161]);
    assert_eq!(dpt, 204_807_222 - 1_750_474);
    assert_eq!(u64::from(tree.get(root).dpt.total()), 204_807_222);
}

#[test]
fn the_real_desa_list_imports_without_names() {
    let Some(desa) = data_file("kpu2024_desa_tps.csv") else {
        return;
    };
    let imported = import_files(&desa, None, &mut |_| {}).unwrap();
    assert_eq!(imported.report.imported.tps, 820_161);
    assert_eq!(imported.report.without_name.desa, 83_731);
    let aceh = imported
        .regions
        .iter()
        .find(|r| r.code == RegionCode::parse("11").unwrap())
        .unwrap();
    assert_eq!(aceh.name, "Aceh");
}
