//! The sink kinds, one folder each. The kinds are the variants of
//! [`SinkConfig`]; this module is the one place that maps each variant to its
//! implementation and to what queueing needs (format and recipients).
//!
//! | kind | recipient | remote id |
//! |---|---|---|
//! | [`stdout`] | `stdout` | none |
//! | [`file`](mod@file) | the file name stem `<channel>-<slot as YYYY-MM-DDTHHMM>` | the file's path |
//! | [`email`] | each configured address | the SMTP server's answer (`unsubscribed`: skipped) |
//! | [`webhook`] | the URL | the HTTP status |
//! | [`telegram`] | each configured chat (`42`, `-100…`, `@name`); subscribers are queued by [`queue_subscribers`](crate::telegram::queue_subscribers) | Telegram's `message_id` |

pub mod email;
pub mod file;
pub mod stdout;
pub mod telegram;
pub mod webhook;

use gazette_core::config::SinkConfig;
use gazette_core::{Format, NewEdition};

use crate::{Sink, SinkContext};

/// How queueing addresses a configured sink for one edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `Format::Email` means an [`email::body`] (subject, HTML and text).
    pub format: Format,
    /// The same for every part of the edition, so that parts are ordered.
    pub recipient: String,
}

/// The sink a configuration describes; `None` for a `telegram` sink when the
/// context has no bot.
pub(crate) fn build(
    channel: &str,
    config: &SinkConfig,
    context: &SinkContext,
) -> Option<Box<dyn Sink>> {
    Some(match config {
        SinkConfig::Email {
            from,
            smtp,
            unsubscribe,
            ..
        } => Box::new(email::EmailSink::new(
            channel,
            from,
            smtp.clone(),
            unsubscribe.clone(),
            context.store.clone(),
        )),
        SinkConfig::Webhook {
            url,
            secret,
            timeout,
            ..
        } => Box::new(webhook::WebhookSink::new(
            url.clone(),
            secret.clone(),
            *timeout,
        )),
        SinkConfig::Stdout { .. } => Box::new(stdout::StdoutSink::new()),
        SinkConfig::File { dir, format, .. } => Box::new(file::FileSink::new(dir.clone(), *format)),
        SinkConfig::Telegram { .. } => Box::new(telegram::TelegramSink::new(
            context.telegram.clone()?,
            context.store.clone(),
        )),
    })
}

/// Where and in which format a configured sink takes `edition` when the
/// channel queues it: one target per recipient.
pub(crate) fn targets(config: &SinkConfig, edition: &NewEdition) -> Vec<Target> {
    match config {
        SinkConfig::Stdout { format, .. } => vec![Target {
            format: *format,
            recipient: stdout::RECIPIENT.to_string(),
        }],
        SinkConfig::File { format, .. } => vec![Target {
            format: *format,
            recipient: file::recipient(edition),
        }],
        SinkConfig::Email { to, .. } => to
            .iter()
            .map(|address| Target {
                format: Format::Email,
                recipient: address.clone(),
            })
            .collect(),
        SinkConfig::Webhook { url, .. } => vec![Target {
            format: Format::Json,
            recipient: url.host_str().unwrap_or("webhook").to_string(),
        }],
        SinkConfig::Telegram { chats, .. } => chats
            .iter()
            .map(|chat| Target {
                format: Format::Telegram,
                recipient: chat.to_string(),
            })
            .collect(),
    }
}
