//! The importer over small inline lists: counts per level, names, the
//! disagreement report, and malformed rows reported by line with nothing
//! imported.

use saksi_core::{Level, RegionCode, RegionInput, RegionTree};
use saksi_sim::import::{
    ImportError, ImportReport, ImportedRegions, LevelCounts, List, MAX_LISTED_ROWS, RowProblem,
    import_regions,
};

const DESA_HEADER: &str =
    "kode_desa,kode_desa_dotted,desa_kelurahan,tps_no_max,tps_ext_from,tps_ext_to,tps_total\n";
const NAMES_HEADER: &str =
    "kode,kode_compact,level,level_name,parent_kode,nama,desa_or_kelurahan\n";

/// Two provinces, three kab/kota, four kecamatan, five desa, 13 TPS (two of
/// them at special locations).
const GOOD_DESA: &str = "\
1101012001,11.01.01.2001,KEUDE BAKONGAN,3,,,3
1101012002,11.01.01.2002,\"LUBUK PAKAM I,II\",2,901,902,4
1101022001,11.01.02.2001,\"SOKA\"\"AN\",1,,,1
1102012001,11.02.01.2001,GAMPONG,2,,,2
1201011001,12.01.01.1001,KOTA,3,,,3
";

/// Names for part of [`GOOD_DESA`] plus one kecamatan and one desa that the
/// commission's list does not have.
const NAMES: &str = "\
11,11,1,provinsi,,Aceh,
11.01,1101,2,kabupaten_kota,11,Kabupaten Aceh Selatan,
11.01.01,110101,3,kecamatan,11.01,Bakongan,
11.01.01.2001,1101012001,4,desa_kelurahan,11.01.01,Keude Bakongan,desa
11.01.01.2002,1101012002,4,desa_kelurahan,11.01.01,\"Lubuk Pakam I, II\",kelurahan
11.01.09,110109,3,kecamatan,11.01,Kecamatan Baru,
11.01.09.2001,1101092001,4,desa_kelurahan,11.01.09,Desa Baru,desa
12,12,1,provinsi,,Sumatera Utara,
";

fn import(desa: &str, names: Option<&str>) -> Result<ImportedRegions, ImportError> {
    let desa = format!("{DESA_HEADER}{desa}");
    let names = names.map(|n| format!("{NAMES_HEADER}{n}"));
    let mut names_reader = names.as_deref().map(str::as_bytes);
    import_regions(
        desa.as_bytes(),
        names_reader
            .as_mut()
            .map(|r| r as &mut dyn std::io::BufRead),
        &mut |_| {},
    )
}

fn malformed(desa: &str, names: Option<&str>) -> (Vec<(List, u64, RowProblem)>, usize) {
    match import(desa, names) {
        Err(ImportError::Malformed { rows, more }) => (
            rows.into_iter()
                .map(|r| (r.list, r.line, r.problem))
                .collect(),
            more,
        ),
        other => panic!("expected malformed rows, got {other:?}"),
    }
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn find<'a>(regions: &'a [RegionInput], c: &str) -> &'a RegionInput {
    let c = code(c);
    regions
        .iter()
        .find(|r| r.code == c)
        .unwrap_or_else(|| panic!("{c} missing"))
}

fn counts(
    provinsi: usize,
    kabkota: usize,
    kecamatan: usize,
    desa: usize,
    tps: usize,
) -> LevelCounts {
    LevelCounts {
        provinsi,
        kabkota,
        kecamatan,
        desa,
        tps,
    }
}

#[test]
fn a_good_list_gives_exact_counts_per_level() {
    let imported = import(GOOD_DESA, None).unwrap();
    let expected = counts(2, 3, 4, 5, 13);
    assert_eq!(imported.report.imported, expected);
    assert_eq!(imported.regions.len(), expected.total());
    for level in [
        Level::Provinsi,
        Level::Kabkota,
        Level::Kecamatan,
        Level::Desa,
        Level::Tps,
    ] {
        let n = imported
            .regions
            .iter()
            .filter(|r| r.code.level() == level)
            .count();
        assert_eq!(n, expected.get(level), "{level}");
    }
    assert!(imported.regions.iter().all(|r| r.dpt.total() == 0));
}

#[test]
fn tps_are_numbered_regular_then_special_location() {
    let imported = import(GOOD_DESA, None).unwrap();
    let tps: Vec<(String, &str)> = imported
        .regions
        .iter()
        .filter(|r| r.code.parent() == Some(code("11.01.01.2002")))
        .map(|r| (r.code.to_string(), r.name.as_str()))
        .collect();
    assert_eq!(
        tps,
        [
            ("11.01.01.2002.001".to_owned(), "TPS 001"),
            ("11.01.01.2002.002".to_owned(), "TPS 002"),
            ("11.01.01.2002.901".to_owned(), "TPS 901"),
            ("11.01.01.2002.902".to_owned(), "TPS 902"),
        ]
    );
}

#[test]
fn without_a_names_list_names_are_the_commissions_or_synthetic() {
    let imported = import(GOOD_DESA, None).unwrap();
    let r = &imported.regions;
    assert_eq!(find(r, "11").name, "Aceh");
    assert_eq!(find(r, "12").name, "Sumatera Utara");
    assert_eq!(find(r, "11.01").name, "Kab/Kota 11.01");
    assert_eq!(find(r, "11.01.02").name, "Kecamatan 11.01.02");
    assert_eq!(find(r, "11.01.01.2001").name, "KEUDE BAKONGAN");
    assert!(!imported.report.names_read);
    assert_eq!(imported.report.without_name, counts(2, 3, 4, 5, 0));
    let unknown = import("9701011001,97.01.01.1001,X,1,,,1\n", None).unwrap();
    assert_eq!(find(&unknown.regions, "97").name, "Provinsi 97");
}

#[test]
fn quoted_names_keep_their_commas_and_quotes() {
    let imported = import(GOOD_DESA, None).unwrap();
    assert_eq!(
        find(&imported.regions, "11.01.01.2002").name,
        "LUBUK PAKAM I,II"
    );
    assert_eq!(find(&imported.regions, "11.01.02.2001").name, "SOKA\"AN");
}

#[test]
fn codes_in_only_one_list_are_counted_not_refused() {
    let imported = import(GOOD_DESA, Some(NAMES)).unwrap();
    let r = &imported.regions;
    assert_eq!(find(r, "11").name, "Aceh");
    assert_eq!(find(r, "11.01").name, "Kabupaten Aceh Selatan");
    assert_eq!(find(r, "11.01.01.2002").name, "Lubuk Pakam I, II");
    // Named by the commission where the Ministry has no name.
    assert_eq!(find(r, "11.01.02.2001").name, "SOKA\"AN");
    assert_eq!(find(r, "11.02").name, "Kab/Kota 11.02");
    // The Ministry's extra codes stay out of the tree.
    assert!(r.iter().all(|x| x.code != code("11.01.09")));
    let report = &imported.report;
    assert_eq!(report.imported, counts(2, 3, 4, 5, 13));
    assert!(report.names_read);
    assert_eq!(report.only_in_names, counts(0, 0, 1, 1, 0));
    assert_eq!(report.without_name, counts(0, 2, 3, 3, 0));
    assert_eq!(
        report.to_string(),
        "2 provinsi, 3 kab/kota, 4 kecamatan, 5 desa, 13 TPS; 2 codes only in the names list \
         (0 kab/kota, 1 kecamatan, 1 desa) and 8 regions without a name there \
         (2 kab/kota, 3 kecamatan, 3 desa)"
    );
}

#[test]
fn every_malformed_row_is_reported_by_line_and_nothing_is_imported() {
    let desa = "\
1101012001,11.01.01.2001,OK,3,,,3
1101012002,11.01.01.2002,SHORT,3,,
11010120,11.01.01.2003,BAD CODE,1,,,1
1101012004,11.01.01.2009,MISMATCH,1,,,1
1101012005,11.01.01.2005,COUNT,tiga,,,3
1101012006,11.01.01.2006,TOTAL,3,901,902,4

1101012001,11.01.01.2001,DUPLICATE,3,,,3
1101012008,11.01.01.2008,WIDE,1000,,,1000
1101012009,11.01.01.2009,OVERLAP,3,2,4,6
1101012010,11.01.01.2010,HALF,3,901,,4
1101012011,11.01.01.2011,\"UNCLOSED,3,,,3
1101012012,11.01.01.2012,,3,,,3
110101,11.01.01,KECAMATAN,3,,,3
1101012014,11.01.01.2014,EMPTY RANGE,3,905,901,8
1101012015,11.01.01.2015,NONE,0,,,0
1101012016,11.01.01.2016,OK,1,,,1
";
    let (rows, more) = malformed(desa, None);
    let lines: Vec<u64> = rows.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert_eq!(more, 0);
    assert!(rows.iter().all(|(list, _, _)| *list == List::Desa));
    let problem = |line: u64| &rows.iter().find(|r| r.1 == line).unwrap().2;
    assert_eq!(
        problem(3),
        &RowProblem::Columns {
            expected: 7,
            found: 6
        }
    );
    assert!(matches!(
        problem(4),
        RowProblem::Code {
            column: "kode_desa",
            ..
        }
    ));
    assert!(matches!(problem(5), RowProblem::CodeMismatch { .. }));
    assert!(matches!(
        problem(6),
        RowProblem::Number {
            column: "tps_no_max",
            ..
        }
    ));
    assert_eq!(
        problem(7),
        &RowProblem::Total {
            stated: 4,
            counted: 5
        }
    );
    assert_eq!(
        problem(9),
        &RowProblem::Duplicate {
            code: code("11.01.01.2001"),
            first_line: 2
        }
    );
    assert_eq!(
        problem(10),
        &RowProblem::TpsNumber {
            column: "tps_no_max",
            value: 1000
        }
    );
    assert!(matches!(problem(11), RowProblem::ExtraOverlap { .. }));
    assert_eq!(problem(12), &RowProblem::HalfExtraRange);
    assert_eq!(problem(13), &RowProblem::UnclosedQuote);
    assert_eq!(problem(14), &RowProblem::EmptyName);
    assert!(matches!(
        problem(15),
        RowProblem::CodeLevel {
            found: Level::Kecamatan,
            ..
        }
    ));
    assert!(matches!(problem(16), RowProblem::EmptyExtraRange { .. }));
    assert_eq!(problem(17), &RowProblem::NoTps);
}

#[test]
fn the_error_message_lists_each_row_with_its_line() {
    let desa = "1101012001,11.01.01.2001,A,3,,,4\n1101012002,11.01.01.2002,B,x,,,1\n";
    let err = import(desa, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 malformed rows; nothing was imported\n  \
         desa list line 2: tps_total 4 does not match the 3 TPS numbered\n  \
         desa list line 3: tps_no_max \"x\" is not a whole number"
    );
}

#[test]
fn malformed_rows_of_both_lists_are_reported_together() {
    let names = "\
11,11,1,provinsi,,Aceh,
11.01,1102,2,kabupaten_kota,11,Wrong Compact,
11.01.01,110101,2,kecamatan,11.01,Wrong Level,
11.01.02,110102,3,kecamatan,12.01,Wrong Parent,
11.01.03,110103,3,kecamatan,11.01,,
11,11,1,provinsi,,Aceh Again,
";
    let desa = "1101012001,11.01.01.2001,A,3,,,4\n";
    let (rows, _) = malformed(desa, Some(names));
    let found: Vec<(List, u64)> = rows.iter().map(|(list, line, _)| (*list, *line)).collect();
    assert_eq!(
        found,
        [
            (List::Names, 3),
            (List::Names, 4),
            (List::Names, 5),
            (List::Names, 6),
            (List::Names, 7),
            (List::Desa, 2),
        ]
    );
    assert!(matches!(
        rows[0].2,
        RowProblem::CodeMismatch {
            column: "kode_compact",
            ..
        }
    ));
    assert!(matches!(rows[1].2, RowProblem::LevelColumn { .. }));
    assert!(matches!(rows[2].2, RowProblem::Parent { .. }));
    assert_eq!(rows[3].2, RowProblem::EmptyName);
    assert!(matches!(
        rows[4].2,
        RowProblem::Duplicate { first_line: 2, .. }
    ));
}

#[test]
fn the_list_of_malformed_rows_is_capped_and_the_rest_counted() {
    let desa: String = (1..=150)
        .map(|i| {
            format!(
                "11010{:05},11.01.0{}.{:04},X,1,,,2\n",
                i + 1000,
                i / 1000 + 1,
                i + 1000
            )
        })
        .collect();
    let (rows, more) = malformed(&desa, None);
    assert_eq!(rows.len(), MAX_LISTED_ROWS);
    assert_eq!(more, 150 - MAX_LISTED_ROWS);
    assert_eq!(rows[0].1, 2);
    assert_eq!(rows[MAX_LISTED_ROWS - 1].1, MAX_LISTED_ROWS as u64 + 1);
    let err = import(&desa, None).unwrap_err().to_string();
    assert!(err.starts_with("150 malformed rows; nothing was imported\n"));
    assert!(err.ends_with("\n  ... and 50 more"), "{err}");
}

#[test]
fn a_wrong_header_or_an_empty_list_is_refused() {
    let no_header = import_regions(
        &b"1101012001,11.01.01.2001,A,3,,,3\n"[..],
        None,
        &mut |_| {},
    );
    match no_header {
        Err(ImportError::Malformed { rows, .. }) => {
            assert_eq!(rows[0].line, 1);
            assert!(matches!(rows[0].problem, RowProblem::Header { .. }));
        }
        other => panic!("expected a header error, got {other:?}"),
    }
    let empty = import_regions(&b""[..], None, &mut |_| {});
    assert!(matches!(empty, Err(ImportError::Malformed { .. })));
    assert!(matches!(import("", None), Err(ImportError::NoDesa)));
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_are_accepted() {
    let desa = format!("\u{feff}{DESA_HEADER}{GOOD_DESA}").replace('\n', "\r\n");
    let imported = import_regions(desa.as_bytes(), None, &mut |_| {}).unwrap();
    assert_eq!(imported.report.imported, counts(2, 3, 4, 5, 13));
    assert_eq!(
        find(&imported.regions, "11.01.01.2001").name,
        "KEUDE BAKONGAN"
    );
}

#[test]
fn progress_counts_bytes_over_both_lists() {
    let desa = format!("{DESA_HEADER}{GOOD_DESA}");
    let names = format!("{NAMES_HEADER}{NAMES}");
    let mut seen = Vec::new();
    let mut names_reader = names.as_bytes();
    import_regions(desa.as_bytes(), Some(&mut names_reader), &mut |bytes| {
        seen.push(bytes)
    })
    .unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(
        seen.last().copied(),
        Some((desa.len() + names.len()) as u64)
    );
}

#[test]
fn an_empty_report_says_nothing_about_names() {
    let report = ImportReport::default();
    assert_eq!(
        report.to_string(),
        "0 provinsi, 0 kab/kota, 0 kecamatan, 0 desa, 0 TPS"
    );
}

#[test]
fn the_imported_regions_form_a_tree() {
    let imported = import(GOOD_DESA, Some(NAMES)).unwrap();
    let tree = RegionTree::build("Indonesia", imported.regions).unwrap();
    assert_eq!(tree.count_by_level(), [1, 2, 3, 4, 5, 13]);
}

#[test]
fn the_election_over_an_import_adds_overseas_and_draws_voters_by_seed() {
    let election = import(GOOD_DESA, None).unwrap().into_election(7).unwrap();
    let tree = &election.tree;
    let provinces: Vec<String> = tree
        .children(tree.root())
        .map(|p| tree.get(p).code.to_string())
        .collect();
    assert_eq!(provinces, ["11", "12", "99"]);
    let domestic_tps: Vec<u32> = tree
        .iter()
        .filter(|(_, r)| r.level() == Level::Tps && !r.code.is_luar_negeri())
        .map(|(_, r)| r.dpt.total())
        .collect();
    assert_eq!(domestic_tps.len(), 13);
    assert!(domestic_tps.iter().all(|dpt| *dpt > 0));
    assert!(!election.dapil.is_empty());
    let again = import(GOOD_DESA, None).unwrap().into_election(7).unwrap();
    let dpt = |e: &saksi_core::Election| e.tree.get(e.tree.root()).dpt;
    assert_eq!(dpt(&election), dpt(&again));
}

#[test]
fn a_missing_file_is_named_in_the_error() {
    let err = saksi_sim::import::import_files(
        std::path::Path::new("/nonexistent/desa.csv"),
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Open { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot open /nonexistent/desa.csv: "),
        "{err}"
    );
}

#[test]
fn names_with_control_direction_or_invisible_characters_are_refused_line_by_line() {
    let desa = "1101012001,11.01.01.2001,Gampong\u{202E}gnp.exe,3,,,3\n\
                1101012002,11.01.01.2002,Blang\u{200B}Mee,3,,,3\n\
                1101012003,11.01.01.2003,Lam Ara,3,,,3\n";
    let names = "\
11,11,1,provinsi,,Aceh\u{7},
11.01,1101,2,kabupaten_kota,11,Simeulue,
";
    let (rows, _) = malformed(desa, Some(names));
    let found: Vec<(List, u64, String)> = rows
        .iter()
        .map(|(list, line, problem)| (*list, *line, problem.to_string()))
        .collect();
    let hidden = |c: &str| {
        format!(
            "the name holds {c}, a control, text-direction or invisible character \
             (it could make the name display as something else)"
        )
    };
    assert_eq!(
        found,
        [
            (List::Names, 2, hidden("U+0007")),
            (List::Desa, 2, hidden("U+202E")),
            (List::Desa, 3, hidden("U+200B")),
        ]
    );
    let message = import(desa, Some(names)).unwrap_err().to_string();
    assert!(
        message.contains("desa list line 2: the name holds U+202E"),
        "{message}"
    );
}
