//! Several `gazette run` nodes on one PostgreSQL store share the polling, and
//! one of them killed mid-run (SIGKILL) loses nothing and doubles nothing.
//!
//! A local feed server serves 500 feeds of two entries each, slowly enough
//! that the run lasts a few seconds; three `gazette run --role fetch` nodes poll
//! them; the first is killed once a fifth of the feeds were served. Its claims
//! lapse (`poll.claim_lease`, short here) and the survivors poll its feeds in
//! their next pass. Then: every feed was polled successfully, every entry is
//! stored once as one article, and no feed was served more than twice (only
//! those claimed by the killed node, at most one claim batch, twice).
//!
//! The database comes from the store crate's PostgreSQL test harness; without
//! a server this test says it did not run, and fails under `CI=true`.
//!
//! Then the scheduler: two `gazette run --role schedule` nodes on one store,
//! only one takes the scheduler lock; stopped cleanly (SIGTERM), it releases
//! the lock and the other takes over at its next tick.

#[path = "../../gazette-store/tests/pg/mod.rs"]
mod pg;

use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const FEEDS: usize = 500;
const ENTRIES: usize = 2;
const NODES: usize = 3;
/// `fetch.concurrency` of each node: it claims twice as many feeds at a time.
const CONCURRENCY: usize = 8;

struct Served {
    hits: Vec<AtomicUsize>,
}

async fn feed(UrlPath(n): UrlPath<String>, State(served): State<Arc<Served>>) -> impl IntoResponse {
    let n: usize = n.trim_end_matches(".xml").parse().unwrap();
    served.hits[n].fetch_add(1, Ordering::SeqCst);
    // Slow enough that the run lasts long enough to kill a node in its midst.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let items: String = (0..ENTRIES)
        .map(|i| {
            format!(
                "<item><title>Feed {n} entry {i}</title>\
                 <link>http://news{n}.example/articles/{i}</link>\
                 <guid>feed-{n}-entry-{i}</guid>\
                 <pubDate>Wed, 01 May 2024 10:0{i}:00 GMT</pubDate>\
                 <description>Entry {i} of feed {n}: what happened today.</description></item>"
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

fn gazette(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gazette").expect("the binary is built");
    cmd.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// A `gazette run --role ROLE` node in `dir`, its standard error in `LOG`.
fn spawn_node(dir: &Path, role: &str, log: &str) -> Child {
    let log = std::fs::File::create(dir.join(log)).unwrap();
    let mut cmd = Process::new(assert_cmd::cargo::cargo_bin("gazette"));
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    cmd.current_dir(dir)
        .args(["--config", "gazette.toml", "run", "--role", role])
        .env("GAZETTE_LOG", "gazette=info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn node(dir: &Path, i: usize) -> Child {
    spawn_node(dir, "fetch", &format!("node{i}.log"))
}

#[test]
fn three_fetch_nodes_share_the_feeds_and_one_killed_loses_and_doubles_nothing() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(pg::Database::create()) else {
        return;
    };
    let served = Arc::new(Served {
        hits: (0..FEEDS).map(|_| AtomicUsize::new(0)).collect(),
    });
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/feed/{n}", get(feed))
        .with_state(served.clone());
    runtime.spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gazette.toml"),
        format!(
            "store = \"{url}\"\n\
             [fetch]\nallow_private_networks = true\nconcurrency = {CONCURRENCY}\n\
             per_host = {CONCURRENCY}\nfetch_pages = false\ntimeout = \"10s\"\n\
             [poll]\nclaim_lease = \"4s\"\n",
            url = db.url
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
    std::fs::write(
        dir.path().join("feeds.opml"),
        format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>t</title></head><body>{outlines}</body></opml>"),
    )
    .unwrap();
    gazette(dir.path())
        .args([
            "-q",
            "--config",
            "gazette.toml",
            "feeds",
            "import",
            "feeds.opml",
        ])
        .assert()
        .success();

    let total_hits = || {
        served
            .hits
            .iter()
            .map(|h| h.load(Ordering::SeqCst))
            .sum::<usize>()
    };
    let mut nodes: Vec<Child> = (0..NODES).map(|i| node(dir.path(), i)).collect();
    let started = Instant::now();
    while total_hits() < FEEDS / 5 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the nodes did not start polling; node 0's log:\n{}",
            std::fs::read_to_string(dir.path().join("node0.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nodes[0].kill().unwrap(); // SIGKILL
    nodes[0].wait().unwrap();
    let at_kill = total_hits();
    assert!(
        at_kill < FEEDS,
        "killed mid-run ({at_kill} of {FEEDS} served)"
    );

    // The survivors poll everything, the killed node's feeds once its claims lapsed.
    let client = runtime.block_on(db.raw());
    let count = |sql: &str| -> i64 { runtime.block_on(client.query_one(sql, &[])).unwrap().get(0) };
    let done = || {
        count("SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL") == FEEDS as i64
            && count("SELECT count(*) FROM articles") == (FEEDS * ENTRIES) as i64
    };
    let started = Instant::now();
    while !done() {
        if started.elapsed() > Duration::from_secs(120) {
            for n in &mut nodes[1..] {
                let _ = n.kill();
            }
            panic!(
                "not every feed was polled: {} polled, {} articles; node 1's log:\n{}",
                count("SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL"),
                count("SELECT count(*) FROM articles"),
                std::fs::read_to_string(dir.path().join("node1.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for n in &mut nodes[1..] {
        n.kill().unwrap();
        n.wait().unwrap();
    }

    // Nothing stored twice.
    assert_eq!(
        count("SELECT count(*) FROM entries"),
        (FEEDS * ENTRIES) as i64
    );
    assert_eq!(
        count("SELECT count(DISTINCT url) FROM articles"),
        (FEEDS * ENTRIES) as i64
    );
    assert_eq!(
        count("SELECT count(*) FROM sources WHERE last_error IS NOT NULL"),
        0
    );
    // Every feed served; twice only for the killed node's claims (one batch).
    let hits: Vec<usize> = served
        .hits
        .iter()
        .map(|h| h.load(Ordering::SeqCst))
        .collect();
    assert!(hits.iter().all(|&h| h >= 1), "every feed served");
    let twice = hits.iter().filter(|&&h| h >= 2).count();
    assert!(
        hits.iter().all(|&h| h <= 2),
        "no feed served three times: {hits:?}"
    );
    assert!(
        twice <= 2 * CONCURRENCY,
        "{twice} feeds served twice, more than the killed node's claim batch"
    );
    // The work was shared: every survivor polled.
    for i in 1..NODES {
        let log = std::fs::read_to_string(dir.path().join(format!("node{i}.log"))).unwrap();
        assert!(log.contains("ingest pass"), "node {i} polled: {log}");
    }
    eprintln!("killed a node after {at_kill} of {FEEDS} feeds served; {twice} feeds polled again");
}

/// Whether schedule node `i`'s log says it took the scheduler lock.
fn schedules(dir: &Path, i: usize) -> bool {
    std::fs::read_to_string(dir.join(format!("sched{i}.log")))
        .unwrap_or_default()
        .contains("this node schedules")
}

fn schedule_node(dir: &Path, i: usize) -> Child {
    spawn_node(dir, "schedule", &format!("sched{i}.log"))
}

#[test]
fn one_node_schedules_at_a_time_and_another_takes_over_when_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let slot = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    let hhmm = slot
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%H:%M")
        .to_string();
    std::fs::write(
        dir.path().join("gazette.toml"),
        format!(
            "data_dir = \"data\"\n[[channels]]\nname = \"briefing\"\ntimezone = \"UTC\"\n\
             schedule = [\"{hhmm}\"]\n"
        ),
    )
    .unwrap();
    // The store exists before the nodes start, so they do not race to create it.
    gazette(dir.path())
        .args(["-q", "--config", "gazette.toml", "feeds", "list"])
        .assert()
        .success();
    let mut a = schedule_node(dir.path(), 0);
    let started = Instant::now();
    while !schedules(dir.path(), 0) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the first node never took the lock: {}",
            std::fs::read_to_string(dir.path().join("sched0.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut b = schedule_node(dir.path(), 1);
    // Several ticks pass (one at start, then every 20 s): the second node waits.
    std::thread::sleep(Duration::from_secs(3));
    assert!(!schedules(dir.path(), 1), "two nodes scheduling at once");

    // A clean stop (SIGTERM) releases the lock: the second node takes it at its next tick.
    let stopped = Process::new("kill")
        .args(["-TERM", &a.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(a.wait().unwrap().success(), "the first node stops cleanly");
    let started = Instant::now();
    while !schedules(dir.path(), 1) {
        if started.elapsed() > Duration::from_secs(40) {
            let _ = b.kill();
            panic!(
                "the second node never took over: {}",
                std::fs::read_to_string(dir.path().join("sched1.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    b.kill().unwrap();
    b.wait().unwrap();
}
