//! Who hears about an incident event, and how often a webhook is retried:
//! the pure rules behind the server's notifications (README: Webhooks),
//! kept here so they are tested without a server.

use std::fmt;

use super::Action;
use crate::RegionCode;
use crate::permission::{self, Principal, Role};
use crate::time::UnixTime;

/// How long before a deadline its owner hears `due_soon` (README:
/// Incident notifications): once per deadline.
pub const DUE_SOON_SECONDS: i64 = 15 * 60;

/// What happened to an incident, as a webhook subscribes to it and the
/// live stream names it. Ids are fixed (`saksi webhook add --events`, the
/// payload's `event`, the stream's `event:` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeEvent {
    New,
    Acknowledged,
    Assigned,
    Commented,
    Escalated,
    DueSoon,
    Resolved,
    Closed,
    Reopened,
}

ids!(NoticeEvent {
    New => "new",
    Acknowledged => "acknowledged",
    Assigned => "assigned",
    Commented => "commented",
    Escalated => "escalated",
    DueSoon => "due_soon",
    Resolved => "resolved",
    Closed => "closed",
    Reopened => "reopened",
});

impl NoticeEvent {
    /// The notice a logged event gives, if any. An incident marked
    /// overdue at the KPU RI is `escalated` (it can climb no further, and
    /// whoever watches escalations must hear of it); marking one public
    /// tells no one anything urgent.
    pub fn of(action: Action) -> Option<NoticeEvent> {
        Some(match action {
            Action::File => NoticeEvent::New,
            Action::Acknowledge => NoticeEvent::Acknowledged,
            Action::Assign => NoticeEvent::Assigned,
            Action::Comment => NoticeEvent::Commented,
            Action::Escalate | Action::Overdue => NoticeEvent::Escalated,
            Action::Resolve => NoticeEvent::Resolved,
            Action::Close => NoticeEvent::Closed,
            Action::Reopen => NoticeEvent::Reopened,
            Action::Publish => return None,
        })
    }
}

/// Whether an officer hears of an incident live: it lies in their
/// jurisdiction (its owner or the region it was filed at is theirs or
/// below, and their role may see restricted records), or it is critical
/// and they are the KPU RI, who sees every critical one from the start.
pub fn reaches(who: &Principal, owner: RegionCode, region: RegionCode, critical: bool) -> bool {
    let sees =
        |target| permission::decide(who, permission::Action::ViewRestricted, target).is_allowed();
    sees(owner) || sees(region) || (critical && who.role() == Role::KpuRi)
}

/// Why `saksi webhook add` refuses a webhook; each has a stable code
/// (README: Webhooks) and nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the URL {0:?} is not an http:// or https:// URL with a host")]
    UrlNotHttp(String),
    #[error("unknown event {0:?}; events are {list}", list = event_list())]
    UnknownEvent(String),
}

impl WebhookError {
    /// The stable code scripts match on.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::UrlNotHttp(_) => "webhook.url_not_http",
            WebhookError::UnknownEvent(_) => "webhook.unknown_event",
        }
    }
}

fn event_list() -> String {
    let ids: Vec<&str> = NoticeEvent::ALL.iter().map(|e| e.id()).collect();
    ids.join(", ")
}

/// Checks a webhook's URL (`http://` or `https://`, any case, then a
/// host, no spaces or control characters) and its comma-separated events
/// (at least one, each known; repeats are dropped).
pub fn check_webhook(url: &str, events: &str) -> Result<Vec<NoticeEvent>, WebhookError> {
    let lower = url.to_ascii_lowercase();
    let rest = ["http://", "https://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let printable = url.chars().all(|c| c.is_ascii_graphic());
    if host.is_none_or(str::is_empty) || !printable {
        return Err(WebhookError::UrlNotHttp(url.to_owned()));
    }
    let mut parsed = Vec::new();
    for id in events.split(',').map(str::trim) {
        let event =
            NoticeEvent::parse(id).ok_or_else(|| WebhookError::UnknownEvent(id.to_owned()))?;
        if !parsed.contains(&event) {
            parsed.push(event);
        }
    }
    Ok(parsed)
}

/// The first retry comes this many seconds after a failed attempt; each
/// later one waits twice as long as the one before.
pub const RETRY_FIRST_SECS: i64 = 10;
/// No wait between attempts is longer than an hour.
pub const RETRY_MAX_SECS: i64 = 3600;
/// A delivery is attempted for a day after the event, then given up.
pub const RETRY_FOR_SECS: i64 = 86_400;

/// When to try a delivery again after its `attempts`-th attempt (1 after
/// the first) failed at `now`, or `None` to give up: the wait doubles from
/// [`RETRY_FIRST_SECS`] up to [`RETRY_MAX_SECS`], and nothing is tried
/// later than [`RETRY_FOR_SECS`] after the delivery was `created`.
pub fn retry_at(created: UnixTime, now: UnixTime, attempts: u32) -> Option<UnixTime> {
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = (RETRY_FIRST_SECS << doublings).min(RETRY_MAX_SECS);
    let next = now.plus(wait);
    (next <= created.plus(RETRY_FOR_SECS)).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(role: Role, region: &str) -> Principal {
        Principal::new(role, RegionCode::parse(region).unwrap(), None).unwrap()
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn every_event_id_parses_back_and_unknown_ones_do_not() {
        for e in NoticeEvent::ALL {
            assert_eq!(NoticeEvent::parse(e.id()), Some(*e));
        }
        assert_eq!(NoticeEvent::parse("due-soon"), None);
        assert_eq!(NoticeEvent::parse("file"), None);
    }

    #[test]
    fn each_lifecycle_action_names_its_notice() {
        assert_eq!(NoticeEvent::of(Action::File), Some(NoticeEvent::New));
        assert_eq!(
            NoticeEvent::of(Action::Overdue),
            Some(NoticeEvent::Escalated)
        );
        assert_eq!(NoticeEvent::of(Action::Publish), None);
    }

    #[test]
    fn officers_hear_of_incidents_in_their_jurisdiction_only() {
        let tps = code("31.71.01.1001.001");
        let kab = code("31.71");
        let kab_officer = officer(Role::KpuKabkota, "31.71");
        assert!(reaches(&kab_officer, kab, tps, false));
        let other = officer(Role::KpuKabkota, "32.01");
        assert!(!reaches(&other, kab, tps, false));
        // Escalated to the provinsi: its office hears, though the TPS is
        // below it anyway.
        let prov = officer(Role::KpuProv, "31");
        assert!(reaches(&prov, code("31"), tps, false));
        // A party witness never sees restricted records.
        let witness =
            Principal::new(Role::Saksi, code("31"), Some(permission::Witness::Party(1))).unwrap();
        assert!(!reaches(&witness, kab, tps, true));
        assert!(reaches(&officer(Role::KpuRi, "0"), kab, tps, true));
    }

    #[test]
    fn webhooks_need_an_http_url_and_known_events() {
        assert_eq!(
            check_webhook("https://cc.example/hook", "new, escalated,new"),
            Ok(vec![NoticeEvent::New, NoticeEvent::Escalated])
        );
        assert!(check_webhook("HTTP://10.0.0.1:8080", "due_soon").is_ok());
        for url in [
            "ftp://cc.example/",
            "http://",
            "https:///x",
            "cc.example",
            "http://a b/",
        ] {
            let err = check_webhook(url, "new").unwrap_err();
            assert_eq!(err.code(), "webhook.url_not_http", "{url}");
        }
        for events in ["", "new,", "opened", "new,Escalated"] {
            let err = check_webhook("http://cc.example", events).unwrap_err();
            assert_eq!(err.code(), "webhook.unknown_event", "{events:?}");
        }
    }

    #[test]
    fn retries_double_from_ten_seconds_up_to_an_hour_for_a_day() {
        let t0 = UnixTime(1_700_000_000);
        assert_eq!(retry_at(t0, t0, 1), Some(t0.plus(10)));
        assert_eq!(retry_at(t0, t0.plus(10), 2), Some(t0.plus(30)));
        assert_eq!(retry_at(t0, t0, 40), Some(t0.plus(3600)));
        assert_eq!(
            retry_at(t0, t0.plus(86_400 - 3600), 30),
            Some(t0.plus(86_400))
        );
        assert_eq!(retry_at(t0, t0.plus(86_400 - 3599), 30), None);
    }
}
