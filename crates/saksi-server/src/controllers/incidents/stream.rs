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

use crate::auth::Authenticated;
use crate::notify::Notice;
use crate::state::AppState;

/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Each notice in the session's jurisdiction as `event: <id>` and
/// `data: {"event", "incident", "at"}`, from the moment of the request
/// (nothing is replayed: the incident list gives what came before). A
/// subscriber too slow to keep up skips what it missed rather than hold
/// the server's memory. The stream ends when the server stops.
pub async fn stream(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let notices = state.notifier.subscribe();
    let closing = state.notifier.closing();
    let events = futures_util::stream::unfold(
        (notices, closing, auth.principal),
        |(mut notices, mut closing, who)| async move {
            let notice = next_for(&who, &mut notices, &mut closing).await?;
            let event = Event::default()
                .event(notice.event.id())
                .data(notice.to_json().to_string());
            Some((Ok(event), (notices, closing, who)))
        },
    );
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// The next notice `who` may hear of, or `None` once the server stops.
async fn next_for(
    who: &Principal,
    notices: &mut broadcast::Receiver<Arc<Notice>>,
    closing: &mut watch::Receiver<bool>,
) -> Option<Arc<Notice>> {
    loop {
        tokio::select! {
            received = notices.recv() => match received {
                Ok(n) if reaches(who, n.owner, n.region, n.critical) => return Some(n),
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            },
            _ = closing.wait_for(|closing| *closing) => return None,
        }
    }
}
