//! The server a signed statement is posted to (`saksi key` and `saksi
//! kpps` with `--server`): its log's origin, the current version of a
//! TPS's form (what the next version chains to), and the posts.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hyper::Method;
use hyper::body::Bytes;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use saksi_api::{ErrorBody, LogEntries, TpsPage};
use saksi_core::{Contest, RegionCode};
use saksi_statement::Entry;
use saksi_statement::form::version_digest;
use serde::de::DeserializeOwned;

use super::{CaCertArg, Client, Response};

/// How long to wait for each answer from the server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Quarter seconds to wait for a checkpoint to cover a new entry.
const CHECKPOINT_WAITS: u64 = 40;

/// A connection to the server named by `--server`.
pub struct Server {
    url: String,
    client: Client,
}

impl Server {
    pub fn connect(url: &str, tls: &CaCertArg) -> Result<Server> {
        let client = tls
            .client(url, TIMEOUT)
            .with_context(|| format!("cannot find the server {url}"))?;
        Ok(Server {
            url: url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    async fn request(&mut self, method: Method, path: &str, body: &[u8]) -> Result<Response> {
        let what = || format!("{method} {}{path}", self.url);
        let json = (!body.is_empty()).then(|| Bytes::copy_from_slice(body));
        self.client
            .request(method.clone(), path, json)
            .await
            .map_err(|e| anyhow!(e).context(what()))
    }

    /// The log's origin: the first line of its checkpoint.
    pub async fn origin(&mut self) -> Result<String> {
        const PATH: &str = "/api/v1/log/checkpoint";
        let Response { status, body, .. } = self.request(Method::GET, PATH, b"").await?;
        let first = String::from_utf8_lossy(&body)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if status != 200 || first.is_empty() {
            bail!(
                "cannot learn the log's origin: GET {}{PATH} answered {status}; give --origin",
                self.url
            );
        }
        Ok(first)
    }

    /// The current version of a TPS's form of `contest` and its digest
    /// (the next version's `prev`), `None` before the first. The digest is
    /// computed here from the logged entry's bytes, the way the server and
    /// the auditor compute it, not taken on trust.
    pub async fn current_version(
        &mut self,
        tps: RegionCode,
        contest: Contest,
    ) -> Result<Option<(u32, [u8; 32])>> {
        let page: TpsPage = self.get_json(&format!("/api/v1/tps/{tps}")).await?;
        let current = page
            .contests
            .into_iter()
            .find(|c| c.contest == contest.id())
            .and_then(|c| c.current);
        let Some(current) = current else {
            return Ok(None);
        };
        let index = current.log_index;
        let bytes = self.entry_bytes(index).await?;
        let digest = Entry::decode(&bytes)
            .ok()
            .and_then(|entry| version_digest(&entry, &bytes))
            .ok_or_else(|| {
                anyhow!("log entry {index} is not the form version the TPS page names")
            })?;
        Ok(Some((current.version, digest)))
    }

    /// The bytes of log entry `index`, once a checkpoint covers it.
    pub async fn entry_bytes(&mut self, index: u64) -> Result<Vec<u8>> {
        self.entry(index)
            .await?
            .entries
            .first()
            .and_then(|e| BASE64.decode(&e.data).ok())
            .ok_or_else(|| anyhow!("the server did not serve log entry {index}"))
    }

    /// Log entry `index`, once a checkpoint covers it: entries are served
    /// up to the latest checkpoint, signed every second or so, so a
    /// fact accepted a moment ago is waited for, briefly.
    async fn entry(&mut self, index: u64) -> Result<LogEntries> {
        let path = format!("/api/v1/log/entries?start={index}&end={}", index + 1);
        for _ in 0..CHECKPOINT_WAITS {
            let Response { status, body, .. } = self.request(Method::GET, &path, b"").await?;
            let beyond = status == 400
                && serde_json::from_slice::<ErrorBody>(&body)
                    .is_ok_and(|e| e.error.code == "log.beyond_checkpoint");
            if !beyond {
                let entries: LogEntries = parse_answer(&self.url, &path, status, &body)?;
                // A checkpoint of exactly `index` entries serves none.
                if !entries.entries.is_empty() {
                    return Ok(entries);
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        bail!(
            "no checkpoint of {} covers log entry {index} after {} s; try again later",
            self.url,
            CHECKPOINT_WAITS / 4
        )
    }

    /// GET `path`, which must answer 200 with JSON of `T`.
    pub async fn get_json<T: DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        let Response { status, body, .. } = self.request(Method::GET, path, b"").await?;
        parse_answer(&self.url, path, status, &body)
    }

    /// Whether GET `path` finds something: 200 yes, 404 no, anything
    /// else an error.
    pub async fn exists(&mut self, path: &str) -> Result<bool> {
        match self.request(Method::GET, path, b"").await? {
            Response { status: 200, .. } => Ok(true),
            Response { status: 404, .. } => Ok(false),
            Response { status, body, .. } => bail!(
                "GET {}{path} answered {status}: {}",
                self.url,
                String::from_utf8_lossy(&body).trim()
            ),
        }
    }

    /// POST `body` to `path`: the answer, whatever its status, and
    /// whether it is the replay of an earlier one.
    pub async fn post(&mut self, path: &str, body: &[u8]) -> Result<Response> {
        self.request(Method::POST, path, body).await
    }
}

/// A 200 answer's JSON, or what the server said instead.
fn parse_answer<T: DeserializeOwned>(url: &str, path: &str, status: u16, body: &[u8]) -> Result<T> {
    if status != 200 {
        bail!(
            "GET {url}{path} answered {status}: {}",
            String::from_utf8_lossy(body).trim()
        );
    }
    serde_json::from_slice(body)
        .with_context(|| format!("GET {url}{path} answered something unexpected"))
}
