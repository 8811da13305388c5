//! Region codes: the public identifier of every region and TPS.
//!
//! The Ministry of Home Affairs writes codes dotted (`11.01.01.2001`); the
//! election commission writes them compact (`1101012001`) and a TPS as the
//! desa code plus three digits (`1101012001001`). Saksi accepts both on input
//! and always writes the dotted form. The national root has no code of its
//! own; where one is needed it is `0`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Level;

/// Digits of each segment below the root: provinsi, kab/kota, kecamatan,
/// desa, TPS.
const SEGMENT_WIDTHS: [u32; 5] = [2, 2, 2, 4, 3];

/// Why a string is not a region code. Messages name the rule broken, so an
/// officer who typed a code by hand can see what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("a region code cannot be empty")]
    Empty,
    #[error("a region code has only digits and dots, found {0:?}")]
    BadCharacter(char),
    #[error("a region code has at most 5 segments (provinsi.kabkota.kecamatan.desa.tps)")]
    TooManySegments,
    #[error("segment {index} of a region code must have {expected} digits, found {found:?}")]
    SegmentWidth {
        index: usize,
        expected: u32,
        found: String,
    },
    #[error("segment {index} of a region code cannot be all zeros")]
    ZeroSegment { index: usize },
    #[error(
        "a compact region code has 2, 4, 6, 10 or 13 digits (provinsi to TPS), found {0} digits"
    )]
    CompactLength(usize),
}

/// A validated region code. It cannot hold an invalid code: every value comes
/// from [`RegionCode::parse`], [`RegionCode::NASIONAL`] or [`RegionCode::child`].
///
/// Packed into one `u64` (level in the top byte, the compact digits below) so
/// that a whole nation's codes are cheap to store, hash and compare, and so
/// that ordering by code orders by level first, then by code: the children of
/// any region are contiguous in that order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u64);

impl RegionCode {
    /// The national root.
    pub const NASIONAL: RegionCode = RegionCode(0);

    /// Parses the dotted form (`11.01.01.2001.001`), the commission's compact
    /// form (`1101012001001`), or `0` for the national root.
    pub fn parse(s: &str) -> Result<RegionCode, RegionCodeError> {
        if s.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit() && *c != '.') {
            return Err(RegionCodeError::BadCharacter(c));
        }
        if s == "0" {
            return Ok(RegionCode::NASIONAL);
        }
        let segments: Vec<&str> = if s.contains('.') {
            s.split('.').collect()
        } else {
            split_compact(s)?
        };
        if segments.len() > SEGMENT_WIDTHS.len() {
            return Err(RegionCodeError::TooManySegments);
        }
        let mut code = RegionCode::NASIONAL;
        for (index, segment) in segments.iter().enumerate() {
            let expected = SEGMENT_WIDTHS[index];
            if segment.len() != expected as usize {
                return Err(RegionCodeError::SegmentWidth {
                    index: index + 1,
                    expected,
                    found: (*segment).to_owned(),
                });
            }
            let value: u32 = segment.parse().map_err(|_| RegionCodeError::SegmentWidth {
                index: index + 1,
                expected,
                found: (*segment).to_owned(),
            })?;
            code = code
                .child(value)
                .ok_or(RegionCodeError::ZeroSegment { index: index + 1 })?;
        }
        Ok(code)
    }

    /// The level this code addresses.
    pub fn level(self) -> Level {
        Level::ALL[(self.0 >> 56) as usize]
    }

    /// The compact digits as a number (0 for the root).
    fn digits(self) -> u64 {
        self.0 & ((1 << 56) - 1)
    }

    /// The code of the child numbered `number` (1-based, as the segment is
    /// written), or `None` below a TPS, for 0, or for a number too wide for
    /// its segment.
    pub fn child(self, number: u32) -> Option<RegionCode> {
        let level = self.level().child()?;
        let width = SEGMENT_WIDTHS[level.depth() - 1];
        if number == 0 || number >= 10u32.pow(width) {
            return None;
        }
        let digits = self.digits() * 10u64.pow(width) + u64::from(number);
        Some(RegionCode(((level as u64) << 56) | digits))
    }

    /// The parent code; `None` for the root.
    pub fn parent(self) -> Option<RegionCode> {
        let level = self.level().parent()?;
        let width = SEGMENT_WIDTHS[self.level().depth() - 1];
        Some(RegionCode(
            ((level as u64) << 56) | (self.digits() / 10u64.pow(width)),
        ))
    }

    /// The code's own last segment as a number (the TPS number for a TPS);
    /// 0 for the root.
    pub fn number(self) -> u32 {
        match self.level() {
            Level::Nasional => 0,
            level => (self.digits() % 10u64.pow(SEGMENT_WIDTHS[level.depth() - 1])) as u32,
        }
    }

    /// The ancestor of this code at `level` (itself at its own level), or
    /// `None` if `level` is below this code's level.
    pub fn ancestor_at(self, level: Level) -> Option<RegionCode> {
        let mut code = self;
        while code.level() > level {
            code = code.parent()?;
        }
        (code.level() == level).then_some(code)
    }

    /// True if `self` is `other` or one of its ancestors: the rule behind
    /// every jurisdiction check.
    pub fn contains(self, other: RegionCode) -> bool {
        other.ancestor_at(self.level()) == Some(self)
    }

    /// True for the overseas province `99` and everything under it.
    pub fn is_luar_negeri(self) -> bool {
        self.ancestor_at(Level::Provinsi) == Some(RegionCode::LUAR_NEGERI)
    }

    /// Province `99`: Indonesians voting abroad.
    pub const LUAR_NEGERI: RegionCode = RegionCode(((Level::Provinsi as u64) << 56) | 99);

    /// The commission's compact form (`1101012001001`; `0` for the root).
    pub fn compact(self) -> String {
        match self.level() {
            Level::Nasional => "0".to_owned(),
            level => {
                let width: u32 = SEGMENT_WIDTHS[..level.depth()].iter().sum();
                format!("{:0width$}", self.digits(), width = width as usize)
            }
        }
    }
}

/// Splits a compact code into its segments by its length.
fn split_compact(s: &str) -> Result<Vec<&str>, RegionCodeError> {
    let depth = match s.len() {
        2 => 1,
        4 => 2,
        6 => 3,
        10 => 4,
        13 => 5,
        n => return Err(RegionCodeError::CompactLength(n)),
    };
    let mut out = Vec::with_capacity(depth);
    let mut rest = s;
    for width in &SEGMENT_WIDTHS[..depth] {
        let (head, tail) = rest.split_at(*width as usize);
        out.push(head);
        rest = tail;
    }
    Ok(out)
}

impl fmt::Display for RegionCode {
    /// The dotted form, `0` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let depth = self.level().depth();
        if depth == 0 {
            return f.write_str("0");
        }
        let compact = self.compact();
        let mut start = 0;
        for (i, width) in SEGMENT_WIDTHS[..depth].iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            let end = start + *width as usize;
            f.write_str(&compact[start..end])?;
            start = end;
        }
        Ok(())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({self})")
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn dotted_and_compact_forms_name_the_same_tps() {
        let dotted = code("11.01.01.2001.001");
        assert_eq!(dotted, code("1101012001001"));
        assert_eq!(dotted.to_string(), "11.01.01.2001.001");
        assert_eq!(dotted.compact(), "1101012001001");
        assert_eq!(dotted.level(), Level::Tps);
        assert_eq!(dotted.number(), 1);
    }

    #[test]
    fn every_level_parses_and_prints_dotted() {
        for (s, level) in [
            ("0", Level::Nasional),
            ("11", Level::Provinsi),
            ("11.01", Level::Kabkota),
            ("11.01.01", Level::Kecamatan),
            ("11.01.01.2001", Level::Desa),
            ("11.01.01.2001.001", Level::Tps),
            ("99.01.01.1000.001", Level::Tps),
        ] {
            let c = code(s);
            assert_eq!(c.level(), level, "{s}");
            assert_eq!(c.to_string(), s);
        }
    }

    #[test]
    fn parents_walk_up_to_the_root() {
        let tps = code("31.71.03.1001.451");
        let chain: Vec<String> = std::iter::successors(Some(tps), |c| c.parent())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            chain,
            [
                "31.71.03.1001.451",
                "31.71.03.1001",
                "31.71.03",
                "31.71",
                "31",
                "0"
            ]
        );
    }

    #[test]
    fn containment_is_ancestry_not_prefix_of_strings() {
        let kab = code("11.01");
        assert!(kab.contains(code("11.01.01.2001.001")));
        assert!(kab.contains(kab));
        assert!(!kab.contains(code("11.10.01")));
        assert!(!kab.contains(code("11")));
        assert!(RegionCode::NASIONAL.contains(kab));
        assert!(code("99.01.01.1000.001").is_luar_negeri());
        assert!(!kab.is_luar_negeri());
    }

    #[test]
    fn malformed_codes_are_refused_with_the_rule_broken() {
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        assert_eq!(
            RegionCode::parse("11.1"),
            Err(RegionCodeError::SegmentWidth {
                index: 2,
                expected: 2,
                found: "1".into()
            })
        );
        assert_eq!(
            RegionCode::parse("11.00"),
            Err(RegionCodeError::ZeroSegment { index: 2 })
        );
        assert_eq!(
            RegionCode::parse("110"),
            Err(RegionCodeError::CompactLength(3))
        );
        assert_eq!(
            RegionCode::parse("11.01.01.2001.001.1"),
            Err(RegionCodeError::TooManySegments)
        );
        assert_eq!(
            RegionCode::parse("11-01"),
            Err(RegionCodeError::BadCharacter('-'))
        );
        assert!(RegionCode::parse("11..01").is_err());
        assert!(RegionCode::parse("00").is_err());
    }

    #[test]
    fn codes_order_by_level_then_code() {
        let mut codes = [code("12"), code("11.01"), code("11"), code("0")];
        codes.sort();
        let printed: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        assert_eq!(printed, ["0", "11", "12", "11.01"]);
    }
}
