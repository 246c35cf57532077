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
//!
//! Last, everything at once ([`full`]): three `gazette run --role all` nodes,
//! 500 feeds, 1,000 subscribers of the bot in the Telegram simulator, two
//! editions, and the node holding the scheduler's lock SIGKILLed while the
//! first edition goes out.

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

/// Subscribes the store configured in `dir/gazette.toml` to feeds 0 to
/// `feeds - 1` of the local server at `addr`, through an OPML import as a
/// user would.
fn import_feeds(dir: &Path, addr: std::net::SocketAddr, feeds: usize) {
    let outlines: String = (0..feeds)
        .map(|n| {
            format!(
                "<outline type=\"rss\" text=\"Feed {n}\" xmlUrl=\"http://{addr}/feed/{n}.xml\"/>"
            )
        })
        .collect();
    std::fs::write(
        dir.join("feeds.opml"),
        format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>t</title></head><body>{outlines}</body></opml>"),
    )
    .unwrap();
    gazette(dir)
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
    import_feeds(dir.path(), addr, FEEDS);

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

// ---------------------------------------------------------------------------
// Three full nodes: feeds, bot, scheduler, delivery; the scheduler killed
// ---------------------------------------------------------------------------

mod full {
    //! Three `gazette run --role all` nodes on one PostgreSQL store, 500 local
    //! feeds and 1,000 subscribers who sign up by talking to the bot in the
    //! Telegram simulator (`/start`, a language, a time zone). The channel has
    //! two slots a minute apart, both during the test. Once the first
    //! edition's delivery is under way, the node holding the scheduler's lock
    //! is killed (SIGKILL): its lock lapses (`run.lock_lease`), a survivor
    //! composes the second edition, and the dead node's feed claims and
    //! outbox rows go to the survivors once their leases lapse.
    //!
    //! Then: every feed was polled (its second batch of entries, published
    //! after the first slot, too), every entry is stored once as one article,
    //! each slot has one edition, every subscriber got one answer to each of
    //! their messages (one node polls the bot at a time) and every part of
    //! every edition due to them. A part is received twice only when it was in
    //! flight (claimed, not yet recorded) when the node died: Telegram has no
    //! idempotency key, so a send that Telegram handled but the dead node did
    //! not record is sent again. The test snapshots the rows in flight at the
    //! kill and checks that every repeat is one of them, and no more repeats
    //! than the dead node's `deliver.concurrency`.

    use std::collections::{HashMap, HashSet};
    use std::path::Path;
    use std::process::Child;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use axum::Router;
    use axum::extract::{Path as UrlPath, State};
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use gazette_core::{Edition, Store};
    use gazette_editions::Renderer;
    use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
    use jiff::{SignedDuration, Timestamp};

    use super::{import_feeds, pg, spawn_node};

    const FEEDS: usize = 500;
    /// Entries per feed in each batch; the second batch appears after the first slot.
    const ENTRIES: usize = 2;
    const NODES: usize = 3;
    const SUBSCRIBERS: i64 = 1_000;
    const TOKEN: &str = "4242:SCALE-test_token";
    /// `deliver.concurrency` of each node: the most parts one node has in flight.
    const IN_FLIGHT: usize = 16;

    struct Feeds {
        /// The second batch is served from this instant (published a second after the first slot).
        second_batch_from: Timestamp,
        published_first: Timestamp,
        published_second: Timestamp,
        hits: Vec<AtomicUsize>,
        /// Responses that carried the second batch, per feed.
        second_hits: Vec<AtomicUsize>,
    }

    /// A made-up word, different for every `k` (so articles share no words and
    /// each is a story of its own).
    fn word(mut k: usize) -> String {
        const SYLLABLES: [&str; 16] = [
            "ba", "ke", "mi", "no", "pu", "ra", "se", "ti", "vo", "zu", "la", "de", "fi", "go",
            "hu", "ja",
        ];
        let mut w = String::new();
        for _ in 0..5 {
            w.push_str(SYLLABLES[k % 16]);
            k /= 16;
        }
        w
    }

    fn words(start: usize, n: usize) -> String {
        (start..start + n).map(word).collect::<Vec<_>>().join(" ")
    }

    fn rfc2822(t: Timestamp) -> String {
        t.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string()
    }

    fn item(n: usize, batch: usize, i: usize, published: Timestamp) -> String {
        let article = (batch * FEEDS + n) * ENTRIES + i;
        let base = article * 60;
        let sentences: String = (0..4)
            .map(|s| format!("Ma {}. ", words(base + 8 + s * 12, 12)))
            .collect();
        format!(
            "<item><title>Ma {}</title>\
             <link>http://news{n}.example/articles/{batch}-{i}</link>\
             <guid>feed-{n}-batch-{batch}-entry-{i}</guid>\
             <pubDate>{}</pubDate>\
             <description>{sentences}</description></item>",
            words(base, 7),
            rfc2822(published)
        )
    }

    async fn feed(
        UrlPath(n): UrlPath<String>,
        State(feeds): State<Arc<Feeds>>,
    ) -> impl IntoResponse {
        let n: usize = n.trim_end_matches(".xml").parse().unwrap();
        feeds.hits[n].fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut items: String = (0..ENTRIES)
            .map(|i| item(n, 0, i, feeds.published_first))
            .collect();
        if Timestamp::now() >= feeds.second_batch_from {
            feeds.second_hits[n].fetch_add(1, Ordering::SeqCst);
            items.extend((0..ENTRIES).map(|i| item(n, 1, i, feeds.published_second)));
        }
        (
            [(header::CONTENT_TYPE, "application/rss+xml")],
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
                 <link>http://news{n}.example/</link>{items}</channel></rss>"
            ),
        )
    }

    /// The next whole minute at least `lead` from `now`.
    fn minute_after(now: Timestamp, lead: SignedDuration) -> Timestamp {
        let t = (now + lead).as_second();
        Timestamp::from_second((t + 59) / 60 * 60).unwrap()
    }

    fn hhmm(t: Timestamp) -> String {
        t.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%H:%M")
            .to_string()
    }

    fn log(dir: &Path, i: usize) -> String {
        std::fs::read_to_string(dir.join(format!("full{i}.log"))).unwrap_or_default()
    }

    fn stop_all(nodes: &mut [Option<Child>]) {
        for node in nodes.iter_mut().flatten() {
            let _ = node.kill();
            let _ = node.wait();
        }
    }

    /// The texts of the Telegram messages `edition` makes for a subscriber in `lang`.
    fn parts(renderer: &Renderer, edition: &Edition, lang: &str) -> Vec<String> {
        let variant =
            gazette_deliver::telegram::filter::for_subscriber(&edition.edition, lang, &[], &[])
                .expect("no filters: the whole edition");
        renderer
            .render(&variant, "Briefing", gazette_core::Format::Telegram)
            .unwrap()
            .parts
            .iter()
            .map(|p| gazette_telegram_sim::html::parse(p).unwrap().text)
            .collect()
    }

    #[test]
    fn three_full_nodes_one_killed_while_scheduling_lose_and_double_nothing() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let Some(db) = runtime.block_on(pg::Database::create()) else {
            return;
        };
        // A test server: commits need not wait for the disk (the server is
        // not what is killed here), which keeps this machine's fsyncs out of the run.
        runtime
            .block_on(async {
                db.raw()
                    .await
                    .batch_execute(&format!(
                        "ALTER DATABASE {} SET synchronous_commit = off",
                        db.name
                    ))
                    .await
            })
            .unwrap();
        let started = Timestamp::now();
        // Time for the sign-ups before the first slot; the second a minute later.
        let slot1 = minute_after(started, SignedDuration::from_secs(75));
        let slot2 = slot1 + SignedDuration::from_mins(1);
        let feeds = Arc::new(Feeds {
            second_batch_from: slot1 + SignedDuration::from_secs(2),
            published_first: started - SignedDuration::from_mins(10),
            published_second: slot1 + SignedDuration::from_secs(1),
            hits: (0..FEEDS).map(|_| AtomicUsize::new(0)).collect(),
            second_hits: (0..FEEDS).map(|_| AtomicUsize::new(0)).collect(),
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/feed/{n}", get(feed))
            .with_state(feeds.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        let sim = runtime
            .block_on(Simulator::start(
                SimConfig::new(TOKEN).limits(SimLimits::telegram().scaled(10)),
            ))
            .unwrap();
        let users: Vec<i64> = (1..=SUBSCRIBERS).collect();
        sim.add_users(users.iter().copied());

        // The nodes' logs stay for a look after the test: target/tmp/multinode-full-<pid>.
        let dir = tempfile::Builder::new()
            .prefix(&format!("multinode-full-{}-", std::process::id()))
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let dir = Kept(dir.keep());
        // Each node keeps under a third of the simulator's limits (300/s, 10/s a chat).
        std::fs::write(
            dir.path().join("gazette.toml"),
            format!(
                "store = \"{url}\"\n\
                 [fetch]\nallow_private_networks = true\nconcurrency = 8\nper_host = 8\n\
                 fetch_pages = false\ntimeout = \"10s\"\n\
                 [poll]\nmin_interval = \"10s\"\ndefault_interval = \"10s\"\nmax_interval = \"10s\"\n\
                 claim_lease = \"5s\"\n\
                 [run]\nfetch_every = \"1s\"\nschedule_every = \"1s\"\ndeliver_every = \"1s\"\n\
                 lock_lease = \"15s\"\n\
                 [deliver]\nlease = \"4s\"\nconcurrency = {IN_FLIGHT}\n\
                 [telegram]\ntoken = \"{TOKEN}\"\napi_base = \"{api}\"\n\
                 [telegram.limits]\nglobal_per_second = 90\nper_chat_per_second = 3\n\
                 per_group_per_minute = 60\n\
                 [telegram.bot]\nmode = \"polling\"\npoll_timeout = \"2s\"\n\
                 [[channels]]\nname = \"briefing\"\ntitle = \"Briefing\"\ntimezone = \"UTC\"\n\
                 schedule = [\"{s1}\", \"{s2}\"]\nsize = 10\n\
                 [[channels.sinks]]\nkind = \"telegram\"\nsubscribers = true\n",
                url = db.url,
                api = sim.api_base(),
                s1 = hhmm(slot1),
                s2 = hhmm(slot2),
            ),
        )
        .unwrap();
        import_feeds(dir.path(), addr, FEEDS);

        let mut nodes: Vec<Option<Child>> = (0..NODES)
            .map(|i| Some(spawn_node(dir.path(), "all", &format!("full{i}.log"))))
            .collect();
        // Sign-ups, answered in order by the one polling node: `/start`, the
        // language, and for a third of them the time zone (the others keep
        // the channel's, as a subscriber who never answers does).
        // Everyone starts, then everyone answers (a person takes more than a
        // moment to answer, and one chat gets at most `per_chat_per_second`).
        let mut messages_sent: HashMap<i64, usize> = HashMap::new();
        for user in &users {
            sim.send_text(*user, "/start");
        }
        for (k, user) in users.iter().enumerate() {
            sim.send_text(*user, if k % 2 == 0 { "English" } else { "Français" });
            messages_sent.insert(*user, 2);
        }
        for (k, user) in users.iter().enumerate().filter(|(k, _)| k % 3 == 0) {
            sim.send_text(*user, if k % 2 == 0 { "UTC" } else { "ok" });
            *messages_sent.get_mut(user).unwrap() += 1;
        }

        let store = runtime
            .block_on(gazette_store::PgStore::connect(&db.url))
            .unwrap();
        let client = runtime.block_on(db.raw());
        let count =
            |sql: &str| -> i64 { runtime.block_on(client.query_one(sql, &[])).unwrap().get(0) };
        let wait = |what: &str,
                    deadline: Instant,
                    nodes: &mut [Option<Child>],
                    done: &dyn Fn() -> bool| {
            while !done() {
                if Instant::now() > deadline {
                    stop_all(nodes);
                    panic!(
                        "timed out waiting for {what}; node logs:\n{}",
                        (0..NODES)
                            .map(|i| format!("--- node {i}\n{}", tail(&log(dir.path(), i))))
                            .collect::<String>()
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        let to_slot1 = Duration::from_secs_f64(
            slot1
                .duration_since(Timestamp::now())
                .as_secs_f64()
                .max(0.0),
        );

        // The first edition is composed at its slot and its delivery begins.
        let ed1_rows = || {
            count(
                "SELECT count(*) FROM deliveries d JOIN editions e ON e.id = d.edition_id \
                 WHERE e.slot_at = (SELECT min(slot_at) FROM editions)",
            )
        };
        let ed1_sent = || {
            count(
                "SELECT count(*) FROM deliveries d JOIN editions e ON e.id = d.edition_id \
                 WHERE e.slot_at = (SELECT min(slot_at) FROM editions) AND d.state = 'sent'",
            )
        };
        wait(
            "the first edition's delivery",
            Instant::now() + to_slot1 + Duration::from_secs(60),
            &mut nodes,
            &|| {
                let rows = ed1_rows();
                rows > 0 && ed1_sent() * 3 >= rows
            },
        );
        // Kill the node holding the scheduler's lock.
        let holder: String = runtime
            .block_on(client.query_one("SELECT holder FROM locks WHERE name = 'scheduler'", &[]))
            .unwrap()
            .get(0);
        let pid: u32 = holder.rsplit('-').next().unwrap().parse().unwrap();
        let victim = nodes
            .iter()
            .position(|n| n.as_ref().is_some_and(|c| c.id() == pid))
            .unwrap_or_else(|| panic!("the lock's holder {holder} is one of the nodes"));
        let mut killed = nodes[victim].take().unwrap();
        killed.kill().unwrap(); // SIGKILL
        killed.wait().unwrap();
        // The rows in flight at the kill (the dead node's among them): only
        // these may be sent twice.
        let in_flight: HashSet<(i64, String, i64)> = runtime
            .block_on(client.query(
                "SELECT edition_id, recipient, part FROM deliveries WHERE state = 'sending'",
                &[],
            ))
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let (rows_at_kill, sent_at_kill) = (ed1_rows(), ed1_sent());
        assert!(
            sent_at_kill < rows_at_kill,
            "killed mid-delivery ({sent_at_kill} of {rows_at_kill})"
        );
        let killed_at = Timestamp::now();

        // The survivors finish: the second slot is composed (by the node that
        // took the lock over) and everything is sent; every feed is polled.
        let to_slot2 = Duration::from_secs_f64(
            slot2
                .duration_since(Timestamp::now())
                .as_secs_f64()
                .max(0.0),
        );
        let everything = || {
            count("SELECT count(*) FROM editions") == 2
                // Each edition queued for every subscriber (one transaction each).
                && count(&format!(
                    "SELECT count(*) FROM (SELECT edition_id FROM deliveries GROUP BY edition_id \
                     HAVING count(DISTINCT recipient) = {SUBSCRIBERS}) queued"
                )) == 2
                && count("SELECT count(*) FROM deliveries WHERE state <> 'sent'") == 0
                && count("SELECT count(*) FROM articles") == (2 * FEEDS * ENTRIES) as i64
                && feeds.second_hits.iter().all(|h| h.load(Ordering::SeqCst) > 0)
                && count("SELECT count(*) FROM telegram_subscribers") == SUBSCRIBERS
                && sim.pending_updates() == 0
        };
        wait(
            "every edition sent and every feed polled",
            Instant::now() + to_slot2 + Duration::from_secs(120),
            &mut nodes,
            &everything,
        );
        let logs: Vec<String> = (0..NODES).map(|i| log(dir.path(), i)).collect();
        stop_all(&mut nodes);

        // Feeds and articles: each entry stored once.
        assert_eq!(
            count("SELECT count(*) FROM sources WHERE last_success_at IS NULL"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM sources WHERE last_error IS NOT NULL"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM entries"),
            (2 * FEEDS * ENTRIES) as i64
        );
        assert_eq!(
            count("SELECT count(DISTINCT url) FROM articles"),
            (2 * FEEDS * ENTRIES) as i64
        );

        // Editions: one per slot, the second composed by a survivor after the lock lapsed.
        let editions = runtime
            .block_on(store.editions_since("briefing", slot1 - SignedDuration::from_hours(1)))
            .unwrap();
        let slots: Vec<Timestamp> = editions
            .iter()
            .map(|e| e.edition.slot.timestamp())
            .collect();
        assert_eq!(slots, [slot1, slot2], "one edition per slot");
        assert!(
            editions[1].edition.composed_at > killed_at,
            "the second edition was composed after the kill"
        );
        let took_over = (0..NODES)
            .filter(|i| *i != victim)
            .filter(|i| logs[*i].contains("this node schedules"))
            .count();
        // A survivor took the lock over (and another may have later, if a
        // tick of the first outlasted the lease on this loaded machine).
        assert!(took_over >= 1, "a survivor took the scheduler's lock");
        let handovers: usize = logs
            .iter()
            .map(|l| l.matches("scheduler lock lost").count())
            .sum();

        // Subscribers: every sign-up complete, answered once per message.
        let subscribers = runtime.block_on(store.active_subscribers()).unwrap();
        assert_eq!(subscribers.len(), SUBSCRIBERS as usize);
        assert!(
            subscribers.iter().all(|s| s.created_at < slot1),
            "every sign-up before the first slot (they take seconds; the slot is over a minute away)"
        );
        let set_up = subscribers.iter().filter(|s| s.awaiting.is_none()).count();
        assert_eq!(set_up, users.len().div_ceil(3), "time zones answered");
        let renderer = Renderer::new(None).unwrap();
        let expected: HashMap<(usize, &str), Vec<String>> = [0, 1]
            .into_iter()
            .flat_map(|e| ["en", "fr"].map(|lang| (e, lang)))
            .map(|(e, lang)| ((e, lang), parts(&renderer, &editions[e], lang)))
            .collect();
        let edition_texts: HashSet<&String> = expected.values().flatten().collect();
        assert_eq!(
            edition_texts.len(),
            expected.values().map(Vec::len).sum::<usize>(),
            "every part of every edition is told apart by its text"
        );
        let mut received: HashMap<i64, Vec<String>> = HashMap::new();
        for m in sim.messages() {
            received.entry(m.chat_id).or_default().push(m.text);
        }
        let mut repeated = Vec::new();
        for s in &subscribers {
            let lang = if s.chat_id % 2 == 1 { "en" } else { "fr" };
            assert_eq!(s.lang, lang, "chat {}", s.chat_id);
            let got = &received[&s.chat_id];
            let answers = got.iter().filter(|t| !edition_texts.contains(t)).count();
            assert_eq!(
                answers, messages_sent[&s.chat_id],
                "chat {}: one answer to each message: {got:?}",
                s.chat_id
            );
            for (e, edition) in editions.iter().enumerate() {
                let parts = &expected[&(e, lang)];
                let mut order: Vec<&String> = got.iter().filter(|t| parts.contains(t)).collect();
                order.dedup();
                assert_eq!(
                    order,
                    parts.iter().collect::<Vec<_>>(),
                    "chat {}: every part of edition {}, in order",
                    s.chat_id,
                    e + 1
                );
                for (part, text) in parts.iter().enumerate() {
                    let times = got.iter().filter(|t| *t == text).count();
                    assert!(times <= 2, "chat {}: a part sent {times} times", s.chat_id);
                    if times == 2 {
                        repeated.push((edition.id.0, s.chat_id.to_string(), part as i64));
                    }
                }
            }
        }
        for row in &repeated {
            assert!(
                in_flight.contains(row),
                "{row:?} was sent twice but was not in flight at the kill"
            );
        }
        assert!(
            repeated.len() <= IN_FLIGHT,
            "{} repeats, more than one node's parts in flight ({IN_FLIGHT})",
            repeated.len()
        );
        let rows = count("SELECT count(*) FROM deliveries") as usize;
        let edition_messages = sim
            .messages()
            .iter()
            .filter(|m| edition_texts.contains(&m.text))
            .count();
        assert_eq!(edition_messages, rows + repeated.len());
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
        eprintln!(
            "killed node {victim} (scheduler) with {sent_at_kill} of {rows_at_kill} parts of the first \
             edition sent, {} rows in flight; {rows} parts delivered ({} and {} parts per edition), \
             {} repeated; {took_over} survivor(s) scheduled, \
             {handovers} lock loss(es) logged; simulator: {:?}",
            in_flight.len(),
            expected[&(0, "en")].len(),
            expected[&(1, "en")].len(),
            repeated.len(),
            sim.stats()
        );
    }

    /// A directory that outlives the test (for its logs).
    struct Kept(std::path::PathBuf);

    impl Kept {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    fn tail(log: &str) -> String {
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}
