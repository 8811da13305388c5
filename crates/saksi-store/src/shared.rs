//! What every backend does the same way around its own SQL: counting the
//! rows of a bulk save for progress, the order the frame's rows are written
//! in, rebuilding the frame from stored rows, deciding which migrations to
//! apply, and pooling reader connections. Kept here so the backends differ only in their SQL.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use saksi_core::{
    Candidate, Dapil, Dpt, Election, Level, RegionCode, RegionId, RegionInput, RegionTree,
};

use crate::{Account, MintedToken, Result, StoreError, User};

/// The tables that mark the log entries of one kind of fact (their
/// indexes only), so a starting server replays those facts without
/// scanning the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    /// `recap_entries`: objections, rulings, corrections, sign-offs,
    /// reopens, reasons for no form.
    Recap,
    /// `logistics_entries`: shipments and deliveries.
    Logistics,
}

impl Marks {
    /// The marked entries in log order, `log_index, data, leaf_hash`: the
    /// same SQL for both backends.
    pub(crate) fn select_entries(self) -> &'static str {
        match self {
            Marks::Recap => {
                "SELECT e.log_index, e.data, e.leaf_hash FROM recap_entries r
                 JOIN log_entries e ON e.log_index = r.log_index ORDER BY r.log_index"
            }
            Marks::Logistics => {
                "SELECT e.log_index, e.data, e.leaf_hash FROM logistics_entries l
                 JOIN log_entries e ON e.log_index = l.log_index ORDER BY l.log_index"
            }
        }
    }
}

/// Rows written between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 16_384;

/// Counts the rows of a `save_election` and reports progress now and then.
pub(crate) struct Progress<'a> {
    done: u64,
    total: u64,
    report: &'a dyn Fn(u64, u64),
}

impl<'a> Progress<'a> {
    /// Starts counting the rows of `election`, reporting `(0, total)`.
    pub(crate) fn start(election: &Election, report: &'a dyn Fn(u64, u64)) -> Progress<'a> {
        let dapil_rows: usize = election
            .dapil
            .iter()
            .map(|d| 1 + d.regions.len() + d.parties.len() + d.candidates.len())
            .sum();
        let total =
            election.tree.len() + election.parties.len() + election.paslon.len() + dapil_rows;
        let progress = Progress {
            done: 0,
            total: total as u64,
            report,
        };
        (progress.report)(0, progress.total);
        progress
    }

    /// Counts `n` rows written, reporting each time a multiple of
    /// [`PROGRESS_EVERY`] is passed.
    pub(crate) fn rows(&mut self, n: usize) {
        let before = self.done / PROGRESS_EVERY;
        self.done += n as u64;
        if self.done / PROGRESS_EVERY != before {
            (self.report)(self.done, self.total);
        }
    }

    /// Reports `(total, total)`: called once the save is committed.
    pub(crate) fn finish(self) {
        (self.report)(self.total, self.total);
    }
}

/// Every region, depth first with children in code order: the text order of
/// the dotted codes, so an index on the code only ever grows at its right
/// edge while a nation is written.
pub(crate) fn regions_in_code_order(tree: &RegionTree) -> Vec<RegionId> {
    let mut order = Vec::with_capacity(tree.len());
    let mut stack = vec![tree.root()];
    while let Some(id) = stack.pop() {
        order.push(id);
        stack.extend(tree.children(id).rev());
    }
    order
}

/// Every candidate with its dapil's id (the dapil's position in the list)
/// and its own position in that dapil's list: about 370,000 rows nationally.
pub(crate) fn candidate_rows(election: &Election) -> Vec<(usize, usize, &Candidate)> {
    election
        .dapil
        .iter()
        .enumerate()
        .flat_map(|(id, d)| {
            d.candidates
                .iter()
                .enumerate()
                .map(move |(ord, c)| (id, ord, c))
        })
        .collect()
}

/// A stored region as input to rebuilding the tree. Above a TPS the stored
/// DPT is a sum, which the tree recomputes, so only a TPS's own is kept.
pub(crate) fn region_input(code: RegionCode, name: String, dpt: Dpt) -> RegionInput {
    let dpt = if code.level() == Level::Tps {
        dpt
    } else {
        Dpt::default()
    };
    RegionInput { code, name, dpt }
}

/// The dapil with a stored id (its position in the list), for attaching the
/// rows of its regions, parties and candidates.
pub(crate) fn dapil_at(dapil: &mut [Dapil], id: usize) -> Result<&mut Dapil> {
    dapil.get_mut(id).ok_or_else(|| StoreError::Corrupt {
        what: "dapil id",
        value: id.to_string(),
    })
}

/// One schema migration of a backend: (version, name, SQL).
pub(crate) type Migration = (u32, &'static str, &'static str);

/// The migrations of `all` that a database at schema version `current`
/// still needs; [`StoreError::SchemaTooNew`] if a newer program migrated it.
pub(crate) fn pending_migrations(
    all: &'static [Migration],
    current: u32,
) -> Result<&'static [Migration]> {
    let known = all.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    Ok(&all[all.partition_point(|m| m.0 <= current)..])
}

/// The migration that makes usernames unique ignoring case: before it is
/// applied, [`refuse_case_clashes`] must find no two names differing only by
/// case, so that the refusal names them rather than the unique index failing.
pub(crate) const CASELESS_USERNAMES: u32 = 5;

/// The stored usernames that another differs from only by case (the same
/// SQL on both backends).
pub(crate) const CASE_CLASHES_SQL: &str = "SELECT username FROM users
     WHERE lower(username) IN
         (SELECT lower(username) FROM users GROUP BY lower(username) HAVING COUNT(*) > 1)";

/// [`StoreError::UsernamesDifferOnlyByCase`] naming every group of `names`
/// (the rows of [`CASE_CLASHES_SQL`]), each sorted, if there are any.
pub(crate) fn refuse_case_clashes(mut names: Vec<String>) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    names.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    let mut groups: Vec<Vec<String>> = Vec::new();
    for name in names {
        match groups.last_mut() {
            Some(group) if group[0].eq_ignore_ascii_case(&name) => group.push(name),
            _ => groups.push(vec![name]),
        }
    }
    Err(StoreError::UsernamesDifferOnlyByCase(groups))
}

/// Assembles `saksi user list`'s accounts from three reads: the users in
/// order, live session counts by user id, and minted tokens by user id
/// (oldest first).
pub(crate) fn accounts(
    users: Vec<User>,
    live: &HashMap<i64, u64>,
    mut tokens: HashMap<i64, Vec<MintedToken>>,
) -> Vec<Account> {
    users
        .into_iter()
        .map(|user| Account {
            live_sessions: live.get(&user.id.0).copied().unwrap_or(0),
            tokens: tokens.remove(&user.id.0).unwrap_or_default(),
            user,
        })
        .collect()
}

/// A contest id that names no contest.
#[derive(Debug, thiserror::Error)]
#[error("unknown contest id {0:?}")]
pub(crate) struct UnknownContest(pub(crate) String);

/// A bounded pool of reader connections. Callers beyond `max` wait for one
/// to come back rather than open another: a fresh connection costs more
/// than most queries (SQLite re-parses the schema and re-prepares every
/// statement; PostgreSQL forks a backend).
pub(crate) struct Pool<C> {
    max: usize,
    /// Whether a connection may go back to the pool after use (a PostgreSQL
    /// session whose socket closed may not).
    reusable: fn(&C) -> bool,
    state: Mutex<PoolState<C>>,
    /// Signalled when a connection comes back or a slot frees up.
    back: Condvar,
}

/// The idle connections, and how many exist in all.
struct PoolState<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C> Pool<C> {
    pub(crate) fn new(max: usize, reusable: fn(&C) -> bool) -> Pool<C> {
        Pool {
            max,
            reusable,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            back: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, PoolState<C>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on an idle connection, or on a new one from `open` while
    /// fewer than `max` exist, or else waits for one to come back.
    pub(crate) fn with<T>(
        &self,
        open: impl FnOnce() -> Result<C>,
        f: impl FnOnce(&mut C) -> Result<T>,
    ) -> Result<T> {
        let mut conn = {
            let mut pool = self.state();
            loop {
                if let Some(conn) = pool.idle.pop() {
                    break conn;
                }
                if pool.open < self.max {
                    pool.open += 1;
                    drop(pool);
                    match open() {
                        Ok(conn) => break conn,
                        Err(e) => {
                            self.state().open -= 1;
                            self.back.notify_one();
                            return Err(e);
                        }
                    }
                }
                pool = self.back.wait(pool).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let out = f(&mut conn);
        {
            let mut pool = self.state();
            if (self.reusable)(&conn) {
                pool.idle.push(conn);
            } else {
                pool.open -= 1;
            }
        }
        self.back.notify_one();
        out
    }
}

impl<C> std::fmt::Debug for Pool<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("Pool")
            .field("max", &self.max)
            .field("open", &state.open)
            .field("idle", &state.idle.len())
            .finish()
    }
}

/// The codes under `region` as a half-open text range, `P.` up to `P/`
/// (`/` follows `.`), which the form table's primary key index scans; the
/// root (`0`) holds every code.
pub(crate) fn code_range(region: RegionCode) -> (String, String) {
    if region == RegionCode::NASIONAL {
        return (String::new(), "\u{10ffff}".to_owned());
    }
    (format!("{region}."), format!("{region}/"))
}

/// True if a version's stored warnings (a JSON array) name any.
pub(crate) fn has_warnings(warnings_json: &str) -> bool {
    !matches!(warnings_json.trim(), "" | "[]")
}
