//! The server a signed key statement is posted to (`saksi key` and `saksi
//! kpps` with `--server`): its log's origin, and `POST /api/v1/keys`.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hyper::Method;
use hyper::body::Bytes;

use super::{CaCertArg, Client};

/// How long to wait for each answer from the server.
const TIMEOUT: Duration = Duration::from_secs(30);

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

    async fn request(&mut self, method: Method, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
        let what = || format!("{method} {}{path}", self.url);
        let json = (!body.is_empty()).then(|| Bytes::copy_from_slice(body));
        match self.client.request(method.clone(), path, json).await {
            Ok(response) => Ok((response.status, response.body)),
            Err(e) => Err(anyhow!(e).context(what())),
        }
    }

    /// The log's origin: the first line of its checkpoint.
    pub async fn origin(&mut self) -> Result<String> {
        const PATH: &str = "/api/v1/log/checkpoint";
        let (status, body) = self.request(Method::GET, PATH, b"").await?;
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

    pub async fn post(&mut self, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
        self.request(Method::POST, path, body).await
    }
}
