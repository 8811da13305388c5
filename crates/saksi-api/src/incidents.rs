//! Incidents: the answers to filing one and to each event, and
//! an incident's page as the reporter and the offices that may read it
//! see it. Times are RFC 3339; a deadline that is not running is `null`.

use serde::{Deserialize, Serialize};

use crate::Receipt;

/// The office that owns an incident: its level named as the regions API
/// names levels (`kabkota`, `provinsi`, `nasional`) and its region code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentOwner {
    pub level: String,
    pub region: String,
}

impl From<saksi_core::incident::Owner> for IncidentOwner {
    fn from(owner: saksi_core::incident::Owner) -> IncidentOwner {
        IncidentOwner {
            level: owner.level.as_str().to_owned(),
            region: owner.region.to_string(),
        }
    }
}

/// `201` to a filing (`POST /api/v1/incidents`, `seq` 0, action `file`)
/// and to an event (`POST /api/v1/incidents/{id}/events`): the state after
/// it and the log's receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentAccepted {
    /// 32 lowercase hex digits.
    pub id: String,
    pub seq: u32,
    pub action: String,
    pub status: String,
    pub owner: IncidentOwner,
    pub ack_due: Option<String>,
    pub resolve_due: Option<String>,
    pub receipt: Receipt,
}

/// Who made an event: a role and region, or `{"role": "system"}` for the
/// server acting on a deadline. Never a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentActor {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// One event of an incident's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentHistoryItem {
    pub seq: u32,
    pub action: String,
    pub at: String,
    pub by: IncidentActor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub log_index: u64,
}

/// `GET /api/v1/incidents/{id}`: the incident's state, its filing's
/// private content and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub id: String,
    pub owner: IncidentOwner,
    pub ack_due: Option<String>,
    pub resolve_due: Option<String>,
    pub status: String,
    pub category: String,
    pub severity: String,
    pub region: String,
    pub contests: Vec<String>,
    pub overdue: bool,
    pub public: bool,
    pub title: String,
    pub description: String,
    pub photos: Vec<String>,
    pub assignee: Option<String>,
    /// The filing account's username, or the KPPS device's key; absent
    /// from a public incident's view to those who may not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    pub history: Vec<IncidentHistoryItem>,
}

/// One incident in a list: its public state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub region: String,
    pub contests: Vec<String>,
    pub owner: IncidentOwner,
    pub ack_due: Option<String>,
    pub resolve_due: Option<String>,
    pub overdue: bool,
    pub filed_at: String,
}

impl IncidentSummary {
    /// The public state of incident `id` (32 hex digits) as the book has
    /// it at `now`: a list's row, and the `incident` of every notice (a
    /// webhook's payload, the live stream), so both name the same fields.
    pub fn of(
        id: String,
        record: &saksi_core::incident::book::Record,
        now: saksi_core::time::UnixTime,
    ) -> IncidentSummary {
        let p = &record.public;
        IncidentSummary {
            id,
            category: p.category.id().to_owned(),
            severity: p.severity.id().to_owned(),
            status: p.status.id().to_owned(),
            region: p.region.to_string(),
            contests: p.contests.iter().map(|c| c.id().to_owned()).collect(),
            owner: p.owner.into(),
            ack_due: p.ack_due.map(|t| t.to_string()),
            resolve_due: p.resolve_due.map(|t| t.to_string()),
            overdue: record.is_overdue(now),
            filed_at: record.filed_at.to_string(),
        }
    }

    /// Its JSON text: a webhook delivery's stored `incident`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an API shape serialises")
    }
}

/// How many of the listed incidents lie under one child region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentChildCount {
    pub code: String,
    pub name: String,
    pub total: u64,
}

/// `GET /api/v1/incidents`: one page of the incidents matching the
/// filters (overdue first, then by the earliest running deadline), their
/// total, and how many lie under each child region of `region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub region: String,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub incidents: Vec<IncidentSummary>,
    pub children: Vec<IncidentChildCount>,
}

/// Incidents counted by category, severity and status (every value named,
/// zeros included) and how many are overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentCounts {
    pub total: u64,
    pub category: std::collections::BTreeMap<String, u64>,
    pub severity: std::collections::BTreeMap<String, u64>,
    pub status: std::collections::BTreeMap<String, u64>,
    pub overdue: u64,
}

impl From<&saksi_core::incident::book::Counts> for IncidentCounts {
    fn from(c: &saksi_core::incident::book::Counts) -> IncidentCounts {
        use saksi_core::incident::{Category, Severity, Status};
        fn named<T: Copy + std::fmt::Display>(
            all: &[T],
            counts: &[u64],
        ) -> std::collections::BTreeMap<String, u64> {
            all.iter()
                .zip(counts)
                .map(|(v, n)| (v.to_string(), *n))
                .collect()
        }
        IncidentCounts {
            total: c.total,
            category: named(Category::ALL, &c.category),
            severity: named(Severity::ALL, &c.severity),
            status: named(Status::ALL, &c.status),
            overdue: c.overdue,
        }
    }
}

/// Response times in seconds (`null` with no data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: Option<i64>,
    pub p90: Option<i64>,
}

impl Percentiles {
    /// The nearest-rank p50 and p90 of `sorted` seconds: what the server
    /// publishes and `saksi audit` recomputes from the log.
    pub fn of(sorted: &[i64]) -> Percentiles {
        use saksi_core::incident::book::percentile;
        Percentiles {
            p50: percentile(sorted, 50),
            p90: percentile(sorted, 90),
        }
    }
}

/// A child region's line of the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentChildStats {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: IncidentCounts,
}

/// `GET /api/v1/incidents/stats[/{region}]`, public: counts and response
/// times of the incidents at or below a region, and each child's counts.
/// Never a reporter, a text or a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentStats {
    pub code: String,
    pub name: String,
    pub level: String,
    /// The log's size the statistics reflect (every incident event below
    /// it, none above): what `saksi audit` recounts them at.
    pub log_size: u64,
    #[serde(flatten)]
    pub counts: IncidentCounts,
    pub ack_seconds: Percentiles,
    pub resolve_seconds: Percentiles,
    pub children: Vec<IncidentChildStats>,
}
