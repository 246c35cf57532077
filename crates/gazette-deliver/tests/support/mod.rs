//! Fixtures shared by the Telegram tests: a simulator, an SQLite store, a
//! renderer, channels, editions and the `[telegram]` configuration.

#![allow(dead_code)] // each test binary uses part of it

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use gazette_core::config::{ChannelConfig, RawConfig, TelegramConfig};
use gazette_core::{Delivery, Edition, NewEdition, RankedStory, SourceLink, Store, StoryId};
use gazette_deliver::telegram::Telegram;
use gazette_deliver::{Outbox, OutboxConfig, SinkContext};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use gazette_telegram_sim::{SentMessage, SimConfig, SimLimits, Simulator};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

pub const TOKEN: &str = "4242:AAE-simulated_SECRET-token";

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The 07:30 Paris slot of 2026-01-15, composed a minute later.
pub fn t0() -> Timestamp {
    ts("2026-01-15T06:31:00Z")
}

/// A channel (Paris, 07:30 and 19:00) with the given sinks as JSON.
pub fn channel(sinks: serde_json::Value) -> ChannelConfig {
    let raw: RawConfig = serde_json::from_value(json!({
        "channels": [{"name": "briefing", "title": "Le Brief", "timezone": "Europe/Paris",
                      "schedule": ["07:30", "19:00"], "size": 50, "lang": "en",
                      "sinks": sinks}]
    }))
    .unwrap();
    raw.validate().unwrap().channels.remove(0)
}

/// `[telegram]` pointing at the simulator, with these limits (global/s, chat/s, group/min).
pub fn telegram_config(api_base: &str, limits: (u32, u32, u32), timeout: &str) -> TelegramConfig {
    let raw: RawConfig = serde_json::from_value(json!({
        "telegram": {"token": TOKEN, "api_base": api_base, "timeout": timeout,
                     "limits": {"global_per_second": limits.0, "per_chat_per_second": limits.1,
                                "per_group_per_minute": limits.2}}
    }))
    .unwrap();
    raw.validate().unwrap().telegram
}

pub fn story(id: i64, title: &str, summary_len: usize) -> RankedStory {
    RankedStory {
        story_id: StoryId(id),
        title: title.into(),
        score: 100.0 - id as f64,
        signals: vec![],
        summary: vec![format!("{title}: {}", "détails ".repeat(summary_len / 8))],
        key_quote: None,
        sources: vec![SourceLink {
            url: format!("https://news.example/{id}?a=1&b=2")
                .parse()
                .unwrap(),
            outlet: "news.example".into(),
            title: title.into(),
            lang: "fr".into(),
        }],
        outlet_count: 3,
        article_count: 4,
        languages: vec!["fr".into()],
        first_seen: ts("2026-01-15T04:00:00Z"),
        last_seen: ts("2026-01-15T05:00:00Z"),
        update: false,
    }
}

pub fn new_edition(slot: &str, stories: Vec<RankedStory>) -> NewEdition {
    let slot: jiff::Zoned = slot.parse().unwrap();
    NewEdition {
        channel: "briefing".into(),
        window_start: slot.timestamp() - SignedDuration::from_hours(12),
        window_end: slot.timestamp(),
        composed_at: slot.timestamp(),
        slot,
        lang: "en".into(),
        stories,
    }
}

/// Stories long enough for `parts` Telegram messages.
pub fn long_stories(n: i64) -> Vec<RankedStory> {
    (1..=n)
        .map(|i| story(i, &format!("Story {i} <&> \"quoted\""), 1500))
        .collect()
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub sim: Simulator,
    pub renderer: Arc<Renderer>,
}

impl Fixture {
    pub async fn new(limits: SimLimits) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
        let sim = Simulator::start(SimConfig::new(TOKEN).limits(limits))
            .await
            .unwrap();
        Fixture {
            _dir: dir,
            store,
            sim,
            renderer: Arc::new(Renderer::new(None).unwrap()),
        }
    }

    pub fn telegram(&self, limits: (u32, u32, u32)) -> Arc<Telegram> {
        Arc::new(Telegram::new(&telegram_config(&self.sim.api_base(), limits, "5s")).unwrap())
    }

    pub fn outbox(&self, channel: &ChannelConfig, telegram: Arc<Telegram>) -> Outbox {
        let context = SinkContext {
            telegram: Some(telegram),
            store: Some(self.store.clone()),
        };
        Outbox::build(std::slice::from_ref(channel), &context)
            .unwrap()
            .with_config(OutboxConfig {
                max_attempts: NonZeroU32::new(4).unwrap(),
                backoff_base: SignedDuration::from_secs(10),
                ..OutboxConfig::default()
            })
    }

    pub async fn edition(&self, new: &NewEdition) -> Edition {
        self.store.insert_edition(new).await.unwrap().into_edition()
    }

    pub async fn rows(&self, edition: &Edition) -> Vec<Delivery> {
        self.store.deliveries_for_edition(edition.id).await.unwrap()
    }

    pub fn texts(&self, chat: i64) -> Vec<String> {
        self.sim
            .messages_to(chat)
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    /// Waits until `chat` has received `n` messages (10 s at most); returns them.
    pub async fn wait_for(&self, chat: i64, n: usize) -> Vec<SentMessage> {
        for _ in 0..1000 {
            let got = self.sim.messages_to(chat);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "chat {chat} got {:?}, expected {n} messages",
            self.texts(chat)
        );
    }
}

/// Every log line (TRACE and up) written while it lives, on this thread:
/// for tests that a secret never reaches a log.
pub struct CapturedLogs {
    buffer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

/// Starts capturing (see [`CapturedLogs`]).
pub fn capture_logs() -> CapturedLogs {
    #[derive(Clone)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writer = Buffer(buffer.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    CapturedLogs {
        buffer,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}

impl CapturedLogs {
    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}
