//! Which store failures mean "the database is not there right now" (down,
//! unreachable, out of disk, failing I/O) rather than a bug or bad data:
//! the server answers those 503 with `Retry-After`, reports itself
//! degraded and recovers by itself when the database comes back.

use crate::StoreError;

impl StoreError {
    /// True for a failure that retrying later may cure: the write was not
    /// made (or, for a lost connection during a commit, its outcome is
    /// unknown and must be checked), and nothing is wrong with the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Io(_) => true,
            StoreError::Sqlite(e) => sqlite_unavailable(e),
            StoreError::Postgres(e) => postgres_unavailable(e),
            _ => false,
        }
    }
}

/// A full disk, an I/O error, a file that cannot be opened, or a lock
/// held past the busy timeout.
fn sqlite_unavailable(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(DiskFull | SystemIoFailure | CannotOpen | DatabaseBusy | DatabaseLocked | OutOfMemory)
    )
}

/// A closed or broken connection, or a server-side condition of the
/// classes that mean "not now": connection exceptions (08), insufficient
/// resources such as a full disk (53), operator intervention such as a
/// shutdown (57P01-57P03) and system errors such as an I/O error (58).
fn postgres_unavailable(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            let c = code.code();
            c.starts_with("08")
                || c.starts_with("53")
                || c.starts_with("58")
                || matches!(c, "57P01" | "57P02" | "57P03")
        }
        // No SQLSTATE: unavailable only if the failure was I/O on the way
        // to the server (not, say, a value that did not convert).
        None => std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()),
    }
}
