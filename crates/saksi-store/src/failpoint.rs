//! A failpoint: a [`Store`] that fails every write the way a full disk
//! does while it is armed, so tests can show that a submission then gets
//! 503, nothing is half-written, reads go on, and the server recovers by
//! itself once writes succeed again. Tests run as root, so file
//! permissions cannot make a real disk refuse writes.
//!
//! A running `saksi serve` is armed from outside through a file: with
//! `SAKSI_FAILPOINT_WRITES=PATH` in its environment, every write fails
//! while `PATH` exists ([`FailSwitch::file`]). The same wrapper can slow
//! every group commit down, to show batches growing on a slow disk.
//!
//! In-process tests can also make a commit's answer get lost
//! ([`FailingStore::with_lost_commit_answers`]): the batch is written, then
//! the commit reports an I/O error, as a connection cut during `COMMIT`
//! does; and hold group commits until told ([`CommitHold`]), to queue
//! commands into one batch. Only code can arm these (no environment
//! variable does), so no deployment can switch them on.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use saksi_core::{Contest, Election, RegionCode};

use crate::{
    Account, Batch, IdempotencyRecord, LeaseOutcome, LogEntry, LoggedVersion, NewUser, Result,
    Session, SessionUser, Store, StoreError, StoredKey, StoredVersion, TotpRecord, UnixTime, User,
    UserId,
};
use crate::{Attempt, Delivery, DueDelivery, NewWebhook, StoredWebhook};

/// What arms the failpoint.
#[derive(Debug, Clone)]
pub enum FailSwitch {
    /// Armed while the flag is set (in-process tests).
    Flag(Arc<AtomicBool>),
    /// Armed while the file exists (another process's tests).
    File(PathBuf),
}

impl FailSwitch {
    /// A switch armed while `path` exists.
    pub fn file(path: impl Into<PathBuf>) -> FailSwitch {
        FailSwitch::File(path.into())
    }

    fn armed(&self) -> bool {
        match self {
            FailSwitch::Flag(flag) => flag.load(Ordering::Relaxed),
            FailSwitch::File(path) => path.exists(),
        }
    }
}

/// Holds every group commit while closed (in-process tests): the commands
/// that arrive meanwhile wait in the queue and are decided together in the
/// next batch.
#[derive(Debug, Default)]
pub struct CommitHold {
    closed: AtomicBool,
    held: AtomicUsize,
}

impl CommitHold {
    /// Holds the commits that start from now on.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Lets every held commit go on.
    pub fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
    }

    /// How many commits are being held.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    fn pass(&self) {
        if !self.closed.load(Ordering::SeqCst) {
            return;
        }
        self.held.fetch_add(1, Ordering::SeqCst);
        while self.closed.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        self.held.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `inner`, with writes failing while `switch` is armed, and each group
/// commit slowed down by `commit_delay` (a slow disk or database).
pub struct FailingStore {
    inner: Arc<dyn Store>,
    switch: FailSwitch,
    commit_delay: Option<std::time::Duration>,
    /// While armed, a group commit is written and then reported failed.
    lost_answers: Option<FailSwitch>,
    hold: Option<Arc<CommitHold>>,
}

impl FailingStore {
    pub fn new(inner: Arc<dyn Store>, switch: FailSwitch) -> FailingStore {
        FailingStore {
            inner,
            switch,
            commit_delay: None,
            lost_answers: None,
            hold: None,
        }
    }

    /// Makes every group commit take `delay` longer, as a slow disk or a
    /// distant database would (`SAKSI_FAILPOINT_COMMIT_DELAY_MS`).
    pub fn with_commit_delay(mut self, delay: std::time::Duration) -> FailingStore {
        self.commit_delay = Some(delay);
        self
    }

    /// While `switch` is armed, every group commit is written and then
    /// answered with an I/O error: the outcome the server cannot know
    /// (in-process tests only).
    pub fn with_lost_commit_answers(mut self, switch: FailSwitch) -> FailingStore {
        self.lost_answers = Some(switch);
        self
    }

    /// Every group commit waits while `hold` is closed (in-process tests
    /// only).
    pub fn with_commit_hold(mut self, hold: Arc<CommitHold>) -> FailingStore {
        self.hold = Some(hold);
        self
    }

    /// Refuses a write as a full disk would, if armed.
    fn write(&self) -> Result<()> {
        if self.switch.armed() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "failpoint: no space left on device",
            )));
        }
        Ok(())
    }
}

impl Store for FailingStore {
    fn save_election(&self, election: &Election, progress: &dyn Fn(u64, u64)) -> Result<()> {
        self.write()?;
        self.inner.save_election(election, progress)
    }

    fn load_election(&self) -> Result<Option<Election>> {
        self.inner.load_election()
    }

    fn region_name(&self, code: RegionCode) -> Result<Option<String>> {
        self.inner.region_name(code)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.inner.meta(key)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.write()?;
        self.inner.set_meta(key, value)
    }

    fn add_users(&self, users: &[NewUser]) -> Result<Vec<UserId>> {
        self.write()?;
        self.inner.add_users(users)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.inner.user_by_username(username)
    }

    fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.inner.user_by_id(id)
    }

    fn insert_sessions(&self, sessions: &[Session]) -> Result<()> {
        self.write()?;
        self.inner.insert_sessions(sessions)
    }

    fn session_user(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<SessionUser>> {
        self.inner.session_user(token_hash, now)
    }

    fn totp(&self, user: UserId) -> Result<Option<TotpRecord>> {
        self.inner.totp(user)
    }

    fn begin_totp(&self, user: UserId, sealed_secret: &[u8], now: UnixTime) -> Result<bool> {
        self.write()?;
        self.inner.begin_totp(user, sealed_secret, now)
    }

    fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<bool> {
        self.write()?;
        self.inner
            .confirm_totp(user, sealed_secret, step, recovery_hashes, now)
    }

    fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        self.write()?;
        self.inner.use_totp_step(user, step)
    }

    fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: UnixTime) -> Result<bool> {
        self.write()?;
        self.inner.use_recovery_code(user, code_hash, now)
    }

    fn reset_totp(&self, user: UserId, now: UnixTime) -> Result<u64> {
        self.write()?;
        self.inner.reset_totp(user, now)
    }

    fn end_session(&self, token_hash: &[u8], now: UnixTime) -> Result<bool> {
        self.write()?;
        self.inner.end_session(token_hash, now)
    }

    fn accounts(&self, now: UnixTime) -> Result<Vec<Account>> {
        self.inner.accounts(now)
    }

    fn set_disabled(&self, user: UserId, at: Option<UnixTime>) -> Result<u64> {
        self.write()?;
        self.inner.set_disabled(user, at)
    }

    fn set_password(&self, user: UserId, password_hash: &str, now: UnixTime) -> Result<u64> {
        self.write()?;
        self.inner.set_password(user, password_hash, now)
    }

    fn revoke_sessions(&self, user: UserId, now: UnixTime) -> Result<u64> {
        self.write()?;
        self.inner.revoke_sessions(user, now)
    }

    fn account_revision(&self) -> Result<i64> {
        self.inner.account_revision()
    }

    fn commit_batch(&self, batch: &Batch) -> Result<()> {
        self.write()?;
        if let Some(hold) = &self.hold {
            hold.pass();
        }
        if let Some(delay) = self.commit_delay {
            std::thread::sleep(delay);
        }
        self.inner.commit_batch(batch)?;
        if self.lost_answers.as_ref().is_some_and(FailSwitch::armed) {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "failpoint: the connection was lost during COMMIT",
            )));
        }
        Ok(())
    }

    fn database_now_ms(&self) -> Result<i64> {
        self.inner.database_now_ms()
    }

    fn acquire_lease(&self, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<LeaseOutcome> {
        self.write()?;
        self.inner.acquire_lease(holder, now_ms, ttl_ms)
    }

    fn renew_lease(&self, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool> {
        self.write()?;
        self.inner.renew_lease(token, now_ms, ttl_ms)
    }

    fn release_lease(&self, token: u64, now_ms: i64) -> Result<bool> {
        self.write()?;
        self.inner.release_lease(token, now_ms)
    }

    fn check_fence(&self, token: u64) -> Result<()> {
        self.inner.check_fence(token)
    }

    fn current_form(&self, tps: RegionCode, contest: Contest) -> Result<Option<StoredVersion>> {
        self.inner.current_form(tps, contest)
    }

    fn tps_with_warnings(&self, region: RegionCode) -> Result<Vec<RegionCode>> {
        self.inner.tps_with_warnings(region)
    }

    fn current_forms(&self, region: RegionCode, contest: Contest) -> Result<Vec<LoggedVersion>> {
        self.inner.current_forms(region, contest)
    }

    fn form_versions(&self, tps: RegionCode) -> Result<Vec<StoredVersion>> {
        self.inner.form_versions(tps)
    }

    fn for_each_idempotency_key(&self, f: &mut dyn FnMut(&str, &str)) -> Result<()> {
        self.inner.for_each_idempotency_key(f)
    }

    fn idempotency(&self, principal: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        self.inner.idempotency(principal, key)
    }

    fn log_size(&self) -> Result<u64> {
        self.inner.log_size()
    }

    fn for_each_leaf_hash(&self, f: &mut dyn FnMut(u64, [u8; 32])) -> Result<()> {
        self.inner.for_each_leaf_hash(f)
    }

    fn photo_named(&self, sha256: &[u8; 32]) -> Result<bool> {
        self.inner.photo_named(sha256)
    }

    fn incident(&self, id: &[u8; 16]) -> Result<Option<crate::IncidentHistory>> {
        self.inner.incident(id)
    }

    fn for_each_incident(&self, f: &mut dyn FnMut(crate::StoredIncident)) -> Result<()> {
        self.inner.for_each_incident(f)
    }

    fn log_entries(&self, start: u64, end: u64) -> Result<Vec<LogEntry>> {
        self.inner.log_entries(start, end)
    }

    fn recap_entries(&self) -> Result<Vec<LogEntry>> {
        self.inner.recap_entries()
    }

    fn logistics_entries(&self) -> Result<Vec<LogEntry>> {
        self.inner.logistics_entries()
    }

    fn keys(&self) -> Result<Vec<StoredKey>> {
        self.inner.keys()
    }

    fn issue_enrolment_codes(&self, codes: &[crate::NewEnrolmentCode]) -> Result<()> {
        self.write()?;
        self.inner.issue_enrolment_codes(codes)
    }

    fn enrolment_code(
        &self,
        tps: RegionCode,
        code_hash: &[u8],
    ) -> Result<Option<crate::StoredEnrolmentCode>> {
        self.inner.enrolment_code(tps, code_hash)
    }

    fn enrol(&self, code_id: i64, enrolment: &crate::NewEnrolment) -> Result<bool> {
        self.write()?;
        self.inner.enrol(code_id, enrolment)
    }

    fn enrolment(&self, id: &str) -> Result<Option<crate::StoredEnrolment>> {
        self.inner.enrolment(id)
    }

    fn enrolments(&self, kabkota: RegionCode) -> Result<Vec<crate::StoredEnrolment>> {
        self.inner.enrolments(kabkota)
    }

    fn reject_enrolment(&self, id: &str, reason: &str, at: UnixTime) -> Result<bool> {
        self.write()?;
        self.inner.reject_enrolment(id, reason, at)
    }

    fn submit_officer_key(&self, key: &crate::NewOfficerKey) -> Result<i64> {
        self.write()?;
        self.inner.submit_officer_key(key)
    }

    fn officer_keys_submitted(
        &self,
        filter: &crate::OfficerKeyFilter,
    ) -> Result<Vec<crate::SubmittedOfficerKey>> {
        self.inner.officer_keys_submitted(filter)
    }

    fn for_each_current_form(&self, f: &mut dyn FnMut(StoredVersion)) -> Result<()> {
        self.inner.for_each_current_form(f)
    }

    fn add_webhook(&self, webhook: &NewWebhook) -> Result<i64> {
        self.write()?;
        self.inner.add_webhook(webhook)
    }

    fn remove_webhook(&self, id: i64) -> Result<bool> {
        self.write()?;
        self.inner.remove_webhook(id)
    }

    fn webhooks(&self) -> Result<Vec<StoredWebhook>> {
        self.inner.webhooks()
    }

    fn subscribed_events(&self) -> Result<Vec<String>> {
        self.inner.subscribed_events()
    }

    fn enqueue_deliveries(&self, event: &str, body: &str, at: UnixTime) -> Result<u64> {
        self.write()?;
        self.inner.enqueue_deliveries(event, body, at)
    }

    fn due_deliveries(&self, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>> {
        self.inner.due_deliveries(now, limit)
    }

    fn record_attempt(&self, id: i64, attempt: &Attempt) -> Result<()> {
        self.write()?;
        self.inner.record_attempt(id, attempt)
    }

    fn deliveries(&self, webhook: Option<i64>) -> Result<Vec<Delivery>> {
        self.inner.deliveries(webhook)
    }
}
