//! The `telegram` sink: sends each part as a message through the bot, to the
//! configured chats and (queued by [`queue_subscribers`](crate::telegram::queue_subscribers))
//! to the bot's subscribers.
//!
//! The recipient of a row is the chat as [`ChatTarget`] writes it (`42`,
//! `-1001234567890`, `@name`), and the remote id Telegram's `message_id`.
//! Every send waits for the bot's [`Limiter`](crate::telegram::Limiter), so the
//! limits hold across a whole outbox pass however many rows are in flight.
//! Telegram's answers map to the outbox's retries:
//!
//! | answer | outcome |
//! |---|---|
//! | message sent | row sent with the `message_id` |
//! | 429 `retry_after` | retried after that delay; the chat (or every chat) pauses too |
//! | 5xx, timeout, broken connection | retried with the outbox's backoff |
//! | 403 blocked, kicked, deactivated | failed for good; the subscriber is deactivated |
//! | 400 "can't parse entities" | retried once at once as plain text ([`plain_text`]); the error stays on the row |
//! | other 400 (chat not found, too long) | failed for good |
//!
//! A timeout leaves the outcome unknown: Telegram may have sent the message.
//! Retrying may then deliver it twice; not retrying may lose it. gazette
//! retries (at least once).
//!
//! ```no_run
//! # fn example(telegram: std::sync::Arc<gazette_deliver::telegram::Telegram>,
//! #     store: std::sync::Arc<dyn gazette_core::Store>) {
//! use gazette_deliver::sinks::telegram::TelegramSink;
//! let sink = TelegramSink::new(telegram, Some(store));
//! # }
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use gazette_core::config::ChatTarget;
use gazette_core::{Delivery, Store};

use crate::telegram::{Telegram, plain_text};
use crate::{Receipt, Retry, SendError, Sink};

/// The beginning of the error recorded when Telegram refused a part's HTML;
/// the next attempt of a row whose last error begins so is sent as plain text.
pub const HTML_REFUSED: &str = "Telegram refused the HTML";

/// Sends parts as Telegram messages.
pub struct TelegramSink {
    telegram: Arc<Telegram>,
    store: Option<Arc<dyn Store>>,
}

impl TelegramSink {
    /// A sink sending through `telegram`; with a store, a chat that blocked
    /// the bot is deactivated as a subscriber.
    pub fn new(telegram: Arc<Telegram>, store: Option<Arc<dyn Store>>) -> TelegramSink {
        TelegramSink { telegram, store }
    }
}

#[async_trait]
impl Sink for TelegramSink {
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError> {
        let row = &delivery.delivery;
        let chat: ChatTarget = row.recipient.parse().map_err(|e| {
            SendError::never(format!("recipient {:?} is not a chat: {e}", row.recipient))
        })?;
        let plain = delivery
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with(HTML_REFUSED));
        let text = if plain {
            plain_text(&row.body)
        } else {
            row.body.clone()
        };
        let error = match self.telegram.send(&chat, &text, plain, None).await {
            Ok(message) => {
                return Ok(Receipt {
                    remote_id: Some(message.message_id.to_string()),
                });
            }
            Err(error) => error,
        };
        if let Some(wait) = error.retry_after() {
            return Err(SendError {
                retry: Retry::After(wait),
                message: error.to_string(),
            });
        }
        if error.is_forbidden() {
            if let (Some(store), ChatTarget::Id(id)) = (&self.store, &chat) {
                // The store's clock is the wall clock here: this is the edge
                // where Telegram's answer arrives.
                let now = jiff::Timestamp::now();
                match store
                    .deactivate_subscriber(*id, &error.description(), now)
                    .await
                {
                    Ok(true) => {
                        tracing::info!(chat = id, reason = %error.description(), "subscriber deactivated")
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::error!(chat = id, error = %e, "cannot deactivate the subscriber")
                    }
                }
            }
            return Err(SendError::never(error.to_string()));
        }
        if error.is_parse_error() && !plain {
            return Err(SendError {
                retry: Retry::After(jiff::SignedDuration::ZERO),
                message: format!("{HTML_REFUSED} ({error}); the part goes out as plain text"),
            });
        }
        if error.is_transient() {
            return Err(SendError::backoff(error.to_string()));
        }
        Err(SendError::never(error.to_string()))
    }
}

#[cfg(test)]
mod tests;
