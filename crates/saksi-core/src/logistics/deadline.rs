//! When each level of the chain must have its kit: polling day, and per
//! receiving level a deadline relative to it (docs/logistics.md,
//! "Deadlines"). The election's time zone is WIB (UTC+7), the time of KPU
//! RI's national schedule: polling day starts at 00:00 WIB and a time of
//! day is read in WIB.

use std::fmt;

use crate::Level;
use crate::time::UnixTime;

/// WIB's offset from UTC, in seconds.
const WIB: i64 = 7 * 3600;

const DAY: i64 = 86_400;

/// The most days before polling day a deadline may lie: the 2024 kits
/// left the printers about two months before.
pub const MAX_DAYS_BEFORE: i64 = 90;

/// Polling day, held as the instant it starts (00:00 WIB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollingDay(UnixTime);

impl Default for PollingDay {
    /// 14 February 2024, the day of the 2024 general election.
    fn default() -> PollingDay {
        PollingDay(UnixTime(1_707_843_600))
    }
}

impl PollingDay {
    /// Parses a date `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<PollingDay, String> {
        let text = text.trim();
        (text.len() == 10)
            .then(|| UnixTime::parse_rfc3339(&format!("{text}T00:00:00Z")))
            .flatten()
            .map(|midnight_utc| PollingDay(midnight_utc.plus(-WIB)))
            .ok_or_else(|| format!("{text:?} is not a date YYYY-MM-DD (e.g. 2024-02-14)"))
    }

    /// The day (in WIB) that `at` falls on: `saksi demo` polls the day it
    /// is started.
    pub fn containing(at: UnixTime) -> PollingDay {
        let local = at.0 + WIB;
        PollingDay(UnixTime(local - local.rem_euclid(DAY) - WIB))
    }

    /// The instant polling day starts, 00:00 WIB.
    pub fn start(self) -> UnixTime {
        self.0
    }
}

impl fmt::Display for PollingDay {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = self.0.plus(WIB).to_string();
        f.write_str(&utc[..10])
    }
}

/// Per receiving level (a kab/kota's warehouse, a PPK, a PPS, a TPS), by
/// when its shipments must be delivered, as seconds from the start of
/// polling day (negative: days before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// In [`Deadlines::LEVELS`] order.
    offsets: [i64; 4],
}

impl Default for Deadlines {
    /// Kab/kota 10 days before polling day, kecamatan 3, desa 1, TPS
    /// 07:00 on polling day, when the TPS opens.
    fn default() -> Deadlines {
        Deadlines {
            offsets: [-10 * DAY, -3 * DAY, -DAY, 7 * 3600],
        }
    }
}

impl Deadlines {
    /// The levels that receive shipments, down the chain.
    pub const LEVELS: [Level; 4] = [Level::Kabkota, Level::Kecamatan, Level::Desa, Level::Tps];

    /// Parses `kabkota=10d,kecamatan=3d,desa=1d,tps=07:00`; a level left
    /// out keeps its default. A deadline is `Nd`, the start of the day N
    /// days before polling day (N from 0 to [`MAX_DAYS_BEFORE`]), or
    /// `HH:MM`, that time (WIB) on polling day.
    pub fn parse(text: &str) -> Result<Deadlines, String> {
        let mut deadlines = Deadlines::default();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| {
                format!(
                    "{part:?} is not level=deadline (e.g. kabkota=10d,kecamatan=3d,desa=1d,tps=07:00)"
                )
            })?;
            let (name, value) = (name.trim(), value.trim());
            let i = Deadlines::LEVELS
                .iter()
                .position(|l| l.as_str() == name)
                .ok_or_else(|| {
                    format!("{name:?} is not a receiving level: kabkota, kecamatan, desa or tps")
                })?;
            deadlines.offsets[i] = offset(value).ok_or_else(|| {
                format!(
                    "{name}={value}: a deadline is Nd (N days before polling day, 0 to {MAX_DAYS_BEFORE}) or HH:MM (that time on polling day, WIB)"
                )
            })?;
        }
        Ok(deadlines)
    }

    /// Each receiving level's deadline on `day`, in [`Deadlines::LEVELS`]
    /// order.
    pub fn on(&self, day: PollingDay) -> [UnixTime; 4] {
        self.offsets.map(|o| day.start().plus(o))
    }

    /// Per receiving level, whether its deadline on `day` has passed at
    /// `now`: a shipment delivered at the deadline itself is on time.
    pub fn passed(&self, day: PollingDay, now: UnixTime) -> [bool; 4] {
        self.on(day).map(|deadline| now > deadline)
    }
}

/// Seconds from the start of polling day of `Nd` or `HH:MM`.
fn offset(value: &str) -> Option<i64> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(days) = value.strip_suffix('d') {
        let days: i64 = digits(days).then(|| days.parse().ok()).flatten()?;
        return (days <= MAX_DAYS_BEFORE).then_some(-days * DAY);
    }
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 3600 + m * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> UnixTime {
        UnixTime::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn polling_day_starts_at_midnight_wib() {
        let day = PollingDay::parse("2024-02-14").unwrap();
        assert_eq!(day, PollingDay::default());
        assert_eq!(day.start(), at("2024-02-13T17:00:00Z"));
        assert_eq!(day.to_string(), "2024-02-14");
        for t in ["2024-02-13T17:00:00Z", "2024-02-14T16:59:59Z"] {
            assert_eq!(PollingDay::containing(at(t)), day, "{t}");
        }
        assert_eq!(
            PollingDay::containing(at("2024-02-14T17:00:00Z")).to_string(),
            "2024-02-15"
        );
        for bad in [
            "2024-02-30",
            "14-02-2024",
            "2024-02-14T00:00:00Z",
            "",
            "2024-2-14",
        ] {
            assert!(PollingDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_default_deadlines_are_ten_three_and_one_days_before_and_seven_on_the_day() {
        let [kab, kec, desa, tps] = Deadlines::default().on(PollingDay::default());
        assert_eq!(kab, at("2024-02-03T17:00:00Z"));
        assert_eq!(kec, at("2024-02-10T17:00:00Z"));
        assert_eq!(desa, at("2024-02-12T17:00:00Z"));
        assert_eq!(tps, at("2024-02-14T00:00:00Z"));
        let passed = |t| Deadlines::default().passed(PollingDay::default(), at(t));
        assert_eq!(passed("2024-02-10T17:00:00Z"), [true, false, false, false]);
        assert_eq!(passed("2024-02-10T17:00:01Z"), [true, true, false, false]);
        assert_eq!(
            Deadlines::parse("kabkota=10d,kecamatan=3d,desa=1d,tps=07:00"),
            Ok(Deadlines::default())
        );
    }

    #[test]
    fn levels_left_out_keep_their_defaults() {
        let d = Deadlines::parse(" desa = 2d , tps=06:30").unwrap();
        let [kab, _, desa, tps] = d.on(PollingDay::default());
        assert_eq!(kab, at("2024-02-03T17:00:00Z"));
        assert_eq!(desa, at("2024-02-11T17:00:00Z"));
        assert_eq!(tps, at("2024-02-13T23:30:00Z"));
        assert_eq!(Deadlines::parse(""), Ok(Deadlines::default()));
        let late = Deadlines::parse("kecamatan=0d,kabkota=12:00").unwrap();
        let [kab, kec, ..] = late.on(PollingDay::default());
        assert_eq!(kab, at("2024-02-14T05:00:00Z"));
        assert_eq!(kec, at("2024-02-13T17:00:00Z"));
    }

    #[test]
    fn a_malformed_deadline_is_refused_naming_the_part() {
        for (text, names) in [
            ("kabkota", "\"kabkota\" is not level=deadline"),
            ("provinsi=3d", "\"provinsi\" is not a receiving level"),
            ("tps=7:00", "tps=7:00: a deadline is Nd"),
            ("tps=24:00", "tps=24:00"),
            ("tps=07:60", "tps=07:60"),
            ("desa=1", "desa=1: a deadline is"),
            ("desa=-1d", "desa=-1d"),
            ("kabkota=91d", "kabkota=91d"),
            ("kecamatan=3d,desa=x", "desa=x"),
        ] {
            let err = Deadlines::parse(text).unwrap_err();
            assert!(err.starts_with(names), "{text}: {err}");
        }
    }
}
