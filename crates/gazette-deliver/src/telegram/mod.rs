//! Telegram: the Bot API client, the flood limits, editions for subscribers,
//! and the subscriber bot.
//!
//! - [`api`]: a small Bot API client ([`BotApi`]); the token never appears in
//!   an error or a log line.
//! - [`limiter`]: Telegram's limits kept by the sender ([`Limiter`]), shared by
//!   everything that sends as the bot (the sink and the bot's replies).
//! - [`filter`] and [`fanout`]: the edition each subscriber gets (topics,
//!   mutes, language) and when ([`queue_subscribers`]).
//! - [`bot`]: the subscriber bot (`/start`, `/stop`, settings, `/now`), by long
//!   polling with a stored offset or by webhook with the secret token checked.
//!
//! Editions are sent by the `telegram` sink (`sinks::telegram`) through the
//! outbox, like every sink. [`Telegram`] is what they share: one client and
//! one limiter per bot.
//!
//! ```no_run
//! # async fn example(config: &gazette_core::config::Config) -> Result<(), Box<dyn std::error::Error>> {
//! use gazette_core::config::ChatTarget;
//! use gazette_deliver::telegram::Telegram;
//! let telegram = Telegram::new(&config.telegram)?;
//! let me = telegram.api.get_me().await?;
//! telegram.send_html(&ChatTarget::Id(42), "<b>Hello</b> from gazette", None).await?;
//! # Ok(()) }
//! ```

pub mod api;
pub mod bot;
pub mod fanout;
pub mod filter;
pub mod limiter;

use gazette_core::config::{ChatTarget, TelegramConfig};

pub use api::{ApiError, BotApi};
pub use bot::Bot;
pub use fanout::{FanoutReport, queue_subscribers};
pub use limiter::Limiter;

use api::{LinkPreviewOptions, Message, ReplyMarkup, SendMessage};

/// What everything sending as one bot shares: the client and the limits.
#[derive(Debug)]
pub struct Telegram {
    pub api: BotApi,
    pub limiter: Limiter,
    /// Show link previews under edition messages.
    pub link_previews: bool,
}

impl Telegram {
    /// The client and limiter of the configured bot; fails without a token.
    pub fn new(config: &TelegramConfig) -> Result<Telegram, ApiError> {
        Ok(Telegram {
            api: BotApi::new(config)?,
            limiter: Limiter::new(config.limits),
            link_previews: config.link_previews,
        })
    }

    /// Sends `text` to `chat` when the limits allow: HTML parse mode unless
    /// `plain`, link previews as configured. A 429 pauses the chat (or every
    /// chat) in the limiter before the error is returned.
    pub async fn send(
        &self,
        chat: &ChatTarget,
        text: &str,
        plain: bool,
        reply_markup: Option<ReplyMarkup>,
    ) -> Result<Message, ApiError> {
        let mut params = if plain {
            SendMessage::plain(chat, text)
        } else {
            SendMessage::html(chat, text)
        };
        params.link_preview_options = Some(LinkPreviewOptions {
            is_disabled: !self.link_previews,
        });
        params.reply_markup = reply_markup;
        self.limiter.acquire(chat).await;
        let sent = self.api.send_message(&params).await;
        if let Err(e) = &sent
            && let Some(wait) = e.retry_after()
        {
            self.limiter.throttled(chat, wait.unsigned_abs());
        }
        sent
    }

    /// [`Telegram::send`] in HTML parse mode.
    pub async fn send_html(
        &self,
        chat: &ChatTarget,
        html: &str,
        reply_markup: Option<ReplyMarkup>,
    ) -> Result<Message, ApiError> {
        self.send(chat, html, false, reply_markup).await
    }
}

/// The text of Telegram HTML without its markup: tags dropped, a link's
/// target written after its text, entities decoded. What a part becomes when
/// Telegram refuses its HTML.
///
/// ```
/// use gazette_deliver::telegram::plain_text;
/// let html = "<b>Storm</b> &amp; rain: <a href=\"https://x.example/a?b=1&amp;c=2\">x.example</a>";
/// assert_eq!(plain_text(html), "Storm & rain: x.example (https://x.example/a?b=1&c=2)");
/// ```
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut link: Option<String> = None;
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push_str(rest);
                return out;
            };
            let tag = &rest[1..end];
            if let Some(href) = tag
                .strip_prefix("a ")
                .and_then(|a| a.split_once("href=\""))
                .and_then(|(_, v)| v.split_once('"'))
                .map(|(v, _)| decode(v))
            {
                link = Some(href);
            } else if tag.trim() == "/a"
                && let Some(href) = link.take()
            {
                out.push_str(&format!(" ({href})"));
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest.find(';').filter(|e| *e <= 10).map_or(1, |e| e + 1);
            let decoded = decode(&rest[..end]);
            out.push_str(&decoded);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the entities Telegram's HTML mode knows; leaves anything else as is.
fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
