//! `GET /api/v1/incidents/stream`: incident notices as server-sent events,
//! live, for the officers whose jurisdiction they lie in (README:
//! Incidents, live notifications).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use saksi_core::incident::notice::reaches;
use saksi_core::permission::Principal;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

use crate::auth::{Authenticated, session_by_hash};
use crate::notify::Notice;
use crate::state::AppState;

/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Each notice in the session's jurisdiction as `event: <id>` and
/// `data: {"event", "incident", "at"}`, from the moment of the request
/// (nothing is replayed: the incident list gives what came before). A
/// subscriber too slow to keep up skips what it missed rather than hold
/// the server's memory. The stream ends when the server stops, and when
/// its session ends (logged out, revoked, its account disabled, expired):
/// the session is looked up again every [`RECHECK`].
pub async fn stream(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let listener = Listener {
        notices: state.notifier.subscribe(),
        closing: state.notifier.closing(),
        who: auth.principal,
        token_hash: auth.token_hash,
        recheck: tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK),
        state,
    };
    let events = futures_util::stream::unfold(listener, |mut listener| async move {
        let notice = listener.next().await?;
        let event = Event::default()
            .event(notice.event.id())
            .data(notice.to_json().to_string());
        Some((Ok(event), listener))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// How often an open stream's session is looked up again.
const RECHECK: Duration = Duration::from_secs(15);

/// One open stream: what it listens to, and for whom.
struct Listener {
    notices: broadcast::Receiver<Arc<Notice>>,
    closing: watch::Receiver<bool>,
    who: Principal,
    token_hash: [u8; 32],
    /// Kept across notices, so a busy stream is checked as often as a
    /// quiet one.
    recheck: tokio::time::Interval,
    state: AppState,
}

impl Listener {
    /// The next notice its session may hear of, or `None` once the
    /// server stops or the session ends.
    async fn next(&mut self) -> Option<Arc<Notice>> {
        loop {
            let recheck_now = tokio::select! {
                received = self.notices.recv() => match received {
                    Ok(n) if reaches(&self.who, n.owner, n.region, n.critical) => return Some(n),
                    Ok(_) | Err(RecvError::Lagged(_)) => false,
                    Err(RecvError::Closed) => return None,
                },
                _ = self.closing.wait_for(|closing| *closing) => return None,
                _ = self.recheck.tick() => true,
            };
            if recheck_now && session_by_hash(&self.state, self.token_hash).await.is_err() {
                return None;
            }
        }
    }
}
