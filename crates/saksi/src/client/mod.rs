//! The HTTP client of every command that talks to a running server:
//! `audit`, `key` and `kpps` with `--server`, `simulate`, `loadgen` and the
//! registration of the simulated keys. It is hyper's pooled client over
//! rustls, so that a citizen can audit the commission's server on HTTPS,
//! one behind a private certificate authority included (`--ca-cert`).

pub mod demo_keys;
pub mod forms;
pub mod keys;
mod tls;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{self, connect::HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The largest response body accepted, before and after gzip decoding
/// (results of a whole desa fit).
pub const MAX_BODY: usize = 16 << 20;

/// How long opening a connection (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `--ca-cert`, shared by every command that talks to a server.
#[derive(Debug, Clone, clap::Args)]
pub struct CaCertArg {
    /// A PEM file of certificate authorities to trust besides the public
    /// ones (Mozilla's list, built in): for an https:// server whose
    /// certificate a private authority signed.
    #[arg(long, env = "SAKSI_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

impl CaCertArg {
    /// A client for `server` (`http://host:port` or `https://host[:port]`)
    /// that gives each request `timeout` to be answered in full.
    pub fn client(&self, server: &str, timeout: Duration) -> Result<Client, Error> {
        Client::new(server, self.ca_cert.as_deref(), timeout)
    }
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("--server must be an http:// or https:// URL, got {0:?}")]
    Url(String),
    #[error("the CA certificate file {}: {reason}", path.display())]
    CaCert { path: PathBuf, reason: String },
    #[error("cannot set up TLS: {0}")]
    TlsSetup(rustls::Error),
    #[error(
        "the TLS certificate of {server} is signed by an unknown issuer; if a private \
         certificate authority signed it, give that authority's certificate with \
         --ca-cert FILE (or SAKSI_CA_CERT)"
    )]
    UnknownIssuer { server: String },
    #[error("TLS with {server} failed: {reason}")]
    Tls { server: String, reason: String },
    #[error("cannot connect to {server}: {reason}")]
    Connect { server: String, reason: String },
    #[error("{server}: {reason}")]
    Transfer { server: String, reason: String },
    #[error("no answer from {server} within {secs} s")]
    Timeout { server: String, secs: u64 },
    #[error("{server} answered more than {MAX_BODY} bytes")]
    TooLarge { server: String },
    #[error("{server} answered gzip that does not decode: {reason}")]
    Gzip { server: String, reason: String },
    #[error("cannot build a request for {0:?}")]
    Request(String),
}

impl Error {
    /// Whether trying again may help: not after a certificate was refused
    /// or the request itself is wrong.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. } | Error::Transfer { .. } | Error::Timeout { .. }
        )
    }
}

/// The header a server marks a replayed answer with.
const REPLAYED: &str = "idempotent-replayed";

/// One answer, its body decoded.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server answered `Idempotent-Replayed: true`: the request had
    /// already been acknowledged, and this is its first answer again.
    pub replayed: bool,
}

/// A pool of keep-alive connections to one server; cloning it shares the
/// pool.
#[derive(Clone)]
pub struct Client {
    http: legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// `scheme://authority`, which every path is appended to.
    base: Arc<str>,
    timeout: Duration,
}

impl Client {
    /// A client for `server`; connections open on first use. Anything
    /// after the host and port of `server` is ignored, as paths are the
    /// API's own.
    pub fn new(server: &str, ca_cert: Option<&Path>, timeout: Duration) -> Result<Client, Error> {
        let base = base_url(server)?;
        let tls = tls::config(ca_cert)?;
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let http = legacy::Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(https);
        Ok(Client {
            http,
            base: base.into(),
            timeout,
        })
    }

    /// This client with another per-request budget, sharing the pool.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client {
            timeout,
            ..self.clone()
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Result<Response, Error> {
        self.request(Method::GET, path, None).await
    }

    /// POST `body` as JSON to `path`.
    pub async fn post_json(&self, path: &str, body: impl Into<Bytes>) -> Result<Response, Error> {
        self.request(Method::POST, path, Some(body.into())).await
    }

    /// One request, with a JSON body if any; the answer is read in full
    /// within the client's budget.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        json: Option<Bytes>,
    ) -> Result<Response, Error> {
        self.request_with(method, path, &[], json).await
    }

    /// [`Client::request`] with more headers: a session's
    /// `Authorization`, an `Idempotency-Key`.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        json: Option<Bytes>,
    ) -> Result<Response, Error> {
        let uri: Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|_| Error::Request(path.to_owned()))?;
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::ACCEPT_ENCODING, "gzip");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if json.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(json.unwrap_or_default()))
            .map_err(|_| Error::Request(path.to_owned()))?;
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(answer) => answer,
            Err(_) => Err(Error::Timeout {
                server: self.base.to_string(),
                secs: self.timeout.as_secs(),
            }),
        }
    }

    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<Response, Error> {
        let server = || self.base.to_string();
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| tls::explain(&self.base, &e))?;
        let status = response.status().as_u16();
        let replayed = response
            .headers()
            .get(REPLAYED)
            .is_some_and(|v| v.as_bytes() == b"true");
        let gzip = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Error::TooLarge { server: server() }
                } else {
                    Error::Transfer {
                        server: server(),
                        reason: e.to_string(),
                    }
                }
            })?
            .to_bytes();
        let body = if gzip {
            gunzip(&body).map_err(|e| match e {
                Gunzip::TooLarge => Error::TooLarge { server: server() },
                Gunzip::Io(e) => Error::Gzip {
                    server: server(),
                    reason: e.to_string(),
                },
            })?
        } else {
            Vec::from(body)
        };
        Ok(Response {
            status,
            body,
            replayed,
        })
    }
}

enum Gunzip {
    TooLarge,
    Io(std::io::Error),
}

/// Decodes a gzip body, at most [`MAX_BODY`] bytes of it: a small body
/// may inflate to gigabytes.
fn gunzip(body: &[u8]) -> Result<Vec<u8>, Gunzip> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(MAX_BODY));
    flate2::read::MultiGzDecoder::new(body)
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut out)
        .map_err(Gunzip::Io)?;
    if out.len() > MAX_BODY {
        return Err(Gunzip::TooLarge);
    }
    Ok(out)
}

/// `scheme://authority` of a server URL, checked.
fn base_url(server: &str) -> Result<String, Error> {
    let bad = || Error::Url(server.to_owned());
    let (scheme, rest) = if let Some(rest) = server.strip_prefix("http://") {
        ("http", rest)
    } else if let Some(rest) = server.strip_prefix("https://") {
        ("https", rest)
    } else {
        return Err(bad());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let base = format!("{scheme}://{authority}");
    let uri: Uri = format!("{base}/").parse().map_err(|_| bad())?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(base)
}

/// Where the results of a region of a contest are published (`0`, national,
/// has the contest's own path).
pub fn results_path(contest: saksi_core::Contest, code: saksi_core::RegionCode) -> String {
    if code == saksi_core::RegionCode::NASIONAL {
        format!("/api/v1/results/{contest}")
    } else {
        format!("/api/v1/results/{contest}/{code}")
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn server_urls_keep_their_scheme_and_authority_only() {
        assert_eq!(
            base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("https://saksi.example/api/").unwrap(),
            "https://saksi.example"
        );
        for bad in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://",
            "https:///x",
            "http://u@h",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gzip_bodies_decode_and_a_bomb_is_refused() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"ok\":true}").unwrap();
        let small = enc.finish().unwrap();
        assert_eq!(gunzip(&small).ok().unwrap(), b"{\"ok\":true}");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![0; MAX_BODY + 1]).unwrap();
        let bomb = enc.finish().unwrap();
        assert!(matches!(gunzip(&bomb), Err(Gunzip::TooLarge)));
        assert!(matches!(gunzip(b"not gzip"), Err(Gunzip::Io(_))));
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("saksi-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.pem");
        std::fs::write(&path, "nothing here\n").unwrap();
        let err = tls::config(Some(&path)).err().unwrap().to_string();
        assert!(err.contains("empty.pem"), "{err}");
        let missing = tls::config(Some(&dir.join("missing.pem")))
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("missing.pem"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
