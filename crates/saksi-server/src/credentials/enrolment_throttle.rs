//! Throttling of KPPS device enrolment attempts (`workspace::enrolment`,
//! whose `throttle` this is; kept here beside the login throttle so that
//! the handlers' state can hold it): bounds how many codes anyone gets
//! checked against one TPS, and from one address, after the design of
//! `auth::throttle`.
//!
//! An attempt takes its place in both budgets (the TPS's and the
//! address's, fixed windows of [`WINDOW_SECS`]) *before* its code is
//! checked ([`EnrolmentThrottle::reserve`]), under one lock, so codes sent
//! at once cannot all slip in. An attempt that was no guess (the right
//! code, or a used or expired one, which only its holder knows) gives its
//! places back ([`EnrolmentThrottle::refund`]). Time is passed in (seconds,
//! from the server's clock), so tests move an injected clock.
//!
//! A code is 12 random digits, so the budgets are not what keeps a guesser
//! out (10 guesses per window against 10^12 codes); they keep a script
//! from hammering the store, and a TPS's budget cannot be used up from
//! another address for longer than a window.

use std::collections::HashMap;
use std::sync::Mutex;

use saksi_core::RegionCode;

use super::throttle::address_key;

/// Wrong codes per TPS per window, over all addresses.
pub const TPS_LIMIT: u32 = 10;
/// Wrong codes per address per window, over all TPS.
pub const ADDRESS_LIMIT: u32 = 20;
/// The length of a window, in seconds.
pub const WINDOW_SECS: u64 = 15 * 60;
/// Above this many keys, those of past windows are swept.
const SWEEP_ABOVE: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: u64,
    used: u32,
}

/// Counts enrolment attempts per TPS and per address; shared by all
/// enrolment requests.
#[derive(Debug, Default)]
pub struct EnrolmentThrottle {
    windows: Mutex<HashMap<String, Window>>,
}

/// An attempt that took its place in both budgets: give it back with
/// [`EnrolmentThrottle::refund`] if it was no guess, or drop it.
#[derive(Debug)]
pub struct Reservation {
    keys: [String; 2],
}

impl EnrolmentThrottle {
    /// Counts an attempt for `tps` from `address` at `now`, or
    /// `Err(seconds to wait)` if either budget is used up.
    pub fn reserve(&self, tps: RegionCode, address: &str, now: u64) -> Result<Reservation, u64> {
        let keys = [
            format!("tps:{tps}"),
            format!("addr:{}", address_key(address)),
        ];
        let limits = [TPS_LIMIT, ADDRESS_LIMIT];
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now < w.start.saturating_add(WINDOW_SECS));
        }
        let mut current = [Window {
            start: now,
            used: 0,
        }; 2];
        let mut wait = None;
        for (i, key) in keys.iter().enumerate() {
            if let Some(w) = windows.get(key)
                && now < w.start.saturating_add(WINDOW_SECS)
            {
                current[i] = *w;
            }
            if current[i].used >= limits[i] {
                let left = current[i].start.saturating_add(WINDOW_SECS) - now;
                wait = Some(wait.map_or(left, |w: u64| w.max(left)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, mut w) in keys.iter().zip(current) {
            w.used += 1;
            windows.insert(key.clone(), w);
        }
        Ok(Reservation { keys })
    }

    /// Gives back an attempt that was no guess.
    pub fn refund(&self, reservation: Reservation) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        for key in &reservation.keys {
            if let Some(w) = windows.get_mut(key) {
                w.used = w.used.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(n: u32) -> RegionCode {
        RegionCode::parse(&format!("11.01.01.2001.{:03}", n + 1)).unwrap()
    }

    #[test]
    fn ten_wrong_codes_per_tps_from_any_address_then_a_wait_until_the_window_ends() {
        let t = EnrolmentThrottle::default();
        for i in 0..TPS_LIMIT {
            t.reserve(tps(1), &format!("10.0.0.{i}"), 100).unwrap();
        }
        assert_eq!(
            t.reserve(tps(1), "10.0.1.1", 160).err(),
            Some(WINDOW_SECS - 60)
        );
        assert!(t.reserve(tps(2), "10.0.1.1", 160).is_ok());
        assert!(t.reserve(tps(1), "10.0.1.1", 100 + WINDOW_SECS).is_ok());
    }

    #[test]
    fn twenty_wrong_codes_per_address_over_all_tps() {
        let t = EnrolmentThrottle::default();
        for i in 0..ADDRESS_LIMIT {
            t.reserve(tps(i), "10.0.0.1", 0).unwrap();
        }
        assert_eq!(t.reserve(tps(99), "10.0.0.1", 0).err(), Some(WINDOW_SECS));
        assert!(t.reserve(tps(99), "10.0.0.2", 0).is_ok());
    }

    #[test]
    fn a_refunded_attempt_is_not_counted() {
        let t = EnrolmentThrottle::default();
        for _ in 0..3 * TPS_LIMIT {
            let r = t.reserve(tps(1), "10.0.0.1", 0).unwrap();
            t.refund(r);
        }
        assert!(t.reserve(tps(1), "10.0.0.1", 0).is_ok());
    }
}
