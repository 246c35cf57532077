//! The contract between the outbox and a destination.

use async_trait::async_trait;
use gazette_core::Delivery;
use jiff::SignedDuration;

/// A destination of edition parts: a terminal, a directory, a chat, a mailbox.
///
/// The outbox calls [`Sink::send`] for each claimed row whose key names this
/// sink, one part at a time, parts of an edition in order (a part is only
/// claimed once the previous one is sent).
#[async_trait]
pub trait Sink: Send + Sync {
    /// Delivers one part: `delivery.delivery.body` to `delivery.delivery.recipient`.
    ///
    /// Returns `Ok` only once the receiver has the part; the row is then marked
    /// sent with [`Receipt::remote_id`] and never sent again. Returns `Err` when
    /// the attempt failed; [`SendError::retry`] tells the outbox whether and
    /// when to try again (it also gives up after its maximum attempts).
    ///
    /// A part may be sent again after it was delivered, when the worker stopped
    /// before recording it; sinks make such repeats harmless where the receiver
    /// allows (the file sink rewrites the same file).
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError>;
}

/// Proof of delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    /// The receiver's identifier for what was delivered (a message id, a file path).
    pub remote_id: Option<String>,
}

/// A failed delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub retry: Retry,
    /// What went wrong, recorded on the row.
    pub message: String,
}

/// Whether a failed attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again after this delay, as the receiver asked (e.g. Telegram's `retry_after`).
    After(SignedDuration),
    /// Try again after the outbox's exponential backoff.
    Backoff,
    /// Do not try again: the part can never be delivered as it is.
    Never,
}

impl SendError {
    /// A failure worth retrying with backoff.
    pub fn backoff(message: impl Into<String>) -> SendError {
        SendError {
            retry: Retry::Backoff,
            message: message.into(),
        }
    }

    /// A failure not worth retrying.
    pub fn never(message: impl Into<String>) -> SendError {
        SendError {
            retry: Retry::Never,
            message: message.into(),
        }
    }
}
