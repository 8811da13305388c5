//! Whether a new form version is admitted at all, once its place in the
//! version order is settled: it must say something new (its form or its
//! photos differ from the current version's), and one form (TPS, contest)
//! takes at most [`VERSIONS_PER_HOUR`] new versions in any hour.
//!
//! Without these, 300 identical posts made 300 versions and a 189 KB TPS
//! page, and a device (or a script with its key) could fill the log with
//! versions of one form. `form.unchanged` is decided first, so a refused
//! duplicate never uses up the hour's budget.
//!
//! The pace is kept in memory only for forms that could reach the limit:
//! a form whose current version is below [`VERSIONS_PER_HOUR`] cannot have
//! had that many versions in the last hour, so nothing is kept or read for
//! it (the common case). For a form at or beyond it, the times of its last
//! versions are read once from the store (each stored version's
//! `submitted_at`, set from the sequencer's injected clock) and kept up to
//! date as batches commit. A restarted server therefore reads the same
//! times back and enforces the same limit: the limit survives what the
//! store survives.

use std::collections::{HashMap, VecDeque};

use saksi_core::form::CHasil;
use saksi_core::time::UnixTime;
use saksi_core::{Contest, RegionCode, RegionId};

use super::Sequencer;
use super::decision::Refused;
use super::run::{Current, Pending};

/// New versions one form may take in any hour. The first ten are never
/// delayed: ten is more than an honest TPS ever needs (a version, a
/// correction, a lost phone's re-submission).
pub const VERSIONS_PER_HOUR: usize = 10;

/// The window of the limit, in seconds.
const HOUR: i64 = 3600;

/// The times of the last [`VERSIONS_PER_HOUR`] stored versions of each
/// form that has at least that many, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    recent: HashMap<(RegionId, Contest), VecDeque<UnixTime>>,
}

impl Pace {
    /// Records a committed version of a form whose times are kept (the
    /// others are read from the store when they first matter).
    pub(super) fn record(&mut self, tps: RegionId, contest: Contest, at: UnixTime) {
        if let Some(times) = self.recent.get_mut(&(tps, contest)) {
            times.push_back(at);
            while times.len() > VERSIONS_PER_HOUR {
                times.pop_front();
            }
        }
    }
}

/// Seconds until a form whose versions were made at `times` (oldest first)
/// may take another, or `None` if it may now.
fn wait(times: &[UnixTime], now: UnixTime) -> Option<u64> {
    let tenth_last = times.iter().rev().nth(VERSIONS_PER_HOUR - 1)?;
    let frees_at = tenth_last.0.saturating_add(HOUR);
    (frees_at > now.0).then(|| u64::try_from(frees_at - now.0).unwrap_or(u64::MAX))
}

/// A form version as it would be added, for [`Sequencer::admit`].
pub(super) struct NewVersion<'a> {
    pub tps: RegionId,
    pub tps_code: RegionCode,
    pub contest: Contest,
    pub form: &'a CHasil,
    pub photos: &'a [[u8; 32]],
}

impl Sequencer {
    /// Refuses a new version that changes nothing (`form.unchanged`), then
    /// one beyond the hour's budget (`form.too_many_versions`).
    pub(super) fn admit(
        &mut self,
        new: &NewVersion<'_>,
        current: Option<&Current>,
        now: UnixTime,
        pending: &Pending,
    ) -> Result<(), Refused> {
        let Some(current) = current else {
            return Ok(());
        };
        if current.form == *new.form && current.photos == new.photos {
            return Err(Refused::FormUnchanged {
                current: current.version,
            });
        }
        if (current.version as usize) < VERSIONS_PER_HOUR {
            return Ok(());
        }
        let key = (new.tps, new.contest);
        if !self.pace.recent.contains_key(&key) {
            let stored = self.stored_times(new.tps_code, new.contest)?;
            self.pace.recent.insert(key, stored);
        }
        let in_batch = pending
            .applied
            .iter()
            .filter(|a| a.tps == new.tps && a.contest == new.contest)
            .count();
        let mut times: Vec<UnixTime> = self.pace.recent[&key].iter().copied().collect();
        times.extend(std::iter::repeat_n(now, in_batch));
        match wait(&times, now) {
            Some(retry_after) => Err(Refused::TooManyVersions { retry_after }),
            None => Ok(()),
        }
    }

    /// The times of a form's last [`VERSIONS_PER_HOUR`] stored versions,
    /// oldest first.
    fn stored_times(
        &self,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<VecDeque<UnixTime>, Refused> {
        let mut versions: Vec<_> = self
            .store
            .form_versions(tps)?
            .into_iter()
            .filter(|v| v.contest == contest)
            .map(|v| (v.version, v.submitted_at))
            .collect();
        versions.sort_unstable_by_key(|(version, _)| *version);
        let skip = versions.len().saturating_sub(VERSIONS_PER_HOUR);
        Ok(versions.into_iter().skip(skip).map(|(_, at)| at).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(secs: &[i64]) -> Vec<UnixTime> {
        secs.iter().copied().map(UnixTime).collect()
    }

    #[test]
    fn the_eleventh_version_within_an_hour_waits_until_the_first_is_an_hour_old() {
        let ten = times(&[100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
        assert_eq!(wait(&ten[..9], UnixTime(1000)), None);
        assert_eq!(wait(&ten, UnixTime(1000)), Some(2700));
        assert_eq!(wait(&ten, UnixTime(3699)), Some(1));
        assert_eq!(wait(&ten, UnixTime(3700)), None);
    }

    #[test]
    fn only_the_last_ten_versions_count() {
        let mut old = times(&[1, 2, 3]);
        old.extend(times(&[5000; 9]));
        assert_eq!(wait(&old, UnixTime(5000)), None);
        old.push(UnixTime(5001));
        assert_eq!(wait(&old, UnixTime(5001)), Some(3599));
    }
}
