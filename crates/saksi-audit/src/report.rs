//! What the audit found: discrepancies (each precise enough to act on),
//! re-submissions and key rotations, and how they are written.

use std::fmt;

use saksi_core::{Contest, RegionCode};
use serde_json::{Value, json};

/// One thing the audit found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discrepancy {
    /// The log itself: a checkpoint, a proof, an entry or its chain.
    Log {
        /// The entry concerned, if one is.
        index: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A published result that differs from the recount of the log.
    Result {
        /// The region's code (`0` for national).
        region: String,
        /// The contest id.
        contest: String,
        /// The field of `totals` (`options.<key>` for an option).
        field: String,
        /// The log's count (at the response's `log_size`).
        expected: String,
        /// What the server published.
        published: String,
        /// The `log_size` the response stated.
        log_size: u64,
    },
}

impl Discrepancy {
    /// A problem with the log, at entry `index`.
    pub fn entry(index: u64, message: impl Into<String>) -> Self {
        Discrepancy::Log {
            index: Some(index),
            message: message.into(),
        }
    }

    /// One discrepancy per problem of entry `index`: `<subject>: <problem><tail>`.
    pub fn each(
        found: &mut Vec<Discrepancy>,
        index: u64,
        subject: &str,
        problems: Vec<String>,
        tail: &str,
    ) {
        found.extend(
            problems
                .into_iter()
                .map(|p| Discrepancy::entry(index, format!("{subject}: {p}{tail}"))),
        );
    }

    /// A problem with the log as a whole.
    pub fn log(message: impl Into<String>) -> Self {
        Discrepancy::Log {
            index: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discrepancy::Log {
                index: Some(i),
                message,
            } => write!(f, "log entry {i}: {message}"),
            Discrepancy::Log {
                index: None,
                message,
            } => write!(f, "log: {message}"),
            Discrepancy::Result {
                region,
                contest,
                field,
                expected,
                published,
                log_size,
            } => write!(
                f,
                "results {contest} region {region}: {field} is {published} published, \
                 {expected} in the log (log_size {log_size})"
            ),
        }
    }
}

/// A counted version after the first of one (TPS, contest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resubmission {
    /// Its log index.
    pub index: u64,
    pub tps: RegionCode,
    pub contest: Contest,
    /// Its version (2 or more).
    pub version: u32,
    /// Whether it is a KPPS's signed statement (`form` v2).
    pub signed: bool,
}

impl Resubmission {
    pub fn to_json(self) -> Value {
        json!({
            "index": self.index,
            "tps": self.tps.to_string(),
            "contest": self.contest.id(),
            "version": self.version,
            "signed": self.signed,
        })
    }
}

impl fmt::Display for Resubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry {}: {} {} version {}{}",
            self.index,
            self.tps,
            self.contest,
            self.version,
            if self.signed { " (signed)" } else { "" }
        )
    }
}

/// A TPS whose KPPS key was revoked and another one registered after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub tps: RegionCode,
    pub old_key: String,
    /// Log indexes of the old key's registration and revocation.
    pub old_registered_at: u64,
    pub revoked_at: u64,
    pub new_key: String,
    /// Log index of the new key's registration.
    pub new_registered_at: u64,
}

impl Rotation {
    pub fn to_json(&self) -> Value {
        json!({
            "tps": self.tps.to_string(),
            "old_key": self.old_key,
            "old_registered_at": self.old_registered_at,
            "revoked_at": self.revoked_at,
            "new_key": self.new_key,
            "new_registered_at": self.new_registered_at,
        })
    }
}

impl fmt::Display for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TPS {}: {} (registered at entry {}, revoked at entry {}) replaced by {} (registered at entry {})",
            self.tps,
            self.old_key,
            self.old_registered_at,
            self.revoked_at,
            self.new_key,
            self.new_registered_at
        )
    }
}

/// Formats a count with thousands separators.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(4_100_000), "4,100,000");
    }
}
