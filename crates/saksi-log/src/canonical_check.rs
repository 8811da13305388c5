//! RFC 8785 checked in place, without decoding: an entry's bytes are
//! canonical iff decoding them and re-encoding the value with
//! `crate::canonical_json` gives the same bytes, and this module
//! decides that in one pass over the bytes (no `serde_json::Value`, which
//! costs over 100 µs for a DPR entry). A test holds it against the encoder.
//!
//! Canonical here (as `crate::canonical_json` writes it): no
//! whitespace; object members strictly increasing by the UTF-16 code units
//! of their names (so no duplicates); strings in UTF-8 with only the
//! escapes `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t` and lowercase `\u00xx`
//! for the other control characters; numbers plain integers within
//! ±(2^53 − 1), no `-0`; `true`, `false`, `null`.
//!
//! Once bytes are known canonical, [`members`], [`items`] and the value
//! readers walk them without checking again. A canonical value's parts are
//! canonical too, so an entry's `statement` member is exactly the
//! statement's RFC 8785 bytes.

use std::borrow::Cow;
use std::cmp::Ordering;

/// Nesting deeper than this is refused: serde_json's recursion limit
/// refuses 128 levels (it counts down from 128 and fails on reaching
/// zero), so 127 is the deepest value both read, and bytes this accepts
/// always decode.
const MAX_DEPTH: usize = 127;

/// The largest integer RFC 8785 writes exactly here (2^53 − 1).
const MAX_SAFE: u64 = (1 << 53) - 1;

/// Where the members of the outer objects of checked bytes are: the
/// top-level object's members (depth 1) and the members of objects that
/// are its members' values (depth 2), found by the checking pass itself so
/// that reading an entry needs no second pass.
#[derive(Debug, Default)]
pub struct Layout {
    members: Vec<Member>,
}

#[derive(Debug, Clone, Copy)]
struct Member {
    /// The member (at depth 1) whose value holds this one, if any.
    parent: Option<u32>,
    name: Str,
    start: u32,
    end: u32,
}

impl Layout {
    /// The members of the top-level object (`parent` `None`) or of the
    /// object that is member `parent`'s value: (name, value bytes, the
    /// member's number for [`Layout::members`]).
    pub fn members<'a>(
        &self,
        bytes: &'a [u8],
        parent: Option<usize>,
    ) -> Vec<(Cow<'a, str>, &'a [u8], usize)> {
        let parent = parent.map(|p| p as u32);
        self.members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.parent == parent)
            .map(|(i, m)| {
                let name = if m.name.escaped {
                    as_str(&bytes[m.name.start - 1..m.name.end + 1]).unwrap_or_default()
                } else {
                    // Checked as UTF-8 when scanned.
                    String::from_utf8_lossy(&bytes[m.name.start..m.name.end])
                };
                (name, &bytes[m.start as usize..m.end as usize], i)
            })
            .collect()
    }
}

/// Why bytes are not one JSON value in canonical form, with the offset or
/// the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotCanonical(pub String);

/// Checks that `bytes` are one JSON value in canonical form (the error
/// says what is not), and where its outer members are.
pub fn check(bytes: &[u8]) -> Result<Layout, NotCanonical> {
    scan(bytes).map_err(NotCanonical)
}

fn scan(bytes: &[u8]) -> Result<Layout, String> {
    if u32::try_from(bytes.len()).is_err() {
        return Err("a value over 4 GiB".into());
    }
    let mut s = Scanner {
        b: bytes,
        i: 0,
        layout: Layout::default(),
        parent: None,
    };
    s.value(0)?;
    if s.i != bytes.len() {
        return Err(format!("bytes after the value at offset {}", s.i));
    }
    Ok(s.layout)
}

/// The members of a canonical object: (name, value bytes). `None` if
/// `bytes` are not an object. (The checking pass gives the outer members
/// at no cost: [`Layout`].)
#[cfg(test)]
pub fn members(bytes: &[u8]) -> Option<Vec<(Cow<'_, str>, &[u8])>> {
    let mut w = Walker { b: bytes, i: 0 };
    if w.peek()? != b'{' {
        return None;
    }
    w.i += 1;
    let mut out = Vec::with_capacity(12);
    if w.peek()? == b'}' {
        return Some(out);
    }
    loop {
        let start = w.i;
        w.skip()?;
        let name = as_str(&bytes[start..w.i])?;
        if w.peek()? != b':' {
            return None;
        }
        w.i += 1;
        let start = w.i;
        w.skip()?;
        out.push((name, &bytes[start..w.i]));
        match w.peek()? {
            b',' => w.i += 1,
            b'}' => return Some(out),
            _ => return None,
        }
    }
}

/// The items of a canonical array; `None` if `bytes` are not an array.
pub fn items(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut w = Walker { b: bytes, i: 0 };
    if w.peek()? != b'[' {
        return None;
    }
    w.i += 1;
    let mut out = Vec::new();
    if w.peek()? == b']' {
        return Some(out);
    }
    loop {
        let start = w.i;
        w.skip()?;
        out.push(&bytes[start..w.i]);
        match w.peek()? {
            b',' => w.i += 1,
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// A canonical string's value; `None` if `bytes` are not a string.
pub fn as_str(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let inner = bytes.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.contains(&b'\\') {
        serde_json::from_slice::<String>(bytes).ok().map(Cow::Owned)
    } else {
        std::str::from_utf8(inner).ok().map(Cow::Borrowed)
    }
}

/// A canonical non-negative integer; `None` for anything else.
pub fn as_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 16 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

/// Whether `bytes` are an object (of a canonical value).
pub fn is_object(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'{')
}

/// The checking pass.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    layout: Layout,
    /// The depth-1 member whose value is being scanned.
    parent: Option<u32>,
}

/// A string's contents: where they are and whether they hold an escape.
#[derive(Debug, Clone, Copy)]
struct Str {
    start: usize,
    end: usize,
    escaped: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{}`", byte as char)))
        }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(c) if c.is_ascii_whitespace() => {
                format!("whitespace at offset {} (canonical JSON has none)", self.i)
            }
            Some(c) => format!(
                "{wanted} expected at offset {}, found `{}`",
                self.i,
                c.escape_ascii()
            ),
            None => format!("{wanted} expected at the end"),
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        self.i += 1;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut previous: Option<Str> = None;
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member name"));
            }
            let name = self.string()?;
            if let Some(p) = previous
                && self.name_order(p, name) != Ordering::Less
            {
                return Err(format!(
                    "member \"{}\" at offset {} is not after \"{}\" in UTF-16 order (RFC 8785 §3.2.3), or repeats it",
                    String::from_utf8_lossy(&self.b[name.start..name.end]),
                    name.start,
                    String::from_utf8_lossy(&self.b[p.start..p.end]),
                ));
            }
            previous = Some(name);
            self.expect(b':')?;
            if depth <= 2 {
                let record = self.layout.members.len();
                self.layout.members.push(Member {
                    parent: if depth == 1 { None } else { self.parent },
                    name,
                    start: self.i as u32,
                    end: 0,
                });
                let outer = self.parent;
                if depth == 1 {
                    self.parent = Some(record as u32);
                }
                self.value(depth)?;
                self.parent = outer;
                self.layout.members[record].end = self.i as u32;
            } else {
                self.value(depth)?;
            }
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        self.i += 1;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    /// A string, its escapes as RFC 8785 writes them, its bytes UTF-8.
    fn string(&mut self) -> Result<Str, String> {
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        let mut ascii = true;
        loop {
            let rest = &self.b[self.i..];
            self.i += rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || !(0x20..0x80).contains(&c))
                .unwrap_or(rest.len());
            let Some(c) = self.peek() else {
                return Err("a string is not closed".into());
            };
            match c {
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    if !ascii {
                        std::str::from_utf8(&self.b[start..end])
                            .map_err(|e| format!("a string at offset {start} is not UTF-8: {e}"))?;
                    }
                    return Ok(Str {
                        start,
                        end,
                        escaped,
                    });
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                c if c >= 0x80 => {
                    ascii = false;
                    self.i += 1;
                }
                _ => {
                    return Err(format!(
                        "unescaped control character in a string at offset {}",
                        self.i
                    ));
                }
            }
        }
    }

    /// One escape sequence, which must be how RFC 8785 writes its character.
    fn escape(&mut self) -> Result<(), String> {
        let refused = || {
            format!(
                "escape at offset {} is not how RFC 8785 writes that character",
                self.i
            )
        };
        match self.b.get(self.i + 1) {
            Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.i += 2;
                Ok(())
            }
            Some(b'u') => {
                let hex = self.b.get(self.i + 2..self.i + 6).unwrap_or_default();
                let lower =
                    hex.len() == 4 && hex.iter().all(|h| matches!(h, b'0'..=b'9' | b'a'..=b'f'));
                let code = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                match code {
                    Some(code)
                        if lower
                            && code < 0x20
                            && !matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) =>
                    {
                        self.i += 6;
                        Ok(())
                    }
                    _ => Err(refused()),
                }
            }
            _ => Err(refused()),
        }
    }

    fn number(&mut self) -> Result<(), String> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let text = &self.b[digits..self.i];
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(format!(
                "number at offset {start} is not written as a plain integer"
            ));
        }
        let canonical = match text {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => as_u64(text).is_some_and(|n| n <= MAX_SAFE),
        };
        if canonical {
            Ok(())
        } else {
            Err(format!(
                "number `{}` at offset {start} is not a canonical integer within ±(2^53 - 1)",
                String::from_utf8_lossy(&self.b[start..self.i])
            ))
        }
    }

    /// Orders two member names by their UTF-16 code units (RFC 8785
    /// §3.2.3); bytes suffice when both are plain ASCII.
    fn name_order(&self, a: Str, b: Str) -> Ordering {
        let (x, y) = (&self.b[a.start..a.end], &self.b[b.start..b.end]);
        if !a.escaped && !b.escaped && x.is_ascii() && y.is_ascii() {
            return x.cmp(y);
        }
        let text = |s: Str| -> String {
            as_str(&self.b[s.start - 1..s.end + 1])
                .map(Cow::into_owned)
                .unwrap_or_default()
        };
        text(a).encode_utf16().cmp(text(b).encode_utf16())
    }
}

/// The walking pass over bytes already checked: finds where values end.
struct Walker<'a> {
    b: &'a [u8],
    i: usize,
}

impl Walker<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Moves past one value; `None` if the bytes end first.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.i += 1;
                            return Some(());
                        }
                        b'\\' => self.i += 2,
                        _ => self.i += 1,
                    }
                }
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                if self.peek()? == close {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip()?;
                    match self.peek()? {
                        b':' | b',' => self.i += 1,
                        c if c == close => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b':'))
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// The reference: bytes are canonical iff they decode and re-encode
    /// to themselves.
    fn reference(bytes: &[u8]) -> bool {
        serde_json::from_slice::<Value>(bytes)
            .ok()
            .and_then(|v| crate::canonical_json(&v).ok())
            .is_some_and(|c| c == bytes)
    }

    #[test]
    fn agrees_with_decoding_and_re_encoding() {
        let canonical = [
            json!({"a": 1, "b": [true, false, null, -5, 0], "c": {"": "x"}}),
            json!({"\r": 1, "1": 2, "\u{80}": 3, "\u{f6}": 4, "\u{20ac}": 5, "\u{1f600}": 6, "\u{fb33}": 7}),
            json!("\u{20ac}$\u{f}\nA'B\"\\\\\"/\u{7f}\u{8}\u{c}\r\t\u{1f}"),
            json!([9007199254740991i64, -9007199254740991i64, [], {}, [[]]]),
            json!({"logged_at": "2024-02-14T13:05:09Z", "statement": {"form": {"01": 3}}, "v": 2}),
        ];
        for value in canonical {
            let bytes = crate::canonical_json(&value).unwrap();
            assert!(
                check(&bytes).is_ok(),
                "{}: {:?}",
                String::from_utf8_lossy(&bytes),
                check(&bytes).err()
            );
            assert!(reference(&bytes));
        }
        let cases: &[&str] = &[
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a": 1}"#,
            r#" {"a":1}"#,
            r#"{"a":1} "#,
            r#"{"a":1.0}"#,
            r#"{"a":1e2}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":9007199254740992}"#,
            r#"{"a":-9007199254740992}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u000A"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\u001F"}"#,
            r#"{"a":"\u001f"}"#,
            r#"{"a":"\u007f"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":tru}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 ,2]}"#,
            r#"{"a":"x"#,
            r#"{"\ud800":1}"#,
            "{\"a\":\"\u{fb33}\",\"\u{1f600}\":1}",
            "{\"\u{1f600}\":1,\"\u{fb33}\":2}",
            "{\"\u{fb33}\":1,\"\u{1f600}\":2}",
            r#"[1,2]x"#,
            "",
            "nul",
        ];
        for case in cases {
            assert_eq!(
                check(case.as_bytes()).is_ok(),
                reference(case.as_bytes()),
                "{case}: {:?}",
                check(case.as_bytes())
            );
        }
        // Not UTF-8, and a control character unescaped.
        assert!(check(b"\"\xff\"").is_err());
        assert!(check(b"\"a\x01\"").is_err());
        // Hostile nesting is refused, not a stack overflow.
        let deep = "[".repeat(100_000);
        assert!(check(deep.as_bytes()).is_err());
    }

    #[test]
    fn nesting_is_accepted_exactly_as_deep_as_serde_json_reads_it() {
        let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        for depth in [126, 127, 128, 129] {
            let bytes = nested(depth);
            assert_eq!(
                check(bytes.as_bytes()).is_ok(),
                reference(bytes.as_bytes()),
                "depth {depth}"
            );
        }
        assert!(check(nested(127).as_bytes()).is_ok());
        let objects = format!("{}1{}", r#"{"a":"#.repeat(128), "}".repeat(128));
        assert!(check(objects.as_bytes()).is_err());
        assert!(serde_json::from_str::<Value>(&objects).is_err());
    }

    #[test]
    fn members_and_items_walk_checked_bytes() {
        let bytes = br#"{"a":{"x":[1,"]"]},"b\"":"q\\\"","c":[],"d":-3,"e":[{"k":null}]}"#.to_vec();
        let layout = check(&bytes).unwrap();
        let top = layout.members(&bytes, None);
        let inner = layout.members(&bytes, Some(top[0].2));
        assert_eq!(inner.len(), 1);
        assert_eq!((inner[0].0.as_ref(), inner[0].1), ("x", &br#"[1,"]"]"#[..]));
        assert!(layout.members(&bytes, Some(top[4].2)).is_empty());
        let m = members(&bytes).unwrap();
        assert_eq!(
            m.iter().map(|(n, v)| (n.as_ref(), *v)).collect::<Vec<_>>(),
            top.iter()
                .map(|(n, v, _)| (n.as_ref(), *v))
                .collect::<Vec<_>>()
        );
        let names: Vec<&str> = m.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(names, ["a", "b\"", "c", "d", "e"]);
        assert_eq!(m[0].1, br#"{"x":[1,"]"]}"#);
        assert_eq!(as_str(m[1].1).unwrap(), "q\\\"");
        assert_eq!(items(m[2].1).unwrap().len(), 0);
        assert_eq!(as_u64(m[3].1), None);
        assert_eq!(items(m[4].1).unwrap(), [br#"{"k":null}"#]);
        assert!(members(b"[1]").is_none());
        assert_eq!(as_u64(b"42"), Some(42));
    }
}
