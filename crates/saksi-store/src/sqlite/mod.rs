//! The SQLite backend: one database file in WAL mode, one writer connection
//! and a small pool of reader connections.
//!
//! Durability: `journal_mode=WAL` with `synchronous=FULL`, so a transaction
//! whose commit returned has been fsynced to the WAL and survives power loss
//! (<https://www.sqlite.org/pragma.html#pragma_synchronous>). Writes use
//! `BEGIN IMMEDIATE` and every connection waits up to [`BUSY_TIMEOUT`] for
//! the write lock, so another process (the `saksi user` CLI) can write while
//! a server runs on the same file; nothing takes an exclusive lock. Readers
//! see a committed snapshot and never wait for the writer (WAL).

pub mod backup;
mod election;
mod forms;
mod incidents;
mod keys;
mod lease;
mod log;
mod migrate;
mod users;
mod webhooks;
mod workspace;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use saksi_core::{Contest, Election, RegionCode};

use crate::shared::{Marks, Pool, UnknownContest};
use crate::{
    Account, Batch, IdempotencyRecord, LeaseOutcome, LogEntry, LoggedVersion, NewUser, Result,
    Session, SessionUser, Store, StoreError, StoredKey, StoredVersion, TotpRecord, UnixTime, User,
    UserId,
};
use crate::{Attempt, Delivery, DueDelivery, NewWebhook, StoredWebhook};
use crate::{
    NewEnrolment, NewEnrolmentCode, NewOfficerKey, OfficerKeyFilter, StoredEnrolment,
    StoredEnrolmentCode, SubmittedOfficerKey,
};

/// How long a connection waits for another's write lock before giving up.
/// Long enough for a `saksi user add` to wait out a server's group commit.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections at most (see [`Pool`]): a profile at 64 concurrent
/// requests showed 8% of all CPU in `sqlite3Prepare` with a pool that
/// opened and closed extras.
const MAX_READERS: usize = 16;

/// Page cache of the writer connection (negative: KiB). Kept small on
/// purpose: SQLite walks the whole page-cache hash at the end of every
/// transaction (`pcache1TruncateUnsafe`), so a large cache taxes each group
/// commit; a profile of `saksi loadgen` showed 8% of the server's time there
/// with 128 MiB, and ingest rose by a third at 8 MiB. The OS page cache
/// keeps the file's hot pages anyway.
const WRITER_CACHE_KIB: i64 = 8 * 1024;

/// Page cache of each reader connection, in KiB (small for the same reason).
const READER_CACHE_KIB: i64 = 4 * 1024;

/// A [`Store`] on one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Pool<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, switches it to WAL
    /// mode and applies pending migrations. Several stores, in one process or
    /// several, may open the same file at once.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open(&path)?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotWal(mode));
        }
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        migrate::run(&mut writer)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            readers: Pool::new(MAX_READERS, |_| true),
        })
    }

    /// The writer connection's `synchronous` setting (2 = FULL), so a test
    /// can assert that acknowledged writes are fsynced.
    pub fn pragma_synchronous(&self) -> Result<i64> {
        Ok(self
            .writer()
            .pragma_query_value(None, "synchronous", |row| row.get(0))?)
    }

    /// The database's journal mode (`wal`), for the same kind of check.
    pub fn journal_mode(&self) -> Result<String> {
        Ok(self
            .writer()
            .pragma_query_value(None, "journal_mode", |row| row.get(0))?)
    }

    /// The writer connection. A panic while it was held rolled back any open
    /// transaction (rusqlite rolls back on drop), so a poisoned lock is safe
    /// to take over.
    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on a pooled reader connection, waiting for one if all
    /// [`MAX_READERS`] are busy.
    fn read<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        self.readers.with(|| self.open_reader(), f)
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
        Ok(conn)
    }
}

impl Store for SqliteStore {
    fn save_election(&self, election: &Election, progress: &dyn Fn(u64, u64)) -> Result<()> {
        election::save(&mut self.writer(), election, progress)
    }

    fn load_election(&self) -> Result<Option<Election>> {
        self.read(election::load)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| election::meta(conn, key))
    }

    fn region_name(&self, code: RegionCode) -> Result<Option<String>> {
        self.read(|conn| election::region_name(conn, code))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        election::set_meta(&self.writer(), key, value)
    }

    fn add_users(&self, new: &[NewUser]) -> Result<Vec<UserId>> {
        users::add(&mut self.writer(), new)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.read(|conn| users::by_username(conn, username))
    }

    fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.read(|conn| users::by_id(conn, id))
    }

    fn insert_sessions(&self, sessions: &[Session]) -> Result<()> {
        users::insert_sessions(&mut self.writer(), sessions)
    }

    fn session_user(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<SessionUser>> {
        self.read(|conn| users::session_user(conn, token_hash, now))
    }

    fn totp(&self, user: UserId) -> Result<Option<TotpRecord>> {
        self.read(|conn| users::totp(conn, user))
    }

    fn begin_totp(&self, user: UserId, sealed_secret: &[u8], now: UnixTime) -> Result<bool> {
        users::begin_totp(&mut self.writer(), user, sealed_secret, now)
    }

    fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<bool> {
        users::confirm_totp(
            &mut self.writer(),
            user,
            sealed_secret,
            step,
            recovery_hashes,
            now,
        )
    }

    fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        users::use_totp_step(&mut self.writer(), user, step)
    }

    fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: UnixTime) -> Result<bool> {
        users::use_recovery_code(&mut self.writer(), user, code_hash, now)
    }

    fn reset_totp(&self, user: UserId, now: UnixTime) -> Result<u64> {
        users::reset_totp(&mut self.writer(), user, now)
    }

    fn end_session(&self, token_hash: &[u8], now: UnixTime) -> Result<bool> {
        users::end_session(&mut self.writer(), token_hash, now)
    }

    fn accounts(&self, now: UnixTime) -> Result<Vec<Account>> {
        self.read(|conn| users::accounts(conn, now))
    }

    fn set_disabled(&self, user: UserId, at: Option<UnixTime>) -> Result<u64> {
        users::set_disabled(&mut self.writer(), user, at)
    }

    fn set_password(&self, user: UserId, password_hash: &str, now: UnixTime) -> Result<u64> {
        users::set_password(&mut self.writer(), user, password_hash, now)
    }

    fn revoke_sessions(&self, user: UserId, now: UnixTime) -> Result<u64> {
        users::revoke_sessions(&mut self.writer(), user, now)
    }

    fn account_revision(&self) -> Result<i64> {
        self.read(users::account_revision)
    }

    fn commit_batch(&self, batch: &Batch) -> Result<()> {
        forms::commit_batch(&mut self.writer(), batch)
    }

    fn database_now_ms(&self) -> Result<i64> {
        self.read(|conn| lease::now_ms(conn))
    }

    fn acquire_lease(&self, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<LeaseOutcome> {
        lease::acquire(&mut self.writer(), holder, now_ms, ttl_ms)
    }

    fn renew_lease(&self, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool> {
        lease::renew(&self.writer(), token, now_ms, ttl_ms)
    }

    fn release_lease(&self, token: u64, now_ms: i64) -> Result<bool> {
        lease::release(&self.writer(), token, now_ms)
    }

    fn check_fence(&self, token: u64) -> Result<()> {
        self.read(|conn| lease::check(conn, token))
    }

    fn photo_named(&self, sha256: &[u8; 32]) -> Result<bool> {
        self.read(|conn| log::photo_named(conn, sha256))
    }

    fn incident(&self, id: &[u8; 16]) -> Result<Option<crate::IncidentHistory>> {
        self.read(|conn| incidents::history(conn, id))
    }

    fn for_each_incident(&self, f: &mut dyn FnMut(crate::StoredIncident)) -> Result<()> {
        self.read(|conn| incidents::for_each(conn, f))
    }

    fn current_form(&self, tps: RegionCode, contest: Contest) -> Result<Option<StoredVersion>> {
        self.read(|conn| forms::current(conn, tps, contest))
    }

    fn tps_with_warnings(&self, region: RegionCode) -> Result<Vec<RegionCode>> {
        self.read(|conn| forms::tps_with_warnings(conn, region))
    }

    fn current_forms(&self, region: RegionCode, contest: Contest) -> Result<Vec<LoggedVersion>> {
        self.read(|conn| forms::current_under(conn, region, contest))
    }

    fn form_versions(&self, tps: RegionCode) -> Result<Vec<StoredVersion>> {
        self.read(|conn| forms::versions(conn, tps))
    }

    fn for_each_idempotency_key(&self, f: &mut dyn FnMut(&str, &str)) -> Result<()> {
        self.read(|conn| forms::for_each_idempotency_key(conn, f))
    }

    fn idempotency(&self, principal: &str, key: &str) -> Result<Option<IdempotencyRecord>> {
        self.read(|conn| forms::idempotency(conn, principal, key))
    }

    fn log_size(&self) -> Result<u64> {
        self.read(|conn| forms::log_size(conn))
    }

    fn for_each_current_form(&self, f: &mut dyn FnMut(StoredVersion)) -> Result<()> {
        self.read(|conn| forms::for_each_current(conn, f))
    }

    fn for_each_leaf_hash(&self, f: &mut dyn FnMut(u64, [u8; 32])) -> Result<()> {
        self.read(|conn| log::for_each_leaf_hash(conn, f))
    }

    fn log_entries(&self, start: u64, end: u64) -> Result<Vec<LogEntry>> {
        self.read(|conn| log::entries(conn, start, end))
    }

    fn recap_entries(&self) -> Result<Vec<LogEntry>> {
        self.read(|conn| log::marked_entries(conn, Marks::Recap))
    }

    fn logistics_entries(&self) -> Result<Vec<LogEntry>> {
        self.read(|conn| log::marked_entries(conn, Marks::Logistics))
    }

    fn keys(&self) -> Result<Vec<StoredKey>> {
        self.read(|conn| keys::all(conn))
    }

    fn issue_enrolment_codes(&self, codes: &[NewEnrolmentCode]) -> Result<()> {
        workspace::issue_codes(&mut self.writer(), codes)
    }

    fn enrolment_code(
        &self,
        tps: RegionCode,
        code_hash: &[u8],
    ) -> Result<Option<StoredEnrolmentCode>> {
        self.read(|conn| workspace::code(conn, tps, code_hash))
    }

    fn enrol(&self, code_id: i64, enrolment: &NewEnrolment) -> Result<bool> {
        workspace::enrol(&mut self.writer(), code_id, enrolment)
    }

    fn enrolment(&self, id: &str) -> Result<Option<StoredEnrolment>> {
        self.read(|conn| workspace::enrolment(conn, id))
    }

    fn enrolments(&self, kabkota: RegionCode) -> Result<Vec<StoredEnrolment>> {
        self.read(|conn| workspace::enrolments(conn, kabkota))
    }

    fn reject_enrolment(&self, id: &str, reason: &str, at: UnixTime) -> Result<bool> {
        workspace::reject(&self.writer(), id, reason, at)
    }

    fn submit_officer_key(&self, key: &NewOfficerKey) -> Result<i64> {
        workspace::submit_officer_key(&self.writer(), key)
    }

    fn officer_keys_submitted(
        &self,
        filter: &OfficerKeyFilter,
    ) -> Result<Vec<SubmittedOfficerKey>> {
        self.read(|conn| workspace::officer_keys(conn, filter))
    }

    fn add_webhook(&self, webhook: &NewWebhook) -> Result<i64> {
        webhooks::add(&self.writer(), webhook)
    }

    fn remove_webhook(&self, id: i64) -> Result<bool> {
        webhooks::remove(&self.writer(), id)
    }

    fn webhooks(&self) -> Result<Vec<StoredWebhook>> {
        self.read(webhooks::list)
    }

    fn subscribed_events(&self) -> Result<Vec<String>> {
        self.read(webhooks::subscribed)
    }

    fn enqueue_deliveries(&self, event: &str, body: &str, at: UnixTime) -> Result<u64> {
        webhooks::enqueue(&self.writer(), event, body, at)
    }

    fn due_deliveries(&self, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>> {
        self.read(|conn| webhooks::due(conn, now, limit))
    }

    fn record_attempt(&self, id: i64, attempt: &Attempt) -> Result<()> {
        webhooks::record(&self.writer(), id, attempt)
    }

    fn deliveries(&self, webhook: Option<i64>) -> Result<Vec<Delivery>> {
        self.read(|conn| webhooks::deliveries(conn, webhook))
    }
}

/// True if `err` is a UNIQUE or PRIMARY KEY violation: the one constraint
/// failure that means "already there" rather than a bug.
fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == ErrorCode::ConstraintViolation
                && matches!(
                    e.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
    )
}

/// Maps a unique violation to [`StoreError::Conflict`], keeping the source.
fn conflict_or_sqlite(err: rusqlite::Error) -> StoreError {
    if is_unique_violation(&err) {
        StoreError::Conflict(Box::new(err))
    } else {
        StoreError::Sqlite(err)
    }
}

/// A text column that must hold a value of a domain type.
fn parse_column<T, E>(
    row: &Row<'_>,
    idx: usize,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let text = row
        .get_ref(idx)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))?;
    parse(text).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

/// Reads a dotted region code column.
fn region_column(row: &Row<'_>, idx: usize) -> rusqlite::Result<RegionCode> {
    parse_column(row, idx, RegionCode::parse)
}

/// Reads a contest id column.
fn contest_column(row: &Row<'_>, idx: usize) -> rusqlite::Result<Contest> {
    parse_column(row, idx, |s| {
        Contest::parse(s).ok_or_else(|| UnknownContest(s.to_owned()))
    })
}
