//! Instants as Unix seconds, written as RFC 3339 UTC.
//!
//! Time enters Saksi only through an injectable clock (docs/architecture.md), as plain
//! seconds; this module turns them into the `2024-02-14T13:00:00Z` text the
//! API and the log publish, without a calendar crate.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The instant `secs` seconds later.
    pub fn plus(self, secs: i64) -> UnixTime {
        UnixTime(self.0.saturating_add(secs))
    }

    /// Parses RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`, with an optional
    /// fraction of a second (dropped: statements from phones may carry
    /// milliseconds, the log keeps whole seconds). Offsets other than `Z`,
    /// leap seconds and impossible dates are refused, so one instant has
    /// one accepted spelling apart from the fraction.
    pub fn parse_rfc3339(s: &str) -> Option<UnixTime> {
        let b = s.as_bytes();
        let rest = b.strip_suffix(b"Z")?;
        let (main, fraction) = match rest.iter().position(|c| *c == b'.') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        if let Some(f) = fraction
            && (f.is_empty() || f.len() > 9 || !f.iter().all(u8::is_ascii_digit))
        {
            return None;
        }
        if main.len() != 19
            || main[4] != b'-'
            || main[7] != b'-'
            || main[10] != b'T'
            || main[13] != b':'
            || main[16] != b':'
        {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let digits = &main[r];
            digits.iter().all(u8::is_ascii_digit).then(|| {
                digits
                    .iter()
                    .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
            })
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&m) || d < 1 || hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        let days = days_from_civil(y, m as u32, d as u32);
        // A day past the month's end comes back as another date.
        if civil_from_days(days) != (y, m as u32, d as u32) {
            return None;
        }
        Some(UnixTime(days * 86_400 + hh * 3600 + mm * 60 + ss))
    }
}

impl fmt::Display for UnixTime {
    /// RFC 3339 in UTC with a `Z`, whole seconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Howard Hinnant's `days_from_civil`: the day count since 1970-01-01 of a
/// proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day
/// count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_print_as_rfc3339() {
        assert_eq!(UnixTime(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(UnixTime(1_707_915_600).to_string(), "2024-02-14T13:00:00Z");
        assert_eq!(UnixTime(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(UnixTime(-1).to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn rfc3339_parses_back_what_display_prints() {
        for t in [
            0,
            1_707_915_600,
            951_782_400,
            -1,
            4_102_444_799,
            1_709_251_199,
        ] {
            let time = UnixTime(t);
            assert_eq!(UnixTime::parse_rfc3339(&time.to_string()), Some(time));
        }
        assert_eq!(
            UnixTime::parse_rfc3339("2024-02-14T13:00:00.123Z"),
            Some(UnixTime(1_707_915_600))
        );
    }

    #[test]
    fn malformed_or_impossible_times_are_refused() {
        for bad in [
            "",
            "2024-02-14T13:00:00",
            "2024-02-14T13:00:00+07:00",
            "2024-02-14 13:00:00Z",
            "2024-02-30T13:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-02-14T24:00:00Z",
            "2024-02-14T13:60:00Z",
            "2024-02-14T13:00:60Z",
            "2024-02-14T13:00:00.Z",
            "2024-2-14T13:00:00Z",
            "+024-02-14T13:00:00Z",
            "2024-02-14T13:00:00.1234567890Z",
        ] {
            assert_eq!(UnixTime::parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
