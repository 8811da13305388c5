//! The mutator: one input from the target's valid seeds, or from nothing.
//!
//! Byte-level mutations (flips, insertions, deletions, truncations,
//! invalid UTF-8) find the decoders' edge cases; structural ones, found by
//! a forgiving scan of the JSON or of the lines and fields of a text, keep
//! the input well-formed enough to reach the parser's later rules:
//! duplicated members, values replaced by huge, negative, fractional or
//! exponent numbers or by odd strings, deep nesting, and splices of two
//! seeds at the same structural character. A few mutations are stacked on
//! each input, so combinations are reached too.

use saksi_sim::rng::Rng;

/// Inputs are cut to this size: the server reads at most 64 KiB of body.
pub const MAX_LEN: usize = 64 * 1024;

/// Values that sit on a parser's edges: integers around every limit the
/// formats have (a count's 9999, u32, 2^53, u64), numbers that are not
/// plain integers, strings with escapes, surrogates, control and
/// text-direction characters, and every other kind of JSON value.
const VALUES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "9999",
    "10000",
    "4294967295",
    "4294967296",
    "9007199254740991",
    "9007199254740992",
    "-9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "1.0",
    "1.5",
    "-0.0",
    "1e2",
    "1E+2",
    "1e400",
    "-1e-400",
    "0.1e1",
    "01",
    "+1",
    ".5",
    "5.",
    "1e",
    "-",
    "NaN",
    "Infinity",
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "[[]]",
    "{\"\":0}",
    "\"\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\ud83d\\ude00\"",
    "\"\\u202e\"",
    "\"\u{202e}gnp.exe\"",
    "\"\\\"\"",
    "\"\\/\"",
    "\"\\x\"",
    "\"\\u00e9\"",
    "\"\u{e9}\"",
    "\"\t\"",
    "\"01\"",
    "\"11\"",
    "\"11.01.01.2001.001\"",
    "\"99.01.01.2001.999\"",
    "\"2024-02-14T13:00:00Z\"",
    "\"2024-02-30T25:61:61Z\"",
    "\"2024-02-14T13:00:00.5+07:00\"",
    "\"9999-12-31T23:59:59Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"ppwp\"",
    "\"dpr\"",
    "\"register\"",
    "\"revoke\"",
    "\"kpps\"",
];

/// Bytes that are never valid UTF-8 where they are put: a lone
/// continuation byte, an overlong encoding, a surrogate, a code point past
/// U+10FFFF, and sequences cut short.
const INVALID_UTF8: &[&[u8]] = &[
    &[0x80],
    &[0xff],
    &[0xfe],
    &[0xc0, 0x80],
    &[0xc3],
    &[0xe2, 0x82],
    &[0xed, 0xa0, 0x80],
    &[0xf4, 0x90, 0x80, 0x80],
    &[0xf0, 0x9f, 0x98],
];

/// Tokens random inputs are drawn from when they are not pure bytes.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    " ",
    "\n",
    "\r",
    "\"v\"",
    "\"type\"",
    "\"form\"",
    "\"statement\"",
    "\"key\"",
    "1",
    "-1",
    "1.5",
    "null",
    "true",
    "\"a\"",
    "—",
    "+",
    ".",
    "=",
    "&",
    "%",
    "%00",
    "%ff",
];

/// Bytes worth setting one byte to: structure, escapes, line ends, the
/// start of a number, and non-ASCII.
const BYTES: &[u8] = b"{}[],:\"\\\n\r\t -.e0+9%&=\x00\x7f\x80\xc0\xff";

/// Nesting depths: around serde_json's and the canonical checker's limit
/// of 128, and far beyond.
const DEPTHS: &[usize] = &[2, 64, 127, 128, 129, 1000, 10_000, 30_000];

/// Makes one input into `out` from `seeds` (never empty).
pub fn input(rng: &mut Rng, seeds: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    match rng.below(16) {
        0 => random_bytes(rng, out),
        1 => random_tokens(rng, out),
        n => {
            let seed: &Vec<u8> = rng.pick(seeds);
            out.extend_from_slice(seed);
            // Half the inputs get only structural mutations, which mostly
            // keep the input well-formed, so the later rules are reached.
            let structural = n % 2 == 0;
            for _ in 0..=rng.below(4) {
                if structural {
                    mutate_structure(rng, seeds, out);
                } else {
                    mutate(rng, seeds, out);
                }
            }
        }
    }
    out.truncate(MAX_LEN);
}

/// Applies one mutation that works on values, members and lines.
fn mutate_structure(rng: &mut Rng, seeds: &[Vec<u8>], buf: &mut Vec<u8>) {
    match rng.below(5) {
        0 => duplicate_member(rng, buf),
        1 | 2 => replace_value(rng, buf),
        3 => replace_field(rng, buf),
        _ => {
            let other = rng.pick(seeds);
            splice(rng, other, buf);
        }
    }
}

/// Applies one mutation to `buf`.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], buf: &mut Vec<u8>) {
    match rng.below(13) {
        0 => flip_bit(rng, buf),
        1 => set_byte(rng, buf),
        2 => delete_range(rng, buf),
        3 => duplicate_range(rng, buf),
        4 => truncate(rng, buf),
        5 => duplicate_member(rng, buf),
        6 => replace_value(rng, buf),
        7 => nest(rng, buf),
        8 => insert_invalid_utf8(rng, buf),
        9 => {
            let other = rng.pick(seeds);
            splice(rng, other, buf);
        }
        10 => line_op(rng, buf),
        11 => replace_field(rng, buf),
        _ => {
            let at = position(rng, buf);
            let value = rng.pick(VALUES).as_bytes();
            buf.splice(at..at, value.iter().copied());
        }
    }
}

/// A position in `0..=len`.
fn position(rng: &mut Rng, buf: &[u8]) -> usize {
    rng.below(buf.len() as u64 + 1) as usize
}

/// A range of at most `max` bytes inside `buf`.
fn range(rng: &mut Rng, buf: &[u8], max: usize) -> (usize, usize) {
    let start = position(rng, buf);
    let len = rng.below((buf.len() - start).min(max) as u64 + 1) as usize;
    (start, start + len)
}

fn random_bytes(rng: &mut Rng, out: &mut Vec<u8>) {
    let max = if rng.chance(50) { 4096 } else { 256 };
    let len = rng.below(max);
    out.extend((0..len).map(|_| rng.next_u64() as u8));
}

fn random_tokens(rng: &mut Rng, out: &mut Vec<u8>) {
    for _ in 0..rng.below(96) {
        let token = if rng.chance(200) {
            rng.pick(VALUES)
        } else {
            rng.pick(TOKENS)
        };
        out.extend_from_slice(token.as_bytes());
    }
}

fn flip_bit(rng: &mut Rng, buf: &mut [u8]) {
    if !buf.is_empty() {
        let at = rng.below(buf.len() as u64) as usize;
        buf[at] ^= 1 << rng.below(8);
    }
}

fn set_byte(rng: &mut Rng, buf: &mut Vec<u8>) {
    let byte = if rng.chance(500) {
        *rng.pick(BYTES)
    } else {
        rng.next_u64() as u8
    };
    let at = position(rng, buf);
    if at < buf.len() && rng.chance(700) {
        buf[at] = byte;
    } else {
        buf.insert(at, byte);
    }
}

fn delete_range(rng: &mut Rng, buf: &mut Vec<u8>) {
    let (start, end) = range(rng, buf, 64);
    buf.drain(start..end);
}

fn duplicate_range(rng: &mut Rng, buf: &mut Vec<u8>) {
    let (start, end) = range(rng, buf, 256);
    let copy = buf[start..end].to_vec();
    let at = position(rng, buf);
    buf.splice(at..at, copy);
}

/// Cuts the input short: anywhere, just after a structural character
/// (inside a string, an escape, a member, a line), or inside a multi-byte
/// UTF-8 character.
fn truncate(rng: &mut Rng, buf: &mut Vec<u8>) {
    let points: Vec<usize> = match rng.below(3) {
        0 => (0..=buf.len()).collect(),
        1 => positions(buf, |b| b"{}[],:\"\\\n ".contains(&b), 1),
        _ => positions(buf, |b| b & 0xc0 == 0x80, 0),
    };
    if !points.is_empty() {
        buf.truncate(*rng.pick(&points));
    }
}

/// The positions of the bytes matching `is`, moved by `after`.
fn positions(buf: &[u8], is: impl Fn(u8) -> bool, after: usize) -> Vec<usize> {
    (0..buf.len())
        .filter(|&i| is(buf[i]))
        .map(|i| i + after)
        .collect()
}

/// Where the JSON values and members of a text are, found by a forgiving
/// scan that never fails: any bytes give some spans.
#[derive(Default)]
struct Spans {
    /// Scalars (strings, numbers, literals) and whole objects and arrays.
    values: Vec<(usize, usize)>,
    /// Object members (`"name":value`) and array items.
    members: Vec<(usize, usize)>,
}

fn scan(buf: &[u8]) -> Spans {
    let mut spans = Spans::default();
    // Open containers: (where it opened, where its current member started).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < buf.len() && buf[i] != b'"' {
                    i += if buf[i] == b'\\' { 2 } else { 1 };
                }
                i = i.min(buf.len());
                spans.values.push((start, (i + 1).min(buf.len())));
            }
            b'{' | b'[' => open.push((i, i + 1)),
            b',' => {
                if let Some((_, member)) = open.last_mut() {
                    spans.members.push((*member, i));
                    *member = i + 1;
                }
            }
            b'}' | b']' => {
                if let Some((start, member)) = open.pop() {
                    if member < i {
                        spans.members.push((member, i));
                    }
                    spans.values.push((start, i + 1));
                }
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let start = i;
                while i + 1 < buf.len()
                    && matches!(buf[i + 1], b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.' | b'+' | b'-')
                {
                    i += 1;
                }
                spans.values.push((start, i + 1));
            }
            _ => {}
        }
        i += 1;
    }
    spans
}

/// Writes a member (or array item) twice: `{"a":1}` becomes
/// `{"a":1,"a":1}`, or with another value, `{"a":1,"a":2}`.
fn duplicate_member(rng: &mut Rng, buf: &mut Vec<u8>) {
    let spans = scan(buf);
    if spans.members.is_empty() {
        return line_op(rng, buf);
    }
    let (start, end) = *rng.pick(&spans.members);
    let mut copy = buf[start..end].to_vec();
    let colon = copy.iter().position(|&b| b == b':');
    if let Some(colon) = colon.filter(|_| rng.chance(300)) {
        copy.truncate(colon + 1);
        copy.extend_from_slice(rng.pick(VALUES).as_bytes());
    }
    copy.push(b',');
    let at = if rng.chance(500) { start } else { end + 1 };
    let at = at.min(buf.len());
    buf.splice(at..at, copy);
}

/// Replaces a value (scalar, object or array) with an edge value.
fn replace_value(rng: &mut Rng, buf: &mut Vec<u8>) {
    let spans = scan(buf);
    if spans.values.is_empty() {
        return replace_field(rng, buf);
    }
    let (start, end) = *rng.pick(&spans.values);
    let value = rng.pick(VALUES).as_bytes();
    buf.splice(start..end, value.iter().copied());
}

/// Deep nesting: `[` many times (closed or not), or objects in objects,
/// put in place of a value or anywhere.
fn nest(rng: &mut Rng, buf: &mut Vec<u8>) {
    let depth = *rng.pick(DEPTHS);
    let (open, close): (&[u8], &[u8]) = if rng.chance(500) {
        (b"[", b"]")
    } else {
        (b"{\"a\":", b"}")
    };
    let mut nested = open.repeat(depth);
    nested.extend_from_slice(b"1");
    if rng.chance(700) {
        nested.extend_from_slice(&close.repeat(depth));
    }
    let spans = scan(buf);
    let (start, end) = if spans.values.is_empty() || rng.chance(200) {
        let at = position(rng, buf);
        (at, at)
    } else {
        *rng.pick(&spans.values)
    };
    buf.splice(start..end, nested);
}

fn insert_invalid_utf8(rng: &mut Rng, buf: &mut Vec<u8>) {
    let bytes = *rng.pick(INVALID_UTF8);
    let at = position(rng, buf);
    buf.splice(at..at, bytes.iter().copied());
}

/// The start of `buf` and the end of `other`, cut anywhere or at the same
/// structural character in both (which often keeps the result well-formed).
fn splice(rng: &mut Rng, other: &[u8], buf: &mut Vec<u8>) {
    let at = position(rng, buf);
    let from = match buf.get(at) {
        Some(&c) if rng.chance(700) => {
            let same = positions(other, |b| b == c, 0);
            if same.is_empty() {
                position(rng, other)
            } else {
                *rng.pick(&same)
            }
        }
        _ => position(rng, other),
    };
    buf.truncate(at);
    buf.extend_from_slice(&other[from..]);
}

/// The lines of `buf` as ranges (without their `\n`).
fn lines(buf: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < buf.len() {
        out.push((start, buf.len()));
    }
    out
}

/// Duplicates, deletes or swaps lines, or ends one with `\r`.
fn line_op(rng: &mut Rng, buf: &mut Vec<u8>) {
    let lines = lines(buf);
    if lines.is_empty() {
        return set_byte(rng, buf);
    }
    let (start, end) = *rng.pick(&lines);
    match rng.below(4) {
        0 => {
            let mut copy = buf[start..end].to_vec();
            copy.push(b'\n');
            buf.splice(start..start, copy);
        }
        1 => {
            buf.drain(start..(end + 1).min(buf.len()));
        }
        2 => {
            let (s2, e2) = *rng.pick(&lines);
            if s2 > end {
                let second = buf[s2..e2].to_vec();
                let first = buf[start..end].to_vec();
                buf.splice(s2..e2, first);
                buf.splice(start..end, second);
            }
        }
        _ => buf.insert(end, b'\r'),
    }
}

/// Replaces one comma-separated field of a line (a CSV cell, or the text
/// between commas in JSON) with an edge value, quoted or bare.
fn replace_field(rng: &mut Rng, buf: &mut Vec<u8>) {
    let lines = lines(buf);
    if lines.is_empty() {
        return set_byte(rng, buf);
    }
    let (start, end) = *rng.pick(&lines);
    let mut fields = vec![start];
    fields.extend(positions(&buf[start..end], |b| b == b',', start + 1));
    let from = *rng.pick(&fields);
    let to = buf[from..end]
        .iter()
        .position(|&b| b == b',')
        .map_or(end, |p| from + p);
    let value = *rng.pick(VALUES);
    let value = if rng.chance(500) {
        value.trim_matches('"')
    } else {
        value
    };
    buf.splice(from..to, value.bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_members_and_values_and_never_fails() {
        let spans = scan(br#"{"a":1,"b":[true,"x"]}"#);
        assert!(spans.members.contains(&(1, 6)), "{:?}", spans.members);
        assert!(spans.values.contains(&(5, 6)));
        assert!(spans.values.contains(&(11, 21)));
        for bytes in [&b"\"\\"[..], b"}}]", b"[[", b"\"", b"-"] {
            scan(bytes);
        }
    }

    #[test]
    fn mutations_stay_within_the_size_limit_and_are_deterministic() {
        let seeds = vec![br#"{"a":[1,2],"b":"c"}"#.to_vec(), b"x,y\n1,2\n".to_vec()];
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            let mut out = Vec::new();
            (0..2000)
                .map(|_| {
                    input(&mut rng, &seeds, &mut out);
                    out.clone()
                })
                .collect::<Vec<_>>()
        };
        let inputs = draw(3);
        assert_eq!(inputs, draw(3));
        assert!(inputs.iter().all(|i| i.len() <= MAX_LEN));
        assert!(inputs.iter().any(|i| i.windows(3).any(|w| w == b"[[[")));
        assert!(inputs.iter().any(|i| std::str::from_utf8(i).is_err()));
        assert!(inputs.iter().filter(|i| i != &&seeds[0]).count() > 1500);
    }
}
