//! The dispatcher: a thread of its own with a small async runtime, so
//! webhook traffic never competes with the server's requests. It stores
//! the deliveries of each published notice not stored yet (a logged
//! event's are stored in its own transaction; a `due_soon` notice's
//! here), then POSTs every due delivery
//! (a few at a time, each with a short timeout), records each attempt and
//! schedules the next by `saksi_core::incident::notice::retry_at`. Due
//! deliveries are looked for after a notice that stored one, after each
//! attempt and every second, on the injected clock, so a restart resumes
//! what a previous run left pending.
//!
//! Notices are taken in batches of what has arrived, and the events some
//! webhook subscribes to are read once per batch (a webhook added by
//! `saksi webhook add` to a running server hears the next notice): a
//! notice nobody subscribes to costs a read, never a write, which would
//! otherwise compete with the sequencer's commits (measured: 100,000
//! incidents filed cost form ingest a third while their notices were
//! stored, for no webhook at all).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{self, connect::HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use saksi_core::incident::notice::retry_at;
use saksi_store::{Attempt, AttemptOutcome, DueDelivery, Store};
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::Notice;
use crate::clock::Clock;
use crate::credentials::totp_key::TotpKey;

/// Deliveries in flight at most.
const CONCURRENCY: usize = 8;
/// One attempt (connecting, sending, reading the answer's head) at most.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Notices stored at most per look at the webhooks' events.
const BATCH: usize = 1024;
/// How often due deliveries are looked for when nothing else happens.
const POLL: Duration = Duration::from_secs(1);

type Client = legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub(super) fn spawn(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Option<TotpKey>,
    queue: mpsc::UnboundedReceiver<Arc<Notice>>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = client()?;
    std::thread::Builder::new()
        .name("saksi-webhooks".into())
        .spawn(move || {
            runtime.block_on(
                Dispatcher {
                    store,
                    clock,
                    key: key.map(Arc::new),
                    client,
                    in_flight: HashSet::new(),
                    tasks: JoinSet::new(),
                }
                .run(queue),
            );
        })
}

/// Plain HTTP, or HTTPS against Mozilla's roots (compiled in, as the
/// CLI's client does, with the ring provider).
fn client() -> std::io::Result<Client> {
    let mut connector = HttpConnector::new();
    connector.enforce_http(false);
    connector.set_connect_timeout(Some(ATTEMPT_TIMEOUT));
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Ok(legacy::Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .build(https))
}

struct Dispatcher {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Opens the webhooks' sealed secrets.
    key: Option<Arc<TotpKey>>,
    client: Client,
    /// Deliveries being attempted, not to be picked up again meanwhile.
    in_flight: HashSet<i64>,
    tasks: JoinSet<i64>,
}

impl Dispatcher {
    async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Arc<Notice>>) {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                notice = queue.recv() => match notice {
                    Some(notice) => {
                        let mut batch = vec![notice];
                        while batch.len() < BATCH
                            && let Ok(more) = queue.try_recv()
                        {
                            batch.push(more);
                        }
                        if self.enqueue(batch).await {
                            self.start_due().await;
                        }
                    }
                    None => break,
                },
                Some(done) = self.tasks.join_next() => {
                    if let Ok(id) = done {
                        self.in_flight.remove(&id);
                    }
                    self.start_due().await;
                }
                _ = tick.tick() => self.start_due().await,
            }
        }
        // Stopping: what was attempted is recorded; the rest stays
        // pending for the next run.
        while self.tasks.join_next().await.is_some() {}
    }

    /// Stores one delivery per webhook subscribed to each notice of
    /// `batch`, in their order; whether any was stored.
    async fn enqueue(&self, mut batch: Vec<Arc<Notice>>) -> bool {
        // A logged event's deliveries were stored with it: only to send.
        let before = batch.len();
        batch.retain(|n| !n.stored);
        let stored_before = batch.len() < before;
        if batch.is_empty() {
            return stored_before;
        }
        let store = Arc::clone(&self.store);
        let stored = tokio::task::spawn_blocking(move || {
            // Unknown (the read failed): every notice is offered.
            let subscribed: Option<HashSet<String>> = match store.subscribed_events() {
                Ok(events) => Some(events.into_iter().collect()),
                Err(err) => {
                    tracing::warn!(error = %err, "cannot read the webhooks' events");
                    None
                }
            };
            let mut any = false;
            for notice in batch {
                let event = notice.event.id();
                if subscribed.as_ref().is_some_and(|s| !s.contains(event)) {
                    continue;
                }
                let body = notice.incident.to_string();
                match store.enqueue_deliveries(event, &body, notice.at) {
                    Ok(n) => any |= n > 0,
                    Err(err) => tracing::error!(
                        error = %err, event, "cannot store a notice's webhook deliveries"
                    ),
                }
            }
            any
        })
        .await;
        stored_before
            || stored.unwrap_or_else(|err| {
                tracing::error!(error = %err, "storing notices' deliveries failed");
                false
            })
    }

    /// Starts attempts at due deliveries, up to [`CONCURRENCY`] in flight.
    async fn start_due(&mut self) {
        let room = CONCURRENCY - self.in_flight.len();
        if room == 0 {
            return;
        }
        let store = Arc::clone(&self.store);
        let now = self.clock.now();
        // Those in flight may be among the first due: ask for enough.
        let limit = u32::try_from(CONCURRENCY * 2).unwrap_or(u32::MAX);
        let due = match tokio::task::spawn_blocking(move || store.due_deliveries(now, limit)).await
        {
            Ok(Ok(due)) => due,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "cannot read the due webhook deliveries");
                return;
            }
            Err(_) => return,
        };
        let due: Vec<DueDelivery> = due
            .into_iter()
            .filter(|d| !self.in_flight.contains(&d.id))
            .take(room)
            .collect();
        for delivery in due {
            self.in_flight.insert(delivery.id);
            self.tasks.spawn(attempt(
                self.client.clone(),
                Arc::clone(&self.store),
                Arc::clone(&self.clock),
                self.key.clone(),
                delivery,
            ));
        }
    }
}

/// One attempt at `delivery`, recorded; returns its id.
async fn attempt(
    client: Client,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Option<Arc<TotpKey>>,
    delivery: DueDelivery,
) -> i64 {
    let sent_at = clock.now();
    let ready = unseal(key.as_deref(), &delivery)
        .and_then(|secret| Ok((secret, payload(&delivery, sent_at)?)));
    let (status, error) = match ready {
        Ok((secret, body)) => {
            let sent =
                tokio::time::timeout(ATTEMPT_TIMEOUT, post(&client, &delivery, &secret, body))
                    .await;
            match sent {
                Ok(Ok(status)) if (200..300).contains(&status) => (Some(status), None),
                Ok(Ok(status)) => (Some(status), Some(format!("HTTP {status}"))),
                Ok(Err(err)) => (None, Some(err)),
                Err(_) => (
                    None,
                    Some(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())),
                ),
            }
        }
        Err(err) => (None, Some(err)),
    };
    let at = clock.now();
    let attempts = delivery.attempts + 1;
    let outcome = match &error {
        None => AttemptOutcome::Delivered,
        Some(_) => retry_at(delivery.created_at, at, attempts)
            .map_or(AttemptOutcome::GiveUp, AttemptOutcome::RetryAt),
    };
    tracing::info!(
        delivery = delivery.id,
        event = %delivery.event,
        attempts,
        status,
        error = error.as_deref(),
        "webhook delivery attempted"
    );
    let id = delivery.id;
    let record = Attempt {
        at,
        status,
        error,
        outcome,
    };
    match tokio::task::spawn_blocking(move || store.record_attempt(id, &record)).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracing::error!(error = %err, delivery = id, "cannot record a webhook attempt")
        }
        Err(err) => {
            tracing::error!(error = %err, delivery = id, "recording a webhook attempt failed")
        }
    }
    id
}

/// The webhook's secret as `saksi webhook add` printed it, opened from
/// its sealed form (hex) with the data directory's key.
fn unseal(key: Option<&TotpKey>, delivery: &DueDelivery) -> Result<String, String> {
    let refused = || {
        "the webhook's secret does not open with this data directory's key (totp.key)".to_owned()
    };
    let key = key.ok_or_else(|| "no key to open the webhook's secret (totp.key)".to_owned())?;
    let sealed = hex::decode(&delivery.secret).map_err(|_| refused())?;
    let secret = key
        .open_webhook(&delivery.url, &sealed)
        .map_err(|_| refused())?;
    String::from_utf8(secret).map_err(|_| refused())
}

/// The body POSTed: `{"event", "incident", "sent_at"}`.
fn payload(delivery: &DueDelivery, sent_at: saksi_core::time::UnixTime) -> Result<Vec<u8>, String> {
    let incident: serde_json::Value = serde_json::from_str(&delivery.body)
        .map_err(|_| "the stored payload is not JSON".to_owned())?;
    let body = serde_json::json!({
        "event": delivery.event,
        "incident": incident,
        "sent_at": sent_at.to_string(),
    });
    serde_json::to_vec(&body).map_err(|_| "the payload cannot be written".to_owned())
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, the secret as the text
/// `saksi webhook add` printed.
fn signature(secret: &str, body: &[u8]) -> Result<String, String> {
    use hmac::{Hmac, KeyInit, Mac};
    // HMAC takes a key of any length; the error cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Err("cannot sign with the webhook's secret".to_owned());
    };
    mac.update(body);
    Ok(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// POSTs the signed body; the endpoint's status, or why there is none.
async fn post(
    client: &Client,
    delivery: &DueDelivery,
    secret: &str,
    body: Vec<u8>,
) -> Result<u16, String> {
    let signature = signature(secret, &body)?;
    let request = Request::builder()
        .method(Method::POST)
        .uri(&delivery.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "saksi-webhook")
        .header("X-Saksi-Signature", signature)
        .header("X-Saksi-Delivery", delivery.id)
        .body(Full::new(Bytes::from(body)))
        .map_err(|_| "the webhook's URL is not usable".to_owned())?;
    let response = client.request(request).await.map_err(|err| {
        let mut reason = format!("cannot send: {err}");
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            reason.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        reason
    })?;
    let status = response.status().as_u16();
    // Read (and drop) the answer so the connection can be reused.
    let _ = response.into_body().collect().await;
    Ok(status)
}
