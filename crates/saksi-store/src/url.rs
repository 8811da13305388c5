//! Database URLs of the server-database backend ([`PgStore`](crate::PgStore)),
//! as the operator gives them and as a data directory records them.
//!
//! A recorded URL never holds a password (a data directory is copied and
//! backed up more freely than a secret should be); the password is added
//! back from the environment when the store is opened.

/// How the operator's help describes a database URL argument.
pub const ARG_HELP: &str = "A PostgreSQL database (`postgres://user@host:5432/db`) instead of \
     SQLite. `init`, `import-regions` and `demo` record it (without its password) in \
     `DIR/database.url`, so later commands need only `--data-dir`; the password then comes \
     from `SAKSI_DATABASE_PASSWORD`";

/// What to use instead of a SQLite-only whole-file backup for the other
/// backend.
pub const OTHER_BACKUP: &str = "back up a PostgreSQL store with pg_dump or point-in-time recovery";

/// `the PostgreSQL database URL` with the password removed, for messages.
pub fn describe(url: &str) -> String {
    format!("the PostgreSQL database {}", redact(url))
}

/// `url` without its password: `postgres://user:secret@host/db` becomes
/// `postgres://user@host/db`, and `password=...` is dropped from the
/// `key=value` form.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let authority = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{user}@{host}")
            }
            None => authority.to_owned(),
        };
        return format!("{scheme}://{authority}{path}");
    }
    url.split_whitespace()
        .filter(|kv| !kv.starts_with("password="))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A recorded URL with `password` put back: percent-encoded into the
/// userinfo of the URL form, or as a quoted `password=` in the `key=value`
/// form.
pub fn with_password(url: &str, password: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((user, host)) = rest.split_once('@')
    {
        let encoded: String = password
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        return format!("{scheme}://{user}:{encoded}@{host}");
    }
    format!("{url} password='{}'", password.replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_urls_never_hold_a_password() {
        assert_eq!(
            redact("postgres://saksi:s3cret@db.example:5432/pemilu?sslmode=disable"),
            "postgres://saksi@db.example:5432/pemilu?sslmode=disable"
        );
        assert_eq!(
            redact("postgres://saksi@db/pemilu"),
            "postgres://saksi@db/pemilu"
        );
        assert_eq!(redact("postgres://db/pemilu"), "postgres://db/pemilu");
        assert_eq!(
            redact("host=db user=saksi password=s3cret dbname=pemilu"),
            "host=db user=saksi dbname=pemilu"
        );
    }

    #[test]
    fn a_password_is_put_back_encoded() {
        assert_eq!(
            with_password("postgres://saksi@db/pemilu", "a b'"),
            "postgres://saksi:a%20b%27@db/pemilu"
        );
        assert_eq!(
            with_password("host=db user=saksi", "it's"),
            "host=db user=saksi password='it\\'s'"
        );
    }
}
