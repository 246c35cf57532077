//! Benchmark: scaling out. The same work done by 1 node and by 3 nodes
//! (`gazette run`, the real binary, as separate processes) on one PostgreSQL
//! store; prints feeds polled and articles stored per second, and messages
//! delivered per second.
//!
//! ```text
//! cargo build --release -p gazette --bin gazette --example bench_scale
//! target/release/examples/bench_scale [--nodes 1,3] [--feeds 2000] [--entries 5]
//!     [--latency-ms 75] [--pages] [--fetch-concurrency 16] [--subscribers 5000]
//!     [--scale 1000] [--deliver-concurrency 64] [--postgres URL] [--format text|json]
//! ```
//!
//! - **Ingest**: a local feed server (axum on 127.0.0.1) serves `--feeds`
//!   feeds of `--entries` entries each, every response held `--latency-ms`
//!   (a remote server's latency, so that polling is I/O-bound as it is in
//!   production); with `--pages` each entry's page is fetched and extracted
//!   too (same latency). The nodes run `--role fetch` with
//!   `fetch.concurrency` = `fetch.per_host` = `--fetch-concurrency` (all feeds
//!   are on one host here; in production they are on many). Timed from the
//!   first request served until every feed is polled and every article stored.
//! - **Delivery**: an edition of two parts queued for `--subscribers`
//!   subscribers (as the scheduler queues it), delivered by nodes running
//!   `--role deliver` to the Telegram simulator, its limits multiplied by
//!   `--scale` and each node configured with a `1/N` share of them (as
//!   several nodes of one bot must be). Timed from the first message
//!   accepted to the last.
//!
//! Each run uses a database of its own on the server at `--postgres`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped after.
//! The `gazette` binary is the one beside this example's directory
//! (`target/release/gazette`), or `--gazette PATH`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use gazette_core::config::RawConfig;
use gazette_core::testing::{long_ranked_story, new_edition};
use gazette_core::{Store, Subscriber};
use gazette_editions::Renderer;
use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
use jiff::SignedDuration;
use serde_json::json;

const TOKEN: &str = "31337:SCALE-bench";

struct Args {
    nodes: Vec<usize>,
    feeds: usize,
    entries: usize,
    latency_ms: u64,
    pages: bool,
    fetch_concurrency: usize,
    subscribers: i64,
    scale: u32,
    deliver_concurrency: usize,
    postgres: String,
    gazette: PathBuf,
    json: bool,
}

fn args() -> Result<Args, String> {
    let gazette = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("gazette")))
        .unwrap_or_else(|| PathBuf::from("gazette"));
    let mut parsed = Args {
        nodes: vec![1, 3],
        feeds: 2_000,
        entries: 5,
        latency_ms: 75,
        pages: false,
        fetch_concurrency: 16,
        subscribers: 5_000,
        scale: 1_000,
        deliver_concurrency: 64,
        postgres: std::env::var("GAZETTE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        gazette,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--pages" {
            parsed.pages = true;
            continue;
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{flag}: expected a positive number, found {value}"))
        };
        match flag.as_str() {
            "--nodes" => {
                parsed.nodes = value
                    .split(',')
                    .map(|n| n.trim().parse::<usize>().ok().filter(|n| *n > 0))
                    .collect::<Option<_>>()
                    .ok_or(format!("--nodes: expected e.g. 1,3, found {value}"))?
            }
            "--feeds" => parsed.feeds = number()? as usize,
            "--entries" => parsed.entries = number()? as usize,
            "--latency-ms" => parsed.latency_ms = number()?,
            "--fetch-concurrency" => parsed.fetch_concurrency = number()? as usize,
            "--subscribers" => parsed.subscribers = number()? as i64,
            "--scale" => parsed.scale = number()?.min(100_000) as u32,
            "--deliver-concurrency" => parsed.deliver_concurrency = number()? as usize,
            "--postgres" => parsed.postgres = value,
            "--gazette" => parsed.gazette = PathBuf::from(value),
            "--format" => parsed.json = value == "json",
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if !parsed.gazette.is_file() {
        return Err(format!(
            "no gazette binary at {}: build it (cargo build --release -p gazette) or pass --gazette PATH",
            parsed.gazette.display()
        ));
    }
    Ok(parsed)
}

/// A database of its own on the server, dropped with this value.
struct Database {
    admin: tokio_postgres::Client,
    name: String,
    url: String,
}

impl Database {
    async fn create(server: &str, n: usize) -> Result<Database, Box<dyn std::error::Error>> {
        let (admin, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("cannot connect to {server}: {e}"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let name = format!("gazette_bench_{}_{n}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        let mut url: url::Url = server.parse()?;
        url.set_path(&format!("/{name}"));
        Ok(Database {
            admin,
            name,
            url: url.to_string(),
        })
    }

    async fn raw(&self) -> Result<tokio_postgres::Client, Box<dyn std::error::Error>> {
        let (client, connection) =
            tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// Drops the database; says so when it cannot (drop it by hand then).
    async fn drop_it(self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = self.admin.batch_execute(&sql).await {
            eprintln!("warning: could not drop the database {}: {e}", self.name);
        }
    }
}

/// `N` nodes `gazette run --role ROLE` in `dir`, logs in `dir/node<i>.log`.
struct Nodes(Vec<Child>);

impl Nodes {
    fn spawn(gazette: &Path, dir: &Path, role: &str, n: usize) -> std::io::Result<Nodes> {
        let mut children = Vec::new();
        for i in 0..n {
            let log = std::fs::File::create(dir.join(format!("node{i}.log")))?;
            let mut cmd = Command::new(gazette);
            for (name, _) in std::env::vars() {
                if name.starts_with("GAZETTE_") {
                    cmd.env_remove(name);
                }
            }
            children.push(
                cmd.current_dir(dir)
                    .args(["--config", "gazette.toml", "run", "--role", role])
                    .env("GAZETTE_LOG", "gazette=warn")
                    .stdout(Stdio::null())
                    .stderr(log)
                    .spawn()?,
            );
        }
        Ok(Nodes(children))
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `done` every 50 ms until it holds; an error after `timeout`.
async fn wait_until(
    what: &str,
    timeout: Duration,
    dir: &Path,
    mut done: impl AsyncFnMut() -> Result<bool, Box<dyn std::error::Error>>,
) -> Result<Instant, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + timeout;
    loop {
        if done().await? {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("node0.log")).unwrap_or_default();
            return Err(format!("timed out waiting for {what}; node 0's log:\n{log}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ----- ingest -----------------------------------------------------------------

struct FeedServer {
    entries: usize,
    latency: Duration,
    addr: OnceLock<std::net::SocketAddr>,
    first: OnceLock<Instant>,
    requests: AtomicUsize,
}

const WORDS: [&str; 24] = [
    "council", "budget", "river", "harbour", "election", "minister", "storm", "market", "school",
    "railway", "museum", "festival", "bridge", "hospital", "court", "energy", "farmers", "station",
    "library", "airport", "vote", "trial", "strike", "report",
];

/// Text for entry `i` of feed `n`: different words in a different order.
fn sentence(n: usize, i: usize, s: usize) -> String {
    let words: Vec<&str> = (0..14)
        .map(|k| WORDS[(n * 7 + i * 5 + s * 3 + k * 11) % WORDS.len()])
        .collect();
    format!(
        "Feed {n} story {i}: the {} said on day {s}.",
        words.join(" ")
    )
}

async fn serve_feed(
    UrlPath(n): UrlPath<String>,
    State(server): State<Arc<FeedServer>>,
) -> impl IntoResponse {
    server.first.get_or_init(Instant::now);
    server.requests.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(server.latency).await;
    let n: usize = n.trim_end_matches(".xml").parse().unwrap_or(0);
    let addr = server
        .addr
        .get()
        .expect("the address is set before serving");
    let items: String = (0..server.entries)
        .map(|i| {
            format!(
                "<item><title>Feed {n}: story {i}</title><link>http://{addr}/page/{n}/{i}</link>\
                 <guid>feed-{n}-{i}</guid><pubDate>Mon, 12 Jan 2026 {:02}:00:00 GMT</pubDate>\
                 <description>{} {}</description></item>",
                i % 24,
                sentence(n, i, 0),
                sentence(n, i, 1)
            )
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
             <link>http://{addr}/</link>{items}</channel></rss>"
        ),
    )
}

async fn serve_page(
    UrlPath((n, i)): UrlPath<(usize, usize)>,
    State(server): State<Arc<FeedServer>>,
) -> impl IntoResponse {
    server.requests.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(server.latency).await;
    let paragraphs: String = (0..12)
        .map(|s| format!("<p>{} {}</p>", sentence(n, i, s), sentence(n, i, s + 12)))
        .collect();
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><head><title>Feed {n}: story {i}</title></head><body>\
             <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
             <article><h1>Feed {n}: story {i}</h1>{paragraphs}</article>\
             <footer>© Feed {n}</footer></body></html>"
        ),
    )
}

struct IngestResult {
    nodes: usize,
    seconds: f64,
    requests: usize,
}

async fn ingest(
    args: &Args,
    nodes: usize,
    db: &Database,
) -> Result<IngestResult, Box<dyn std::error::Error>> {
    let server = Arc::new(FeedServer {
        entries: args.entries,
        latency: Duration::from_millis(args.latency_ms),
        addr: OnceLock::new(),
        first: OnceLock::new(),
        requests: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    server.addr.set(addr).expect("set once");
    let app = Router::new()
        .route("/feed/{n}", get(serve_feed))
        .route("/page/{n}/{i}", get(serve_page))
        .with_state(server.clone());
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir()?;
    let c = args.fetch_concurrency;
    std::fs::write(
        dir.path().join("gazette.toml"),
        format!(
            "store = \"{}\"\n[fetch]\nallow_private_networks = true\nconcurrency = {c}\n\
             per_host = {c}\nfetch_pages = {}\ntimeout = \"30s\"\n\
             [poll]\nclaim_lease = \"5m\"\n[run]\nfetch_every = \"1s\"\n",
            db.url, args.pages
        ),
    )?;
    let outlines: String = (0..args.feeds)
        .map(|n| {
            format!(
                "<outline type=\"rss\" text=\"Feed {n}\" xmlUrl=\"http://{addr}/feed/{n}.xml\"/>"
            )
        })
        .collect();
    std::fs::write(
        dir.path().join("feeds.opml"),
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>bench</title></head><body>{outlines}</body></opml>"
        ),
    )?;
    let imported = Command::new(&args.gazette)
        .current_dir(dir.path())
        .args([
            "-q",
            "--config",
            "gazette.toml",
            "feeds",
            "import",
            "feeds.opml",
        ])
        .status()?;
    if !imported.success() {
        return Err("gazette feeds import failed".into());
    }
    let client = db.raw().await?;
    let running = Nodes::spawn(&args.gazette, dir.path(), "fetch", nodes)?;
    let (feeds, articles) = (args.feeds as i64, (args.feeds * args.entries) as i64);
    let done = wait_until(
        "every feed polled",
        Duration::from_secs(1800),
        dir.path(),
        async || {
            let row = client
                .query_one(
                    "SELECT (SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL), \
                 (SELECT count(*) FROM articles)",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0) == feeds && row.get::<_, i64>(1) == articles)
        },
    )
    .await?;
    drop(running);
    serving.abort();
    let first = *server.first.get().ok_or("no feed was requested")?;
    Ok(IngestResult {
        nodes,
        seconds: (done - first).as_secs_f64(),
        requests: server.requests.load(Ordering::Relaxed),
    })
}

// ----- delivery ---------------------------------------------------------------

struct DeliverResult {
    nodes: usize,
    messages: usize,
    seconds: f64,
    too_many_requests: u64,
    repeats: usize,
}

async fn deliver(
    args: &Args,
    nodes: usize,
    db: &Database,
) -> Result<DeliverResult, Box<dyn std::error::Error>> {
    let limits = SimLimits::telegram().scaled(args.scale);
    let sim = Simulator::start(SimConfig::new(TOKEN).limits(limits)).await?;
    let share = |limit: u32| (limit / nodes as u32).max(1);
    let config_text = format!(
        "store = \"{}\"\n[deliver]\nconcurrency = {}\n[run]\ndeliver_every = \"1s\"\n\
         [telegram]\ntoken = \"{TOKEN}\"\napi_base = \"{}\"\n\
         [telegram.limits]\nglobal_per_second = {}\nper_chat_per_second = {}\nper_group_per_minute = {}\n\
         [[channels]]\nname = \"bench\"\ntitle = \"Bench\"\ntimezone = \"UTC\"\nschedule = [\"07:30\"]\nsize = 20\n\
         [[channels.sinks]]\nkind = \"telegram\"\nsubscribers = true\n",
        db.url,
        args.deliver_concurrency,
        sim.api_base(),
        share(limits.global_per_second),
        share(limits.per_chat_per_second),
        share(limits.per_group_per_minute),
    );
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("gazette.toml"), &config_text)?;
    let config = toml::from_str::<RawConfig>(&config_text)?.validate()?;
    let channel = &config.channels[0];
    let store = gazette_store::PgStore::connect(&db.url).await?;
    let renderer = Renderer::new(None)?;

    // An edition of exactly two messages, queued for every subscriber.
    let slot: jiff::Zoned = "2026-01-15T07:30:00+00:00[UTC]".parse()?;
    let mut stories = vec![long_ranked_story(1)];
    let edition = loop {
        let edition = new_edition("bench", &slot, stories.clone());
        let parts = renderer
            .render(&edition, &channel.title, gazette_core::Format::Telegram)?
            .parts;
        if parts.len() >= 2 {
            break edition;
        }
        stories.push(long_ranked_story(stories.len() as i64 + 1));
    };
    store.insert_edition(&edition).await?;
    let chats: Vec<i64> = (1..=args.subscribers).map(|i| 100_000 + i).collect();
    sim.add_users(chats.iter().copied());
    let joined = slot.timestamp() - SignedDuration::from_hours(1);
    for chat in &chats {
        store
            .save_subscriber(&Subscriber::new(*chat, "en", joined))
            .await?;
    }
    let queued =
        gazette_deliver::telegram::queue_subscribers(&store, &renderer, channel, slot.timestamp())
            .await?;
    let messages = queued.rows;

    let client = db.raw().await?;
    let running = Nodes::spawn(&args.gazette, dir.path(), "deliver", nodes)?;
    wait_until(
        "every message sent",
        Duration::from_secs(1800),
        dir.path(),
        async || {
            let row = client
                .query_one("SELECT count(*) FROM deliveries WHERE state = 'sent'", &[])
                .await?;
            Ok(row.get::<_, i64>(0) as usize == messages)
        },
    )
    .await?;
    drop(running);
    let received = sim.messages();
    let seconds = match (received.first(), received.last()) {
        (Some(first), Some(last)) => (last.at - first.at).as_secs_f64(),
        _ => 0.0,
    };
    Ok(DeliverResult {
        nodes,
        messages,
        seconds,
        too_many_requests: sim.stats().too_many_requests(),
        repeats: received.len().saturating_sub(messages),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args().map_err(|e| {
        format!(
            "{e}\nusage: bench_scale [--nodes 1,3] [--feeds N] [--entries N] [--latency-ms MS] [--pages] \
             [--fetch-concurrency N] [--subscribers N] [--scale K] [--deliver-concurrency N] \
             [--postgres URL] [--gazette PATH] [--format text|json]"
        )
    })?;
    let mut runs = 0;
    let mut ingests = Vec::new();
    for &n in &args.nodes {
        eprintln!("ingest: {n} node(s)…");
        runs += 1;
        let db = Database::create(&args.postgres, runs).await?;
        let result = ingest(&args, n, &db).await;
        db.drop_it().await;
        ingests.push(result?);
    }
    let mut deliveries = Vec::new();
    for &n in &args.nodes {
        eprintln!("delivery: {n} node(s)…");
        runs += 1;
        let db = Database::create(&args.postgres, runs).await?;
        let result = deliver(&args, n, &db).await;
        db.drop_it().await;
        deliveries.push(result?);
    }

    let articles = args.feeds * args.entries;
    let base_ingest = ingests.first().map_or(1.0, |r| r.seconds);
    let base_deliver = deliveries.first().map_or(1.0, |r| r.seconds);
    if args.json {
        let ingest: Vec<_> = ingests
            .iter()
            .map(|r| {
                json!({"nodes": r.nodes, "seconds": r.seconds, "feeds_per_sec": args.feeds as f64 / r.seconds,
                       "articles_per_sec": articles as f64 / r.seconds, "requests": r.requests,
                       "speedup": base_ingest / r.seconds})
            })
            .collect();
        let delivery: Vec<_> = deliveries
            .iter()
            .map(|r| {
                json!({"nodes": r.nodes, "messages": r.messages, "seconds": r.seconds,
                       "messages_per_sec": r.messages as f64 / r.seconds, "too_many_requests": r.too_many_requests,
                       "repeats": r.repeats, "speedup": base_deliver / r.seconds})
            })
            .collect();
        println!(
            "{}",
            json!({"feeds": args.feeds, "entries": args.entries, "latency_ms": args.latency_ms,
                   "pages": args.pages, "fetch_concurrency": args.fetch_concurrency,
                   "subscribers": args.subscribers, "scale": args.scale,
                   "deliver_concurrency": args.deliver_concurrency,
                   "ingest": ingest, "delivery": delivery})
        );
        return Ok(());
    }
    println!(
        "ingest: {} feeds × {} entries, {} ms per response{}, fetch.concurrency {} per node",
        args.feeds,
        args.entries,
        args.latency_ms,
        if args.pages {
            ", pages fetched and extracted"
        } else {
            ", feed text only"
        },
        args.fetch_concurrency
    );
    println!("| nodes | seconds | feeds/s | articles/s | requests | speed-up |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for r in &ingests {
        println!(
            "| {} | {:.2} | {:.0} | {:.0} | {} | {:.2}× |",
            r.nodes,
            r.seconds,
            args.feeds as f64 / r.seconds,
            articles as f64 / r.seconds,
            r.requests,
            base_ingest / r.seconds
        );
    }
    let limits = SimLimits::telegram().scaled(args.scale);
    println!(
        "\ndelivery: {} subscribers × 2 parts, simulator limits ×{} ({}/s overall, {}/s a chat) shared \
         between the nodes, deliver.concurrency {} per node",
        args.subscribers,
        args.scale,
        limits.global_per_second,
        limits.per_chat_per_second,
        args.deliver_concurrency
    );
    println!("| nodes | messages | seconds | messages/s | 429s | repeats | speed-up |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in &deliveries {
        println!(
            "| {} | {} | {:.2} | {:.0} | {} | {} | {:.2}× |",
            r.nodes,
            r.messages,
            r.seconds,
            r.messages as f64 / r.seconds,
            r.too_many_requests,
            r.repeats,
            base_deliver / r.seconds
        );
    }
    Ok(())
}
