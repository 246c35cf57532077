//! A local Telegram Bot API server for tests and benchmarks.
//!
//! [`Simulator::start`] serves the Bot API methods gazette uses (`getMe`,
//! `sendMessage`, `sendPhoto`, `getUpdates`, `setWebhook`, `deleteWebhook`,
//! `setMyCommands`) on `http://127.0.0.1:<port>/bot<token>/<method>`, with
//! the JSON shapes of the Bot API specification ([`spec`]), and behaves as
//! Telegram does where gazette depends on it:
//!
//! - **limits** ([`SimLimits`], [`limits`]): 429 with `retry_after` beyond
//!   30 messages/s overall, 1/s per chat, 20/min per group (or scaled);
//! - **messages**: at most 4,096 UTF-16 units after entity parsing (captions
//!   1,024), Telegram's HTML rules ([`html`]), the errors Telegram words;
//! - **chats**: users (who may block the bot or be deactivated), groups (which
//!   may kick it), channels addressed as `@name`; unknown chats are "not found";
//! - **updates**: messages injected with [`Simulator::send_text`] are returned
//!   by `getUpdates` (long polling, offsets confirmed as Telegram does; a
//!   second poller ends the waiting one with 409 "terminated by other
//!   getUpdates request", as Telegram does) or posted to the webhook with its
//!   secret-token header;
//! - **faults**: 5xx answers and slow answers on demand.
//!
//! Everything it accepted is recorded ([`Simulator::messages`]), with counters
//! ([`Simulator::stats`]) and every departure of a request or a response from
//! the specification ([`Simulator::violations`]). Only JSON and query-string
//! parameters are read (no multipart uploads).
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
//! let sim = Simulator::start(SimConfig::new("123:TEST").limits(SimLimits::telegram())).await?;
//! sim.add_user(42, "Ada", Some("fr"));
//! sim.send_text(42, "/start");
//! // point the client at sim.api_base(), then:
//! let received = sim.messages_to(42);
//! # Ok(()) }
//! ```

pub mod html;
pub mod limits;
mod server;
pub mod spec;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Notify;

pub use limits::{LimitScope, SimLimits};

/// How a simulator starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The token requests must carry (`/bot<token>/…`); others get 401.
    pub token: String,
    /// The bot's own user, as `getMe` returns it.
    pub bot_id: i64,
    pub bot_username: String,
    pub limits: SimLimits,
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
}

impl SimConfig {
    /// A simulator for `token` with Telegram's limits, on 127.0.0.1 and a free port.
    pub fn new(token: &str) -> SimConfig {
        let bot_id = token
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(1);
        SimConfig {
            token: token.to_string(),
            bot_id,
            bot_username: "gazette_test_bot".into(),
            limits: SimLimits::telegram(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }

    /// The same with other limits.
    pub fn limits(self, limits: SimLimits) -> SimConfig {
        SimConfig { limits, ..self }
    }
}

/// A message the simulator accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// The text (or caption) as the reader sees it, entities parsed.
    pub text: String,
    /// The request's text (or caption), as sent.
    pub raw: String,
    pub parse_mode: Option<String>,
    pub entities: Vec<html::Entity>,
    /// `sendPhoto`: the photo (a URL or a file id).
    pub photo: Option<String>,
    pub link_preview_disabled: bool,
    /// `reply_markup`, as sent.
    pub reply_markup: Option<Value>,
    /// When it was accepted, since the simulator started.
    #[serde(skip)]
    pub at: Duration,
}

/// What the simulator answered, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Bot API requests, all methods.
    pub requests: u64,
    /// Messages accepted (`sendMessage` and `sendPhoto`).
    pub sent: u64,
    /// 429 answers, by the limit that refused.
    pub too_many_global: u64,
    pub too_many_chat: u64,
    pub too_many_group: u64,
    /// Other error answers (4xx and injected 5xx).
    pub errors: u64,
    /// `getUpdates` calls ended with 409 because another one started (two
    /// pollers of one bot).
    pub poll_conflicts: u64,
}

impl Stats {
    /// All 429 answers.
    pub fn too_many_requests(&self) -> u64 {
        self.too_many_global + self.too_many_chat + self.too_many_group
    }
}

/// The webhook as `setWebhook` set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
}

/// What a user can do to the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Ok,
    /// The user blocked the bot.
    Blocked,
    /// The user's account is deleted.
    Deactivated,
    /// The bot was removed from the group.
    Kicked,
}

#[derive(Debug, Clone)]
struct Chat {
    id: i64,
    kind: &'static str,
    title: Option<String>,
    first_name: Option<String>,
    username: Option<String>,
    language_code: Option<String>,
    standing: Standing,
    next_message_id: i64,
}

impl Chat {
    fn to_json(&self) -> Value {
        let mut chat = json!({"id": self.id, "type": self.kind});
        let object = chat.as_object_mut().expect("an object");
        for (key, value) in [
            ("title", &self.title),
            ("first_name", &self.first_name),
            ("username", &self.username),
        ] {
            if let Some(v) = value {
                object.insert(key.into(), json!(v));
            }
        }
        chat
    }

    fn is_group(&self) -> bool {
        self.kind != "private"
    }
}

/// Injected faults for the next sends.
#[derive(Debug, Default)]
struct Faults {
    /// Answer this many sends with this status.
    fail: VecDeque<u16>,
    /// Hold this many sends this long before handling them.
    delay: VecDeque<Duration>,
}

/// Everything the simulator knows.
struct State {
    config: SimConfig,
    started: Instant,
    chats: HashMap<i64, Chat>,
    usernames: HashMap<String, i64>,
    windows: limits::Windows,
    limits: SimLimits,
    messages: Vec<SentMessage>,
    updates: VecDeque<Value>,
    /// Incremented by each `getUpdates`: a waiting call whose number is no
    /// longer the latest was overtaken by another poller.
    poll_generation: u64,
    next_update_id: i64,
    next_user_message_id: i64,
    webhook: Option<Webhook>,
    webhook_answers: Vec<(i64, u16)>,
    commands: HashMap<String, Value>,
    stats: Stats,
    faults: Faults,
    violations: Vec<String>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    updates_arrived: Notify,
    http: reqwest::Client,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Simulator {
    /// Binds `config.listen` and serves until dropped. Must be called within a Tokio runtime.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                limits: config.limits,
                config,
                started: Instant::now(),
                chats: HashMap::new(),
                usernames: HashMap::new(),
                windows: limits::Windows::default(),
                messages: Vec::new(),
                updates: VecDeque::new(),
                poll_generation: 0,
                next_update_id: 100_000,
                next_user_message_id: 1,
                webhook: None,
                webhook_answers: Vec::new(),
                commands: HashMap::new(),
                stats: Stats::default(),
                faults: Faults::default(),
                violations: Vec::new(),
            }),
            updates_arrived: Notify::new(),
            http,
        });
        let app = server::router(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        Ok(Simulator {
            shared,
            addr,
            server,
        })
    }

    /// The base URL to give the client (`telegram.api_base`): `http://127.0.0.1:<port>`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a user with a private chat with the bot (chat id = user id > 0).
    pub fn add_user(&self, id: i64, first_name: &str, language_code: Option<&str>) {
        assert!(id > 0, "user ids are positive");
        self.shared.lock().chats.insert(
            id,
            Chat {
                id,
                kind: "private",
                title: None,
                first_name: Some(first_name.into()),
                username: None,
                language_code: language_code.map(str::to_string),
                standing: Standing::Ok,
                next_message_id: 1,
            },
        );
    }

    /// Adds users `ids`, named after their id, without a language.
    pub fn add_users(&self, ids: impl IntoIterator<Item = i64>) {
        let mut state = self.shared.lock();
        for id in ids {
            state.chats.insert(
                id,
                Chat {
                    id,
                    kind: "private",
                    title: None,
                    first_name: Some(format!("User {id}")),
                    username: None,
                    language_code: None,
                    standing: Standing::Ok,
                    next_message_id: 1,
                },
            );
        }
    }

    /// Adds a group the bot is a member of (id < 0; `-100…` ids are supergroups).
    pub fn add_group(&self, id: i64, title: &str) {
        assert!(id < 0, "group ids are negative");
        let kind = if id <= -1_000_000_000_000 {
            "supergroup"
        } else {
            "group"
        };
        self.add_chat(id, kind, title, None);
    }

    /// Adds a channel the bot may post in, reachable as `@username` too.
    pub fn add_channel(&self, id: i64, username: &str, title: &str) {
        assert!(id < 0, "channel ids are negative");
        self.add_chat(id, "channel", title, Some(username));
    }

    fn add_chat(&self, id: i64, kind: &'static str, title: &str, username: Option<&str>) {
        let mut state = self.shared.lock();
        if let Some(name) = username {
            state.usernames.insert(name.to_ascii_lowercase(), id);
        }
        state.chats.insert(
            id,
            Chat {
                id,
                kind,
                title: Some(title.into()),
                first_name: None,
                username: username.map(str::to_string),
                language_code: None,
                standing: Standing::Ok,
                next_message_id: 1,
            },
        );
    }

    fn set_standing(&self, chat: i64, standing: Standing) {
        if let Some(c) = self.shared.lock().chats.get_mut(&chat) {
            c.standing = standing;
        }
    }

    /// The user blocks the bot: sends to them get 403.
    pub fn block(&self, user: i64) {
        self.set_standing(user, Standing::Blocked);
    }

    /// The user's account is deleted: sends to them get 403.
    pub fn deactivate(&self, user: i64) {
        self.set_standing(user, Standing::Deactivated);
    }

    /// The bot is removed from the group: sends to it get 403.
    pub fn kick(&self, group: i64) {
        self.set_standing(group, Standing::Kicked);
    }

    /// The user writes `text` to the bot in their private chat; returns the
    /// update's id. It is queued for `getUpdates`, or posted to the webhook.
    pub fn send_text(&self, user: i64, text: &str) -> i64 {
        self.send_text_in(user, user, text)
    }

    /// The user writes `text` in `chat` (their private chat, or a group).
    pub fn send_text_in(&self, chat: i64, user: i64, text: &str) -> i64 {
        inject_text(&self.shared, chat, user, text)
    }

    /// Every message accepted, in the order accepted.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.shared.lock().messages.clone()
    }

    /// The messages accepted for one chat, in order.
    pub fn messages_to(&self, chat: i64) -> Vec<SentMessage> {
        self.shared
            .lock()
            .messages
            .iter()
            .filter(|m| m.chat_id == chat)
            .cloned()
            .collect()
    }

    /// How many messages were accepted.
    pub fn message_count(&self) -> usize {
        self.shared.lock().messages.len()
    }

    /// Waits until at least `n` messages were accepted, or `timeout` passed;
    /// returns how many there are.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let count = self.message_count();
            if count >= n || Instant::now() >= deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Counters of what was answered.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Every way a request or a response departed from the specification.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// The webhook, when one is set.
    pub fn webhook(&self) -> Option<Webhook> {
        self.shared.lock().webhook.clone()
    }

    /// The webhook's HTTP answers: (update id, status; 0 when unreachable).
    pub fn webhook_answers(&self) -> Vec<(i64, u16)> {
        self.shared.lock().webhook_answers.clone()
    }

    /// The commands set with `setMyCommands`, by language code (`""` for the default).
    pub fn commands(&self, language_code: &str) -> Option<Value> {
        self.shared.lock().commands.get(language_code).cloned()
    }

    /// Updates not yet confirmed by a `getUpdates` offset.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    /// The next `n` sends are answered with `status` (500, 502, …) and not delivered.
    pub fn fail_next_sends(&self, n: usize, status: u16) {
        let mut state = self.shared.lock();
        state.faults.fail.extend(std::iter::repeat_n(status, n));
    }

    /// The next `n` sends are held `delay` before being handled (a slow Telegram;
    /// a client that gives up first does not learn whether they were delivered).
    pub fn delay_next_sends(&self, n: usize, delay: Duration) {
        let mut state = self.shared.lock();
        state.faults.delay.extend(std::iter::repeat_n(delay, n));
    }

    /// Changes the limits from now on.
    pub fn set_limits(&self, limits: SimLimits) {
        self.shared.lock().limits = limits;
    }
}

/// Queues a message from `user` in `chat` as an update (posted to the webhook
/// when one is set); returns the update's id.
///
/// # Panics
/// When the user or the chat is unknown.
pub(crate) fn inject_text(shared: &Arc<Shared>, chat: i64, user: i64, text: &str) -> i64 {
    let (update, webhook) = {
        let mut state = shared.lock();
        let from = state
            .chats
            .get(&user)
            .cloned()
            .unwrap_or_else(|| panic!("unknown user {user}: add_user first"));
        let chat_json = state
            .chats
            .get(&chat)
            .map(Chat::to_json)
            .unwrap_or_else(|| panic!("unknown chat {chat}"));
        let update_id = state.next_update_id;
        state.next_update_id += 1;
        let message_id = state.next_user_message_id;
        state.next_user_message_id += 1;
        let mut from_json = json!({
            "id": from.id, "is_bot": false,
            "first_name": from.first_name.clone().unwrap_or_default(),
        });
        if let Some(lang) = &from.language_code {
            from_json["language_code"] = json!(lang);
        }
        let mut message = json!({
            "message_id": message_id,
            "from": from_json,
            "date": unix_now(),
            "chat": chat_json,
            "text": text,
        });
        if text.starts_with('/') {
            let length = text
                .split_whitespace()
                .next()
                .map_or(0, |c| c.encode_utf16().count());
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": length}]);
        }
        let update = json!({"update_id": update_id, "message": message});
        let problems = spec::Spec::bundled().check_type("Update", &update);
        state.violations.extend(problems);
        state.updates.push_back(update.clone());
        (update, state.webhook.clone())
    };
    let id = update["update_id"].as_i64().expect("an update id");
    match webhook {
        Some(hook) => server::post_to_webhook(Arc::clone(shared), hook, update),
        None => shared.updates_arrived.notify_waiters(),
    }
    id
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
