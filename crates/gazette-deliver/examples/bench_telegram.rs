//! Benchmark: one edition (2 parts) to many subscribers through the Bot API
//! simulator, with Telegram's limits (or scaled), through the real outbox on
//! an SQLite store. Prints the time against the floor set by the global
//! limit, and the 429s received.
//!
//! ```text
//! cargo run --release -p gazette-deliver --example bench_telegram -- \
//!     [--subscribers 10000] [--scale 10] [--concurrency 64] [--format text|json]
//! ```
//!
//! The floor is `messages / global limit`: with 10,000 subscribers and 2 parts,
//! 20,000 / 30 ≈ 667 s at Telegram's limits, 66.7 s at 10×. The client keeps
//! its 2 % safety margin (`telegram.limits.margin`), so 2 % over the floor is
//! the expected best.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Instant;

use gazette_core::config::RawConfig;
use gazette_core::testing::{long_ranked_story, new_edition};
use gazette_core::{Store, Subscriber};
use gazette_deliver::telegram::{Telegram, queue_subscribers};
use gazette_deliver::{Outbox, OutboxConfig, SinkContext};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const TOKEN: &str = "777:BENCH-token";

struct Args {
    subscribers: i64,
    scale: u32,
    concurrency: usize,
    json: bool,
}

fn args() -> Result<Args, String> {
    let mut parsed = Args {
        subscribers: 10_000,
        scale: 10,
        concurrency: 64,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<i64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--subscribers" => parsed.subscribers = number()?.max(1),
            "--scale" => parsed.scale = number()?.clamp(1, 1000) as u32,
            "--concurrency" => parsed.concurrency = number()?.max(1) as usize,
            "--format" => parsed.json = value == "json",
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args().map_err(|e| {
        format!("{e}\nusage: bench_telegram [--subscribers N] [--scale K] [--concurrency C] [--format text|json]")
    })?;
    let limits = SimLimits::telegram().scaled(args.scale);
    let sim = Simulator::start(SimConfig::new(TOKEN).limits(limits)).await?;
    let dir = tempfile::tempdir()?;
    let store: Arc<SqliteStore> = Arc::new(SqliteStore::open(&dir.path().join("gazette.db"))?);
    let raw: RawConfig = serde_json::from_value(json!({
        "channels": [{"name": "bench", "title": "Bench", "timezone": "Europe/Paris",
                      "schedule": ["07:30", "19:00"], "size": 20,
                      "sinks": [{"kind": "telegram", "subscribers": true}]}],
        "telegram": {"token": TOKEN, "api_base": sim.api_base(),
                     "limits": {"global_per_second": limits.global_per_second,
                                "per_chat_per_second": limits.per_chat_per_second,
                                "per_group_per_minute": limits.per_group_per_minute}}
    }))?;
    let config = raw.validate()?;
    let channel = &config.channels[0];
    let renderer = Renderer::new(None)?;

    // An edition that renders to exactly two messages.
    let slot: jiff::Zoned = "2026-01-15T07:30:00+01:00[Europe/Paris]".parse()?;
    let mut stories = vec![long_ranked_story(1)];
    let edition = loop {
        let edition = new_edition("bench", &slot, stories.clone());
        let parts = renderer
            .render(&edition, &channel.title, gazette_core::Format::Telegram)?
            .parts;
        if parts.len() >= 2 {
            assert_eq!(parts.len(), 2, "two parts exactly");
            break edition;
        }
        stories.push(long_ranked_story(stories.len() as i64 + 1));
    };
    let parts = renderer
        .render(&edition, &channel.title, gazette_core::Format::Telegram)?
        .parts;
    store.insert_edition(&edition).await?;

    eprintln!("setting up {} subscribers…", args.subscribers);
    let chats: Vec<i64> = (1..=args.subscribers).map(|i| 100_000 + i).collect();
    sim.add_users(chats.iter().copied());
    let joined = slot.timestamp() - SignedDuration::from_hours(1);
    for chat in &chats {
        store
            .save_subscriber(&Subscriber::new(*chat, "en", joined))
            .await?;
    }
    let queued = queue_subscribers(store.as_ref(), &renderer, channel, slot.timestamp()).await?;
    let messages = queued.rows;
    eprintln!(
        "{messages} messages queued; delivering (floor {:.1} s)…",
        messages as f64 / f64::from(limits.global_per_second)
    );

    let telegram = Arc::new(Telegram::new(&config.telegram)?);
    let context = SinkContext {
        telegram: Some(telegram),
        store: Some(store.clone()),
    };
    let outbox = Outbox::build(&config.channels, &context)?.with_config(OutboxConfig {
        concurrency: NonZeroUsize::new(args.concurrency).expect("at least 1"),
        ..OutboxConfig::default()
    });
    let started = Instant::now();
    let report = outbox.run(store.as_ref(), &Timestamp::now).await?;
    let elapsed = started.elapsed().as_secs_f64();

    // Every chat got both parts, once, in order.
    let received = sim.messages();
    let expected: Vec<String> = parts
        .iter()
        .map(|p| gazette_telegram_sim::html::parse(p).map(|x| x.text))
        .collect::<Result<_, _>>()?;
    let mut by_chat: std::collections::HashMap<i64, Vec<&str>> = std::collections::HashMap::new();
    for m in &received {
        by_chat.entry(m.chat_id).or_default().push(&m.text);
    }
    let wrong = chats
        .iter()
        .filter(|c| {
            by_chat.get(c).map(|v| v.as_slice()) != Some(&[&expected[0][..], &expected[1][..]][..])
        })
        .count();
    let span = match (received.first(), received.last()) {
        (Some(first), Some(last)) => (last.at - first.at).as_secs_f64(),
        _ => 0.0,
    };
    let floor = messages as f64 / f64::from(limits.global_per_second);
    let stats = sim.stats();
    let result = json!({
        "subscribers": args.subscribers,
        "parts": parts.len(),
        "messages": messages,
        "scale": args.scale,
        "global_per_second": limits.global_per_second,
        "concurrency": args.concurrency,
        "seconds": elapsed,
        "first_to_last_seconds": span,
        "floor_seconds": floor,
        "over_floor_percent": (elapsed / floor - 1.0) * 100.0,
        "too_many_requests": stats.too_many_requests(),
        "too_many_by_limit": {"global": stats.too_many_global, "chat": stats.too_many_chat,
                              "group": stats.too_many_group},
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "chats_not_exactly_once_in_order": wrong,
    });
    if args.json {
        println!("{result}");
    } else {
        println!(
            "{} subscribers × {} parts = {messages} messages at {}/s (×{}): {elapsed:.1} s \
             (first→last {span:.1} s) against a floor of {floor:.1} s: {:+.1} %; 429s: {} \
             (global {}, chat {}, group {}); \
             sent {}, retrying {}, failed {}; chats not served exactly once in order: {wrong}",
            args.subscribers,
            parts.len(),
            limits.global_per_second,
            args.scale,
            (elapsed / floor - 1.0) * 100.0,
            stats.too_many_requests(),
            stats.too_many_global,
            stats.too_many_chat,
            stats.too_many_group,
            report.sent,
            report.retrying,
            report.failed,
        );
    }
    Ok(())
}
