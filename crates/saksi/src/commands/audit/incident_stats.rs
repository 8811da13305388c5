//! The public incident statistics (`GET /api/v1/incidents/stats`, no
//! login) against the incident events replayed from the log: the counts
//! by category, severity and status and the response times must be what
//! the log gives at the `log_size` the answer states.
//!
//! `overdue` is not compared: it also counts deadlines passed at the
//! moment asked and not yet swept, which the log cannot say. Nor is an
//! answer stated at another size than the one verified: the server kept
//! accepting while the audit ran (the statistics are read live, the log
//! as of a checkpoint), and the line printed says so: run again once it
//! is quiet.

use saksi_api::{IncidentCounts, IncidentStats, Percentiles};
use saksi_audit::Discrepancy;

use super::fetch::Fetcher;
use crate::support::now;

/// What became of the comparison, for the report.
pub enum Compared {
    /// Compared at this log size (any difference is a discrepancy).
    At(u64),
    /// Not compared, and why.
    Not(String),
}

/// Compares the national statistics the server publishes with `replayed`
/// (the log's, verified up to `size`), pushing each difference to
/// `found`.
pub async fn compare(
    fetcher: &mut Fetcher,
    replayed: &saksi_audit::incidents::Incidents,
    size: u64,
    found: &mut Vec<Discrepancy>,
) -> anyhow::Result<Compared> {
    let body = fetcher.get_ok("/api/v1/incidents/stats").await?;
    let served: IncidentStats = match serde_json::from_slice(&body) {
        Ok(served) => served,
        Err(e) => {
            found.push(Discrepancy::log(format!(
                "the incident statistics are not the documented shape: {e}"
            )));
            return Ok(Compared::Not("not the documented shape".into()));
        }
    };
    if served.log_size < size {
        found.push(mismatch(
            "log_size",
            format!("at least {size}"),
            served.log_size.to_string(),
            served.log_size,
        ));
        return Ok(Compared::Not(format!(
            "stated at log size {}, below the signed checkpoint's {size}",
            served.log_size
        )));
    }
    if served.log_size > size {
        return Ok(Compared::Not(format!(
            "served at log size {}, the audit verified {size}: the log grew while auditing; run again once it is quiet",
            served.log_size
        )));
    }
    let stats = replayed.stats(now());
    let expected = IncidentCounts::from(&stats.counts);
    let mut differ = |field: String, expected: String, published: String| {
        if expected != published {
            found.push(mismatch(&field, expected, published, size));
        }
    };
    differ(
        "total".into(),
        expected.total.to_string(),
        served.counts.total.to_string(),
    );
    for (group, expected, published) in [
        ("category", &expected.category, &served.counts.category),
        ("severity", &expected.severity, &served.counts.severity),
        ("status", &expected.status, &served.counts.status),
    ] {
        for (name, n) in expected {
            let published = published.get(name).map_or("missing".into(), u64::to_string);
            differ(format!("{group}.{name}"), n.to_string(), published);
        }
    }
    for (name, expected, published) in [
        (
            "ack_seconds",
            Percentiles::of(&stats.ack_seconds),
            &served.ack_seconds,
        ),
        (
            "resolve_seconds",
            Percentiles::of(&stats.resolve_seconds),
            &served.resolve_seconds,
        ),
    ] {
        let text = |p: Option<i64>| p.map_or("null".into(), |s| s.to_string());
        differ(
            format!("{name}.p50"),
            text(expected.p50),
            text(published.p50),
        );
        differ(
            format!("{name}.p90"),
            text(expected.p90),
            text(published.p90),
        );
    }
    Ok(Compared::At(size))
}

/// A published statistic that is not the log's.
fn mismatch(field: &str, expected: String, published: String, log_size: u64) -> Discrepancy {
    Discrepancy::Result {
        region: saksi_core::RegionCode::NASIONAL.to_string(),
        contest: "incidents".into(),
        field: field.to_owned(),
        expected,
        published,
        log_size,
    }
}
