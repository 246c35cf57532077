//! The command line as a user meets it: exit codes, messages that name the file,
//! line or key at fault, and the whole path from feeds to a delivered edition
//! against a local web server and a real SQLite store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `gazette` run in `dir`, with no configuration from the caller's environment.
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

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    gazette(dir.path()).arg("--help").assert().success();
}

#[test]
fn an_unknown_flag_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    gazette(dir.path())
        .args(["ingest", "--twice"])
        .assert()
        .code(2);
}

#[test]
fn a_bad_period_exits_two_and_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["stories", "--since", "banana"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
}

#[test]
fn a_bad_config_value_exits_two_and_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .arg("--config")
        .arg(fixture("bad-config.toml"))
        .args(["feeds", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("bad-config.toml:4"), "{err}");
    assert!(err.contains("concurrency"), "{err}");
}

#[test]
fn init_writes_a_valid_config_once() {
    let dir = tempfile::tempdir().unwrap();
    gazette(dir.path()).arg("init").assert().success();
    assert!(dir.path().join("gazette.toml").is_file());
    assert!(dir.path().join("gazette-data").is_dir());
    // The written file is picked up and valid.
    gazette(dir.path())
        .args(["feeds", "list"])
        .assert()
        .success();
    // A second init refuses to overwrite.
    let out = gazette(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
}

#[test]
fn feeds_parse_prints_json_for_a_latin1_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "parse"])
        .arg(fixture("latin1.xml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let feed = stdout_json(&out);
    assert_eq!(feed["title"], "Le Journal d'essai");
    assert_eq!(feed["link"], "https://journal.example/");
    let entry = &feed["entries"][0];
    assert_eq!(entry["title"], "Élection à Montréal : résultats");
    assert_eq!(entry["id"], "j-1");
    assert_eq!(entry["published"], "2026-11-28T17:00:00Z");
    assert_eq!(entry["summary"], "Les résultats de l'élection sont tombés.");
    assert_eq!(entry["authors"][0], "Rédaction");
}

#[test]
fn feeds_parse_reads_an_ill_formed_feed_leniently_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("broken.xml");
    // An undefined entity, a misspelt end tag, and the file cut off in the
    // second item.
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>Caf&eacute; news</titel>\n\
         <item><title>Kept</title><link>https://a.example/1</link></item>\n\
         <item><title>Cut o",
    )
    .unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "parse"])
        .arg(&feed)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let feed = stdout_json(&out);
    assert_eq!(feed["title"], "Café news");
    let titles: Vec<&str> = feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Kept"]);
    let recovered = feed["recovered"].as_str().unwrap();
    assert!(
        recovered.starts_with("invalid XML at line 1"),
        "{recovered}"
    );
}

#[test]
fn feeds_parse_of_a_missing_file_exits_two_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "parse", "no-such-feed.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no-such-feed.xml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn feeds_parse_of_a_non_feed_exits_two_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, "<html><body>not a feed</body></html>").unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "parse"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("page.html"), "{}", stderr(&out));
}

#[test]
fn opml_import_list_export_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "import"])
        .arg(fixture("feeds.opml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = gazette(dir.path())
        .args(["feeds", "list", "--format", "json"])
        .output()
        .unwrap();
    let list = stdout_json(&out);
    let urls: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://alpha.example/feed.xml",
            "https://beta.example/atom.xml",
            "https://gamma.example/rss"
        ]
    );
    assert_eq!(list[0]["title"], "Alpha News");

    // Importing again adds nothing.
    gazette(dir.path())
        .args(["feeds", "import"])
        .arg(fixture("feeds.opml"))
        .assert()
        .success();
    let out = gazette(dir.path())
        .args(["feeds", "export"])
        .output()
        .unwrap();
    let opml = String::from_utf8(out.stdout).unwrap();
    assert_eq!(opml.matches("xmlUrl=").count(), 3, "{opml}");
    assert!(opml.contains("https://beta.example/atom.xml"));

    gazette(dir.path())
        .args(["feeds", "remove", "https://beta.example/atom.xml"])
        .assert()
        .success();
    let out = gazette(dir.path())
        .args(["feeds", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout_json(&out).as_array().unwrap().len(), 2);

    let out = gazette(dir.path())
        .args(["feeds", "remove", "https://nowhere.example/feed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_broken_opml_exits_two_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "import"])
        .arg(fixture("broken.opml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("broken.opml"), "{err}");
    assert!(err.contains("line"), "{err}");
}

#[test]
fn a_network_failure_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gazette.toml"),
        "[fetch]\nallow_private_networks = true\nconnect_timeout = \"2s\"\n",
    )
    .unwrap();
    // Nothing listens on port 9 (discard) here: the connection is refused.
    let out = gazette(dir.path())
        .args(["feeds", "add", "http://127.0.0.1:9/feed.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("127.0.0.1:9"), "{}", stderr(&out));
}

#[test]
fn private_addresses_are_refused_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["feeds", "parse", "http://127.0.0.1:9/feed.xml"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(err.contains("allow_private_networks"), "{err}");
}

#[test]
fn an_unknown_channel_exits_two_and_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    gazette(dir.path()).arg("init").assert().success();
    let out = gazette(dir.path())
        .args(["edition", "preview", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("briefing"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// End to end against a local news site
// ---------------------------------------------------------------------------

struct NewsSite {
    /// (path, content type, body)
    files: Vec<(String, &'static str, String)>,
}

async fn serve_file(State(site): State<Arc<NewsSite>>, UrlPath(path): UrlPath<String>) -> Response {
    let path = format!("/{path}");
    match site.files.iter().find(|(p, _, _)| *p == path) {
        Some((_, ct, body)) => ([(header::CONTENT_TYPE, *ct)], body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve_home() -> Html<&'static str> {
    Html(
        "<!doctype html><html><head><title>Wire</title>\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"Wire\" href=\"/wire/atom.xml\">\
         </head><body><h1>Wire</h1></body></html>",
    )
}

fn article_page(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>{body}</article>\
         <footer>Follow us on Telegram to never miss the most important news.</footer></body></html>"
    )
}

/// Starts the site on 127.0.0.1 in a background thread; returns its base URL.
fn start_news_site() -> String {
    let now = jiff::Timestamp::now();
    let hours_ago = |h: i64| now - jiff::SignedDuration::from_hours(h);
    let quake = [
        "A powerful earthquake of magnitude 6.1 struck Aceh province in Indonesia on Tuesday, killing at least one person and damaging hundreds of houses, the geological agency said.",
        "The quake hit at a shallow depth near the town of Bireun in Aceh, and rescuers were searching collapsed buildings in Bener Meriah district for survivors.",
        "Aceh was devastated by the 2004 tsunami; officials said there was no tsunami warning after this earthquake in Indonesia.",
    ];
    let quake2 = [
        "Rescuers in Indonesia's Aceh province dug through rubble on Tuesday after a magnitude 6.1 earthquake killed at least one person and injured dozens near Bireun.",
        "Houses collapsed in Bener Meriah district, where a landslide triggered by the quake buried a village road, Aceh disaster officials said.",
        "No tsunami warning was issued after the earthquake, Indonesia's geophysics agency said.",
    ];
    let chess = [
        "The world chess championship opened in Singapore with a quiet draw between the champion and the challenger after forty moves of a Ruy Lopez.",
        "Both players said they were happy with the first game of the chess match, which runs for fourteen classical games over three weeks.",
    ];
    let rss = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Daily News</title>\
         <link>https://daily.example/</link><description>d</description>\
         <item><title>Quake kills one in Indonesia's Aceh</title><link>/news/quake.html</link><guid>d-1</guid>\
         <pubDate>{}</pubDate><description>A 6.1 quake struck Aceh.</description></item>\
         <item><title>Chess championship opens with a draw</title><link>/news/chess.html</link><guid>d-2</guid>\
         <pubDate>{}</pubDate><description>First game drawn.</description></item>\
         </channel></rss>",
        jiff::fmt::rfc2822::to_string(&hours_ago(2).to_zoned(jiff::tz::TimeZone::UTC)).unwrap(),
        jiff::fmt::rfc2822::to_string(&hours_ago(5).to_zoned(jiff::tz::TimeZone::UTC)).unwrap(),
    );
    let atom = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Wire</title><link href=\"https://wire.example/\"/><id>urn:wire</id><updated>{0}</updated>\
         <entry><title>Magnitude 6.1 earthquake hits Aceh, Indonesia</title><link href=\"/wire/aceh.html\"/>\
         <id>urn:wire:1</id><updated>{0}</updated><summary>Rescuers search rubble in Aceh.</summary></entry>\
         </feed>",
        hours_ago(1)
    );
    let site = Arc::new(NewsSite {
        files: vec![
            ("/news/rss.xml".into(), "application/rss+xml", rss),
            ("/wire/atom.xml".into(), "application/atom+xml", atom),
            (
                "/news/quake.html".into(),
                "text/html; charset=utf-8",
                article_page("Quake kills one in Indonesia's Aceh", &quake),
            ),
            (
                "/news/chess.html".into(),
                "text/html; charset=utf-8",
                article_page("Chess championship opens with a draw", &chess),
            ),
            (
                "/wire/aceh.html".into(),
                "text/html; charset=utf-8",
                article_page("Magnitude 6.1 earthquake hits Aceh, Indonesia", &quake2),
            ),
        ],
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new()
                .route("/", get(serve_home))
                .route("/{*path}", get(serve_file))
                .with_state(site);
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

#[test]
fn feeds_to_a_delivered_edition_end_to_end() {
    let base = start_news_site();
    let dir = tempfile::tempdir().unwrap();
    // An edition every hour, so the latest slot always follows the articles
    // (published one to five hours ago); every edition command names the same
    // instant with --at, so the test does not depend on the time of day.
    let schedule: Vec<String> = (0..24).map(|h| format!("\"{h:02}:00\"")).collect();
    std::fs::write(
        dir.path().join("gazette.toml"),
        format!(
            r#"
data_dir = "data"
[fetch]
allow_private_networks = true
[[channels]]
name = "test"
timezone = "UTC"
schedule = [{}]
lookback = "12h"
size = 5
[[channels.sinks]]
kind = "file"
dir = "out"
format = "text"
"#,
            schedule.join(", ")
        ),
    )
    .unwrap();
    let at = jiff::Timestamp::now().to_string();

    gazette(dir.path())
        .args(["feeds", "add", &format!("{base}/news/rss.xml")])
        .assert()
        .success();
    // A URL the server does not know is the user's to fix: exit 2, naming it.
    let out = gazette(dir.path())
        .args(["feeds", "add", &format!("{base}/missing.xml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.xml"), "{}", stderr(&out));
    // A site's home page: its feed is discovered.
    let out = gazette(dir.path())
        .args(["feeds", "add", &format!("{base}/")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = gazette(dir.path())
        .args(["feeds", "list", "--format", "json"])
        .output()
        .unwrap();
    let list = stdout_json(&out);
    let urls: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            format!("{base}/news/rss.xml"),
            format!("{base}/wire/atom.xml")
        ]
    );

    let out = gazette(dir.path())
        .args(["ingest", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = gazette(dir.path())
        .args(["stories", "--since", "12h", "--format", "json"])
        .output()
        .unwrap();
    let stories = stdout_json(&out);
    let stories = stories.as_array().unwrap();
    assert_eq!(stories.len(), 2, "{stories:#?}");
    // The earthquake, covered by two outlets, ranks first and holds both articles.
    assert_eq!(
        stories[0]["articles"].as_array().unwrap().len(),
        2,
        "{stories:#?}"
    );
    assert_eq!(
        stories[0]["outlets"],
        serde_json::json!(["daily.example", "wire.example"])
    );
    let texts: Vec<&str> = stories[0]["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(texts.iter().all(|t| t.contains("Aceh")), "{texts:?}");

    let out = gazette(dir.path())
        .args([
            "edition", "preview", "test", "--format", "json", "--at", &at,
        ])
        .output()
        .unwrap();
    let edition = stdout_json(&out);
    assert_eq!(edition["channel"], "test");
    assert_eq!(edition["stories"].as_array().unwrap().len(), 2);
    let sources = edition["stories"][0]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    assert!(
        sources
            .iter()
            .all(|s| s["url"].as_str().unwrap().starts_with(&base))
    );

    gazette(dir.path())
        .args(["edition", "send", "test", "--at", &at])
        .assert()
        .success();
    let written: Vec<PathBuf> = std::fs::read_dir(dir.path().join("data/out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.contains("Aceh"), "{text}");
    assert!(text.contains("Chess"), "{text}");
    assert!(!text.contains("Follow us on Telegram"), "{text}");

    // Sending the same slot again composes nothing new and delivers nothing twice.
    gazette(dir.path())
        .args(["edition", "send", "test", "--at", &at])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_dir(dir.path().join("data/out"))
            .unwrap()
            .count(),
        1
    );

    let out = gazette(dir.path())
        .args(["feeds", "export"])
        .output()
        .unwrap();
    let opml = String::from_utf8(out.stdout).unwrap();
    assert!(opml.contains(&format!("{base}/wire/atom.xml")), "{opml}");
}

#[test]
fn demo_json_has_the_contract_fields_and_ranks_the_widest_story_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["-q", "demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let edition = stdout_json(&out);
    assert_eq!(edition["channel"], "demo");
    assert!(edition["slot"].as_str().unwrap().contains("07:30:00"));
    let stories = edition["stories"].as_array().unwrap();
    assert!(stories.len() >= 4, "{stories:#?}");
    for s in stories {
        assert!(!s["title"].as_str().unwrap().is_empty());
        assert!(!s["summary"].as_str().unwrap().is_empty());
        for src in s["sources"].as_array().unwrap() {
            assert!(
                src["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("http://127.0.0.1:")
            );
            assert!(!src["outlet"].as_str().unwrap().is_empty());
        }
    }
    // The Indonesian earthquake has the most outlets and the freshest growth in the corpus.
    let top = stories[0]["title"].as_str().unwrap().to_lowercase();
    assert!(top.contains("quake") || top.contains("indonesia"), "{top}");
}

#[test]
fn demo_evening_edition_repeats_only_developed_stories() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette(dir.path())
        .args(["-q", "demo", "--format", "json", "--edition", "both"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let editions = stdout_json(&out);
    let [morning, evening] = editions.as_array().unwrap().as_slice() else {
        panic!("expected two editions: {editions:#?}");
    };
    assert!(morning["slot"].as_str().unwrap().contains("T07:30:00"));
    assert!(evening["slot"].as_str().unwrap().contains("T19:00:00"));
    // The evening covers the day since the morning edition.
    assert_eq!(evening["window_start"], morning["window_end"]);
    let morning_ids: Vec<&Value> = morning["stories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["story_id"])
        .collect();
    let evening_stories = evening["stories"].as_array().unwrap();
    assert!(!evening_stories.is_empty());
    for story in evening_stories {
        let repeated = morning_ids.contains(&&story["story_id"]);
        // A morning story comes back only as an update; new stories are not updates.
        assert_eq!(story["update"].as_bool().unwrap(), repeated, "{story:#?}");
    }
    // The day's news: at least one update (coverage doubled) and one new story.
    assert!(evening_stories.iter().any(|s| s["update"] == true));
    assert!(evening_stories.iter().any(|s| s["update"] == false));
}

#[test]
fn bench_pipeline_ranks_the_story_with_the_most_outlets_first_and_checks_it_against_gold() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    // Gold story A: five outlets on an earthquake; B: two outlets on a football match.
    for (i, outlet) in [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
        "e.example",
    ]
    .iter()
    .enumerate()
    {
        lines.push(serde_json::json!({
            "title": format!("Powerful earthquake strikes Sumatra, Indonesia, tsunami warning issued ({i})"),
            "text": "A powerful earthquake struck off the coast of Sumatra in Indonesia on Tuesday, the geological agency said, and a tsunami warning was issued for the province of Aceh.",
            "lang": "en", "source": outlet, "story": "quake"
        }));
    }
    for (i, outlet) in ["a.example", "b.example"].iter().enumerate() {
        lines.push(serde_json::json!({
            "title": format!("Manchester United beat Arsenal in the Premier League derby ({i})"),
            "text": "Manchester United beat Arsenal two goals to one at Old Trafford on Saturday in the Premier League, with Wayne Rooney scoring twice.",
            "lang": "en", "source": outlet, "story": "football"
        }));
    }
    let file = dir.path().join("set.jsonl");
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    let out = gazette(dir.path())
        .args([
            "-q",
            "bench",
            "pipeline",
            "--span-hours",
            "12",
            "--format",
            "json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["articles"], 7);
    assert_eq!(report["gold_stories"], 2);
    let edition = report["edition"].as_array().unwrap();
    assert!(!edition.is_empty(), "{report:#}");
    let top = &edition[0];
    assert_eq!(top["gold"]["label"], "set/quake", "{report:#}");
    assert_eq!(top["outlets"], 5);
    assert_eq!(top["gold"]["rank_by_outlets"], 1);
    let names: Vec<&str> = top["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"outlets") && names.contains(&"entities"),
        "{names:?}"
    );
    assert!(report["in_gold_top"].as_u64().unwrap() >= 1);

    // A malformed line is named.
    std::fs::write(&file, "{\"title\": \"x\"}\n").unwrap();
    let out = gazette(dir.path())
        .args(["-q", "bench", "pipeline"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set.jsonl, line 1"), "{err}");
}

/// Writes `lines` as a JSON-lines file in `dir`.
fn jsonl(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn cluster_writes_one_story_line_per_article_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(
        dir.path(),
        "articles.jsonl",
        &[
            r#"{"id": "z9", "title": "Earthquake strikes northern Japan", "text": "A strong earthquake struck northern Japan on Monday, shaking buildings in Sendai.", "lang": "en", "published": "2024-05-01T10:00:00Z", "source": "a.example"}"#,
            r#"{"id": "a1", "title": "Voters head to the polls in Brazil", "text": "Brazilians vote on Sunday in a presidential election between Lula and Bolsonaro.", "source": "b.example"}"#,
            "",
            r#"{"id": 42, "title": "Japan earthquake: buildings shaken in Sendai", "text": null, "extra": true}"#,
        ],
    );
    let output = gazette(dir.path())
        .args(["cluster", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&Value> = lines.iter().map(|l| &l["id"]).collect();
    assert_eq!(
        ids,
        [&Value::from("z9"), &Value::from("a1"), &Value::from(42)]
    );
    assert!(lines.iter().all(|l| l["story"].is_string()));
    assert_eq!(lines[0]["story"], lines[2]["story"], "{lines:?}");
    assert_ne!(lines[0]["story"], lines[1]["story"], "{lines:?}");

    // --output writes the same lines to a file.
    let out = dir.path().join("out.jsonl");
    gazette(dir.path())
        .args(["cluster", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
}

#[test]
fn cluster_writes_the_lines_of_a_merged_story_again() {
    let dir = tempfile::tempdir().unwrap();
    let bridge = |id: &str| {
        format!(
            r#"{{"id": "{id}", "title": "Valencia floods: dam breaks near the Albufera lagoon", "text": "Heavy rain flooded Valencia and a dam broke near the Albufera lagoon, rescue teams said.", "lang": "en"}}"#
        )
    };
    let (b3, b4, b5) = (bridge("b3"), bridge("b4"), bridge("b5"));
    let input = jsonl(
        dir.path(),
        "forked.jsonl",
        &[
            r#"{"id": "flood", "title": "Floods hit Valencia", "text": "Heavy rain flooded the streets of Valencia on Tuesday.", "lang": "en"}"#,
            r#"{"id": "dam", "title": "Dam breaks near the Albufera lagoon", "text": "A dam broke near the Albufera lagoon after the storms, rescue teams said.", "lang": "en"}"#,
            &b3,
            &b4,
            &b5,
        ],
    );
    let run = |merge: &str| -> Vec<Value> {
        let output = gazette(dir.path())
            .env("GAZETTE_STORIES__THRESHOLD", "0.2")
            .env("GAZETTE_STORIES__MERGE_THRESHOLD", merge)
            .args(["cluster", "--input"])
            .arg(&input)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let last = |lines: &[Value], id: &str| {
        lines.iter().rev().find(|l| l["id"] == id).unwrap()["story"].clone()
    };
    // Without merges: one line per article, two stories.
    let apart = run("1");
    assert_eq!(apart.len(), 5);
    assert_ne!(last(&apart, "flood"), last(&apart, "dam"));
    // With: the absorbed story's lines come again with the older story's ID.
    let merged = run("0.25");
    assert!(merged.len() > 5, "{merged:?}");
    assert_eq!(last(&merged, "dam"), Value::from("1"), "{merged:?}");
    for id in ["flood", "b3", "b4", "b5"] {
        assert_eq!(last(&merged, id), Value::from("1"), "{merged:?}");
    }
}

#[test]
fn cluster_names_the_malformed_line_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(
        dir.path(),
        "bad.jsonl",
        &[
            r#"{"id": "a", "title": "Fine"}"#,
            r#"{"id": "b", "title": "#,
        ],
    );
    let output = gazette(dir.path())
        .args(["cluster", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.jsonl:2:"),
        "{}",
        stderr(&output)
    );

    let no_id = jsonl(dir.path(), "no-id.jsonl", &[r#"{"title": "No id"}"#]);
    let output = gazette(dir.path())
        .args(["cluster", "--input"])
        .arg(&no_id)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no-id.jsonl:1:"),
        "{}",
        stderr(&output)
    );

    gazette(dir.path())
        .args(["cluster", "--input", "missing.jsonl"])
        .assert()
        .code(2);
}

/// `gazette feeds parse big.xml | head -c 100`: the reader goes away; gazette
/// stops quietly (killed by SIGPIPE, as Unix tools are), never with a panic.
#[cfg(unix)]
#[test]
fn output_cut_short_by_its_reader_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let items: String = (0..3000)
        .map(|n| {
            format!(
                "<item><title>Item {n} with a long enough title</title>\
                 <link>https://news.example/{n}</link><description>{}</description></item>",
                "words ".repeat(20)
            )
        })
        .collect();
    let feed = dir.path().join("big.xml");
    std::fs::write(
        &feed,
        format!("<rss version=\"2.0\"><channel><title>Big</title>{items}</channel></rss>"),
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gazette"))
        .current_dir(dir.path())
        .args(["feeds", "parse"])
        .arg(&feed)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut start = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut start).unwrap();
    // The pipe is closed here, with most of the output unwritten.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{stderr}");
}
