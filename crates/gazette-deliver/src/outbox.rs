//! The outbox worker: claims due rows, sends them through their sinks and
//! records the outcome.

use std::collections::HashMap;
use std::num::{NonZeroU32, NonZeroUsize};

use gazette_core::config::ChannelConfig;
use gazette_core::{Delivery, Store};
use jiff::{SignedDuration, Timestamp};

use crate::{DeliverError, Retry, SendError, Sink, sink_key, sinks};

/// How the outbox claims and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxConfig {
    /// How long a claimed row is reserved for this worker. Longer than the
    /// slowest send: a row whose lease expires may be claimed by another worker.
    pub lease: SignedDuration,
    /// Rows claimed at once.
    pub batch: NonZeroUsize,
    /// Attempts after which a retryable failure is final.
    pub max_attempts: NonZeroU32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub backoff_base: SignedDuration,
    /// Longest backoff wait. A receiver's own delay ([`Retry::After`]) is obeyed as is.
    pub backoff_cap: SignedDuration,
}

impl Default for OutboxConfig {
    /// 5-minute leases, batches of 32, 8 attempts, backoff from 30 s up to 1 h.
    fn default() -> Self {
        OutboxConfig {
            lease: SignedDuration::from_mins(5),
            batch: NonZeroUsize::new(32).expect("32 > 0"),
            max_attempts: NonZeroU32::new(8).expect("8 > 0"),
            backoff_base: SignedDuration::from_secs(30),
            backoff_cap: SignedDuration::from_hours(1),
        }
    }
}

/// The shortest wait before a retry, so that a retried row is never due again
/// within the same run.
const MIN_RETRY_WAIT: SignedDuration = SignedDuration::from_secs(1);

impl OutboxConfig {
    /// When a row that failed on its `attempts`-th attempt is tried again, or
    /// `None` when it has failed for good.
    fn retry_at(&self, retry: Retry, attempts: u32, now: Timestamp) -> Option<Timestamp> {
        if attempts >= self.max_attempts.get() {
            return None;
        }
        let wait = match retry {
            Retry::Never => return None,
            Retry::After(wait) => wait,
            Retry::Backoff => self.backoff(attempts),
        };
        Some(now + wait.max(MIN_RETRY_WAIT))
    }

    /// `backoff_base × 2^(attempts − 1)`, at most `backoff_cap`.
    fn backoff(&self, attempts: u32) -> SignedDuration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.backoff_base
            .checked_mul(1 << doublings)
            .map_or(self.backoff_cap, |wait| wait.min(self.backoff_cap))
    }
}

/// What one [`Outbox::run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxReport {
    /// Rows claimed (each is then sent, retrying or failed).
    pub claimed: usize,
    pub sent: usize,
    /// Failed attempts that will be retried.
    pub retrying: usize,
    /// Rows given up for good.
    pub failed: usize,
}

/// The sinks of all channels by key, and the worker that feeds them.
pub struct Outbox {
    sinks: HashMap<String, Box<dyn Sink>>,
    config: OutboxConfig,
}

impl Outbox {
    /// An outbox with the sinks the channels configure, keyed
    /// `"<channel>/<sink name>"`, and the default [`OutboxConfig`].
    pub fn from_channels(channels: &[ChannelConfig]) -> Result<Outbox, DeliverError> {
        let mut sinks = HashMap::new();
        for channel in channels {
            for config in &channel.sinks {
                let key = sink_key(&channel.name, config.name());
                if sinks.contains_key(&key) {
                    return Err(DeliverError::DuplicateSink { key });
                }
                sinks.insert(key, sinks::build(config));
            }
        }
        Ok(Outbox {
            sinks,
            config: OutboxConfig::default(),
        })
    }

    /// The same outbox with another configuration.
    pub fn with_config(self, config: OutboxConfig) -> Outbox {
        Outbox { config, ..self }
    }

    /// The same outbox with `sink` under `key` (see [`sink_key`]), replacing
    /// the configured one if any: to capture output, or to add a sink built
    /// elsewhere.
    pub fn with_sink(mut self, key: String, sink: Box<dyn Sink>) -> Outbox {
        self.sinks.insert(key, sink);
        self
    }

    /// Delivers everything due at `now`: claims due rows (in batches, with a
    /// lease), sends each through its sink and marks it sent or failed, and
    /// claims again, so that the later parts of an edition (claimable once
    /// the earlier ones are sent) go out in the same run. Returns when nothing
    /// more is due.
    ///
    /// A row whose sink is not configured here is retried with backoff like a
    /// failed send: another worker, or this one after a configuration reload,
    /// may know it.
    pub async fn run_once(
        &self,
        store: &dyn Store,
        now: Timestamp,
    ) -> Result<OutboxReport, DeliverError> {
        let mut report = OutboxReport::default();
        loop {
            let claimed = store
                .claim_deliveries(now, self.config.lease, self.config.batch.get())
                .await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            report.claimed += claimed.len();
            for delivery in &claimed {
                self.deliver(store, delivery, now, &mut report).await?;
            }
        }
    }

    /// Sends one claimed row and records the outcome.
    async fn deliver(
        &self,
        store: &dyn Store,
        delivery: &Delivery,
        now: Timestamp,
        report: &mut OutboxReport,
    ) -> Result<(), DeliverError> {
        let row = &delivery.delivery;
        let sent = match self.sinks.get(&row.sink) {
            Some(sink) => sink.send(delivery).await,
            None => Err(SendError::backoff(format!(
                "no sink {:?} is configured",
                row.sink
            ))),
        };
        match sent {
            Ok(receipt) => {
                store
                    .mark_delivery_sent(delivery.id, receipt.remote_id.as_deref(), now)
                    .await?;
                report.sent += 1;
                tracing::info!(
                    delivery = %delivery.id,
                    edition = %row.edition_id,
                    sink = %row.sink,
                    part = row.part,
                    remote_id = receipt.remote_id.as_deref(),
                    "delivered"
                );
            }
            Err(error) => {
                let retry_at = self.config.retry_at(error.retry, delivery.attempts, now);
                store
                    .mark_delivery_failed(delivery.id, &error.message, retry_at)
                    .await?;
                if retry_at.is_some() {
                    report.retrying += 1;
                } else {
                    report.failed += 1;
                }
                tracing::warn!(
                    delivery = %delivery.id,
                    edition = %row.edition_id,
                    sink = %row.sink,
                    part = row.part,
                    attempts = delivery.attempts,
                    retry_at = retry_at.map(tracing::field::display),
                    error = %error,
                    "delivery failed"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OutboxConfig {
        OutboxConfig {
            max_attempts: NonZeroU32::new(5).unwrap(),
            backoff_base: SignedDuration::from_secs(10),
            backoff_cap: SignedDuration::from_secs(60),
            ..OutboxConfig::default()
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = config();
        let waits: Vec<i64> = (1..=5).map(|n| c.backoff(n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 60, 60]);
        assert_eq!(
            c.backoff(u32::MAX),
            SignedDuration::from_secs(60),
            "no overflow"
        );
    }

    #[test]
    fn retry_at_follows_the_sink_and_gives_up_after_max_attempts() {
        let c = config();
        let now = ts("2026-01-15T06:30:00Z");
        assert_eq!(
            c.retry_at(Retry::Backoff, 2, now),
            Some(ts("2026-01-15T06:30:20Z"))
        );
        let asked = Retry::After(SignedDuration::from_mins(10));
        assert_eq!(
            c.retry_at(asked, 1, now),
            Some(ts("2026-01-15T06:40:00Z")),
            "beyond the cap"
        );
        assert_eq!(c.retry_at(Retry::Never, 1, now), None);
        assert_eq!(c.retry_at(Retry::Backoff, 5, now), None);
        assert_eq!(c.retry_at(asked, 5, now), None);
    }

    #[test]
    fn retry_is_never_due_in_the_same_run() {
        let now = ts("2026-01-15T06:30:00Z");
        let retry_at = config().retry_at(Retry::After(SignedDuration::ZERO), 1, now);
        assert_eq!(retry_at, Some(ts("2026-01-15T06:30:01Z")));
    }
}
