//! The shipments CSV of `saksi logistics ship`: one row per item line,
//! rows grouped into shipments by their `shipment` column (README:
//! Logistics). Reading it is all or nothing: every row is checked, every
//! problem is reported with its line, and shipments are built only from a
//! file with none. Each built statement is then decoded by
//! `saksi_statement` as the server decodes it, so the CSV cannot make a
//! statement the one rule set refuses.
//!
//! A shipment's `signed_at` is its `dispatched_at`: the statement is then a
//! function of the file alone, so signing the same file again makes the
//! same bytes (Ed25519 signatures are deterministic, RFC 8032), and a
//! re-run after a partial failure is answered as a replay of what was
//! already logged instead of shipping twice.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use saksi_core::RegionCode;
use saksi_core::logistics::is_item_name;
use saksi_core::time::UnixTime;
use saksi_statement::logistics::shipment::is_next_level;
use saksi_statement::logistics::{MAX_ITEMS, MAX_QUANTITY, MAX_SEAL_CHARS, MAX_SEALS, is_seal};
use saksi_statement::{ShipmentStatement, decode_statement};
use serde_json::Value;

/// The columns, in the order the README's example gives them; a file may
/// order them as it likes.
pub const COLUMNS: [&str; 8] = [
    "shipment",
    "from",
    "to",
    "item",
    "quantity",
    "seals",
    "dispatched_at",
    "due_at",
];

/// The longest shipment reference, in characters.
const MAX_REFERENCE_CHARS: usize = 64;

/// Something wrong with the file, at a line (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub message: String,
}

/// One shipment of the file, ready to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// The file's `shipment` value, which names it in messages.
    pub reference: String,
    /// The line of its first row, where a refusal of the whole shipment is
    /// reported.
    pub line: u64,
    /// Each item and the line of its row.
    pub item_lines: BTreeMap<String, u64>,
    pub statement: ShipmentStatement,
}

/// One row, its fields checked.
struct Row {
    line: u64,
    reference: String,
    from: RegionCode,
    to: RegionCode,
    item: String,
    quantity: u64,
    seals: Vec<String>,
    dispatched_at: UnixTime,
    due_at: UnixTime,
}

/// Reads the file's shipments for the log `origin`, or every problem of
/// the file.
pub fn read(mut input: impl Read, origin: &str) -> Result<Vec<Shipment>, Vec<Problem>> {
    let mut text = String::new();
    if let Err(e) = input.read_to_string(&mut text) {
        return Err(vec![problem(
            0,
            format!("cannot read the file as UTF-8: {e}"),
        )]);
    }
    // A spreadsheet's "CSV UTF-8" starts with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first_line = text.lines().next().unwrap_or_default();
    // Where a comma is the decimal separator (Indonesian locales), a
    // spreadsheet writes its CSV with semicolons.
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // The reader's own line count skips blank lines, and a record's
    // offset is where the blank lines before it start; the clerk's
    // spreadsheet counts every line, so the line is found from the first
    // byte after them.
    let bytes = text.as_bytes();
    let newlines: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect();
    let line_at = |position: Option<&csv::Position>| {
        let Some(start) = position.and_then(|p| usize::try_from(p.byte()).ok()) else {
            return 0;
        };
        let blank = bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        newlines.partition_point(|&n| n < start + blank) as u64 + 1
    };
    let mut problems = Vec::new();
    let columns = match reader.headers() {
        Ok(header) => columns(header, &mut problems),
        Err(e) => return Err(vec![problem(1, format!("not CSV: {e}"))]),
    };
    let Some(columns) = columns else {
        return Err(problems);
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = line_at(record.position());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                match row(&record, &columns, line) {
                    Ok(row) => rows.push(row),
                    Err(why) => problems.push(problem(line, why)),
                }
            }
            Err(e) => {
                let line = line_at(e.position());
                problems.push(problem(line, format!("not CSV: {e}")));
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(problem(
            1,
            "the file has no shipments, only its header".into(),
        ));
    }
    let shipments = group(rows, origin, &mut problems);
    if problems.is_empty() {
        Ok(shipments)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

fn problem(line: u64, message: String) -> Problem {
    Problem { line, message }
}

/// The position of each of [`COLUMNS`] in the header, or `None` with the
/// header's problems noted.
fn columns(header: &csv::StringRecord, problems: &mut Vec<Problem>) -> Option<[usize; 8]> {
    let names: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    let expected = COLUMNS.join(",");
    let before = problems.len();
    for (i, name) in names.iter().enumerate() {
        if !COLUMNS.contains(&name.as_str()) {
            problems.push(problem(
                1,
                format!("unknown column {name:?} (the columns are {expected})"),
            ));
        } else if names[..i].contains(name) {
            problems.push(problem(1, format!("column {name:?} appears twice")));
        }
    }
    let mut positions = [0; 8];
    for (position, column) in positions.iter_mut().zip(COLUMNS) {
        match names.iter().position(|n| n == column) {
            Some(i) => *position = i,
            None => problems.push(problem(
                1,
                format!("no column {column:?} (the columns are {expected})"),
            )),
        }
    }
    (problems.len() == before).then_some(positions)
}

/// One row's fields, or what is wrong with them (every field's problem,
/// joined).
fn row(record: &csv::StringRecord, columns: &[usize; 8], line: u64) -> Result<Row, String> {
    if record.len() != COLUMNS.len() {
        return Err(format!(
            "{} fields, the header has {}",
            record.len(),
            COLUMNS.len()
        ));
    }
    let field = |i: usize| record.get(columns[i]).unwrap_or_default();
    let mut why = Vec::new();
    let mut note = |r: Result<(), String>| {
        if let Err(e) = r {
            why.push(e);
        }
    };
    let reference = field(0).to_owned();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
        note(Err(format!(
            "shipment: give the shipment's reference, 1 to {MAX_REFERENCE_CHARS} characters"
        )));
    }
    let mut region = |name: &str, text: &str| {
        let code = RegionCode::parse(text).ok();
        if code.is_none() {
            note(Err(format!(
                "{name}: {text:?} is not a region code like 11.01.01.2001"
            )));
        }
        code
    };
    let from = region("from", field(1));
    let to = region("to", field(2));
    if let (Some(from), Some(to)) = (from, to)
        && !is_next_level(from, to)
    {
        note(Err(format!(
            "from {from} to {to}: a shipment goes from a kab/kota, kecamatan or desa to one of its own regions one level down, or from a supplier to the kab/kota it serves (from and to both that kab/kota)"
        )));
    }
    let item = field(3).to_owned();
    if !is_item_name(&item) {
        note(Err(format!(
            "item: {item:?} is not an item name like ballot-ppwp or box (a-z, 0-9 and -)"
        )));
    }
    let quantity = quantity(field(4));
    if let Err(e) = &quantity {
        note(Err(e.clone()));
    }
    let seals: Vec<String> = field(5).split_whitespace().map(str::to_owned).collect();
    if let Some(bad) = seals.iter().find(|s| !is_seal(s)) {
        note(Err(format!(
            "seals: {bad:?} is not a seal number (1 to {MAX_SEAL_CHARS} visible ASCII characters; seals are separated by spaces)"
        )));
    }
    let mut time = |name: &str, text: &str| {
        let t = UnixTime::parse_rfc3339(text);
        if t.is_none() {
            note(Err(format!(
                "{name}: {text:?} is not an RFC 3339 UTC time like 2024-02-10T08:00:00Z"
            )));
        }
        t
    };
    let dispatched_at = time("dispatched_at", field(6));
    let due_at = time("due_at", field(7));
    if let (Some(d), Some(due)) = (dispatched_at, due_at)
        && due < d
    {
        note(Err("due_at is before dispatched_at".to_owned()));
    }
    match (from, to, quantity, dispatched_at, due_at) {
        (Some(from), Some(to), Ok(quantity), Some(dispatched_at), Some(due_at))
            if why.is_empty() =>
        {
            Ok(Row {
                line,
                reference,
                from,
                to,
                item,
                quantity,
                seals,
                dispatched_at,
                due_at,
            })
        }
        _ => Err(why.join("; ")),
    }
}

/// A quantity: digits only, 1 to [`MAX_QUANTITY`].
fn quantity(text: &str) -> Result<u64, String> {
    let wrong = || {
        format!("quantity: {text:?} is not a whole number from 1 to {MAX_QUANTITY} (digits only)")
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong());
    }
    text.parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_QUANTITY).contains(n))
        .ok_or_else(wrong)
}

/// The rows grouped into shipments by reference, in the order of their
/// first rows; the rows of one shipment must agree on its `from`, `to`
/// and times and name each item and seal once.
fn group(rows: Vec<Row>, origin: &str, problems: &mut Vec<Problem>) -> Vec<Shipment> {
    let mut order: Vec<String> = Vec::new();
    let mut by_reference: HashMap<String, Vec<Row>> = HashMap::new();
    for row in rows {
        if !by_reference.contains_key(&row.reference) {
            order.push(row.reference.clone());
        }
        by_reference
            .entry(row.reference.clone())
            .or_default()
            .push(row);
    }
    let mut shipments = Vec::new();
    // Two references that make one statement would be logged once.
    let mut made: HashMap<Vec<u8>, (String, u64)> = HashMap::new();
    for reference in order {
        let rows = by_reference.remove(&reference).unwrap_or_default();
        let Some(shipment) = shipment(reference, &rows, origin, problems) else {
            continue;
        };
        let bytes = canonical(&shipment.statement);
        if let Some((first, line)) = made.get(&bytes) {
            problems.push(problem(
                shipment.line,
                format!(
                    "shipment {:?} is the same as shipment {first:?} (line {line}): from, to, items, seals and times all equal, so the log would take it once; tell them apart by their seals",
                    shipment.reference
                ),
            ));
        } else {
            made.insert(bytes, (shipment.reference.clone(), shipment.line));
            shipments.push(shipment);
        }
    }
    shipments
}

/// One shipment from its rows, or `None` with its problems noted.
fn shipment(
    reference: String,
    rows: &[Row],
    origin: &str,
    problems: &mut Vec<Problem>,
) -> Option<Shipment> {
    let first = rows.first()?;
    let before = problems.len();
    let mut item_lines = BTreeMap::new();
    let mut items = BTreeMap::new();
    let mut seal_lines: HashMap<&str, u64> = HashMap::new();
    let mut seals = Vec::new();
    for row in rows {
        let mut differs = |name: &str, same: bool| {
            if !same {
                problems.push(problem(
                    row.line,
                    format!(
                        "{name} differs from line {} of shipment {reference:?}: a shipment's rows share its from, to, dispatched_at and due_at",
                        first.line
                    ),
                ));
            }
        };
        differs("from", row.from == first.from);
        differs("to", row.to == first.to);
        differs("dispatched_at", row.dispatched_at == first.dispatched_at);
        differs("due_at", row.due_at == first.due_at);
        if let Some(line) = item_lines.insert(row.item.clone(), row.line) {
            problems.push(problem(
                row.line,
                format!(
                    "item {:?} is already on line {line} of shipment {reference:?}",
                    row.item
                ),
            ));
        }
        items.insert(row.item.clone(), row.quantity);
        for seal in &row.seals {
            match seal_lines.get(seal.as_str()) {
                Some(line) => problems.push(problem(
                    row.line,
                    format!("seal {seal:?} is already on line {line} of shipment {reference:?}"),
                )),
                None => {
                    seal_lines.insert(seal, row.line);
                    seals.push(seal.clone());
                }
            }
        }
    }
    if items.len() > MAX_ITEMS {
        problems.push(problem(
            first.line,
            format!(
                "shipment {reference:?} has {} items; at most {MAX_ITEMS}",
                items.len()
            ),
        ));
    }
    if seals.len() > MAX_SEALS {
        problems.push(problem(
            first.line,
            format!(
                "shipment {reference:?} has {} seals; at most {MAX_SEALS}",
                seals.len()
            ),
        ));
    }
    if problems.len() > before {
        return None;
    }
    let statement = ShipmentStatement {
        origin: origin.to_owned(),
        from: first.from,
        to: first.to,
        items,
        seals,
        dispatched_at: first.dispatched_at,
        due_at: first.due_at,
        signed_at: first.dispatched_at,
    };
    // The one rule set decides what a shipment statement is.
    if let Err(e) = decode_statement::<ShipmentStatement>(&canonical(&statement)) {
        problems.push(problem(first.line, format!("shipment {reference:?}: {e}")));
        return None;
    }
    Some(Shipment {
        reference,
        line: first.line,
        item_lines,
        statement,
    })
}

/// The statement's RFC 8785 bytes.
fn canonical(statement: &ShipmentStatement) -> Vec<u8> {
    saksi_log::canonical_json(&Value::Object(statement.to_object())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "shipment,from,to,item,quantity,seals,dispatched_at,due_at\n";

    fn lines(problems: &[Problem]) -> Vec<u64> {
        problems.iter().map(|p| p.line).collect()
    }

    #[test]
    fn rows_with_one_reference_make_one_shipment_whose_signed_at_is_its_dispatch() {
        let csv = format!(
            "{HEADER}\
             A1,11.01.01.2001,11.01.01.2001.001,ballot-ppwp,255,KPU-1 KPU-2,2024-02-10T08:00:00Z,2024-02-11T08:00:00Z\n\
             B7,11.01.01.2001,11.01.01.2001.002,box,5,,2024-02-10T08:00:00Z,2024-02-11T08:00:00Z\n\
             A1,11.01.01.2001,11.01.01.2001.001,box,5,KPU-3,2024-02-10T08:00:00Z,2024-02-11T08:00:00Z\n"
        );
        let shipments = read(csv.as_bytes(), "saksi.localhost/log").unwrap();
        assert_eq!(shipments.len(), 2);
        let a = &shipments[0];
        assert_eq!((a.reference.as_str(), a.line), ("A1", 2));
        assert_eq!(a.statement.items.len(), 2);
        assert_eq!(a.statement.seals, ["KPU-1", "KPU-2", "KPU-3"]);
        assert_eq!(a.statement.signed_at, a.statement.dispatched_at);
        assert_eq!(a.item_lines["box"], 4);
        assert_eq!(shipments[1].statement.seals, Vec::<String>::new());
        // The same file makes the same statements: a re-run replays.
        assert_eq!(
            read(csv.as_bytes(), "saksi.localhost/log").unwrap(),
            shipments
        );
    }

    #[test]
    fn a_semicolon_separated_export_with_a_byte_order_mark_and_blank_lines_reads() {
        let csv = "\u{feff}Shipment;From;To;Item;Quantity;Seals;Dispatched_at;Due_at\n\
                   \n\
                   \"A 1\";11.01;11.01.01;ballot-dpr;1000;S1;2024-02-01T00:00:00Z;2024-02-03T00:00:00Z\n";
        let shipments = read(csv.as_bytes(), "o").unwrap();
        assert_eq!(shipments[0].reference, "A 1");
        assert_eq!(shipments[0].line, 3);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_is_built() {
        let ok = "11.01.01.2001,11.01.01.2001.001";
        let t = "2024-02-10T08:00:00Z,2024-02-11T08:00:00Z";
        let csv = format!(
            "{HEADER}\
             A,{ok},ballot-ppwp,255,,{t}\n\
             A,{ok},ballot-ppwp,1,,{t}\n\
             B,{ok},Kotak Suara,5,,{t}\n\
             C,{ok},box,-5,,{t}\n\
             D,{ok},box,1000001,,{t}\n\
             E,11.01.01.2001,11.01.02.2001.001,box,1,,{t}\n\
             F,11.01.01.20X1,11.01.01.2001.001,box,1,,{t}\n\
             G,{ok},box,1,,2024-02-10,2024-02-11T08:00:00Z\n\
             H,{ok},box,1,,2024-02-11T08:00:00Z,2024-02-10T08:00:00Z\n\
             I,{ok},box,1\n\
             J,{ok},box,1,S1 S1,{t}\n\
             K,{ok},ink,2,,{t}\n\
             L,{ok},ink,2,,{t}\n\
             M,{ok},box,1.5,,{t}\n"
        );
        let problems = read(csv.as_bytes(), "o").unwrap_err();
        assert_eq!(
            lines(&problems),
            [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15],
            "{problems:#?}"
        );
        let text = |line| {
            problems
                .iter()
                .find(|p| p.line == line)
                .map(|p| p.message.clone())
                .unwrap()
        };
        assert!(text(3).contains("already on line 2"), "{}", text(3));
        assert!(text(4).starts_with("item:"), "{}", text(4));
        assert!(text(5).starts_with("quantity:"), "{}", text(5));
        assert!(text(6).starts_with("quantity:"), "{}", text(6));
        assert!(text(7).contains("one level down"), "{}", text(7));
        assert!(text(8).starts_with("from:"), "{}", text(8));
        assert!(text(9).starts_with("dispatched_at:"), "{}", text(9));
        assert!(text(10).contains("before"), "{}", text(10));
        assert!(text(11).contains("5 fields"), "{}", text(11));
        assert!(text(12).contains("seal \"S1\" is already"), "{}", text(12));
        assert!(text(14).contains("same as shipment \"K\""), "{}", text(14));
        assert!(text(15).starts_with("quantity:"), "{}", text(15));
    }

    #[test]
    fn a_shipment_whose_rows_disagree_is_reported_at_the_row_that_differs() {
        let csv = format!(
            "{HEADER}\
             A,11.01.01.2001,11.01.01.2001.001,box,5,,2024-02-10T08:00:00Z,2024-02-11T08:00:00Z\n\
             A,11.01.01.2001,11.01.01.2001.002,ink,2,,2024-02-10T08:00:00Z,2024-02-11T09:00:00Z\n"
        );
        let problems = read(csv.as_bytes(), "o").unwrap_err();
        assert_eq!(lines(&problems), [3, 3]);
        assert!(problems[0].message.starts_with("to differs from line 2"));
        assert!(problems[1].message.starts_with("due_at differs"));
    }

    #[test]
    fn a_wrong_header_is_reported_and_no_row_is_read() {
        let csv =
            "shipment,sender,to,item,quantity,seals,dispatched_at,due_at,to\nA,1,2,3,4,5,6,7,8\n";
        let problems = read(csv.as_bytes(), "o").unwrap_err();
        assert_eq!(lines(&problems), [1, 1, 1]);
        assert!(problems[0].message.contains("unknown column \"sender\""));
        assert!(problems[1].message.contains("\"to\" appears twice"));
        assert!(problems[2].message.contains("no column \"from\""));
        let problems = read(HEADER.as_bytes(), "o").unwrap_err();
        assert!(problems[0].message.contains("no shipments"));
    }
}
