//! Outgoing webhooks and their deliveries (README: Webhooks): what `saksi
//! webhook` manages and the server's notifier writes and works through.
//! The store keeps event ids and payloads as opaque text; the server
//! decides what they mean.

use crate::UnixTime;

/// A webhook to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: String,
    /// The notice ids it subscribes to (`new`, `escalated`, ...), none
    /// containing a comma.
    pub events: Vec<String>,
    /// The HMAC key of its signatures.
    pub secret: String,
    pub created_at: UnixTime,
}

/// A stored webhook with its delivery counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWebhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: UnixTime,
    pub delivered: u64,
    /// Not delivered yet, still to be tried.
    pub pending: u64,
    /// Not delivered, and no longer tried (a day went by).
    pub given_up: u64,
    /// The latest attempt of any of its deliveries.
    pub last_attempt_at: Option<UnixTime>,
}

/// A delivery with what the dispatcher needs to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    /// The payload's `incident` object (JSON).
    pub body: String,
    pub created_at: UnixTime,
    pub attempts: u32,
}

/// One attempt at a delivery, as it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: UnixTime,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why it failed (no connection, a timeout, a non-2xx status).
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(UnixTime),
    GiveUp,
}

/// A delivery as `saksi webhook deliveries` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook: i64,
    pub event: String,
    pub created_at: UnixTime,
    pub attempts: u32,
    pub next_attempt_at: Option<UnixTime>,
    pub last_attempt_at: Option<UnixTime>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<UnixTime>,
}

/// The column values an [`Attempt`] writes: (last_status, last_error,
/// delivered_at, next_attempt_at), shared by both backends.
pub(crate) fn attempt_columns(
    a: &Attempt,
) -> (Option<i64>, Option<&str>, Option<i64>, Option<i64>) {
    let (delivered, next) = match a.outcome {
        AttemptOutcome::Delivered => (Some(a.at.0), None),
        AttemptOutcome::RetryAt(t) => (None, Some(t.0)),
        AttemptOutcome::GiveUp => (None, None),
    };
    (a.status.map(i64::from), a.error.as_deref(), delivered, next)
}

/// Every webhook with its delivery counts (the same SQL on both
/// backends; no parameters).
pub(crate) const LIST_SQL: &str = "SELECT w.id, w.url, w.events, w.secret, w.created_at,
        COUNT(d.delivered_at),
        COUNT(d.id) FILTER (WHERE d.delivered_at IS NULL AND d.next_attempt_at IS NOT NULL),
        COUNT(d.id) FILTER (WHERE d.delivered_at IS NULL AND d.next_attempt_at IS NULL),
        MAX(d.last_attempt_at)
    FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook = w.id
    GROUP BY w.id ORDER BY w.id";

/// `events` as stored: comma-separated.
pub(crate) fn join_events(events: &[String]) -> String {
    events.join(",")
}

/// The events named in any of `lists` (as stored), sorted, each once.
pub(crate) fn union_of_events<'a>(lists: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut events: Vec<String> = lists.flat_map(split_events).collect();
    events.sort();
    events.dedup();
    events
}

/// Stored events back as a list.
pub(crate) fn split_events(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}
