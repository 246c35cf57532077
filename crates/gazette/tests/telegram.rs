//! Telegram with the real binary: `gazette run --role deliver` against the Bot
//! API simulator and an SQLite store, killed (SIGKILL) in the middle of an
//! edition's delivery and restarted; and `gazette telegram check`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gazette_core::config::RawConfig;
use gazette_core::{
    DeliveryState, EditionId, NewEdition, RankedStory, SourceLink, Store, StoryId, Subscriber,
};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
use jiff::SignedDuration;

const TOKEN: &str = "5151:KILL-test_token";
const CHATS: i64 = 300;
/// `[deliver] concurrency` of the killed process: at most this many parts in flight.
const IN_FLIGHT: usize = 32;

fn story(id: i64) -> RankedStory {
    RankedStory {
        story_id: StoryId(id),
        title: format!("Story {id}"),
        score: 100.0 - id as f64,
        signals: vec![],
        summary: vec![format!(
            "Story {id}. {}",
            "Details of the story. ".repeat(70)
        )],
        key_quote: None,
        sources: vec![SourceLink {
            url: format!("https://news.example/{id}").parse().unwrap(),
            outlet: "news.example".into(),
            title: format!("Story {id}"),
            lang: "en".into(),
        }],
        outlet_count: 3,
        article_count: 3,
        languages: vec!["en".into()],
        first_seen: "2026-01-15T05:00:00Z".parse().unwrap(),
        last_seen: "2026-01-15T06:00:00Z".parse().unwrap(),
        update: false,
    }
}

fn config_text(data_dir: &Path, api_base: &str) -> String {
    format!(
        r#"data_dir = "{}"

[deliver]
lease = "2s"
concurrency = {IN_FLIGHT}

[telegram]
token = "{TOKEN}"
api_base = "{api_base}"

[telegram.limits]
global_per_second = 300
per_chat_per_second = 10
per_group_per_minute = 200

[[channels]]
name = "briefing"
timezone = "UTC"
schedule = ["07:30", "19:00"]

[[channels.sinks]]
kind = "telegram"
subscribers = true
"#,
        data_dir.display()
    )
}

/// `gazette` with this configuration and nothing from the caller's environment.
fn gazette(config: &Path, log: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("gazette"));
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    cmd.arg("--config")
        .arg(config)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(log);
    cmd
}

fn spawn_deliverer(config: &Path, log: &Path) -> Child {
    gazette(config, log)
        .args(["run", "--role", "deliver"])
        .spawn()
        .unwrap()
}

async fn wait_until(what: &str, timeout: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_delivery_and_restarted_every_chat_gets_every_part_in_order() {
    let sim = Simulator::start(SimConfig::new(TOKEN).limits(SimLimits::telegram().scaled(10)))
        .await
        .unwrap();
    let chats: Vec<i64> = (1..=CHATS).map(|i| 10_000 + i).collect();
    sim.add_users(chats.iter().copied());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config_path = dir.path().join("gazette.toml");
    let log: PathBuf = dir.path().join("gazette.log");
    let text = config_text(&data, &sim.api_base());
    std::fs::write(&config_path, &text).unwrap();
    let config = toml::from_str::<RawConfig>(&text)
        .unwrap()
        .validate()
        .unwrap();
    let channel = &config.channels[0];

    // An edition of two parts queued for every subscriber, as the scheduler does.
    let store = Arc::new(SqliteStore::open(&data.join("gazette.db")).unwrap());
    let slot: jiff::Zoned = "2026-01-15T07:30:00+00:00[UTC]".parse().unwrap();
    let edition = store
        .insert_edition(&NewEdition {
            channel: "briefing".into(),
            slot: slot.clone(),
            window_start: slot.timestamp() - SignedDuration::from_hours(12),
            window_end: slot.timestamp(),
            composed_at: slot.timestamp(),
            lang: "en".into(),
            stories: (1..=3).map(story).collect(),
        })
        .await
        .unwrap()
        .into_edition();
    let renderer = Renderer::new(None).unwrap();
    let parts: Vec<String> = renderer
        .render(&edition.edition, "briefing", gazette_core::Format::Telegram)
        .unwrap()
        .parts
        .iter()
        .map(|p| gazette_telegram_sim::html::parse(p).unwrap().text)
        .collect();
    assert_eq!(parts.len(), 2);
    for chat in &chats {
        let joined = slot.timestamp() - SignedDuration::from_hours(1);
        store
            .save_subscriber(&Subscriber::new(*chat, "en", joined))
            .await
            .unwrap();
    }
    let queued = gazette_deliver::telegram::queue_subscribers(
        store.as_ref(),
        &renderer,
        channel,
        slot.timestamp(),
    )
    .await
    .unwrap();
    let total = 2 * CHATS as usize;
    assert_eq!(queued.rows, total);

    // Kill the deliverer once a third of the parts went out.
    let mut first = spawn_deliverer(&config_path, &log);
    wait_until(
        "a third of the parts",
        Duration::from_secs(60),
        async || sim.message_count() >= total / 3,
    )
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = sim.message_count();
    assert!(
        at_kill < total,
        "killed before the end ({at_kill} of {total})"
    );

    // Restart: everything goes out, the parts in flight at the kill once their lease expired.
    let mut second = spawn_deliverer(&config_path, &log);
    let all_sent = async || rows_sent(store.as_ref(), edition.id).await == total;
    let finished = tokio::time::timeout(Duration::from_secs(90), async {
        wait_until("every part sent", Duration::from_secs(90), all_sent).await;
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    if finished.is_err() {
        panic!(
            "not everything was sent; log:\n{}",
            std::fs::read_to_string(&log).unwrap()
        );
    }

    // Every chat got every part, in order; a part was sent twice only when it
    // was in flight at the kill (handled by Telegram, not yet recorded).
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    let mut repeated = 0;
    for chat in &chats {
        let received: Vec<String> = sim.messages_to(*chat).into_iter().map(|m| m.text).collect();
        let mut distinct = received.clone();
        distinct.dedup();
        assert_eq!(distinct, parts, "chat {chat}: every part, in order");
        for (part, text) in parts.iter().enumerate() {
            let times = received.iter().filter(|t| *t == text).count();
            if times > 1 {
                repeated += times - 1;
                let row = rows
                    .iter()
                    .find(|r| {
                        r.delivery.recipient == chat.to_string() && r.delivery.part == part as u32
                    })
                    .unwrap();
                assert!(row.attempts >= 2, "a repeat only after a reclaim: {row:?}");
            }
        }
    }
    assert!(
        repeated <= IN_FLIGHT,
        "{repeated} repeats, more than the parts in flight"
    );
    assert_eq!(sim.message_count(), total + repeated);
    assert_eq!(sim.stats().too_many_requests(), 0, "{:?}", sim.stats());
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        !log.contains(TOKEN.split_once(':').unwrap().1),
        "the token is never logged"
    );
    eprintln!(
        "killed after {at_kill} of {total} messages; restarted; {repeated} part(s) delivered twice"
    );
}

async fn rows_sent(store: &dyn Store, edition: EditionId) -> usize {
    store
        .deliveries_for_edition(edition)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.state == DeliveryState::Sent)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_check_says_who_the_bot_is_and_sends_a_test_message() {
    let sim = Simulator::start(SimConfig::new(TOKEN)).await.unwrap();
    sim.add_channel(-1_001_234_567_890, "gazette_news", "Gazette");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[telegram]\ntoken = \"{TOKEN}\"\napi_base = \"{}\"\n",
            dir.path().join("data").display(),
            sim.api_base()
        ),
    )
    .unwrap();
    let log = dir.path().join("log");
    let out = tokio::task::spawn_blocking({
        let (config, log) = (config.clone(), log.clone());
        move || {
            gazette(&config, &log)
                .stdout(Stdio::piped())
                .args(["telegram", "check", "--chat", "@gazette_news"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(
        stdout.contains("token OK: bot @gazette_test_bot (id 5151)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test message sent to @gazette_news (chat -1001234567890, message 1)"),
        "{stdout}"
    );
    assert_eq!(sim.messages_to(-1_001_234_567_890).len(), 1);

    // A chat that does not exist: exit 1, Telegram's words, no token.
    let out = tokio::task::spawn_blocking(move || {
        gazette(&config, &log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .args(["telegram", "check", "--chat", "-100999"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("chat not found"), "{stderr}");
    assert!(!stderr.contains("KILL-test_token"), "{stderr}");
}

#[test]
fn the_bot_role_without_a_bot_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!("data_dir = \"{}\"\n", dir.path().join("data").display()),
    )
    .unwrap();
    let log = dir.path().join("log");
    let out = gazette(&config, &log)
        .stderr(Stdio::piped())
        .args(["run", "--role", "bot"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("telegram.bot.mode"), "{stderr}");
    let out = gazette(&config, &log)
        .stderr(Stdio::piped())
        .args(["telegram", "check"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "no token: {stderr}");
    assert!(stderr.contains("GAZETTE_TELEGRAM__TOKEN"), "{stderr}");
}
