//! Persistence for Saksi behind one narrow [`Store`] trait.
//!
//! The trait is what the server, the sequencer and the CLI see: the election
//! frame, users and sessions, and the append-only history of C.Hasil form
//! versions with their idempotency records. Each backend is its own
//! implementation with its own migrations, and both pass the same test
//! suite (`tests/store`): [`SqliteStore`] (embedded, one file, the default)
//! and [`PgStore`] (a PostgreSQL server, for a deployment whose database
//! lives apart from the server; see `docs/postgres.md`).
//!
//! The API is synchronous: the server calls it from one dedicated writer
//! thread (the sequencer) and a few reader threads. The store never reads a
//! clock of its own: every time is passed in as a [`UnixTime`] (or, for the
//! writer lease, as milliseconds the caller read from
//! [`Store::database_now_ms`], the database's clock).

use saksi_core::region::TreeError;
use saksi_core::{Contest, Election, ElectionError, RegionCode};

pub mod blobs;
pub mod failpoint;
pub mod highest;
mod incidents;
pub mod postgres;
mod shared;
pub mod sqlite;
mod unavailable;
pub mod url;
mod webhooks;
mod workspace;

pub use blobs::{BlobStore, DirBlobStore};
pub use incidents::{
    IncidentHistory, IncidentPrivate, IncidentWrite, Outgoing, StoredIncident, StoredIncidentEvent,
};
pub use postgres::PgStore;
/// Times are the domain's Unix seconds, stored as integers by every backend
/// so comparisons (session expiry) are exact and need no text-format rules.
pub use saksi_core::time::UnixTime;
pub use sqlite::SqliteStore;
pub use webhooks::{Attempt, AttemptOutcome, Delivery, DueDelivery, NewWebhook, StoredWebhook};
pub use workspace::{
    KeyRegistration, NewEnrolment, NewEnrolmentCode, NewOfficerKey, OfficerKeyFilter,
    StoredEnrolment, StoredEnrolmentCode, SubmittedOfficerKey,
};

/// Shorthand for results of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The store's id of a user: assigned at creation, stable, referenced by
/// sessions (users are never deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(pub i64);

/// A user to create. The role is kept as its stable id (`kpps`, `kpu-ri`,
/// ...), opaque to the store: `saksi-core`'s `Role` parses it and decides
/// what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique ignoring case (`Ketua` and `ketua` are one account), on every
    /// backend; kept as given.
    pub username: String,
    pub role: String,
    /// The region the user is bound to (`0` for national roles).
    pub region: RegionCode,
    /// The party of a `saksi` (party witness); `None` for other roles.
    pub party: Option<u8>,
    /// The PPWP pair a `saksi` witnesses for (a pair's witness has no
    /// party); `None` for other roles.
    pub paslon: Option<u8>,
    /// An Argon2id PHC string, or `None` for accounts that cannot log in with
    /// a password (generated KPPS officers).
    pub password_hash: Option<String>,
    pub created_at: UnixTime,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: String,
    pub region: RegionCode,
    pub party: Option<u8>,
    pub paslon: Option<u8>,
    pub password_hash: Option<String>,
    pub created_at: UnixTime,
    /// When the account was disabled: it cannot log in and none of its
    /// sessions is honoured. `None` while it is active.
    pub disabled_at: Option<UnixTime>,
    /// The account has a confirmed TOTP secret: its password logins need a
    /// code too (the server decides which roles must enrol).
    pub totp_enrolled: bool,
}

/// A live session as [`Store::session_user`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user: User,
    pub expires_at: UnixTime,
    /// Minted by `saksi user token` (see [`Session::minted`]).
    pub minted: bool,
}

/// A user's TOTP secret (RFC 6238) as stored: sealed by the server (the
/// store never sees it in the clear), pending until its first code
/// confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// The secret encrypted by the server, bound to the user.
    pub sealed_secret: Vec<u8>,
    /// A code confirmed the secret: logins need codes from now on.
    pub confirmed: bool,
    /// The last time step whose code was accepted: a code is honoured
    /// only for a later step, so each code works once.
    pub last_step: Option<i64>,
}

/// A login session. Only a hash of the token is ever stored, so a copy of
/// the database cannot be used to impersonate anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub created_at: UnixTime,
    /// The session is valid while `now < expires_at`.
    pub expires_at: UnixTime,
    /// Minted by `saksi user token` rather than opened by a login: such
    /// tokens are listed with their account, as no one typed a password
    /// for them.
    pub minted: bool,
}

/// A token minted by `saksi user token`, as listed with its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedToken {
    pub token_hash: Vec<u8>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// When it was revoked (or its holder logged out), if it was.
    pub revoked_at: Option<UnixTime>,
}

/// A user as `saksi user list` shows it: the account, how many of its
/// sessions are live, and every token ever minted for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    /// Sessions (logins and minted tokens) neither expired nor revoked.
    pub live_sessions: u64,
    /// Oldest first.
    pub tokens: Vec<MintedToken>,
}

/// The idempotency key a submission carried and a hash of its request, kept
/// with the version it produced so an audit can tie the two together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub key: String,
    pub request_hash: Vec<u8>,
}

/// One accepted version of a C.Hasil form: what the sequencer writes and
/// what readers get back. Versions are never overwritten or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub tps: RegionCode,
    pub contest: Contest,
    /// 1 for the first submission of (tps, contest), then 2, 3, ...
    pub version: u32,
    /// The position of this fact in the log, assigned by the sequencer
    /// (0-based, dense, global across all TPS and contests). Unique.
    pub log_index: u64,
    /// The validated form as JSON; opaque to the store.
    pub form_json: String,
    /// The validation warnings as JSON; opaque to the store.
    pub warnings_json: String,
    /// The principal who submitted it (a user id or a device key), as text.
    pub submitted_by: String,
    pub submitted_at: UnixTime,
    /// The idempotency key and request hash, if the request carried a key.
    pub request: Option<RequestKey>,
}

/// A form's current version with the log entry that carries it: what a
/// reader needs of it (its digest, signer and photos) without a second
/// look at the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedVersion {
    pub version: StoredVersion,
    /// `None` for a version stored before the log existed (migration
    /// 0002), which has no entry.
    pub entry: Option<LogEntry>,
}

/// The first answer given to a request with an idempotency key, replayed to
/// every retry with the same (principal, key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub principal: String,
    pub key: String,
    /// Hash of the request, so the same key with another body is detected.
    pub request_hash: Vec<u8>,
    /// HTTP status of the first answer.
    pub response_status: u16,
    /// Body of the first answer.
    pub response_body: String,
    pub created_at: UnixTime,
}

/// One entry of the transparency log (docs/log-entries.md): the exact bytes that are
/// hashed into the Merkle tree and served to auditors, kept with their
/// RFC 9162 leaf hash so the tree can be rebuilt without rehashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The entry's position in the log, assigned by the sequencer (0-based,
    /// dense, shared with [`StoredVersion::log_index`]). Unique.
    pub index: u64,
    /// The entry bytes (RFC 8785 canonical JSON, documented in
    /// `docs/log-entries.md`); opaque to the store.
    pub data: Vec<u8>,
    /// SHA-256(0x00 || data), RFC 9162 §2.1.1.
    pub leaf_hash: [u8; 32],
}

/// A public key registered in the log by a signed key statement
/// (docs/statements.md): an officer's key that certifies others, or a KPPS device's key that
/// signs forms. Kept in its own table so the server rebuilds its key
/// registry at start-up without scanning the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The verifier key text (`name+hex id+base64`), unique: a key is
    /// registered at most once, even after it is revoked.
    pub key: String,
    /// The role the key acts in (`kpu-prov`, `kpu-kabkota`, `kpps`).
    pub role: String,
    /// The region (for `kpps`, the TPS) the key acts for.
    pub region: RegionCode,
    pub valid_from: UnixTime,
    /// The key is valid while `time < valid_until`.
    pub valid_until: UnixTime,
    /// The log index of the registration entry.
    pub registered_at: u64,
    /// The log index of the revocation entry, if the key was revoked.
    pub revoked_at: Option<u64>,
    /// Registered as a commissioner's (`"commissioner": true`).
    pub commissioner: bool,
}

/// A revocation: the key and the log index of the entry that revoked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRevocation {
    pub key: String,
    pub log_index: u64,
}

/// A photo named by a public log entry: the photo's SHA-256 and the index
/// of the entry naming it. Written with the entry, so the photos the store
/// may hold are exactly those the log names (README: Photos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoName {
    pub sha256: [u8; 32],
    pub log_index: u64,
}

/// Everything one group commit writes: all of it becomes durable and visible
/// at once, or none of it does. A fact and its log entry are in the same
/// batch, so the log never lacks an accepted fact nor holds a refused one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub versions: Vec<StoredVersion>,
    pub idempotency: Vec<IdempotencyRecord>,
    pub entries: Vec<LogEntry>,
    /// Newly registered keys (their `revoked_at` is `None`).
    pub keys: Vec<StoredKey>,
    pub revocations: Vec<KeyRevocation>,
    /// The photos the batch's public log entries name (a form version's
    /// statement's `photos`): what `PUT /api/v1/photos/{sha256}` may store.
    pub photos: Vec<PhotoName>,
    /// Incident events (each with its log entry in `entries`), their
    /// private content and each incident's row after them.
    pub incidents: Vec<IncidentWrite>,
    /// The log indexes of the batch's recap entries (objections, rulings;
    /// each in `entries`), replayed at start-up by [`Store::recap_entries`].
    pub recap: Vec<u64>,
    /// The log indexes of the batch's shipments and deliveries (each in
    /// `entries`), replayed at start-up by [`Store::logistics_entries`].
    pub logistics: Vec<u64>,
    /// The fencing token of the writer lease the batch is written under.
    /// When set, the batch's transaction first checks that the lease's
    /// current token is this one, and otherwise writes nothing and fails
    /// with [`StoreError::Fenced`]: a server that lost the lease (paused,
    /// partitioned, taken over) cannot commit. `None` (tests, tools) checks
    /// nothing.
    pub fencing: Option<u64>,
}

impl Batch {
    /// True if the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
            && self.idempotency.is_empty()
            && self.entries.is_empty()
            && self.keys.is_empty()
            && self.revocations.is_empty()
            && self.photos.is_empty()
            && self.incidents.is_empty()
            && self.recap.is_empty()
            && self.logistics.is_empty()
    }
}

/// The writer lease (README: Writer lease): the one row that says which server may
/// write the election, until when, and under which fencing token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Who holds (or last held) it: `<hostname>:<pid>` for a server; empty
    /// before anyone held it.
    pub holder: String,
    /// The fencing token: every grant gets one strictly greater than any
    /// before (the previous one plus one, in the granting transaction), so
    /// a write checked against it tells the current holder from an earlier
    /// one. 0 before the first grant.
    pub token: u64,
    /// Until when it is held, in milliseconds since the Unix epoch on the
    /// database's clock: held while `now_ms < expires_at_ms`.
    pub expires_at_ms: i64,
}

/// What [`Store::acquire_lease`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// The caller holds the lease now, under a new fencing token.
    Granted(Lease),
    /// Someone holds it and it has not expired; nothing was written.
    Held(Lease),
}

/// Why a store operation failed. Backend errors keep their source, so the
/// detail can be logged once while API bodies show a generic message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("I/O error on the database")]
    Io(#[from] std::io::Error),
    #[error("SQLite error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL error")]
    Postgres(#[from] ::postgres::Error),
    /// The database cannot run in WAL mode (some network file systems), so
    /// readers would block the writer; refused rather than run degraded.
    #[error("the database could not be switched to WAL mode (journal mode is {0:?})")]
    NotWal(String),
    #[error("an election is already stored in this database")]
    AlreadyInitialised,
    #[error("no election is stored in this database yet")]
    NotInitialised,
    #[error("username {0:?} is already taken")]
    UsernameTaken(String),
    /// Usernames became unique ignoring case: a database holding names
    /// that differ only by case cannot be migrated until all but one of
    /// each group is renamed. Each group lists the names as stored.
    #[error(
        "usernames are now compared ignoring case, and these differ only by case: {}; \
         rename all but one of each (e.g. UPDATE users SET username = 'ketua-2' \
         WHERE username = 'Ketua'), then start again",
        .0.iter().map(|g| g.join(" = ")).collect::<Vec<_>>().join("; ")
    )]
    UsernamesDifferOnlyByCase(Vec<Vec<String>>),
    /// An account operation named a user the store does not have.
    #[error("no user with id {0}")]
    NoSuchUser(i64),
    /// A unique key was already present: a (tps, contest, version), a log
    /// index, an idempotency (principal, key), a registered key or a
    /// revocation; or a revocation named a key that is not registered. The
    /// sequencer's view and the store disagree; the batch was not written.
    #[error("conflict with a stored record")]
    Conflict(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A number given to the store (a log index) beyond what the database's
    /// signed 64-bit integers hold; refused rather than wrapped.
    #[error("{what} {value} is too large for the database")]
    OutOfRange { what: &'static str, value: u64 },
    #[error("migration {version} failed")]
    Migration {
        version: u32,
        #[source]
        source: Box<StoreError>,
    },
    #[error("the database's schema is version {found}, newer than this program's {known}")]
    SchemaTooNew { found: u32, known: u32 },
    /// Stored data that does not parse back: written by something else, or
    /// damaged.
    #[error("stored {what} is invalid: {value:?}")]
    Corrupt { what: &'static str, value: String },
    #[error("the stored region tree is invalid")]
    Tree(#[from] TreeError),
    #[error("the stored election is invalid")]
    Election(#[from] ElectionError),
    /// The fencing token a write (a fenced batch) or a check was made with
    /// is no longer the writer lease's: another server took the lease
    /// over. Nothing was written.
    #[error(
        "this server's fencing token is no longer current (the writer lease's is {current}): \
         another server took over writing"
    )]
    Fenced { current: u64 },
}

/// The persistence interface. Implementations are safe to share between
/// the writer thread and reader threads; a write is durable when the call
/// returns `Ok`, and visible to every reader (of this and any other handle on
/// the same database) from then on.
pub trait Store: Send + Sync {
    /// Stores the election frame in one transaction. `progress(done, total)`
    /// is called now and then with counts of rows written. Refused with
    /// [`StoreError::AlreadyInitialised`] if an election is already stored.
    fn save_election(&self, election: &Election, progress: &dyn Fn(u64, u64)) -> Result<()>;

    /// Loads the stored election frame, or `None` before `save_election`.
    fn load_election(&self) -> Result<Option<Election>>;

    /// Loads the election, or [`StoreError::NotInitialised`]: for commands
    /// that cannot run without one.
    fn require_election(&self) -> Result<Election> {
        self.load_election()?.ok_or(StoreError::NotInitialised)
    }

    /// The name of a stored region, or `None` if the election has no such
    /// region: lets admin commands check a code without loading the whole
    /// election.
    fn region_name(&self, code: RegionCode) -> Result<Option<String>>;

    /// Reads a metadata value (election name, seed, origin, ...).
    fn meta(&self, key: &str) -> Result<Option<String>>;

    /// Sets a metadata value, replacing any previous one.
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;

    /// Creates a user; [`StoreError::UsernameTaken`] if the name is in use.
    fn add_user(&self, user: &NewUser) -> Result<UserId> {
        Ok(self.add_users(std::slice::from_ref(user))?[0])
    }

    /// Creates many users in one transaction (generated KPPS officers for a
    /// simulation): all of them, or none if any name is in use.
    fn add_users(&self, users: &[NewUser]) -> Result<Vec<UserId>>;

    /// Looks a user up by username, ignoring case.
    fn user_by_username(&self, username: &str) -> Result<Option<User>>;

    /// Looks a user up by id.
    fn user_by_id(&self, id: UserId) -> Result<Option<User>>;

    /// Stores a new session.
    fn insert_session(&self, session: &Session) -> Result<()> {
        self.insert_sessions(std::slice::from_ref(session))
    }

    /// Stores many sessions in one transaction, all or none.
    fn insert_sessions(&self, sessions: &[Session]) -> Result<()>;

    /// The user of a session and its expiry, if the session exists, has
    /// not expired at `now`, is not revoked and its user is not disabled.
    fn session_user(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<SessionUser>>;

    /// Ends a session (logout) by revoking it at `now`. Returns whether it
    /// was live.
    fn end_session(&self, token_hash: &[u8], now: UnixTime) -> Result<bool>;

    /// Every user in username order (ignoring case) with what `saksi user
    /// list` shows: live sessions at `now` and every minted token.
    fn accounts(&self, now: UnixTime) -> Result<Vec<Account>>;

    /// Disables the user at `at` and revokes its live sessions, or (`None`)
    /// enables it again (revoked sessions stay revoked). Returns the count
    /// of sessions revoked; [`StoreError::NoSuchUser`] for an unknown id.
    fn set_disabled(&self, user: UserId, at: Option<UnixTime>) -> Result<u64>;

    /// Replaces the user's password hash and revokes its live sessions at
    /// `now`, in one transaction. Returns the count of sessions revoked.
    fn set_password(&self, user: UserId, password_hash: &str, now: UnixTime) -> Result<u64>;

    /// Revokes the user's live sessions (logins and minted tokens) at
    /// `now`. Returns how many.
    fn revoke_sessions(&self, user: UserId, now: UnixTime) -> Result<u64>;

    /// The user's TOTP secret, pending or confirmed, if it has one.
    fn totp(&self, user: UserId) -> Result<Option<TotpRecord>>;

    /// Stores a new pending (unconfirmed) TOTP secret for the user,
    /// replacing a pending one. Returns `false`, storing nothing, if the
    /// user already has a confirmed secret; [`StoreError::NoSuchUser`] for
    /// an unknown id.
    fn begin_totp(&self, user: UserId, sealed_secret: &[u8], now: UnixTime) -> Result<bool>;

    /// Confirms the user's pending TOTP secret whose code for `step` was
    /// just checked, records `step` as used, and replaces the user's
    /// recovery codes by `recovery_hashes`, in one transaction that also
    /// bumps the account revision (the user's sessions gain power, so
    /// servers forget what they cached). Returns `false`, changing
    /// nothing, if `sealed_secret` is not the user's pending secret any
    /// more (none, confirmed, or replaced meanwhile).
    fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<bool>;

    /// Records `step` as the last used step of the user's confirmed secret
    /// if it is later than the one recorded: the check and the write are
    /// one statement, so two requests with one code cannot both pass.
    /// Returns whether it was recorded.
    fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool>;

    /// Marks the user's unused recovery code with this hash used at `now`.
    /// Returns `false` if there is no such unused code.
    fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: UnixTime) -> Result<bool>;

    /// Removes the user's TOTP secret and recovery codes and revokes its
    /// live sessions at `now` (a lost phone), in one transaction. Returns
    /// the count of sessions revoked; [`StoreError::NoSuchUser`] for an
    /// unknown id.
    fn reset_totp(&self, user: UserId, now: UnixTime) -> Result<u64>;

    /// A number that grows with every change that ends sessions (logout,
    /// revocation, disabling, a new password), possibly behind a server's
    /// back, so a server caching sessions can poll it cheaply and forget
    /// them.
    fn account_revision(&self) -> Result<i64>;

    /// Writes a whole batch of accepted versions and idempotency records in
    /// one durable transaction: all or nothing. A unique key already present
    /// is [`StoreError::Conflict`], and then nothing of the batch is written.
    /// With [`Batch::fencing`] set, the transaction first checks the writer
    /// lease's token (locking the lease row against a takeover until it
    /// commits): another token is [`StoreError::Fenced`], and nothing is
    /// written.
    fn commit_batch(&self, batch: &Batch) -> Result<()>;

    /// The database's clock, in milliseconds since the Unix epoch: the one
    /// clock every server writing this database measures the writer lease
    /// with (SQLite's is the host's; PostgreSQL's is the database server's,
    /// the same for servers on several hosts).
    fn database_now_ms(&self) -> Result<i64>;

    /// Takes the writer lease for `holder` until `now_ms + ttl_ms`, with a
    /// new fencing token (the previous one plus one), if it is free: never
    /// held, released, or not renewed since it expired (`expires_at_ms <=
    /// now_ms`). Otherwise it is [`LeaseOutcome::Held`] by someone (who may
    /// be `holder` itself under an earlier token) and nothing is written.
    /// One transaction that locks the lease row, so of two servers asking
    /// at once exactly one is granted. `now_ms` comes from
    /// [`Store::database_now_ms`] (tests pass their own).
    fn acquire_lease(&self, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<LeaseOutcome>;

    /// Extends the lease held under `token` to `now_ms + ttl_ms` (never
    /// shortening it). False if `token` is no longer the lease's: another
    /// server took it over, and this one must stop writing. A lease that
    /// expired but was not taken over is still this token's and is renewed.
    fn renew_lease(&self, token: u64, now_ms: i64, ttl_ms: i64) -> Result<bool>;

    /// Gives the lease held under `token` up at `now_ms` (a graceful stop),
    /// so that the next server need not wait for it to expire. False (and
    /// nothing changed) if `token` is no longer the lease's.
    fn release_lease(&self, token: u64, now_ms: i64) -> Result<bool>;

    /// `Ok` if `token` is the lease's current fencing token, else
    /// [`StoreError::Fenced`]: checked before signing a checkpoint, so a
    /// server that lost the lease signs nothing more.
    fn check_fence(&self, token: u64) -> Result<()>;

    /// Whether a public log entry names the photo with this SHA-256 (a
    /// [`PhotoName`] committed with its entry): only such a photo is
    /// stored and served.
    fn photo_named(&self, sha256: &[u8; 32]) -> Result<bool>;

    /// An incident with every event and its private content, oldest
    /// first, read in one snapshot: an incident's page.
    fn incident(&self, id: &[u8; 16]) -> Result<Option<IncidentHistory>>;

    /// Calls `f` with every incident as it stands after its latest event
    /// (open or not: the public statistics count them all), from one
    /// snapshot: the server's in-memory book at start-up, so deadlines
    /// that fell due while it was down escalate at once.
    fn for_each_incident(&self, f: &mut dyn FnMut(StoredIncident)) -> Result<()>;

    /// The latest version of one form, if any was accepted.
    fn current_form(&self, tps: RegionCode, contest: Contest) -> Result<Option<StoredVersion>>;

    /// The TPS under `region` whose current form, in any contest, carries
    /// warnings, in code order: the staff home's "needs a look" count per
    /// kecamatan, read in one query however many TPS the region holds.
    fn tps_with_warnings(&self, region: RegionCode) -> Result<Vec<RegionCode>>;

    /// The current version of `contest`'s form at every TPS under `region`
    /// that has one, with its log entry, in TPS code order: a kecamatan's
    /// recap state and review queue, read in one query however many TPS it
    /// holds (the largest kecamatan has 1,591).
    fn current_forms(&self, region: RegionCode, contest: Contest) -> Result<Vec<LoggedVersion>>;

    /// Every version of every contest's form at a TPS, ordered by contest
    /// (ballot order, as [`Contest::ALL`]) then version.
    fn form_versions(&self, tps: RegionCode) -> Result<Vec<StoredVersion>>;

    /// Every (principal, key) with a recorded answer, streamed: lets the
    /// sequencer skip the store for keys it has never seen.
    fn for_each_idempotency_key(&self, f: &mut dyn FnMut(&str, &str)) -> Result<()>;

    /// The first answer recorded for (principal, key), if any.
    fn idempotency(&self, principal: &str, key: &str) -> Result<Option<IdempotencyRecord>>;

    /// One past the highest log index stored (of a form version or a log
    /// entry): the next index to assign. Log indexes being dense, it is the
    /// count of log entries when every fact has its entry.
    fn log_size(&self) -> Result<u64>;

    /// Calls `f(index, leaf_hash)` for every log entry in index order, from
    /// one consistent snapshot, without holding them all in memory: for
    /// rebuilding the Merkle tree at start-up.
    fn for_each_leaf_hash(&self, f: &mut dyn FnMut(u64, [u8; 32])) -> Result<()>;

    /// The log entries with `start <= index < end`, in index order (fewer if
    /// the log is shorter). Callers bound the range: the store returns what
    /// it is asked for.
    fn log_entries(&self, start: u64, end: u64) -> Result<Vec<LogEntry>>;

    /// The recap's entries (a batch's `recap`), in log order: what a
    /// starting server replays to know every objection and its ruling.
    fn recap_entries(&self) -> Result<Vec<LogEntry>>;

    /// The logistics chain's entries (a batch's `logistics`), in log
    /// order: what a starting server replays to know every shipment, its
    /// delivery and every office's stock.
    fn logistics_entries(&self) -> Result<Vec<LogEntry>>;

    /// Every registered key with its revocation, in registration (log)
    /// order: a few per TPS, so a nation's ~900,000 fit in memory.
    fn keys(&self) -> Result<Vec<StoredKey>>;

    /// Stores enrolment codes in one transaction, each first voiding (at
    /// its `issued_at`) any code of its TPS neither used nor voided yet: a
    /// TPS holds one usable code at most.
    fn issue_enrolment_codes(&self, codes: &[NewEnrolmentCode]) -> Result<()>;

    /// The code of `tps` with this hash, if one was ever issued (used,
    /// voided and expired ones included, so the caller can say which).
    fn enrolment_code(
        &self,
        tps: RegionCode,
        code_hash: &[u8],
    ) -> Result<Option<StoredEnrolmentCode>>;

    /// Uses up the code `code_id` and stores `enrolment`, in one
    /// transaction; `false` (and nothing written) if the code was used or
    /// voided meanwhile, so two phones racing with one code cannot both
    /// enrol.
    fn enrol(&self, code_id: i64, enrolment: &NewEnrolment) -> Result<bool>;

    /// One enrolment by id.
    fn enrolment(&self, id: &str) -> Result<Option<StoredEnrolment>>;

    /// The enrolments of TPS in `kabkota`, oldest first.
    fn enrolments(&self, kabkota: RegionCode) -> Result<Vec<StoredEnrolment>>;

    /// Marks an enrolment rejected with a reason; `false` if there is no
    /// such enrolment or it was already rejected.
    fn reject_enrolment(&self, id: &str, reason: &str, at: UnixTime) -> Result<bool>;

    /// Stores a submitted officer's key and returns its id;
    /// [`StoreError::Conflict`] if that key was already submitted.
    fn submit_officer_key(&self, key: &NewOfficerKey) -> Result<i64>;

    /// Submitted officers' keys, oldest first.
    fn officer_keys_submitted(&self, filter: &OfficerKeyFilter)
    -> Result<Vec<SubmittedOfficerKey>>;

    /// Calls `f` with the latest version of every (tps, contest), one at a
    /// time in log order, without holding them all in memory: for
    /// rebuilding the tallies at start-up. Reads one consistent snapshot.
    fn for_each_current_form(&self, f: &mut dyn FnMut(StoredVersion)) -> Result<()>;

    /// Adds a webhook and returns its id.
    fn add_webhook(&self, webhook: &NewWebhook) -> Result<i64>;

    /// Removes a webhook with its deliveries, pending or done; `false` if
    /// there is no such webhook.
    fn remove_webhook(&self, id: i64) -> Result<bool>;

    /// Every webhook with its delivery counts, oldest first.
    fn webhooks(&self) -> Result<Vec<StoredWebhook>>;

    /// Every event some webhook subscribes to, each once: the dispatcher
    /// stores nothing (and takes no write) for a notice nobody wants.
    fn subscribed_events(&self) -> Result<Vec<String>>;

    /// Stores, in one transaction, a delivery of `body` for every webhook
    /// subscribed to `event`, due at once (`at`). Returns how many: a
    /// notice nobody subscribed to stores nothing.
    fn enqueue_deliveries(&self, event: &str, body: &str, at: UnixTime) -> Result<u64>;

    /// At most `limit` pending deliveries due at `now`, soonest first.
    fn due_deliveries(&self, now: UnixTime, limit: u32) -> Result<Vec<DueDelivery>>;

    /// Records one attempt at delivery `id`: its status or error, and
    /// whether it was delivered, is retried later or given up.
    fn record_attempt(&self, id: i64, attempt: &Attempt) -> Result<()>;

    /// The deliveries of one webhook, or of all, oldest first.
    fn deliveries(&self, webhook: Option<i64>) -> Result<Vec<Delivery>>;
}
