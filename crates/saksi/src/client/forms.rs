//! Submitting signed C.Hasil forms to `POST /api/v1/tps/{code}/forms/{contest}`,
//! for `saksi simulate` (and the demo's simulation) and `saksi loadgen`.

use std::time::Duration;

use hyper::body::Bytes;
use saksi_core::{Contest, RegionCode};

use super::{Client, Response};

/// The path a TPS's form of `contest` is posted to.
pub fn path(code: RegionCode, contest: Contest) -> String {
    format!("/api/v1/tps/{code}/forms/{}", contest.id())
}

/// How a submission ended.
pub enum Submitted {
    /// 201: in the log, with the server's answer (where in the log).
    Accepted(Response),
    /// 201 again for a statement the server had already logged (a
    /// restarted demo or simulation resends what it sent before), with
    /// its first answer.
    Replayed(Response),
    /// Any other answer but overload, with the server's response.
    Refused(Response),
    /// Overloaded (503, 429) or unreachable on every try.
    Failed,
}

/// Posts `body` to `path`, with a few quick retries that ride out a
/// restart or an overload. `worker` names the sender in debug logs.
pub async fn submit(client: &Client, path: &str, body: Bytes, worker: usize) -> Submitted {
    for attempt in 0..5 {
        match client.post_json(path, body.clone()).await {
            Ok(r) if r.status == 201 && r.replayed => return Submitted::Replayed(r),
            Ok(r) if r.status == 201 => return Submitted::Accepted(r),
            Ok(r) if r.status == 503 || r.status == 429 => {}
            Ok(r) => return Submitted::Refused(r),
            Err(e) => tracing::debug!(worker, error = %e, "simulator connection error"),
        }
        tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
    }
    Submitted::Failed
}
