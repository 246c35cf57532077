//! The outbox worker: claims due rows, sends them through their sinks and
//! records the outcome.
//!
//! A pass keeps up to [`OutboxConfig::concurrency`] rows in flight, claiming
//! more (in batches) as sends complete, so that sinks that pace themselves
//! (Telegram's limits) wait per recipient without holding up the others. A
//! row is at most one part of its (edition, sink, recipient): later parts are
//! claimable only once the earlier ones are sent, so parts stay in order.
//!
//! Each send must finish within its row's lease: one still running when the
//! lease is about to expire is abandoned (nothing recorded) and the row is
//! sent again after the lease, since another worker may then own it.

use std::collections::HashMap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use gazette_core::config::{ChannelConfig, DeliverConfig};
use gazette_core::{Delivery, Store};
use jiff::{SignedDuration, Timestamp};

use crate::telegram::Telegram;
use crate::{DeliverError, Retry, SendError, Sink, sink_key, sinks};

/// How long before its lease expires a send still running is abandoned.
const LEASE_GUARD: SignedDuration = SignedDuration::from_secs(1);

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
    /// Rows in flight at once.
    pub concurrency: NonZeroUsize,
}

impl Default for OutboxConfig {
    /// 5-minute leases, batches of 32, 64 rows in flight, 8 attempts,
    /// backoff from 30 s up to 1 h.
    fn default() -> Self {
        OutboxConfig {
            lease: SignedDuration::from_mins(5),
            batch: NonZeroUsize::new(32).expect("32 > 0"),
            max_attempts: NonZeroU32::new(8).expect("8 > 0"),
            backoff_base: SignedDuration::from_secs(30),
            backoff_cap: SignedDuration::from_hours(1),
            concurrency: NonZeroUsize::new(64).expect("64 > 0"),
        }
    }
}

impl From<&DeliverConfig> for OutboxConfig {
    /// The defaults with the configured lease and concurrency (`[deliver]`).
    fn from(config: &DeliverConfig) -> Self {
        OutboxConfig {
            lease: config.lease,
            concurrency: NonZeroUsize::new(config.concurrency).unwrap_or(NonZeroUsize::MIN),
            ..OutboxConfig::default()
        }
    }
}

/// What sinks may need besides their configuration.
#[derive(Default, Clone)]
pub struct SinkContext {
    /// The bot that `telegram` sinks send as (required by them).
    pub telegram: Option<Arc<Telegram>>,
    /// The store, for sinks that update it (a `telegram` sink deactivates
    /// subscribers who blocked the bot).
    pub store: Option<Arc<dyn Store>>,
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
    /// Sends abandoned when their lease was about to expire (sent again later).
    pub abandoned: usize,
}

/// What became of one claimed row.
enum Outcome {
    Sent,
    Retrying,
    Failed,
    Abandoned,
}

/// The sinks of all channels by key, and the worker that feeds them.
pub struct Outbox {
    sinks: HashMap<String, Box<dyn Sink>>,
    config: OutboxConfig,
}

impl Outbox {
    /// An outbox with the sinks the channels configure, keyed
    /// `"<channel>/<sink name>"`, and the default [`OutboxConfig`]. Channels
    /// with `telegram` sinks need [`Outbox::build`].
    pub fn from_channels(channels: &[ChannelConfig]) -> Result<Outbox, DeliverError> {
        Outbox::build(channels, &SinkContext::default())
    }

    /// An outbox with the sinks the channels configure, built with `context`,
    /// and the default [`OutboxConfig`]. Fails with `NoTelegram` when a
    /// channel has a `telegram` sink and the context no bot.
    pub fn build(
        channels: &[ChannelConfig],
        context: &SinkContext,
    ) -> Result<Outbox, DeliverError> {
        let mut sinks = HashMap::new();
        for channel in channels {
            for config in &channel.sinks {
                let key = sink_key(&channel.name, config.name());
                if sinks.contains_key(&key) {
                    return Err(DeliverError::DuplicateSink { key });
                }
                let sink = sinks::build(&channel.name, config, context)
                    .ok_or_else(|| DeliverError::NoTelegram { key: key.clone() })?;
                sinks.insert(key, sink);
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

    /// Delivers everything due at `now`, with every claim and record made
    /// at `now` (see [`Outbox::run`]).
    pub async fn run_once(
        &self,
        store: &dyn Store,
        now: Timestamp,
    ) -> Result<OutboxReport, DeliverError> {
        self.run(store, &move || now).await
    }

    /// Delivers everything due: claims due rows (in batches, with a lease,
    /// up to `concurrency` in flight), sends each through its sink and marks
    /// it sent or failed, and claims again as sends complete, so that the
    /// later parts of an edition (claimable once the earlier ones are sent)
    /// go out in the same pass. Returns when nothing more is due and nothing
    /// is in flight. `clock` gives the time of each claim and record: the
    /// wall clock for a long pass, a fixed instant in tests.
    ///
    /// A row whose sink is not configured here is retried with backoff like a
    /// failed send: another worker, or this one after a configuration reload,
    /// may know it.
    pub async fn run(
        &self,
        store: &dyn Store,
        clock: &(dyn Fn() -> Timestamp + Sync),
    ) -> Result<OutboxReport, DeliverError> {
        let mut report = OutboxReport::default();
        let limit = self.config.concurrency.get();
        let batch = self.config.batch.get().min(limit);
        let mut in_flight = FuturesUnordered::new();
        // The last claim found fewer rows than asked: nothing more is due
        // until a send completes (and perhaps makes a later part claimable).
        let mut drained = false;
        let count = |report: &mut OutboxReport, outcome: Outcome| match outcome {
            Outcome::Sent => report.sent += 1,
            Outcome::Retrying => report.retrying += 1,
            Outcome::Failed => report.failed += 1,
            Outcome::Abandoned => report.abandoned += 1,
        };
        loop {
            let free = limit - in_flight.len();
            if !drained && (free >= batch || in_flight.is_empty()) {
                let want = free.min(batch);
                // The sends in flight keep going while the claim waits: one
                // holding a pooled connection (recording its outcome) must
                // not wait for the claim, which may wait for that connection.
                let claim = store.claim_deliveries(clock(), self.config.lease, want);
                tokio::pin!(claim);
                let mut completed = false;
                let claimed = loop {
                    tokio::select! {
                        biased;
                        claimed = &mut claim => break claimed?,
                        Some(outcome) = in_flight.next(), if !in_flight.is_empty() => {
                            count(&mut report, outcome?);
                            completed = true;
                        }
                    }
                };
                // A send that completed meanwhile may have made a later part claimable.
                drained = claimed.len() < want && !completed;
                report.claimed += claimed.len();
                let deadline = tokio::time::Instant::now()
                    + (self.config.lease - LEASE_GUARD)
                        .max(SignedDuration::ZERO)
                        .unsigned_abs();
                for delivery in claimed {
                    in_flight.push(self.deliver(store, delivery, clock, deadline));
                }
                continue;
            }
            match in_flight.next().await {
                None => return Ok(report),
                Some(outcome) => {
                    count(&mut report, outcome?);
                    drained = false;
                }
            }
        }
    }

    /// Sends one claimed row (unless its lease runs out first) and records the outcome.
    async fn deliver(
        &self,
        store: &dyn Store,
        delivery: Delivery,
        clock: &(dyn Fn() -> Timestamp + Sync),
        deadline: tokio::time::Instant,
    ) -> Result<Outcome, DeliverError> {
        let row = &delivery.delivery;
        let send = async {
            match self.sinks.get(&row.sink) {
                Some(sink) => sink.send(&delivery).await,
                None => Err(SendError::backoff(format!(
                    "no sink {:?} is configured",
                    row.sink
                ))),
            }
        };
        let Ok(sent) = tokio::time::timeout_at(deadline, send).await else {
            tracing::warn!(
                delivery = %delivery.id,
                sink = %row.sink,
                "send abandoned: its lease was about to expire"
            );
            return Ok(Outcome::Abandoned);
        };
        match sent {
            Ok(receipt) => {
                store
                    .mark_delivery_sent(delivery.id, receipt.remote_id.as_deref(), clock())
                    .await?;
                tracing::info!(
                    delivery = %delivery.id,
                    edition = %row.edition_id,
                    sink = %row.sink,
                    part = row.part,
                    remote_id = receipt.remote_id.as_deref(),
                    "delivered"
                );
                Ok(Outcome::Sent)
            }
            Err(error) => {
                let retry_at = self
                    .config
                    .retry_at(error.retry, delivery.attempts, clock());
                store
                    .mark_delivery_failed(delivery.id, &error.message, retry_at)
                    .await?;
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
                Ok(if retry_at.is_some() {
                    Outcome::Retrying
                } else {
                    Outcome::Failed
                })
            }
        }
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
