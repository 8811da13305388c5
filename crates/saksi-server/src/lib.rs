//! The HTTP API of Saksi, its sequencer and its live tallies.
//!
//! Layout after crates.io: every URL in [`router`], handlers in
//! `controllers/<resource>/<action>.rs`, one error type ([`ApiError`])
//! mapped to responses in one place, stable error codes in [`codes`].
//! The CLI calls [`App::load`] then [`serve`].

pub mod app;
pub mod auth;
pub mod clock;
pub mod codes;
pub mod config;
pub mod controllers;
pub mod credentials;
pub mod d_hasil;
pub mod error;
pub mod extract;
pub mod hygiene;
pub mod keys;
pub mod lease;
pub mod live;
pub mod log;
pub mod metrics;
pub mod notify;
pub mod readiness;
pub mod router;
pub mod sequencer;
pub mod simulation;
pub mod state;
pub mod workspace;

pub use app::{App, ConnectionLimits, LoadError, serve, serve_router, serve_with_metrics};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, MetricsAccess};
pub use error::ApiError;
