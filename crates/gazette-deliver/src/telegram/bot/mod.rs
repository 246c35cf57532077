//! The subscriber bot: `/start` (subscribe, then language and time zone),
//! `/stop`, `/editions morning|evening|both`, `/time HH:MM`, `/timezone
//! Area/City`, `/lang fr|en`, `/topics add|remove|list`, `/mute WORD`,
//! `/unmute WORD`, `/settings`, `/now` (the latest edition), `/help`; anything
//! else is answered with the help, in French or English.
//!
//! [`conversation`] decides (a pure function of the message and the stored
//! subscriber); [`Bot`] carries it out: stores the subscriber, answers through
//! the bot's [`Limiter`](crate::telegram::Limiter) (shared with the editions),
//! and for `/now` sends the channel's latest edition as this subscriber gets
//! it ([`filter::for_subscriber`]).
//!
//! Updates arrive by long polling ([`Bot::poll`]), the offset stored after
//! each update so that a restart neither loses nor repeats any (an update
//! being handled when the process dies is handled again: answers may repeat,
//! settings are the same), or by webhook ([`Bot::webhook_router`]): requests
//! without the secret token in `X-Telegram-Bot-Api-Secret-Token` are refused
//! with 401, and updates below the stored offset (Telegram re-posting) are
//! acknowledged without being handled again.
//!
//! Several nodes sharing a store may all run the bot: with
//! [`Bot::with_poll_lock`], only the node holding the store's
//! [`NodeLock::TelegramPolling`] calls `getUpdates` (Telegram answers a second
//! poller with 409 and both would handle the same updates); it renews the lock
//! before each call (long polls last at most a third of the lease) and while
//! handling a batch once a third of the lease has passed, stops handling when
//! the lock was lost, and another node takes over once the lock lapses.
//!
//! ```no_run
//! # async fn example(bot: gazette_deliver::telegram::Bot) -> Result<(), Box<dyn std::error::Error>> {
//! bot.start().await?; // getMe, setMyCommands
//! bot.poll(jiff::SignedDuration::from_secs(30), std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod conversation;
pub mod texts;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use gazette_core::config::{ChannelConfig, ChatTarget, Secret};
use gazette_core::{NodeLock, Store, StoreError, Subscriber};
use gazette_editions::{RenderError, Renderer};
use jiff::{SignedDuration, Timestamp};
use url::Url;

use self::conversation::{Context, Input, Outcome};
use self::texts::Lang;
use super::api::{ApiError, GetUpdates, SetWebhook, Update, User};
use super::{Telegram, filter};

/// The header Telegram sends the webhook secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Why the bot stopped or an update could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot render the latest edition for chat {chat}: {source}")]
    Render {
        chat: i64,
        #[source]
        source: RenderError,
    },
    /// The webhook's address could not be listened on.
    #[error("cannot listen for the webhook on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The subscriber bot of one channel.
pub struct Bot {
    telegram: Arc<Telegram>,
    store: Arc<dyn Store>,
    channel: ChannelConfig,
    renderer: Arc<Renderer>,
    /// The bot's username, from `getMe`, to recognise `/cmd@this_bot`.
    username: Mutex<Option<String>>,
    /// Poll only while holding the polling lock as this node, for this lease.
    poll_lock: Option<(String, SignedDuration)>,
}

impl Bot {
    /// The bot for `channel`'s subscribers.
    pub fn new(
        telegram: Arc<Telegram>,
        store: Arc<dyn Store>,
        channel: ChannelConfig,
        renderer: Arc<Renderer>,
    ) -> Bot {
        Bot {
            telegram,
            store,
            channel,
            renderer,
            username: Mutex::new(None),
            poll_lock: None,
        }
    }

    /// The same bot polling only while `node` holds the store's
    /// [`NodeLock::TelegramPolling`], taken and renewed for `lease` (see the
    /// [module docs](self)). Long polls are kept under a third of the lease.
    pub fn with_poll_lock(self, node: String, lease: SignedDuration) -> Bot {
        Bot {
            poll_lock: Some((node, lease)),
            ..self
        }
    }

    /// Takes or renews the polling lock (always true without one).
    async fn hold_poll_lock(&self, holding: &mut bool) -> Result<bool, BotError> {
        let Some((node, lease)) = &self.poll_lock else {
            return Ok(true);
        };
        let held = self
            .store
            .try_lock(NodeLock::TelegramPolling, node, Timestamp::now(), *lease)
            .await?;
        if held != *holding {
            if held {
                tracing::info!(%node, "this node polls the bot's updates (lock taken)");
            } else {
                tracing::warn!(%node, "another node polls the bot's updates now");
            }
            *holding = held;
        }
        Ok(held)
    }

    /// Checks the token (`getMe`) and sets the command menus (English by
    /// default, French for French-speaking users). Returns the bot's user.
    pub async fn start(&self) -> Result<User, BotError> {
        let me = self.telegram.api.get_me().await?;
        *self.username.lock().unwrap_or_else(PoisonError::into_inner) = me.username.clone();
        self.telegram
            .api
            .set_my_commands(&texts::commands(Lang::En), None)
            .await?;
        self.telegram
            .api
            .set_my_commands(&texts::commands(Lang::Fr), Some("fr"))
            .await?;
        tracing::info!(bot = me.username.as_deref().unwrap_or("?"), channel = %self.channel.name, "bot started");
        Ok(me)
    }

    /// Handles one update at `now`: runs the conversation, stores the
    /// subscriber, answers. A failed answer (the user blocked the bot
    /// meanwhile) is logged, not returned; store failures are.
    pub async fn handle(&self, update: &Update, now: Timestamp) -> Result<(), BotError> {
        let Some(message) = &update.message else {
            return Ok(());
        };
        let Some(text) = &message.text else {
            return Ok(());
        };
        let username = self
            .username
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Some(input) = conversation::parse(text, username.as_deref()) else {
            return Ok(());
        };
        let chat_id = message.chat.id;
        let stored = self.store.subscriber(chat_id).await?;
        let ctx = Context {
            channel: &self.channel,
            chat_id,
            private: message.chat.kind == "private",
            sender_lang: message
                .from
                .as_ref()
                .and_then(|f| f.language_code.as_deref()),
            now,
        };
        let command = match &input {
            Input::Command { name, .. } => name.clone(),
            Input::Text(_) => String::new(),
        };
        let outcome = conversation::respond(&ctx, stored.as_ref(), input);
        tracing::debug!(
            update = update.update_id,
            chat = chat_id,
            command,
            saves = outcome.save.is_some(),
            "bot update"
        );
        self.carry_out(chat_id, stored.as_ref(), outcome).await
    }

    async fn carry_out(
        &self,
        chat_id: i64,
        stored: Option<&Subscriber>,
        outcome: Outcome,
    ) -> Result<(), BotError> {
        if let Some(subscriber) = &outcome.save {
            self.store.save_subscriber(subscriber).await?;
        }
        let chat = ChatTarget::Id(chat_id);
        if let Some(reply) = &outcome.reply
            && let Err(e) = self
                .telegram
                .send_html(&chat, reply, outcome.keyboard.clone())
                .await
        {
            tracing::warn!(chat = chat_id, error = %e, "cannot answer");
        }
        if outcome.send_latest {
            let subscriber = outcome.save.as_ref().or(stored).filter(|s| s.active);
            self.send_latest(chat_id, subscriber).await?;
        }
        Ok(())
    }

    /// Sends `text`; a failure (the user blocked the bot meanwhile) is logged.
    async fn reply(&self, chat: &ChatTarget, text: &str) {
        if let Err(e) = self.telegram.send_html(chat, text, None).await {
            tracing::warn!(%chat, error = %e, "cannot answer");
        }
    }

    /// Sends the channel's latest edition as `subscriber` gets it (or as the
    /// channel composed it, for someone not subscribed).
    async fn send_latest(
        &self,
        chat_id: i64,
        subscriber: Option<&Subscriber>,
    ) -> Result<(), BotError> {
        let chat = ChatTarget::Id(chat_id);
        let lang_code = subscriber.map_or(self.channel.lang.as_str(), |s| s.lang.as_str());
        let lang = Lang::of(lang_code);
        let latest = self.store.latest_edition(&self.channel.name).await?;
        let Some(edition) = latest else {
            self.reply(&chat, &texts::no_edition(lang)).await;
            return Ok(());
        };
        let (topics, mutes) =
            subscriber.map_or((&[][..], &[][..]), |s| (&s.topics[..], &s.mutes[..]));
        let Some(variant) = filter::for_subscriber(&edition.edition, lang_code, topics, mutes)
        else {
            self.reply(&chat, &texts::nothing_matches(lang)).await;
            return Ok(());
        };
        let rendered = self
            .renderer
            .render(
                &variant,
                &self.channel.title,
                gazette_core::Format::Telegram,
            )
            .map_err(|source| BotError::Render {
                chat: chat_id,
                source,
            })?;
        for part in &rendered.parts {
            let sent = match self.telegram.send_html(&chat, part, None).await {
                Err(e) if e.is_parse_error() => {
                    self.telegram
                        .send(&chat, &super::plain_text(part), true, None)
                        .await
                }
                other => other,
            };
            if let Err(e) = sent {
                tracing::warn!(chat = chat_id, error = %e, "cannot send the latest edition");
                break;
            }
        }
        Ok(())
    }

    /// Long polling until `stop` completes: `getUpdates` from the stored
    /// offset, each update handled then the offset stored. Errors from
    /// Telegram are logged and retried with a growing pause (1 s to 1 min);
    /// store errors end the loop.
    pub async fn poll(
        &self,
        wait: SignedDuration,
        stop: impl Future<Output = ()>,
    ) -> Result<(), BotError> {
        tokio::pin!(stop);
        let api = &self.telegram.api;
        let bot_id = api.bot_id();
        if let Err(e) = api.delete_webhook().await {
            tracing::warn!(error = %e, "cannot remove the webhook before polling");
        }
        let mut pause = Duration::from_secs(1);
        let mut holding = false;
        let mut renewed = std::time::Instant::now();
        // A long poll ends well within the lock's lease, which is renewed after it.
        let wait = match &self.poll_lock {
            Some((_, lease)) => wait.min(*lease / 3),
            None => wait,
        };
        let result = async {
            loop {
                renewed = std::time::Instant::now();
                if !self.hold_poll_lock(&mut holding).await? {
                    // Another node polls; try again within its lease.
                    let retry = match &self.poll_lock {
                        Some((_, lease)) => (*lease / 3).unsigned_abs(),
                        None => Duration::from_secs(1),
                    };
                    tokio::select! {
                        () = &mut stop => return Ok(()),
                        () = tokio::time::sleep(retry) => {}
                    }
                    continue;
                }
                // Read each time the lock is held: another node may have moved it.
                let offset = self.store.telegram_offset(bot_id).await?;
                let params = GetUpdates {
                    offset,
                    limit: 100,
                    timeout: u32::try_from(wait.as_secs()).unwrap_or(50).min(50),
                    allowed_updates: vec!["message".into()],
                };
                let polled = tokio::select! {
                    () = &mut stop => return Ok(()),
                    polled = api.get_updates(&params) => polled,
                };
                let updates = match polled {
                    Ok(updates) => {
                        pause = Duration::from_secs(1);
                        updates
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in = ?pause, "getUpdates failed");
                        if matches!(e, ApiError::Refused { code: 409, .. }) {
                            let _ = api.delete_webhook().await;
                        }
                        tokio::select! {
                            () = &mut stop => return Ok(()),
                            () = tokio::time::sleep(pause) => {}
                        }
                        pause = (pause * 2).min(Duration::from_secs(60));
                        continue;
                    }
                };
                for update in updates {
                    // The daemon's edge: the time an update is handled.
                    if let Err(e) = self.handle(&update, Timestamp::now()).await {
                        match e {
                            BotError::Store(e) => return Err(e.into()),
                            other => {
                                tracing::error!(update = update.update_id, error = %other, "update not handled")
                            }
                        }
                    }
                    self.store
                        .set_telegram_offset(bot_id, update.update_id + 1)
                        .await?;
                    // Lost the lock (this node stalled): the new holder
                    // continues from the offset. Renewed once a third of the
                    // lease has passed (not a write per update).
                    if let Some((_, lease)) = &self.poll_lock
                        && renewed.elapsed() > (*lease / 3).unsigned_abs()
                    {
                        if !self.hold_poll_lock(&mut holding).await? {
                            break;
                        }
                        renewed = std::time::Instant::now();
                    }
                }
            }
        }
        .await;
        if let Some((node, _)) = &self.poll_lock
            && holding
            && let Err(e) = self.store.unlock(NodeLock::TelegramPolling, node).await
        {
            tracing::warn!(error = %e, "could not release the polling lock; it lapses by itself");
        }
        result
    }

    /// A router answering Telegram's webhook posts on `url`'s path, checking `secret`.
    pub fn webhook_router(self: Arc<Self>, url: &Url, secret: Secret) -> Router {
        Router::new()
            .route(url.path(), post(webhook))
            .with_state((self, secret))
    }

    /// Webhook mode until `stop` completes: registers `url` with its secret
    /// (`setWebhook`), then serves [`Bot::webhook_router`] on `listen`.
    pub async fn serve_webhook(
        self: Arc<Self>,
        url: &Url,
        listen: SocketAddr,
        secret: Secret,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), BotError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| BotError::Listen {
                addr: listen,
                source,
            })?;
        self.telegram
            .api
            .set_webhook(&SetWebhook {
                url: url.as_str(),
                secret_token: secret.expose(),
                allowed_updates: vec!["message".into()],
            })
            .await?;
        tracing::info!(%listen, path = url.path(), "webhook listening");
        let router = self.webhook_router(url, secret);
        axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await
            .map_err(|source| BotError::Listen {
                addr: listen,
                source,
            })
    }
}

/// Equal bytes, compared in time independent of where they differ.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn webhook(
    State((bot, secret)): State<(Arc<Bot>, Secret)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, secret.expose().as_bytes()) {
        tracing::warn!("webhook request without the right secret token refused");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(update) = serde_json::from_slice::<Update>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let bot_id = bot.telegram.api.bot_id();
    match bot.store.telegram_offset(bot_id).await {
        Ok(Some(offset)) if update.update_id < offset => return StatusCode::OK,
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "cannot read the update offset");
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    // The daemon's edge: the time an update is handled.
    if let Err(e) = bot.handle(&update, Timestamp::now()).await {
        tracing::error!(update = update.update_id, error = %e, "update not handled");
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if let Err(e) = bot
        .store
        .set_telegram_offset(bot_id, update.update_id + 1)
        .await
    {
        tracing::error!(error = %e, "cannot store the update offset");
    }
    StatusCode::OK
}
