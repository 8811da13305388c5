//! What the auditor asks the server, over one keep-alive connection, with a
//! timeout on every request and a count of the bytes received. Every answer
//! is checked field by field: a malicious server gets an error, never a
//! panic.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saksi_log::Hash;
use serde_json::Value;

use crate::http::{self, Client};

/// The most entries one page of `/api/v1/log/entries` holds.
pub const PAGE: u64 = 1000;

/// How long one request may take before the audit gives up.
const TIMEOUT: Duration = Duration::from_secs(120);

/// One entry as served: its bytes and the leaf hash the server claims.
#[derive(Debug)]
pub struct ServedEntry {
    /// The entry's index as served.
    pub index: u64,
    /// The exact entry bytes (decoded from base64).
    pub data: Vec<u8>,
    /// The leaf hash the server states.
    pub leaf_hash: Hash,
}

/// A connection to the audited server.
pub struct Fetcher {
    client: Client,
    /// Bytes of response bodies received so far.
    pub bytes: u64,
    /// Requests made so far.
    pub requests: u64,
}

impl Fetcher {
    /// A fetcher for `http://host:port`.
    pub async fn connect(url: &str) -> Result<Fetcher> {
        let addr = http::resolve(url).await?;
        Ok(Fetcher {
            client: Client::new(addr),
            bytes: 0,
            requests: 0,
        })
    }

    /// GET `path`: the status and body; one retry on a dropped connection.
    pub async fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>)> {
        let mut last = None;
        for _ in 0..2 {
            self.requests += 1;
            match tokio::time::timeout(TIMEOUT, self.client.request("GET", path, &[], b"")).await {
                Ok(Ok(response)) => {
                    self.bytes += response.body.len() as u64;
                    return Ok((response.status, response.body));
                }
                Ok(Err(e)) => last = Some(anyhow!(e)),
                Err(_) => last = Some(anyhow!("no answer within {} s", TIMEOUT.as_secs())),
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

    /// GET `path` as JSON (200 only).
    pub async fn get_json(&mut self, path: &str) -> Result<Value> {
        let body = self.get_ok(path).await?;
        serde_json::from_slice(&body).with_context(|| format!("GET {path}: not JSON"))
    }

    /// The latest signed checkpoint (the note's bytes, unverified).
    pub async fn checkpoint(&mut self) -> Result<Vec<u8>> {
        self.get_ok("/api/v1/log/checkpoint").await
    }

    /// Entries `start..end` (at most [`PAGE`] of them; the server may
    /// answer fewer, never more, and never an index out of order).
    pub async fn entries(&mut self, start: u64, end: u64) -> Result<Vec<ServedEntry>> {
        let path = format!("/api/v1/log/entries?start={start}&end={end}");
        let body = self.get_json(&path).await?;
        parse_entries(&body, start, end).with_context(|| format!("GET {path}"))
    }

    /// The consistency proof from size `from` to size `to`.
    pub async fn consistency(&mut self, from: u64, to: u64) -> Result<Vec<Hash>> {
        let path = format!("/api/v1/log/proof/consistency?from={from}&to={to}");
        let body = self.get_json(&path).await?;
        let proof = body
            .get("proof")
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("GET {path}: no `proof` array"))?;
        if proof.len() > 128 {
            bail!("GET {path}: a proof of {} hashes", proof.len());
        }
        proof
            .iter()
            .map(|h| h.as_str().and_then(decode_hash))
            .collect::<Option<Vec<Hash>>>()
            .ok_or_else(|| anyhow!("GET {path}: a proof hash is not base64 of 32 bytes"))
    }
}

/// Standard base64 of exactly 32 bytes.
pub fn decode_hash(text: &str) -> Option<Hash> {
    let bytes = STANDARD.decode(text).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

/// Checks the shape of an entries page for `start..end`.
fn parse_entries(body: &Value, start: u64, end: u64) -> Result<Vec<ServedEntry>> {
    let list = body
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("no `entries` array"))?;
    if list.len() as u64 > end.saturating_sub(start) {
        bail!(
            "{} entries for a range of {}",
            list.len(),
            end.saturating_sub(start)
        );
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let expected = start + i as u64;
        let index = item
            .get("index")
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("entry {expected} has no integer `index`"))?;
        if index != expected {
            bail!("entry {expected} is served as index {index}");
        }
        let data = item
            .get("data")
            .and_then(Value::as_str)
            .and_then(|d| STANDARD.decode(d).ok())
            .ok_or_else(|| anyhow!("entry {index}: `data` is not standard base64"))?;
        let leaf_hash = item
            .get("leaf_hash")
            .and_then(Value::as_str)
            .and_then(decode_hash)
            .ok_or_else(|| anyhow!("entry {index}: `leaf_hash` is not base64 of 32 bytes"))?;
        out.push(ServedEntry {
            index,
            data,
            leaf_hash,
        });
    }
    Ok(out)
}
