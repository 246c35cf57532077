//! A small Bot API client: the methods gazette calls, over `reqwest`.
//!
//! Every method is a POST of JSON to `<api_base>/bot<token>/<method>`, and
//! every answer the Bot API's envelope (`ok`, `result`, or `error_code`,
//! `description` and `parameters.retry_after`). The token is part of every
//! URL, so no error and no log line carries a URL: errors name the method and
//! the base only, and any text from the HTTP stack is scrubbed of the token
//! ([`ApiError`]).
//!
//! Files are passed as URLs or file ids (`sendPhoto`); uploads are not needed.
//!
//! ```no_run
//! # async fn example(config: &gazette_core::config::TelegramConfig) -> Result<(), Box<dyn std::error::Error>> {
//! use gazette_core::config::ChatTarget;
//! use gazette_deliver::telegram::api::{BotApi, SendMessage};
//! let api = BotApi::new(config)?;
//! let me = api.get_me().await?;
//! let chat = ChatTarget::Username("gazette_news".into());
//! api.send_message(&SendMessage::html(&chat, "<b>Hello</b>")).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use gazette_core::config::{ChatTarget, Secret, TelegramConfig};
use jiff::SignedDuration;
use reqwest::header;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

/// Largest answer read (a `getUpdates` batch of 100 updates is far smaller).
const MAX_ANSWER_BYTES: usize = 8 << 20;

/// Why a Bot API call failed. Never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Telegram answered with an error.
    #[error("Telegram {method}: {description} (error {code})")]
    Refused {
        method: &'static str,
        code: u16,
        description: String,
        /// Seconds to wait, with 429.
        retry_after: Option<u64>,
    },
    /// No complete answer in time: the request may or may not have been handled.
    #[error("Telegram {method}: no answer from {base} within {after:#}")]
    Timeout {
        method: &'static str,
        base: String,
        after: SignedDuration,
    },
    /// The server could not be reached or the connection broke.
    #[error("Telegram {method}: cannot reach {base}: {message}")]
    Transport {
        method: &'static str,
        base: String,
        message: String,
    },
    /// The answer is not the Bot API's JSON.
    #[error("Telegram {method}: unexpected answer from {base} (HTTP {status}): {message}")]
    Decode {
        method: &'static str,
        base: String,
        status: u16,
        message: String,
    },
    /// The client could not be built.
    #[error("cannot set up the Telegram client: {message}")]
    Setup { message: String },
    /// No token is configured.
    #[error(
        "telegram.token is not set: give the bot's token from @BotFather in GAZETTE_TELEGRAM__TOKEN or [telegram] token"
    )]
    NoToken,
}

impl ApiError {
    /// The wait Telegram asked for (429 with `retry_after`).
    pub fn retry_after(&self) -> Option<SignedDuration> {
        match self {
            ApiError::Refused {
                code: 429,
                retry_after,
                ..
            } => Some(SignedDuration::from_secs(
                retry_after.unwrap_or(1).max(1) as i64
            )),
            _ => None,
        }
    }

    /// 403: the bot was blocked, kicked, or the user's account is deactivated.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ApiError::Refused { code: 403, .. })
    }

    /// 400 "can't parse entities": the HTML was refused.
    pub fn is_parse_error(&self) -> bool {
        matches!(self, ApiError::Refused { code: 400, description, .. }
            if description.contains("can't parse entities"))
    }

    /// Worth retrying later: 5xx, timeouts, broken connections, garbled answers.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Refused { code, .. } => *code >= 500,
            ApiError::Timeout { .. } | ApiError::Transport { .. } | ApiError::Decode { .. } => true,
            ApiError::Setup { .. } | ApiError::NoToken => false,
        }
    }

    /// Telegram's own description of a refusal, or this error's text.
    pub fn description(&self) -> String {
        match self {
            ApiError::Refused { description, .. } => description.clone(),
            other => other.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// Types (the fields gazette reads; unknown fields are ignored)
// ---------------------------------------------------------------------------

/// A Telegram user or bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub is_bot: bool,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

/// A chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A message (sent by the bot, or received in an update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub message_id: i64,
    pub date: i64,
    pub chat: Chat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<User>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// An incoming update; kinds other than messages are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub update_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// A command shown in Telegram's command menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotCommand {
    pub command: String,
    pub description: String,
}

/// `chat_id`: a number, or `@name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ChatId {
    Id(i64),
    Name(String),
}

impl From<&ChatTarget> for ChatId {
    fn from(target: &ChatTarget) -> ChatId {
        match target {
            ChatTarget::Id(id) => ChatId::Id(*id),
            ChatTarget::Username(_) => ChatId::Name(target.to_string()),
        }
    }
}

/// `link_preview_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkPreviewOptions {
    pub is_disabled: bool,
}

/// A keyboard offered under the bot's message (`ReplyKeyboardMarkup`), or its removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ReplyMarkup {
    Keyboard {
        keyboard: Vec<Vec<KeyboardButton>>,
        one_time_keyboard: bool,
        resize_keyboard: bool,
    },
    Remove {
        remove_keyboard: bool,
    },
}

/// A keyboard button that sends its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyboardButton {
    pub text: String,
}

/// `sendMessage`'s parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendMessage<'a> {
    pub chat_id: ChatId,
    pub text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_preview_options: Option<LinkPreviewOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl<'a> SendMessage<'a> {
    /// A message in HTML parse mode.
    pub fn html(chat: &ChatTarget, text: &'a str) -> SendMessage<'a> {
        SendMessage {
            chat_id: chat.into(),
            text,
            parse_mode: Some("HTML"),
            link_preview_options: None,
            reply_markup: None,
        }
    }

    /// A plain-text message (no parse mode: shown exactly as given).
    pub fn plain(chat: &ChatTarget, text: &'a str) -> SendMessage<'a> {
        SendMessage {
            parse_mode: None,
            ..SendMessage::html(chat, text)
        }
    }
}

/// `sendPhoto`'s parameters: a photo by URL or file id, with a caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendPhoto<'a> {
    pub chat_id: ChatId,
    pub photo: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<&'static str>,
}

/// `getUpdates`' parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetUpdates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    pub limit: u32,
    /// Seconds of long polling.
    pub timeout: u32,
    pub allowed_updates: Vec<String>,
}

/// `setWebhook`'s parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetWebhook<'a> {
    pub url: &'a str,
    pub secret_token: &'a str,
    pub allowed_updates: Vec<String>,
}

#[derive(Serialize)]
struct DeleteWebhook {
    drop_pending_updates: bool,
}

#[derive(Serialize)]
struct SetMyCommands<'a> {
    commands: &'a [BotCommand],
    #[serde(skip_serializing_if = "Option::is_none")]
    language_code: Option<&'a str>,
}

#[derive(Serialize)]
struct NoParams {}

/// The Bot API's answer envelope.
#[derive(Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/// The Bot API client of one bot. Cheap to share by reference.
pub struct BotApi {
    http: reqwest::Client,
    /// `<api_base>/` — never with the token, for messages.
    base: Url,
    token: Secret,
    timeout: Duration,
}

impl std::fmt::Debug for BotApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotApi")
            .field("base", &self.base.as_str())
            .field("token", &self.token)
            .finish()
    }
}

impl BotApi {
    /// A client for the configured bot: `telegram.token` (required),
    /// `telegram.api_base`, `telegram.timeout`; rustls with the ring provider.
    pub fn new(config: &TelegramConfig) -> Result<BotApi, ApiError> {
        let token = config.token.clone().ok_or(ApiError::NoToken)?;
        // Fails only when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("gazette/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| ApiError::Setup {
                message: describe(&e, token.expose()),
            })?;
        let mut base = config.api_base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(BotApi {
            http,
            base,
            token,
            timeout: config.timeout.unsigned_abs(),
        })
    }

    /// The bot's id: the number before the token's colon.
    pub fn bot_id(&self) -> i64 {
        self.token
            .expose()
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(0)
    }

    /// The API base, for messages (never with the token).
    pub fn base(&self) -> &str {
        self.base.as_str()
    }

    /// `getMe`: the bot itself; checks the token.
    pub async fn get_me(&self) -> Result<User, ApiError> {
        self.call("getMe", &NoParams {}, self.timeout).await
    }

    /// `sendMessage`.
    pub async fn send_message(&self, params: &SendMessage<'_>) -> Result<Message, ApiError> {
        self.call("sendMessage", params, self.timeout).await
    }

    /// `sendPhoto` (a photo by URL or file id).
    pub async fn send_photo(&self, params: &SendPhoto<'_>) -> Result<Message, ApiError> {
        self.call("sendPhoto", params, self.timeout).await
    }

    /// `getUpdates`: waits up to `params.timeout` seconds for updates.
    pub async fn get_updates(&self, params: &GetUpdates) -> Result<Vec<Update>, ApiError> {
        let wait = self.timeout + Duration::from_secs(u64::from(params.timeout));
        self.call("getUpdates", params, wait).await
    }

    /// `setWebhook`.
    pub async fn set_webhook(&self, params: &SetWebhook<'_>) -> Result<bool, ApiError> {
        self.call("setWebhook", params, self.timeout).await
    }

    /// `deleteWebhook`, keeping pending updates.
    pub async fn delete_webhook(&self) -> Result<bool, ApiError> {
        let params = DeleteWebhook {
            drop_pending_updates: false,
        };
        self.call("deleteWebhook", &params, self.timeout).await
    }

    /// `setMyCommands` for one language (`None`: the default list).
    pub async fn set_my_commands(
        &self,
        commands: &[BotCommand],
        language_code: Option<&str>,
    ) -> Result<bool, ApiError> {
        let params = SetMyCommands {
            commands,
            language_code,
        };
        self.call("setMyCommands", &params, self.timeout).await
    }

    /// POSTs `params` as JSON to `method` and reads the envelope.
    async fn call<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
        timeout: Duration,
    ) -> Result<R, ApiError> {
        let url = format!("{}bot{}/{method}", self.base, self.token.expose());
        let body = serde_json::to_vec(params).map_err(|e| self.decode_error(method, 0, &e))?;
        let exchange = async {
            let response = self
                .http
                .post(url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| self.transport_error(method, &e))?;
            let status = response.status().as_u16();
            let bytes = read_capped(response)
                .await
                .map_err(|e| self.transport_error(method, &e))?;
            Ok::<_, ApiError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| ApiError::Timeout {
                method,
                base: self.base.to_string(),
                after: SignedDuration::try_from(timeout).unwrap_or(SignedDuration::MAX),
            })??;
        let Some(bytes) = bytes else {
            return Err(self.decode_error(method, status, &"answer larger than 8 MiB"));
        };
        let envelope: Envelope<R> =
            serde_json::from_slice(&bytes).map_err(|e| self.decode_error(method, status, &e))?;
        if envelope.ok {
            return envelope
                .result
                .ok_or_else(|| self.decode_error(method, status, &"`ok` without `result`"));
        }
        Err(ApiError::Refused {
            method,
            code: envelope.error_code.unwrap_or(status),
            description: scrub(
                &envelope
                    .description
                    .unwrap_or_else(|| format!("HTTP {status}")),
                self.token.expose(),
            ),
            retry_after: envelope.parameters.and_then(|p| p.retry_after),
        })
    }

    fn transport_error(&self, method: &'static str, error: &reqwest::Error) -> ApiError {
        let message = describe(error, self.token.expose());
        if error.is_timeout() {
            ApiError::Timeout {
                method,
                base: self.base.to_string(),
                after: SignedDuration::try_from(self.timeout).unwrap_or(SignedDuration::MAX),
            }
        } else {
            ApiError::Transport {
                method,
                base: self.base.to_string(),
                message,
            }
        }
    }

    fn decode_error(
        &self,
        method: &'static str,
        status: u16,
        error: &dyn std::fmt::Display,
    ) -> ApiError {
        ApiError::Decode {
            method,
            base: self.base.to_string(),
            status,
            message: scrub(&error.to_string(), self.token.expose()),
        }
    }
}

/// The body, unless it is larger than [`MAX_ANSWER_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// An HTTP error and its sources without the URL (it holds the token), and
/// with the token scrubbed from whatever text remains.
fn describe(error: &reqwest::Error, token: &str) -> String {
    use std::error::Error;
    let mut parts: Vec<String> = Vec::new();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    if parts.is_empty() {
        // The error's own text names the URL; say only what kind it is.
        let kind = if error.is_connect() {
            "connection failed"
        } else if error.is_body() {
            "the answer broke off"
        } else if error.is_redirect() {
            "redirected"
        } else {
            "request failed"
        };
        parts.push(kind.to_string());
    }
    scrub(&parts.join(": "), token)
}

/// Replaces every occurrence of the token (and of its secret half) with `<token>`.
pub(crate) fn scrub(text: &str, token: &str) -> String {
    let mut out = text.replace(token, "<token>");
    if let Some((_, secret)) = token.split_once(':')
        && !secret.is_empty()
    {
        out = out.replace(secret, "<token>");
    }
    out
}
