//! A cache of sessions already looked up, so an officer's every request
//! does not cost a database read on a blocking thread.
//!
//! Only positive answers are cached: a token minted a moment ago by
//! `saksi user token` (another process) is not in the cache, so it is read
//! from the store on first use; nothing new is ever missed. Expiry is
//! checked on every hit, logout removes the entry, and the cache is bounded
//! (it is emptied when full, costing a read per session afterwards).

use std::collections::HashMap;
use std::sync::Mutex;

use saksi_core::permission::Principal;
use saksi_core::time::UnixTime;

/// Sessions cached at most (about 80 bytes each).
const CAPACITY: usize = 250_000;

/// What a request needs of its session.
#[derive(Debug, Clone, Copy)]
pub struct CachedSession {
    pub user_id: i64,
    pub principal: Principal,
    pub expires_at: UnixTime,
}

/// Sessions by token hash.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<[u8; 32], CachedSession>>,
}

impl SessionCache {
    /// The session of `hash` if cached and not expired at `now`.
    pub fn get(&self, hash: &[u8; 32], now: UnixTime) -> Option<CachedSession> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(hash) {
            Some(s) if now < s.expires_at => Some(*s),
            Some(_) => {
                entries.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Remembers a session the store confirmed.
    pub fn put(&self, hash: [u8; 32], session: CachedSession) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(hash, session);
    }

    /// Forgets a session (logout).
    pub fn remove(&self, hash: &[u8; 32]) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(hash);
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
            principal: Principal::new(Role::Auditor, RegionCode::NASIONAL, None).unwrap(),
            expires_at: UnixTime(expires),
        }
    }

    #[test]
    fn a_cached_session_is_honoured_until_it_expires_or_is_removed() {
        let cache = SessionCache::default();
        cache.put([1; 32], session(100));
        assert_eq!(
            cache.get(&[1; 32], UnixTime(99)).map(|s| s.user_id),
            Some(7)
        );
        assert!(cache.get(&[1; 32], UnixTime(100)).is_none(), "expired");
        assert!(cache.get(&[1; 32], UnixTime(50)).is_none(), "and forgotten");
        cache.put([2; 32], session(100));
        cache.remove(&[2; 32]);
        assert!(cache.get(&[2; 32], UnixTime(1)).is_none());
        assert!(cache.get(&[3; 32], UnixTime(1)).is_none());
    }
}
