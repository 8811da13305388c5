//! Login throttling: repeated wrong passwords slow an attacker to a crawl.
//!
//! Failures are counted per key (a username, or a client address); after
//! [`FREE_FAILURES`] the key is locked for a delay that doubles with each
//! further failure, up to [`MAX_LOCK_SECS`]. A success clears the key. Time
//! is passed in (seconds), so tests need no sleeping.

use std::collections::HashMap;
use std::sync::Mutex;

/// Wrong passwords allowed before the first lock.
pub const FREE_FAILURES: u32 = 5;
/// The longest lock, in seconds.
pub const MAX_LOCK_SECS: u64 = 15 * 60;
/// Keys not seen for this long are forgotten, bounding memory.
const FORGET_AFTER_SECS: u64 = 60 * 60;
/// Above this many keys, stale ones are swept on the next failure.
const SWEEP_ABOVE: usize = 100_000;

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    failures: u32,
    locked_until: u64,
    last_seen: u64,
}

/// Counts failures per key; shared by all login requests.
#[derive(Debug, Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Throttle {
    /// `Err(seconds)` if `key` is locked now: the caller answers 429 with
    /// `Retry-After: seconds` without checking the password at all.
    pub fn check(&self, key: &str, now: u64) -> Result<(), u64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some(e) if e.locked_until > now => Err(e.locked_until - now),
            _ => Ok(()),
        }
    }

    /// Records a wrong password for `key`.
    pub fn failed(&self, key: &str, now: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > SWEEP_ABOVE {
            entries.retain(|_, e| now.saturating_sub(e.last_seen) < FORGET_AFTER_SECS);
        }
        let entry = entries.entry(key.to_owned()).or_default();
        entry.failures += 1;
        entry.last_seen = now;
        if let Some(over) = entry.failures.checked_sub(FREE_FAILURES + 1) {
            let lock = 1u64
                .checked_shl(over.min(20))
                .unwrap_or(MAX_LOCK_SECS)
                .min(MAX_LOCK_SECS);
            entry.locked_until = now + lock;
        }
    }

    /// Clears `key` after a correct password.
    pub fn succeeded(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_wrong_password_locks_and_the_lock_grows() {
        let t = Throttle::default();
        for _ in 0..FREE_FAILURES {
            assert_eq!(t.check("ketua", 100), Ok(()));
            t.failed("ketua", 100);
        }
        assert_eq!(t.check("ketua", 100), Ok(()));
        t.failed("ketua", 100);
        assert_eq!(t.check("ketua", 100), Err(1));
        t.failed("ketua", 100);
        assert_eq!(t.check("ketua", 100), Err(2));
        assert_eq!(t.check("ketua", 102), Ok(()));
        assert_eq!(t.check("anggota", 100), Ok(()));
    }

    #[test]
    fn a_success_clears_the_count() {
        let t = Throttle::default();
        for _ in 0..10 {
            t.failed("ketua", 0);
        }
        t.succeeded("ketua");
        assert_eq!(t.check("ketua", 0), Ok(()));
    }

    #[test]
    fn locks_never_exceed_the_cap() {
        let t = Throttle::default();
        for _ in 0..100 {
            t.failed("ketua", 0);
        }
        assert_eq!(t.check("ketua", 0), Err(MAX_LOCK_SECS));
    }
}
