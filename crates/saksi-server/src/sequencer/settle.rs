//! Settling a batch whose commit outcome is unknown, and probing a
//! database that went away until it takes writes again.

use saksi_core::time::UnixTime;

use super::Sequencer;
use super::decision::Refused;
use super::logistics::logistics_from_store;
use super::reload::ReloadError;
use super::review::review_from_store;
use super::run::Pending;
use crate::keys::{KeyLoadError, registry_from_store};

/// A batch whose commit failed, kept until the store says whether it was
/// written.
pub(crate) struct Uncertain {
    pub(super) pending: Pending,
    pub(super) now: UnixTime,
}

/// The metadata key a degraded sequencer writes to see whether the
/// database takes writes again.
const PROBE_KEY: &str = "write_probe";

/// How often a degraded sequencer asks the store whether it is back.
pub(super) const SETTLE_POLL: std::time::Duration = std::time::Duration::from_millis(500);

impl Sequencer {
    /// Before deciding anything after a failed write: settles the batch
    /// whose commit failed ([`Sequencer::resolve`]), then, while degraded,
    /// probes with a small write (a full disk still answers reads) and
    /// clears the degraded state once it succeeds. Any failure refuses the
    /// batch at hand.
    pub(super) fn settle(&mut self) -> Result<(), Refused> {
        if let Some(uncertain) = self.uncertain.take() {
            self.resolve(uncertain)?;
        }
        if self.metrics.store_degraded() {
            self.store
                .set_meta(PROBE_KEY, &self.clock.now().to_string())?;
            self.metrics.set_store_degraded(false);
            tracing::info!("the database takes writes again");
        }
        Ok(())
    }

    /// Settles a batch whose commit failed, from the store's log size: not
    /// written (the batch's key changes, applied to the registry as they
    /// were decided, are read back from the store), or written (integrated
    /// as if the commit had answered). While the store cannot say, it stays
    /// uncertain; a size that is neither is a store changed behind the
    /// server's back, refused until a restart.
    fn resolve(&mut self, uncertain: Uncertain) -> Result<(), Refused> {
        let Uncertain { pending, now } = uncertain;
        let written = self.next_index + pending.batch.entries.len() as u64;
        let size = match self.store.log_size() {
            Ok(size) => size,
            Err(err) => {
                self.uncertain = Some(Uncertain { pending, now });
                return Err(err.into());
            }
        };
        if size == written && written > self.next_index {
            tracing::warn!(size, "the failed commit was written after all; integrated");
            self.integrate(&pending, now);
        } else if size == self.next_index {
            if !pending.review.is_empty() {
                let read =
                    review_from_store(self.store.as_ref(), &self.election, self.signoffs.quorum());
                match read {
                    Ok((review, signoffs)) => {
                        self.review = review;
                        self.signoffs = signoffs;
                    }
                    Err(err) => return Err(self.still_uncertain(pending, now, err)),
                }
            }
            if !pending.logistics.is_empty() {
                match logistics_from_store(self.store.as_ref()) {
                    Ok(logistics) => self.logistics = logistics,
                    Err(err) => return Err(self.still_uncertain(pending, now, err)),
                }
            }
            if !pending.batch.keys.is_empty() || !pending.batch.revocations.is_empty() {
                match registry_from_store(&self.roots, self.store.as_ref()) {
                    Ok(registry) => self.registry = registry,
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot read the keys back yet");
                        self.uncertain = Some(Uncertain { pending, now });
                        return Err(match err {
                            KeyLoadError::Store(e) => e.into(),
                            corrupt => Refused::internal(corrupt),
                        });
                    }
                }
            }
        } else {
            tracing::error!(
                size,
                expected = self.next_index,
                "the store's log size changed behind the server; restart it"
            );
            self.uncertain = Some(Uncertain { pending, now });
            return Err(Refused::internal(format!(
                "the store holds {size} log entries, expected {} or {written}",
                self.next_index
            )));
        }
        Ok(())
    }

    /// Keeps a batch uncertain while what it changed cannot be read back
    /// yet; the refusal of the batch at hand.
    fn still_uncertain(&mut self, pending: Pending, now: UnixTime, err: ReloadError) -> Refused {
        tracing::warn!(error = %err, "cannot read the recap or the logistics back yet");
        self.uncertain = Some(Uncertain { pending, now });
        match err {
            ReloadError::Store(e) => e.into(),
            corrupt => Refused::internal(corrupt),
        }
    }
}
