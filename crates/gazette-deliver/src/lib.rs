//! Delivery: the outbox of rendered editions and the sinks that carry them out.
//!
//! Delivery is two steps, so that no edition is lost and none is sent twice
//! (`DESIGN.md` §4):
//! 1. [`queue_edition`] renders a stored edition for every sink of its channel
//!    and stores one outbox row ([`gazette_core::Delivery`]) per part. It is
//!    idempotent: queueing an edition again adds nothing.
//! 2. [`Outbox::run_once`] claims due rows with a lease, hands each to its
//!    [`Sink`], and records the outcome: sent (with the receiver's id, never
//!    sent again), retried later (exponential backoff with a cap, or the
//!    receiver's own delay), or failed for good after [`OutboxConfig::max_attempts`].
//!    A worker that dies mid-way leaves leased rows that another run picks up
//!    once the lease expires.
//!
//! Sinks are keyed `"<channel>/<sink name>"` ([`sink_key`]). The kinds are the
//! variants of [`gazette_core::config::SinkConfig`]; each has its folder under
//! [`sinks`]. Telegram (the Bot API client, its limits, editions for the
//! bot's subscribers and the subscriber bot itself) is in [`telegram`].
//!
//! ```no_run
//! # async fn example(store: &dyn gazette_core::Store, config: &gazette_core::config::Config,
//! #     edition: &gazette_core::Edition) -> Result<(), Box<dyn std::error::Error>> {
//! use gazette_deliver::{Outbox, queue_edition};
//! use gazette_editions::Renderer;
//! let now = jiff::Timestamp::now();
//! let renderer = Renderer::new(None)?;
//! queue_edition(store, &renderer, &config.channels[0], edition, now).await?;
//! let report = Outbox::from_channels(&config.channels)?.run_once(store, now).await?;
//! println!("{} sent, {} to retry, {} failed", report.sent, report.retrying, report.failed);
//! # Ok(()) }
//! ```

mod outbox;
mod queue;
mod sink;
pub mod sinks;
pub mod telegram;

use gazette_core::{EditionId, StoreError};
use gazette_editions::RenderError;

pub use outbox::{Outbox, OutboxConfig, OutboxReport, SinkContext};
pub use queue::queue_edition;
pub use sink::{Receipt, Retry, SendError, Sink};

/// Why queueing or running the outbox failed. Failures of a single delivery
/// are not errors here: they are recorded on its row.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The edition could not be rendered for a sink.
    #[error("cannot render edition {edition} for sink {sink}")]
    Render {
        edition: EditionId,
        sink: String,
        #[source]
        source: RenderError,
    },
    /// The edition belongs to another channel than the one given.
    #[error("edition {edition} belongs to channel {edition_channel:?}, not {channel:?}")]
    WrongChannel {
        edition: EditionId,
        edition_channel: String,
        channel: String,
    },
    /// Two sinks have the same key (two channels with the same name).
    #[error("sink {key} is configured twice")]
    DuplicateSink { key: String },
    /// A `telegram` sink without a bot to send as.
    #[error(
        "sink {key} sends to Telegram, but no bot is set up: set telegram.token (GAZETTE_TELEGRAM__TOKEN)"
    )]
    NoTelegram { key: String },
}

/// The outbox key of a channel's sink: `"<channel>/<sink name>"`.
pub fn sink_key(channel: &str, sink: &str) -> String {
    format!("{channel}/{sink}")
}
