//! A small CSV reader after RFC 4180: quoted fields with `""` for a quote and
//! commas inside, `\n` or `\r\n` line ends, a UTF-8 byte-order mark tolerated
//! at the start.
//!
//! One departure: a record is one line. No region name has a line break, and
//! an unclosed quote then costs one reported line instead of swallowing the
//! rest of the file, so every row keeps its exact line number. A malformed
//! record is a value carrying its line, never an I/O error that stops the
//! import: the importer reports every bad row.

use std::io::{self, BufRead};
use std::ops::Range;

use super::RowProblem;

/// One record: its unescaped fields, stored in one buffer.
#[derive(Debug, Default)]
pub(super) struct Record {
    /// The 1-based file line the record starts on.
    pub line: u64,
    text: String,
    fields: Vec<Range<usize>>,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`, or `""` past the end.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |r| &self.text[r.clone()])
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.fields.iter().map(|r| &self.text[r.clone()])
    }
}

/// What the next read found.
pub(super) enum Next<'a> {
    Record(&'a Record),
    /// A record that is not valid CSV, and the line it starts on.
    Malformed(u64, RowProblem),
    End,
}

/// Reads records one at a time, counting lines and bytes.
pub(super) struct CsvReader<R> {
    reader: R,
    /// Lines consumed so far.
    line: u64,
    /// Bytes consumed so far.
    bytes: u64,
    raw: Vec<u8>,
    record: Record,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(reader: R) -> Self {
        CsvReader {
            reader,
            line: 0,
            bytes: 0,
            raw: Vec::with_capacity(256),
            record: Record::default(),
        }
    }

    /// Bytes read from the underlying reader so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Reads the next record. Blank lines are skipped.
    pub fn next_record(&mut self) -> io::Result<Next<'_>> {
        loop {
            self.raw.clear();
            let n = self.reader.read_until(b'\n', &mut self.raw)?;
            if n == 0 {
                return Ok(Next::End);
            }
            self.line += 1;
            self.bytes += n as u64;
            let start_line = self.line;
            if start_line == 1 && self.raw.starts_with(b"\xEF\xBB\xBF") {
                self.raw.drain(..3);
            }
            strip_line_end(&mut self.raw);
            if self.raw.is_empty() {
                continue;
            }
            self.record.line = start_line;
            let Ok(text) = std::str::from_utf8(&self.raw) else {
                return Ok(Next::Malformed(start_line, RowProblem::NotUtf8));
            };
            return Ok(match split_fields(text, &mut self.record) {
                Ok(()) => Next::Record(&self.record),
                Err(problem) => Next::Malformed(start_line, problem),
            });
        }
    }
}

/// Drops one trailing `\n` or `\r\n`.
fn strip_line_end(raw: &mut Vec<u8>) {
    if raw.last() == Some(&b'\n') {
        raw.pop();
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
    }
}

/// Splits one record's text into unescaped fields.
fn split_fields(text: &str, record: &mut Record) -> Result<(), RowProblem> {
    record.text.clear();
    record.fields.clear();
    let mut chars = text.chars().peekable();
    loop {
        let start = record.text.len();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(RowProblem::UnclosedQuote),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        record.text.push('"');
                    }
                    Some('"') => break,
                    Some(c) => record.text.push(c),
                }
            }
            record.fields.push(start..record.text.len());
            match chars.next() {
                None => return Ok(()),
                Some(',') => continue,
                Some(_) => return Err(RowProblem::TextAfterQuote),
            }
        }
        let mut ended_by_comma = false;
        for c in chars.by_ref() {
            match c {
                ',' => {
                    ended_by_comma = true;
                    break;
                }
                '"' => return Err(RowProblem::StrayQuote),
                c => record.text.push(c),
            }
        }
        record.fields.push(start..record.text.len());
        if !ended_by_comma {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's line and fields, or its line and what is wrong with it.
    type Read = Result<(u64, Vec<String>), (u64, RowProblem)>;

    fn records(input: &str) -> Vec<Read> {
        let mut reader = CsvReader::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match reader.next_record().unwrap() {
                Next::Record(r) => out.push(Ok((r.line, r.iter().map(str::to_owned).collect()))),
                Next::Malformed(line, p) => out.push(Err((line, p))),
                Next::End => return out,
            }
        }
    }

    fn ok(line: u64, fields: &[&str]) -> Read {
        Ok((line, fields.iter().map(|s| (*s).to_owned()).collect()))
    }

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        let got = records("a,\"b,c\",\"SOKA\"\"AN\"\r\n\n\"x\",,\n\"\",z,\"\"\n");
        assert_eq!(
            got,
            [
                ok(1, &["a", "b,c", "SOKA\"AN"]),
                ok(3, &["x", "", ""]),
                ok(4, &["", "z", ""]),
            ]
        );
    }

    #[test]
    fn broken_quoting_is_a_malformed_record_of_its_own_line() {
        let got = records("a\"b,c\n\"a\"b,c\n\"open,c\nnext\n");
        assert_eq!(
            got,
            [
                Err((1, RowProblem::StrayQuote)),
                Err((2, RowProblem::TextAfterQuote)),
                Err((3, RowProblem::UnclosedQuote)),
                ok(4, &["next"]),
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_and_invalid_utf8_are_handled() {
        let mut reader = CsvReader::new(&b"\xEF\xBB\xBFkode,nama\n\xFF,x\n"[..]);
        match reader.next_record().unwrap() {
            Next::Record(r) => assert_eq!(r.get(0), "kode"),
            _ => panic!("expected the header"),
        }
        assert!(matches!(
            reader.next_record().unwrap(),
            Next::Malformed(2, RowProblem::NotUtf8)
        ));
        assert_eq!(reader.bytes_read(), 17);
    }
}
