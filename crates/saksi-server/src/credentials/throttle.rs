//! Login throttling: bounds how many passwords an attacker gets checked,
//! without letting anyone lock an officer out.
//!
//! Two budgets are kept, both in fixed windows of [`WINDOW_SECS`]:
//!
//! - per (username, address): [`PAIR_LIMIT`] attempts are checked; once they
//!   are used the pair is locked until its window ends, and each window that
//!   fills up again doubles the lock (up to [`MAX_LOCK_SECS`]). Only the
//!   guesser's own address is slowed: the same account from any other
//!   address keeps its full budget, so no one can lock an officer out from
//!   everywhere. A correct password clears the pair.
//! - per address: [`ADDRESS_LIMIT`] attempts over all usernames, so one
//!   address cannot try a few passwords against every account.
//!
//! An attempt takes its place in both budgets *before* the password is
//! checked ([`Throttle::reserve`]), under one lock, so however many guesses
//! arrive at once no more than the budget reach Argon2. An attempt that was
//! never checked (the server was too busy) is given back
//! ([`Throttle::refund`]); a correct one is not a wrong guess and gives its
//! address slot back too ([`Throttle::succeeded`]). Time is passed in
//! (seconds, from the server's clock), so tests need no sleeping.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Attempts checked per (username, address) per window.
pub const PAIR_LIMIT: u32 = 5;
/// Attempts checked per address per window, over all usernames.
pub const ADDRESS_LIMIT: u32 = 50;
/// The length of a window, in seconds.
pub const WINDOW_SECS: u64 = 15 * 60;
/// The longest lock of a (username, address), in seconds: long enough to
/// make guessing hopeless, short enough that an officer who shares an
/// address with a guesser is not shut out of it for the day.
pub const MAX_LOCK_SECS: u64 = 4 * WINDOW_SECS;
/// Keys not seen for this long are forgotten, bounding memory.
const FORGET_AFTER_SECS: u64 = 2 * MAX_LOCK_SECS;
/// Above this many keys, stale ones are swept on the next attempt.
const SWEEP_ABOVE: usize = 100_000;

#[derive(Debug, Clone, Copy, Default)]
struct Budget {
    /// Attempts counted in the current window, in flight ones included.
    used: u32,
    window_start: u64,
    /// Windows in a row that filled up: each doubles the next lock.
    strikes: u32,
    last_seen: u64,
}

impl Budget {
    /// How long the key stays locked once its window is full.
    fn lock_secs(&self, backoff: bool) -> u64 {
        if !backoff {
            return WINDOW_SECS;
        }
        WINDOW_SECS
            .checked_shl(self.strikes.min(16))
            .unwrap_or(MAX_LOCK_SECS)
            .min(MAX_LOCK_SECS)
    }

    /// `Err(seconds to wait)` if the key has no attempt left at `now`;
    /// otherwise starts a new window if the last one is over.
    fn ready(&mut self, limit: u32, backoff: bool, now: u64) -> Result<(), u64> {
        if self.used >= limit {
            let until = self.window_start.saturating_add(self.lock_secs(backoff));
            if now < until {
                return Err(until - now);
            }
            // A key that stayed quiet for a whole window after its lock
            // starts over; one that comes straight back backs off further.
            self.strikes = if now >= until.saturating_add(WINDOW_SECS) {
                0
            } else {
                self.strikes.saturating_add(1)
            };
            self.used = 0;
            self.window_start = now;
        } else if now >= self.window_start.saturating_add(WINDOW_SECS) {
            self.strikes = 0;
            self.used = 0;
            self.window_start = now;
        }
        Ok(())
    }
}

/// An attempt that took its place in the budgets: hand it back to
/// [`Throttle::succeeded`] or [`Throttle::refund`], or drop it after a
/// wrong password.
#[derive(Debug)]
pub struct Attempt {
    pair: String,
    address: String,
}

/// The budgets, and the size above which stale ones are swept.
#[derive(Debug, Default)]
struct Budgets {
    map: HashMap<String, Budget>,
    sweep_above: usize,
}

/// Counts attempts per (username, address) and per address; shared by all
/// login requests.
#[derive(Debug, Default)]
pub struct Throttle {
    budgets: Mutex<Budgets>,
}

/// The address a budget is kept for. One IPv6 host is usually given a whole
/// /64, so its addresses share one budget; otherwise each of them would
/// bring fresh guesses.
pub(crate) fn address_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_canonical().to_string(),
        _ => address.to_owned(),
    }
}

impl Throttle {
    /// Counts an attempt to log in as `username` from `address` at `now`,
    /// or `Err(seconds)` if either budget is used up: the caller answers
    /// 429 with `Retry-After: seconds` and checks no password.
    pub fn reserve(&self, username: &str, address: &str, now: u64) -> Result<Attempt, u64> {
        let address = address_key(address);
        // Usernames differing only in case would otherwise get a budget each.
        let pair = format!("user:{}@{address}", username.to_ascii_lowercase());
        let address = format!("addr:{address}");
        let mut guard = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let Budgets {
            map: budgets,
            sweep_above,
        } = &mut *guard;
        if budgets.len() > (*sweep_above).max(SWEEP_ABOVE) {
            budgets.retain(|_, b| now.saturating_sub(b.last_seen) < FORGET_AFTER_SECS);
            // Sweep again only once the map has doubled, so that a map of
            // fresh keys is not scanned on every attempt.
            *sweep_above = budgets.len().saturating_mul(2);
        }
        let mut pair_budget = budgets.get(&pair).copied().unwrap_or(Budget {
            window_start: now,
            ..Budget::default()
        });
        let mut address_budget = budgets.get(&address).copied().unwrap_or(Budget {
            window_start: now,
            ..Budget::default()
        });
        let pair_wait = pair_budget.ready(PAIR_LIMIT, true, now).err();
        let address_wait = address_budget.ready(ADDRESS_LIMIT, false, now).err();
        if let Some(wait) = pair_wait.max(address_wait) {
            return Err(wait);
        }
        for (key, mut budget) in [(&pair, pair_budget), (&address, address_budget)] {
            budget.used += 1;
            budget.last_seen = now;
            budgets.insert(key.clone(), budget);
        }
        Ok(Attempt { pair, address })
    }

    /// Gives back an attempt whose password was never checked.
    pub fn refund(&self, attempt: Attempt) {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        for key in [&attempt.pair, &attempt.address] {
            if let Some(b) = budgets.map.get_mut(key) {
                b.used = b.used.saturating_sub(1);
            }
        }
    }

    /// A correct password: clears its (username, address) and gives its
    /// address slot back, as it was no guess.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        budgets.map.remove(&attempt.pair);
        if let Some(b) = budgets.map.get_mut(&attempt.address) {
            b.used = b.used.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_per_pair_then_a_lock_until_the_window_ends() {
        let t = Throttle::default();
        for _ in 0..PAIR_LIMIT {
            assert!(t.reserve("ketua", "10.0.0.1", 100).is_ok());
        }
        assert_eq!(t.reserve("ketua", "10.0.0.1", 100).err(), Some(WINDOW_SECS));
        assert_eq!(
            t.reserve("KETUA", "10.0.0.1", 160).err(),
            Some(WINDOW_SECS - 60)
        );
        // Another address, and another user from this address, are untouched.
        assert!(t.reserve("ketua", "10.0.0.2", 100).is_ok());
        assert!(t.reserve("anggota", "10.0.0.1", 100).is_ok());
        assert!(t.reserve("ketua", "10.0.0.1", 100 + WINDOW_SECS).is_ok());
    }

    #[test]
    fn each_window_that_fills_again_doubles_the_lock_up_to_the_cap() {
        let t = Throttle::default();
        let mut now = 0;
        for lock in [WINDOW_SECS, 2 * WINDOW_SECS, MAX_LOCK_SECS, MAX_LOCK_SECS] {
            for _ in 0..PAIR_LIMIT {
                assert!(t.reserve("ketua", "a", now).is_ok());
            }
            assert_eq!(t.reserve("ketua", "a", now).err(), Some(lock));
            now += lock;
        }
    }

    #[test]
    fn a_quiet_window_forgets_the_strikes() {
        let t = Throttle::default();
        for _ in 0..PAIR_LIMIT {
            t.reserve("ketua", "a", 0).unwrap();
        }
        t.reserve("ketua", "a", WINDOW_SECS).unwrap();
        for _ in 0..PAIR_LIMIT {
            t.reserve("ketua", "a", 3 * WINDOW_SECS).unwrap();
        }
        assert_eq!(
            t.reserve("ketua", "a", 3 * WINDOW_SECS).err(),
            Some(WINDOW_SECS)
        );
        for _ in 0..PAIR_LIMIT {
            t.reserve("ketua", "a", 5 * WINDOW_SECS).unwrap();
        }
        assert_eq!(
            t.reserve("ketua", "a", 5 * WINDOW_SECS).err(),
            Some(WINDOW_SECS)
        );
    }

    #[test]
    fn a_success_clears_the_pair_and_a_refund_gives_the_attempt_back() {
        let t = Throttle::default();
        for _ in 1..PAIR_LIMIT {
            t.reserve("ketua", "a", 0).unwrap();
        }
        let last = t.reserve("ketua", "a", 0).unwrap();
        assert!(t.reserve("ketua", "a", 0).is_err());
        t.refund(last);
        let last = t.reserve("ketua", "a", 0).unwrap();
        t.succeeded(last);
        for _ in 0..PAIR_LIMIT {
            t.reserve("ketua", "a", 0).unwrap();
        }
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        let t = Throttle::default();
        for i in 0..PAIR_LIMIT {
            t.reserve("ketua", &format!("2001:db8:1:2::{i}"), 0)
                .unwrap();
        }
        assert!(t.reserve("ketua", "2001:db8:1:2:ffff::1", 0).is_err());
        assert!(t.reserve("ketua", "2001:db8:1:3::1", 0).is_ok());
        assert_eq!(address_key("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(address_key("unknown"), "unknown");
    }

    #[test]
    fn one_address_gets_fifty_attempts_over_all_usernames() {
        let t = Throttle::default();
        for i in 0..ADDRESS_LIMIT {
            t.reserve(&format!("user{i}"), "a", 0).unwrap();
        }
        assert_eq!(t.reserve("other", "a", 10).err(), Some(WINDOW_SECS - 10));
        assert!(t.reserve("other", "b", 10).is_ok());
        assert!(t.reserve("other", "a", WINDOW_SECS).is_ok());
    }
}
