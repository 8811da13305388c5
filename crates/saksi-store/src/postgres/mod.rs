//! The PostgreSQL backend: one writer session and a small pool of reader
//! sessions on one database, as the SQLite backend has one writer
//! connection and a pool of readers on one file.
//!
//! Durability: every session sets `synchronous_commit = on`, so a commit
//! returns only once its WAL record is flushed to disk on the server (and on
//! synchronous standbys, if the server has any)
//! (<https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT>).
//! Writes run at the server's default isolation; a transaction the server
//! aborts as a serialization failure or a deadlock is run again whole (5
//! attempts in all at most), as the distributed engines that speak this
//! protocol expect of clients. Bulk writes are multi-row
//! `INSERT ... SELECT * FROM unnest($1::bigint[], ...)`: one round trip per
//! table and batch instead of one per row. Reads that scan whole tables run
//! in one `REPEATABLE READ` read-only transaction and fetch through a portal
//! 10,000 rows at a time, so millions of rows are never held at once. The
//! SQL stays within what CockroachDB and YugabyteDB also document, but for
//! the migration lock (`docs/postgres.md`).

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

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};
use saksi_core::{Contest, Election, RegionCode};

use crate::shared::{Marks, Pool};
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

/// Reader sessions at most. Each is a server process, so the pool is kept
/// as small as SQLite's and callers beyond it wait for one to come back.
const MAX_READERS: usize = 16;

/// Attempts at a write transaction before a serialization failure is given
/// back to the caller.
const WRITE_ATTEMPTS: u32 = 5;

/// Rows fetched per round trip when streaming a scan.
const FETCH_ROWS: i32 = 10_000;

/// Rows per multi-row `INSERT` of a bulk write (the election frame, users,
/// sessions): big enough that round trips do not dominate, small enough
/// that one statement's arrays stay around a megabyte.
const CHUNK_ROWS: usize = 10_000;

/// How long to wait for the server when the URL sets no `connect_timeout`,
/// so a server that is down fails start-up instead of hanging it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`] on one PostgreSQL database.
pub struct PgStore {
    config: Config,
    writer: Mutex<Conn>,
    readers: Pool<Conn>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Config's Debug leaves the password out.
        f.debug_struct("PgStore")
            .field("config", &self.config)
            .field("readers", &self.readers)
            .finish_non_exhaustive()
    }
}

/// One session and the statements prepared on it, so a hot query is parsed
/// and planned once per session rather than once per call.
struct Conn {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Conn {
    /// Opens a session with the settings every session of the store has;
    /// a reader's transactions are read-only by default.
    fn open(config: &Config, reader: bool) -> Result<Conn> {
        let mut client = config.connect(NoTls)?;
        client.batch_execute("SET synchronous_commit = on")?;
        if reader {
            client.batch_execute("SET default_transaction_read_only = on")?;
        }
        Ok(Conn {
            client,
            prepared: HashMap::new(),
        })
    }

    /// The statement for `sql`, prepared on first use.
    fn statement(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`, or
    /// libpq's `key=value` form) and applies pending migrations. Several
    /// stores, in one process or several, may connect to the same database
    /// at once.
    pub fn connect(url: &str) -> Result<PgStore> {
        let mut config: Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let mut writer = Conn::open(&config, false)?;
        migrate::run(&mut writer.client)?;
        Ok(PgStore {
            config,
            writer: Mutex::new(writer),
            readers: Pool::new(MAX_READERS, |conn: &Conn| !conn.client.is_closed()),
        })
    }

    /// The writer session's `synchronous_commit` (`on`), so a test can
    /// assert that acknowledged writes are flushed.
    pub fn synchronous_commit(&self) -> Result<String> {
        self.write(|conn| {
            Ok(conn
                .client
                .query_one("SHOW synchronous_commit", &[])?
                .try_get(0)?)
        })
    }

    /// Runs `f` on the writer session, opened again first if the server
    /// closed the last one (a restart). A panic while it was held rolled
    /// back any open transaction (the client rolls back on drop), so a
    /// poisoned lock is safe to take over.
    fn write<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if conn.client.is_closed() {
            *conn = Conn::open(&self.config, false)?;
        }
        f(&mut conn)
    }

    /// Runs `f` on a pooled reader session, waiting for one if all
    /// [`MAX_READERS`] are busy.
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.readers.with(|| Conn::open(&self.config, true), f)
    }
}

impl Store for PgStore {
    fn save_election(&self, election: &Election, progress: &dyn Fn(u64, u64)) -> Result<()> {
        self.write(|conn| election::save(conn, election, progress))
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
        self.write(|conn| election::set_meta(conn, key, value))
    }

    fn add_users(&self, new: &[NewUser]) -> Result<Vec<UserId>> {
        self.write(|conn| users::add(conn, new))
    }

    fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.read(|conn| users::by_username(conn, username))
    }

    fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.read(|conn| users::by_id(conn, id))
    }

    fn insert_sessions(&self, sessions: &[Session]) -> Result<()> {
        self.write(|conn| users::insert_sessions(conn, sessions))
    }

    fn session_user(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<SessionUser>> {
        self.read(|conn| users::session_user(conn, token_hash, now))
    }

    fn totp(&self, user: UserId) -> Result<Option<TotpRecord>> {
        self.read(|conn| users::totp(conn, user))
    }

    fn begin_totp(&self, user: UserId, sealed_secret: &[u8], now: UnixTime) -> Result<bool> {
        self.write(|conn| users::begin_totp(conn, user, sealed_secret, now))
    }

    fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<bool> {
        self.write(|conn| {
            users::confirm_totp(conn, user, sealed_secret, step, recovery_hashes, now)
        })
    }

    fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        self.write(|conn| users::use_totp_step(conn, user, step))
    }

    fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: UnixTime) -> Result<bool> {
        self.write(|conn| users::use_recovery_code(conn, user, code_hash, now))
    }

    fn reset_totp(&self, user: UserId, now: UnixTime) -> Result<u64> {
        self.write(|conn| users::reset_totp(conn, user, now))
    }

    fn end_session(&self, token_hash: &[u8], now: UnixTime) -> Result<bool> {
        self.write(|conn| users::end_session(conn, token_hash, now))
    }

    fn accounts(&self, now: UnixTime) -> Result<Vec<Account>> {
        self.read(|conn| users::accounts(conn, now))
    }

    fn set_disabled(&self, user: UserId, at: Option<UnixTime>) -> Result<u64> {
        self.write(|conn| users::set_disabled(conn, user, at))
    }

    fn set_password(&self, user: UserId, password_hash: &str, now: UnixTime) -> Result<u64> {
        self.write(|conn| users::set_password(conn, user, password_hash, now))
    }

    fn revoke_sessions(&self, user: UserId, now: UnixTime) -> Result<u64> {
        self.write(|conn| users::revoke_sessions(conn, user, now))
    }

    fn account_revision(&self) -> Result<i64> {
        self.read(users::account_revision)
    }

    fn commit_batch(&self, batch: &Batch) -> Result<()> {
        self.write(|conn| forms::commit_batch(conn, batch))
    }

    fn database_now_ms(&self) -> Result<i64> {
        self.read(lease::now_ms)
    }

    fn acquire_lease(&self, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<LeaseOutcome> {
        self.write(|conn| lease::acquire(conn, holder, now_ms, ttl_ms))
    }

    fn renew_lease(&self, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool> {
        self.write(|conn| lease::renew(conn, token, now_ms, ttl_ms))
    }

    fn release_lease(&self, token: u64, now_ms: i64) -> Result<bool> {
        self.write(|conn| lease::release(conn, token, now_ms))
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
        self.read(forms::log_size)
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
        self.read(keys::all)
    }

    fn issue_enrolment_codes(&self, codes: &[NewEnrolmentCode]) -> Result<()> {
        self.write(|conn| workspace::issue_codes(conn, codes))
    }

    fn enrolment_code(
        &self,
        tps: RegionCode,
        code_hash: &[u8],
    ) -> Result<Option<StoredEnrolmentCode>> {
        self.read(|conn| workspace::code(conn, tps, code_hash))
    }

    fn enrol(&self, code_id: i64, enrolment: &NewEnrolment) -> Result<bool> {
        self.write(|conn| workspace::enrol(conn, code_id, enrolment))
    }

    fn enrolment(&self, id: &str) -> Result<Option<StoredEnrolment>> {
        self.read(|conn| workspace::enrolment(conn, id))
    }

    fn enrolments(&self, kabkota: RegionCode) -> Result<Vec<StoredEnrolment>> {
        self.read(|conn| workspace::enrolments(conn, kabkota))
    }

    fn reject_enrolment(&self, id: &str, reason: &str, at: UnixTime) -> Result<bool> {
        self.write(|conn| workspace::reject(conn, id, reason, at))
    }

    fn submit_officer_key(&self, key: &NewOfficerKey) -> Result<i64> {
        self.write(|conn| workspace::submit_officer_key(conn, key))
    }

    fn officer_keys_submitted(
        &self,
        filter: &OfficerKeyFilter,
    ) -> Result<Vec<SubmittedOfficerKey>> {
        self.read(|conn| workspace::officer_keys(conn, filter))
    }

    fn add_webhook(&self, webhook: &NewWebhook) -> Result<i64> {
        self.write(|conn| webhooks::add(conn, webhook))
    }

    fn remove_webhook(&self, id: i64) -> Result<bool> {
        self.write(|conn| webhooks::remove(conn, id))
    }

    fn webhooks(&self) -> Result<Vec<StoredWebhook>> {
        self.read(webhooks::list)
    }

    fn subscribed_events(&self) -> Result<Vec<String>> {
        self.read(webhooks::subscribed)
    }

    fn enqueue_deliveries(&self, event: &str, body: &str, at: UnixTime) -> Result<u64> {
        self.write(|conn| webhooks::enqueue(conn, event, body, at))
    }

    fn due_deliveries(&self, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>> {
        self.read(|conn| webhooks::due(conn, now, limit))
    }

    fn record_attempt(&self, id: i64, attempt: &Attempt) -> Result<()> {
        self.write(|conn| webhooks::record(conn, id, attempt))
    }

    fn deliveries(&self, webhook: Option<i64>) -> Result<Vec<Delivery>> {
        self.read(|conn| webhooks::deliveries(conn, webhook))
    }
}

/// Runs `f` in a transaction and commits it. A transaction the server
/// aborted as a serialization failure or a deadlock (at any statement or at
/// the commit) is run again from the start, up to [`WRITE_ATTEMPTS`] times
/// in all; `f` must therefore do nothing outside the transaction that a
/// second run would repeat.
fn in_transaction<T>(
    client: &mut Client,
    mut f: impl FnMut(&mut Transaction<'_>) -> Result<T>,
) -> Result<T> {
    let mut attempt = 1;
    loop {
        let result = client
            .transaction()
            .map_err(StoreError::from)
            .and_then(|mut tx| {
                let out = f(&mut tx)?;
                tx.commit()?;
                Ok(out)
            });
        match result {
            Err(StoreError::Postgres(e)) if attempt < WRITE_ATTEMPTS && is_retryable(&e) => {
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// True if the server aborted the transaction only because of concurrent
/// ones, so running it again may succeed.
fn is_retryable(err: &postgres::Error) -> bool {
    matches!(
        err.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}

/// Runs `f` in one `REPEATABLE READ` read-only transaction: every query in
/// it sees the same snapshot.
fn snapshot<T>(
    client: &mut Client,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
) -> Result<T> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let out = f(&mut tx)?;
    tx.commit()?;
    Ok(out)
}

/// Calls `each` on every row of `sql`, fetched [`FETCH_ROWS`] at a time
/// through a portal of the transaction `tx`.
fn for_each_row(
    tx: &mut Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let portal = tx.bind(sql, params)?;
    loop {
        let rows = tx.query_portal(&portal, FETCH_ROWS)?;
        for row in &rows {
            each(row)?;
        }
        if rows.len() < FETCH_ROWS as usize {
            return Ok(());
        }
    }
}

/// The arrays of a multi-row `INSERT ... SELECT * FROM unnest(...)`, one
/// per column, in the statement's parameter order.
type Columns<'a> = Vec<Box<dyn ToSql + Sync + 'a>>;

/// One column's array from the values of its rows.
fn column<'a, T: ToSql + Sync + 'a>(values: impl Iterator<Item = T>) -> Box<dyn ToSql + Sync + 'a> {
    Box::new(values.collect::<Vec<T>>())
}

/// The parameters of a statement over `columns`.
fn params<'a>(columns: &'a Columns<'_>) -> Vec<&'a (dyn ToSql + Sync)> {
    columns
        .iter()
        .map(|c| &**c as &(dyn ToSql + Sync))
        .collect()
}

/// A column of log indexes; [`StoreError::OutOfRange`] for one beyond
/// BIGINT (which no sequencer reaches, but wrapping would be silent).
fn log_indexes<'a>(values: impl Iterator<Item = u64>) -> Result<Box<dyn ToSql + Sync + 'a>> {
    let indexes = values
        .map(|value| {
            i64::try_from(value).map_err(|_| StoreError::OutOfRange {
                what: "log index",
                value,
            })
        })
        .collect::<Result<Vec<i64>>>()?;
    Ok(Box::new(indexes))
}

/// True if `err` is the server's error `code`.
fn is_code(err: &postgres::Error, code: &SqlState) -> bool {
    err.code() == Some(code)
}

/// Maps a unique violation to [`StoreError::Conflict`], keeping the source.
fn conflict_or_postgres(err: postgres::Error) -> StoreError {
    if is_code(&err, &SqlState::UNIQUE_VIOLATION) {
        StoreError::Conflict(Box::new(err))
    } else {
        StoreError::Postgres(err)
    }
}

/// A BIGINT column that must hold a value of a narrower type.
fn int<T: TryFrom<i64>>(row: &Row, idx: usize, what: &'static str) -> Result<T> {
    narrow(row.try_get(idx)?, what)
}

/// A nullable BIGINT column that must hold a value of a narrower type.
fn opt_int<T: TryFrom<i64>>(row: &Row, idx: usize, what: &'static str) -> Result<Option<T>> {
    row.try_get::<_, Option<i64>>(idx)?
        .map(|value| narrow(value, what))
        .transpose()
}

/// A stored integer as the domain's type; out of its range, the row was
/// written behind the program's back.
fn narrow<T: TryFrom<i64>>(value: i64, what: &'static str) -> Result<T> {
    T::try_from(value).map_err(|_| StoreError::Corrupt {
        what,
        value: value.to_string(),
    })
}

/// A dotted region code column.
fn region(row: &Row, idx: usize) -> Result<RegionCode> {
    let text: &str = row.try_get(idx)?;
    RegionCode::parse(text).map_err(|_| StoreError::Corrupt {
        what: "region code",
        value: text.to_owned(),
    })
}

/// A contest id column.
fn contest(row: &Row, idx: usize) -> Result<Contest> {
    let text: &str = row.try_get(idx)?;
    Contest::parse(text).ok_or_else(|| StoreError::Corrupt {
        what: "contest id",
        value: text.to_owned(),
    })
}

/// One multi-row `INSERT` of a write, prepared before its transaction
/// begins so that running it (again, after a serialization failure) is one
/// round trip.
struct Insert<'a> {
    statement: Statement,
    columns: Columns<'a>,
    /// How the server's refusal maps to a [`StoreError`].
    refused: fn(postgres::Error) -> StoreError,
}

impl Insert<'_> {
    fn run(&self, tx: &mut Transaction<'_>) -> Result<()> {
        tx.execute(&self.statement, &params(&self.columns))
            .map_err(self.refused)?;
        Ok(())
    }
}
