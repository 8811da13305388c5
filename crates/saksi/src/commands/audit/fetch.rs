//! What the auditor asks the server: a few keep-alive connections, a
//! timeout on every request and a count of the bytes received. Every answer
//! is checked field by field: a malicious server gets an error, never a
//! panic.
//!
//! Log entries come through [`Pool::stream`]: [`CONNECTIONS`] connections
//! take pages of [`PAGE`] entries from a shared counter, at most
//! [`WINDOW`] pages ahead of the page being verified, so the network, the
//! server and the decoding of the next pages overlap the verification of
//! the current one while memory holds a few pages, never the log.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use saksi_audit::{ServedEntry, served};
use saksi_log::Hash;
use tokio::sync::{Semaphore, mpsc};

use crate::client::Client;

/// The most entries one page of `/api/v1/log/entries` holds.
pub const PAGE: u64 = 1000;

/// Connections to the server: enough to keep it busy while a page is
/// verified, few enough not to crowd the two cores it may share with us.
pub const CONNECTIONS: usize = 3;

/// Pages fetched ahead of the one being verified.
const WINDOW: usize = 6;

/// How long one request may take before the audit gives up.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Bytes and requests of every connection of one audit.
#[derive(Debug, Default)]
pub struct Counters {
    pub bytes: AtomicU64,
    pub requests: AtomicU64,
}

/// A connection to the audited server.
pub struct Fetcher {
    client: Client,
    counters: Arc<Counters>,
}

impl Fetcher {
    /// GET `path`: the status and body; one retry on a dropped connection.
    pub async fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>)> {
        let mut last = None;
        for _ in 0..2 {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            match self.client.get(path).await {
                Ok(response) => {
                    self.counters
                        .bytes
                        .fetch_add(response.body.len() as u64, Ordering::Relaxed);
                    return Ok((response.status, response.body));
                }
                Err(e) => {
                    let again = e.is_transient();
                    last = Some(anyhow!(e));
                    if !again {
                        break;
                    }
                }
            }
        }
        Err(last
            .unwrap_or_else(|| anyhow!("no answer"))
            .context(format!("GET {path}")))
    }

    /// GET `path`, which must answer 200.
    pub async fn get_ok(&mut self, path: &str) -> Result<Vec<u8>> {
        let (status, body) = self.get(path).await?;
        if status != 200 {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        Ok(body)
    }

    /// The latest signed checkpoint (the note's bytes, unverified).
    pub async fn checkpoint(&mut self) -> Result<Vec<u8>> {
        self.get_ok("/api/v1/log/checkpoint").await
    }

    /// Entries `start..end` (at most [`PAGE`] of them; the server may
    /// answer fewer, never more, and never an index out of order).
    pub async fn entries(&mut self, start: u64, end: u64) -> Result<Vec<ServedEntry>> {
        let path = format!("/api/v1/log/entries?start={start}&end={end}");
        let body = self.get_ok(&path).await?;
        served::entries_page(&body, start, end).with_context(|| format!("GET {path}"))
    }

    /// The consistency proof from size `from` to size `to`.
    pub async fn consistency(&mut self, from: u64, to: u64) -> Result<Vec<Hash>> {
        let path = format!("/api/v1/log/proof/consistency?from={from}&to={to}");
        let body = self.get_ok(&path).await?;
        served::proof(&body).with_context(|| format!("GET {path}"))
    }
}

/// Entries `start..end` delivered by [`Pool::stream`], in any order.
pub struct Chunk {
    pub start: u64,
    pub entries: Vec<ServedEntry>,
}

/// The connections of one audit.
pub struct Pool {
    client: Client,
    pub counters: Arc<Counters>,
    /// The connection for one-off requests.
    pub main: Fetcher,
}

impl Pool {
    /// A pool for `http://host:port` or `https://host[:port]`, trusting
    /// the authorities in `ca_cert` besides the public ones.
    pub fn connect(url: &str, ca_cert: Option<&Path>) -> Result<Pool> {
        let client = Client::new(url, ca_cert, TIMEOUT)?;
        let counters = Arc::new(Counters::default());
        Ok(Pool {
            main: Fetcher {
                client: client.clone(),
                counters: counters.clone(),
            },
            client,
            counters,
        })
    }

    fn fetcher(&self) -> Fetcher {
        Fetcher {
            client: self.client.clone(),
            counters: self.counters.clone(),
        }
    }

    /// Bytes of response bodies received so far.
    pub fn bytes(&self) -> u64 {
        self.counters.bytes.load(Ordering::Relaxed)
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    /// GETs every path over [`CONNECTIONS`] connections and maps each
    /// answer (status, body) as it arrives, so bodies are not all held at
    /// once. The results are in the order of `paths`.
    pub async fn get_each<T, F>(&self, paths: Vec<String>, map: F) -> Result<Vec<T>>
    where
        T: Send + 'static,
        F: Fn(&str, u16, Vec<u8>) -> T + Send + Sync + 'static,
    {
        let paths = Arc::new(paths);
        let map = Arc::new(map);
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONNECTIONS.min(paths.len()) {
            let (paths, map, next) = (paths.clone(), map.clone(), next.clone());
            let mut fetcher = self.fetcher();
            tasks.spawn(async move {
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else {
                        return Ok::<_, anyhow::Error>(out);
                    };
                    let (status, body) = fetcher.get(path).await?;
                    out.push((i, map(path, status, body)));
                }
            });
        }
        let mut all: Vec<(usize, T)> = Vec::with_capacity(paths.len());
        while let Some(done) = tasks.join_next().await {
            all.extend(done.context("a fetching task failed")??);
        }
        all.sort_unstable_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, t)| t).collect())
    }

    /// Streams entries `start..end` to `sink` (a channel the verifier
    /// reads), page by page over [`CONNECTIONS`] connections. Chunks come
    /// in any order; the verifier puts them back in order and calls
    /// `done_page` after each page it has verified, which lets one more
    /// page be fetched. A failure is sent down the channel and ends the
    /// stream.
    pub fn stream(
        &self,
        start: u64,
        end: u64,
        sink: mpsc::Sender<Result<Chunk>>,
    ) -> (Arc<Semaphore>, tokio::task::JoinSet<()>) {
        let window = Arc::new(Semaphore::new(WINDOW));
        let next_page = Arc::new(AtomicU64::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONNECTIONS {
            let (window, next_page, sink) = (window.clone(), next_page.clone(), sink.clone());
            let mut fetcher = self.fetcher();
            tasks.spawn(async move {
                loop {
                    let Ok(permit) = window.acquire().await else {
                        return;
                    };
                    permit.forget();
                    let page = next_page.fetch_add(1, Ordering::Relaxed);
                    let from = start.saturating_add(page.saturating_mul(PAGE));
                    if from >= end {
                        return;
                    }
                    let to = end.min(from + PAGE);
                    let mut at = from;
                    while at < to {
                        let got = match fetcher.entries(at, to).await {
                            Ok(list) if list.is_empty() => {
                                Err(anyhow!("the server served no entry at {at}"))
                            }
                            other => other,
                        };
                        let n = got.as_ref().map_or(0, |l| l.len() as u64);
                        let failed = got.is_err();
                        let chunk = got.map(|entries| Chunk { start: at, entries });
                        if sink.send(chunk).await.is_err() || failed {
                            return;
                        }
                        at += n;
                    }
                }
            });
        }
        (window, tasks)
    }
}
