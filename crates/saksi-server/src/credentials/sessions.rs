//! A cache of sessions already looked up, so an officer's every request
//! does not cost a database read on a blocking thread.
//!
//! Only positive answers are cached: a token minted a moment ago by
//! `saksi user token` (another process) is not in the cache, so it is read
//! from the store on first use; nothing new is ever missed. Expiry is
//! checked on every hit, logout removes the entry, and the cache is bounded
//! (it is emptied when full, costing a read per session afterwards).
//!
//! Sessions also end behind the server's back: `saksi user disable`,
//! `reset-password` and `revoke-sessions` (another process) revoke them in
//! the store and bump its account revision. At most once a second
//! ([`RECHECK_SECS`], on the server's clock) a request reads that revision,
//! and a changed one empties the cache, so a revoked session stops working
//! within a second however busy the server is, for one cheap read a second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use saksi_core::permission::Principal;
use saksi_core::time::UnixTime;

/// Sessions cached at most (about 80 bytes each).
const CAPACITY: usize = 250_000;

/// Seconds between two reads of the store's account revision.
pub const RECHECK_SECS: i64 = 1;

/// What a request needs of its session.
#[derive(Debug, Clone)]
pub struct CachedSession {
    pub user_id: i64,
    pub username: Arc<str>,
    pub principal: Principal,
    pub expires_at: UnixTime,
    /// The account has TOTP enrolled.
    pub totp_enrolled: bool,
    /// The session may only enrol TOTP (see `auth::session_of`).
    pub totp_pending: bool,
}

/// Sessions by token hash, and the account revision they were confirmed
/// under.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<Entries>,
    /// When the account revision was last read (or is being read).
    checked_at: Mutex<Option<UnixTime>>,
}

/// The cached sessions, all confirmed under `revision` (`None` before the
/// revision was first read).
#[derive(Debug, Default)]
struct Entries {
    map: HashMap<[u8; 32], CachedSession>,
    revision: Option<i64>,
}

impl SessionCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True if the store's account revision is due to be read at `now`:
    /// once per [`RECHECK_SECS`] over all requests (the caller that gets
    /// `true` reads it and hands it to [`SessionCache::observe`]).
    pub fn recheck_due(&self, now: UnixTime) -> bool {
        let mut checked = self.checked_at.lock().unwrap_or_else(|e| e.into_inner());
        let due = checked.is_none_or(|at| now.0 >= at.0.saturating_add(RECHECK_SECS) || now < at);
        if due {
            *checked = Some(now);
        }
        due
    }

    /// The store's account revision as just read: a different one than the
    /// entries were confirmed under forgets them all.
    pub fn observe(&self, revision: i64) {
        let mut entries = self.entries();
        if entries.revision != Some(revision) {
            entries.map.clear();
            entries.revision = Some(revision);
        }
    }

    /// The revision the cache holds now: read it before looking a session
    /// up in the store and give it to [`SessionCache::put`].
    pub fn revision(&self) -> Option<i64> {
        self.entries().revision
    }

    /// The session of `hash` if cached and not expired at `now`.
    pub fn get(&self, hash: &[u8; 32], now: UnixTime) -> Option<CachedSession> {
        let mut entries = self.entries();
        match entries.map.get(hash) {
            Some(s) if now < s.expires_at => Some(s.clone()),
            Some(_) => {
                entries.map.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Remembers a session the store confirmed, unless the account revision
    /// changed since `revision` was read before the store was asked: the
    /// session may have been revoked in between.
    pub fn put(&self, hash: [u8; 32], session: CachedSession, revision: Option<i64>) {
        let mut entries = self.entries();
        if entries.revision != revision {
            return;
        }
        if entries.map.len() >= CAPACITY {
            entries.map.clear();
        }
        entries.map.insert(hash, session);
    }

    /// Forgets a session (logout).
    pub fn remove(&self, hash: &[u8; 32]) {
        self.entries().map.remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use saksi_core::RegionCode;
    use saksi_core::permission::Role;

    use super::*;

    fn session(expires: i64) -> CachedSession {
        CachedSession {
            user_id: 7,
            username: "auditor".into(),
            principal: Principal::new(Role::Auditor, RegionCode::NASIONAL, None).unwrap(),
            expires_at: UnixTime(expires),
            totp_enrolled: false,
            totp_pending: false,
        }
    }

    #[test]
    fn a_cached_session_is_honoured_until_it_expires_or_is_removed() {
        let cache = SessionCache::default();
        cache.observe(0);
        cache.put([1; 32], session(100), Some(0));
        assert_eq!(
            cache.get(&[1; 32], UnixTime(99)).map(|s| s.user_id),
            Some(7)
        );
        assert!(cache.get(&[1; 32], UnixTime(100)).is_none(), "expired");
        assert!(cache.get(&[1; 32], UnixTime(50)).is_none(), "and forgotten");
        cache.put([2; 32], session(100), Some(0));
        cache.remove(&[2; 32]);
        assert!(cache.get(&[2; 32], UnixTime(1)).is_none());
        assert!(cache.get(&[3; 32], UnixTime(1)).is_none());
    }

    #[test]
    fn a_new_account_revision_forgets_every_session() {
        let cache = SessionCache::default();
        cache.observe(3);
        cache.put([1; 32], session(100), Some(3));
        cache.observe(3);
        assert!(cache.get(&[1; 32], UnixTime(1)).is_some(), "same revision");
        cache.observe(4);
        assert!(
            cache.get(&[1; 32], UnixTime(1)).is_none(),
            "revoked elsewhere"
        );
    }

    #[test]
    fn a_session_read_before_a_revision_change_is_not_cached() {
        let cache = SessionCache::default();
        cache.observe(3);
        let before = cache.revision();
        cache.observe(4);
        cache.put([1; 32], session(100), before);
        assert!(cache.get(&[1; 32], UnixTime(1)).is_none());
    }

    #[test]
    fn the_revision_is_read_at_most_once_a_second() {
        let cache = SessionCache::default();
        assert!(cache.recheck_due(UnixTime(10)));
        assert!(!cache.recheck_due(UnixTime(10)));
        assert!(cache.recheck_due(UnixTime(10 + RECHECK_SECS)));
        assert!(!cache.recheck_due(UnixTime(10 + RECHECK_SECS)));
        // A clock set back does not stop the rechecks.
        assert!(cache.recheck_due(UnixTime(5)));
    }
}
