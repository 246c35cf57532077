//! Crash recovery on SQLite: the real binary is killed (SIGKILL) several
//! times in the middle of its work and restarted; nothing is lost, nothing is
//! stored or delivered twice beyond the documented bound, and SQLite's
//! `PRAGMA integrity_check` says `ok`.
//!
//! - Ingest: a local server serves many feeds and their article pages, slowly
//!   enough that `gazette ingest --once` is killed at three points fixed by a
//!   seeded generator (counted in requests served, so the same run each time).
//!   After the last restart every entry is stored once, with one article whose
//!   text came from its page.
//! - Delivery: `gazette run --role deliver` sends an edition to many chats of
//!   the Telegram simulator and is killed three times. Every chat gets every
//!   part in order; a part is sent twice only if it was in flight at a kill
//!   (ARCHITECTURE.md, "Exactly once, and its limit"): at most
//!   `deliver.concurrency` repeats per kill, and only for rows claimed again.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use gazette_core::config::RawConfig;
use gazette_core::{DeliveryState, EditionId, Store, Subscriber};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
use jiff::SignedDuration;

const FEEDS: usize = 80;
const ENTRIES: usize = 4;

/// Kill points, in requests served, from a fixed seed: "random" but the same
/// on every run. They fall in the first, second and third quarter of the
/// `FEEDS × (1 + ENTRIES)` requests a clean run makes.
fn kill_points(total: usize) -> Vec<usize> {
    let mut state: u64 = 0x5eed_2026;
    (1..=3)
        .map(|quarter| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let jitter = (state >> 33) as usize % (total / 8);
            quarter * total / 4 - total / 16 + jitter
        })
        .collect()
}

struct Site {
    hits: AtomicUsize,
    /// `127.0.0.1:PORT`, for the article links.
    host: String,
}

async fn feed(UrlPath(n): UrlPath<String>, State(site): State<Arc<Site>>) -> impl IntoResponse {
    site.hits.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(30)).await;
    let n: usize = n.trim_end_matches(".xml").parse().unwrap();
    let items: String = (0..ENTRIES)
        .map(|i| {
            format!(
                "<item><title>Feed {n} story {i}</title>\
                 <link>http://{host}/page/{n}/{i}</link><guid>feed-{n}-entry-{i}</guid>\
                 <pubDate>Wed, 01 May 2024 10:0{i}:00 GMT</pubDate>\
                 <description>Short summary {n}-{i}.</description></item>",
                host = site.host
            )
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
             <link>http://news{n}.example/</link>{items}</channel></rss>"
        ),
    )
}

async fn page(
    UrlPath((n, i)): UrlPath<(usize, usize)>,
    State(site): State<Arc<Site>>,
) -> impl IntoResponse {
    site.hits.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(15)).await;
    // Each page of a feed differs in words, not only in digits: the
    // per-source boilerplate model takes paragraphs that differ only in
    // digits for one repeated paragraph.
    let topic = [
        "the harbour budget",
        "a new school",
        "the old bridge",
        "river flooding",
    ][i % 4];
    let paragraph = format!(
        "<p>Marker {n}-{i}: the council of town {n} met on Tuesday to discuss {topic}, and \
         the debate on {topic} went on for hours before a vote was taken by the members.</p>"
    );
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><head><title>Feed {n} story {i}</title></head><body>\
             <nav><a href=\"/\">Home</a></nav><article><h1>Feed {n} story {i}</h1>\
             {p}{p}{p}</article><footer>Footer</footer></body></html>",
            p = paragraph
        ),
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
        .arg("-q")
        .env("GAZETTE_LOG", "gazette=info,gazette_ingest=info")
        .stdout(Stdio::null())
        .stderr(log);
    cmd
}

fn integrity_check(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn ingest_killed_three_times_loses_and_doubles_nothing() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let site = Arc::new(Site {
        hits: AtomicUsize::new(0),
        host: addr.to_string(),
    });
    let app = Router::new()
        .route("/feed/{n}", get(feed))
        .route("/page/{n}/{i}", get(page))
        .with_state(site.clone());
    runtime.spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gazette.toml");
    let log = dir.path().join("gazette.log");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n\
             [fetch]\nallow_private_networks = true\nconcurrency = 6\nper_host = 6\n\
             timeout = \"10s\"\n\
             [poll]\nclaim_lease = \"1s\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let outlines: String = (0..FEEDS)
        .map(|n| {
            format!(
                "<outline type=\"rss\" text=\"Feed {n}\" xmlUrl=\"http://{addr}/feed/{n}.xml\"/>"
            )
        })
        .collect();
    let opml = dir.path().join("feeds.opml");
    std::fs::write(
        &opml,
        format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>t</title></head><body>{outlines}</body></opml>"),
    )
    .unwrap();
    let imported = gazette(&config, &log)
        .args(["feeds", "import"])
        .arg(&opml)
        .status()
        .unwrap();
    assert!(imported.success());

    let total = FEEDS * (1 + ENTRIES);
    let points = kill_points(total);
    for &point in &points {
        let mut child: Child = gazette(&config, &log)
            .args(["ingest", "--once"])
            .spawn()
            .unwrap();
        let started = Instant::now();
        while site.hits.load(Ordering::SeqCst) < point {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "ingest did not reach {point} requests: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "ingest finished before the kill point {point}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // The killed process's claims lapse (`poll.claim_lease`).
        std::thread::sleep(Duration::from_millis(1_200));
    }
    let at_kills = site.hits.load(Ordering::SeqCst);
    let finished = gazette(&config, &log)
        .args(["ingest", "--once"])
        .status()
        .unwrap();
    assert!(
        finished.success(),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );

    let db = dir.path().join("data").join("gazette.db");
    assert_eq!(integrity_check(&db), "ok");
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL"
        ),
        FEEDS as i64,
        "every feed polled"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM sources WHERE last_error IS NOT NULL"
        ),
        0
    );
    let entries = (FEEDS * ENTRIES) as i64;
    assert_eq!(count(&conn, "SELECT count(*) FROM entries"), entries);
    assert_eq!(
        count(&conn, "SELECT count(DISTINCT guid) FROM entries"),
        entries
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM articles"), entries);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM articles a JOIN entries e ON a.entry_id = e.id"
        ),
        entries,
        "every article belongs to its entry"
    );
    // Every article's text is its page's (fetched, not the feed's summary).
    let mut stmt = conn
        .prepare("SELECT e.guid, a.body_text FROM articles a JOIN entries e ON a.entry_id = e.id")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let missing: Vec<&String> = rows
        .iter()
        .filter(|(guid, text)| {
            let (n, i) = guid
                .strip_prefix("feed-")
                .and_then(|g| g.split_once("-entry-"))
                .unwrap();
            !text.contains(&format!("Marker {n}-{i}:"))
        })
        .map(|(guid, _)| guid)
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} articles without their page's text: {missing:?}",
        missing.len(),
        rows.len()
    );
    for (guid, text) in &rows {
        let (n, i) = guid
            .strip_prefix("feed-")
            .and_then(|g| g.split_once("-entry-"))
            .unwrap();
        assert!(
            text.contains(&format!("Marker {n}-{i}:")),
            "{guid}: the page's text, got {text:?}"
        );
    }
    let served = site.hits.load(Ordering::SeqCst);
    eprintln!(
        "ingest killed at {points:?} requests served ({at_kills} by the last kill); restarted; \
         {served} requests in all for {total} in a clean run; {entries} entries and articles, \
         integrity ok"
    );
}

// ---------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------

const TOKEN: &str = "6262:CRASH-test_token";
const CHATS: i64 = 240;
/// `[deliver] concurrency`: at most this many parts in flight at a kill.
const IN_FLIGHT: usize = 16;

fn deliver_config(data_dir: &Path, api_base: &str) -> String {
    format!(
        r#"data_dir = "{}"

[deliver]
lease = "2s"
concurrency = {IN_FLIGHT}

[telegram]
token = "{TOKEN}"
api_base = "{api_base}"

[telegram.limits]
global_per_second = 200
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
async fn delivery_killed_three_times_sends_everything_in_order_within_the_repeat_bound() {
    let sim = Simulator::start(SimConfig::new(TOKEN).limits(SimLimits::telegram().scaled(10)))
        .await
        .unwrap();
    let chats: Vec<i64> = (1..=CHATS).map(|i| 20_000 + i).collect();
    sim.add_users(chats.iter().copied());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config_path = dir.path().join("gazette.toml");
    let log: PathBuf = dir.path().join("gazette.log");
    let text = deliver_config(&data, &sim.api_base());
    std::fs::write(&config_path, &text).unwrap();
    let config = toml::from_str::<RawConfig>(&text)
        .unwrap()
        .validate()
        .unwrap();
    let channel = &config.channels[0];

    let db = data.join("gazette.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let slot: jiff::Zoned = "2026-01-15T07:30:00+00:00[UTC]".parse().unwrap();
    let edition = store
        .insert_edition(&gazette_core::testing::new_edition(
            "briefing",
            &slot,
            (1..=3)
                .map(gazette_core::testing::long_ranked_story)
                .collect(),
        ))
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

    // Three kills at fixed points of the run, each a restart later.
    let points = kill_points(total);
    let spawn = || {
        let mut cmd = gazette(&config_path, &log);
        cmd.args(["run", "--role", "deliver"]);
        cmd.spawn().unwrap()
    };
    let mut kills = Vec::new();
    for &point in &points {
        let mut child = spawn();
        let deadline = Instant::now() + Duration::from_secs(90);
        while sim.message_count() < point {
            assert!(
                Instant::now() < deadline,
                "delivery did not reach {point} messages: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills.push(sim.message_count());
    }
    assert!(
        rows_sent(store.as_ref(), edition.id).await < total,
        "killed before the end"
    );

    // The last restart sends the rest, the killed processes' rows once their lease expired.
    let mut last = spawn();
    let deadline = Instant::now() + Duration::from_secs(120);
    while rows_sent(store.as_ref(), edition.id).await < total {
        if Instant::now() > deadline {
            let _ = last.kill();
            panic!(
                "not everything was sent; log:\n{}",
                std::fs::read_to_string(&log).unwrap()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    last.kill().unwrap();
    last.wait().unwrap();

    assert_eq!(integrity_check(&db), "ok");
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    assert!(rows.iter().all(|r| r.state == DeliveryState::Sent));
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
                assert!(
                    row.attempts as usize >= times,
                    "a repeat only after a reclaim: {row:?}"
                );
            }
        }
    }
    assert!(
        repeated <= points.len() * IN_FLIGHT,
        "{repeated} repeats, more than the parts in flight at {} kills",
        points.len()
    );
    assert_eq!(sim.message_count(), total + repeated);
    assert_eq!(sim.stats().too_many_requests(), 0, "{:?}", sim.stats());
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        !log.contains(TOKEN.split_once(':').unwrap().1),
        "the token is never logged"
    );
    eprintln!(
        "delivery killed at {kills:?} of {total} messages; restarted; {repeated} part(s) \
         delivered twice (bound {}); integrity ok",
        points.len() * IN_FLIGHT
    );
}
