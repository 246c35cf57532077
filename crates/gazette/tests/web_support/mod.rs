//! A running `gazette run --role web` over an SQLite store filled with a
//! small news day, some of it written by someone hostile (markup in titles,
//! `javascript:` links, event attributes, a feed error carrying a script).

#![allow(dead_code)] // each test binary uses part of it

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gazette_core::{
    ArticleContent, NewArticle, NewEdition, NewSource, RankedStory, SourceLink, Store, StoryId,
};
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};

pub const ADMIN_TOKEN: &str = "admin-token-for-tests-0123";
pub const SIGNING_KEY: &str = "signing-key-for-tests-4567";
pub const HOSTILE_TITLE: &str =
    "Storm <script>alert('xss')</script> hits <b onmouseover=\"alert(1)\">Brest</b>";
pub const FRENCH_TITLE: &str = "La tempête frappe Brest <img src=x onerror=alert(2)>";
pub const OTHER_TITLE: &str = "Parliament passes the budget";

pub struct Gazette {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub config: PathBuf,
    child: Child,
    pub story: StoryId,
    pub other_story: StoryId,
    /// The edition's path under the base, `editions/briefing/<slot>`.
    pub edition_path: String,
    pub slot: Timestamp,
}

impl Drop for Gazette {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn fill(db: &Path) -> (StoryId, StoryId, Timestamp) {
    let store = SqliteStore::open(db).unwrap();
    let now = Timestamp::now();
    let hour = SignedDuration::from_hours(1);
    let (source, _) = store
        .add_source(
            &NewSource {
                url: "https://evil.example/feed.xml".parse().unwrap(),
                title: Some("Evil <script>alert(3)</script> News".into()),
                site_url: None,
            },
            now - hour * 30,
        )
        .await
        .unwrap();
    // A feed whose last error carries markup (as a server's error page might).
    let mut failing = source.clone();
    failing.poll.last_error = Some("HTTP 500: <script>alert(4)</script>".into());
    failing.poll.last_error_at = Some(now - hour);
    failing.poll.consecutive_failures = 2;
    failing.poll.last_success_at = Some(now - hour * 3);
    store.update_source(&failing).await.unwrap();
    store
        .insert_entries(
            source.id,
            &[gazette_core::FeedEntry {
                id: "e1".into(),
                title: Some("x".into()),
                link: None,
                published: Some(now - hour * 5),
                updated: None,
                authors: vec![],
                summary: None,
                content_html: None,
                language: None,
                image: None,
            }],
            now,
        )
        .await
        .unwrap();

    let article = |url: &str, outlet: &str, title: &str, lang: &str, ago: i32| NewArticle {
        source_id: source.id,
        entry_id: None,
        url: url.parse().unwrap(),
        outlet: outlet.into(),
        title: title.into(),
        discovered_at: now - hour * ago,
        content: ArticleContent {
            lang: Some(lang.into()),
            published: Some(now - hour * ago),
            text: "Body.".into(),
            ..ArticleContent::default()
        },
    };
    let (a1, _) = store
        .insert_article(&article(
            "https://ouest.example/storm",
            "ouest.example",
            HOSTILE_TITLE,
            "en",
            6,
        ))
        .await
        .unwrap();
    let (a2, _) = store
        .insert_article(&article(
            "javascript:alert(document.cookie)",
            "evil.example",
            FRENCH_TITLE,
            "fr",
            4,
        ))
        .await
        .unwrap();
    let (a3, _) = store
        .insert_article(&article(
            "https://meteo.example/brest",
            "meteo.example",
            "Brest counts the damage",
            "en",
            2,
        ))
        .await
        .unwrap();
    let story = store.create_story(a1, now - hour * 6).await.unwrap();
    store.add_to_story(story, a2, now - hour * 4).await.unwrap();
    store.add_to_story(story, a3, now - hour * 2).await.unwrap();
    let (b1, _) = store
        .insert_article(&article(
            "https://politics.example/budget",
            "politics.example",
            OTHER_TITLE,
            "en",
            3,
        ))
        .await
        .unwrap();
    let other = store.create_story(b1, now - hour * 3).await.unwrap();

    let slot: Timestamp = now - hour;
    let ranked = |id: StoryId, title: &str, sources: Vec<SourceLink>| RankedStory {
        story_id: id,
        title: title.into(),
        score: 10.0,
        signals: vec![],
        summary: vec!["Winds <img src=x onerror=alert(5)> reached 150 km/h.".into()],
        key_quote: None,
        outlet_count: sources.len() as u32,
        article_count: sources.len() as u32,
        sources,
        languages: vec!["en".into(), "fr".into()],
        first_seen: now - hour * 6,
        last_seen: now - hour * 2,
        update: false,
    };
    let link = |url: &str, outlet: &str, title: &str, lang: &str| SourceLink {
        url: url.parse().unwrap(),
        outlet: outlet.into(),
        title: title.into(),
        lang: lang.into(),
    };
    store
        .insert_edition(&NewEdition {
            channel: "briefing".into(),
            slot: slot.to_zoned(jiff::tz::TimeZone::UTC),
            window_start: slot - hour * 12,
            window_end: slot,
            composed_at: slot,
            lang: "en".into(),
            stories: vec![
                ranked(
                    story,
                    HOSTILE_TITLE,
                    vec![
                        link(
                            "https://ouest.example/storm",
                            "ouest.example",
                            HOSTILE_TITLE,
                            "en",
                        ),
                        link(
                            "javascript:alert(document.cookie)",
                            "evil.example",
                            FRENCH_TITLE,
                            "fr",
                        ),
                    ],
                ),
                ranked(
                    other,
                    OTHER_TITLE,
                    vec![link(
                        "https://politics.example/budget",
                        "politics.example",
                        OTHER_TITLE,
                        "en",
                    )],
                ),
            ],
        })
        .await
        .unwrap();
    (story, other, slot)
}

impl Gazette {
    /// Fills a store, writes a configuration and starts `gazette run --role web`;
    /// returns once `/healthz` answers.
    pub async fn start() -> Gazette {
        Gazette::start_with_log(false).await
    }

    /// With `logged`, the process logs everything (`GAZETTE_LOG=trace`) to
    /// `gazette.log` in its directory (see [`Gazette::log`]) instead of the
    /// test's standard error.
    pub async fn start_with_log(logged: bool) -> Gazette {
        let dir = tempfile::tempdir().unwrap();
        let (story, other_story, slot) = fill(&dir.path().join("gazette.db")).await;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}/");
        let config = dir.path().join("gazette.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = {:?}\n\n[web]\nlisten = \"127.0.0.1:{port}\"\nadmin_token = \"{ADMIN_TOKEN}\"\nsigning_key = \"{SIGNING_KEY}\"\n\n\
                 [[channels]]\nname = \"briefing\"\ntitle = \"The <Briefing>\"\ntimezone = \"UTC\"\nschedule = [\"07:30\", \"19:00\"]\n",
                dir.path().display().to_string()
            ),
        )
        .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
        // The environment overrides the configuration: none of the caller's.
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("GAZETTE_")) {
            command.env_remove(name);
        }
        command.env_remove("GAZETTE_LOG");
        if logged {
            let log = std::fs::File::create(dir.path().join("gazette.log")).unwrap();
            command.env("GAZETTE_LOG", "trace").stderr(Stdio::from(log));
        } else {
            command.stderr(Stdio::inherit());
        }
        let child = command
            .arg("--config")
            .arg(&config)
            .args(["run", "--role", "web"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut gazette = Gazette {
            dir,
            base: base.clone(),
            config,
            child,
            story,
            other_story,
            edition_path: format!("editions/briefing/{slot}"),
            slot,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return gazette;
            }
            if let Ok(Some(status)) = gazette.child.try_wait() {
                panic!(
                    "gazette run --role web exited ({status}) before listening: see its error above"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("gazette run --role web did not listen on {base}");
    }

    /// What the process logged so far (started with a log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("gazette.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in to the admin pages with the right token through `client`;
    /// returns the session cookie as set (attributes included), after
    /// checking that it is not the token itself.
    pub async fn sign_in(&self, client: &reqwest::Client) -> String {
        let response = client
            .post(self.url("admin/login"))
            .form(&[("token", ADMIN_TOKEN)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!cookie.contains(ADMIN_TOKEN), "{cookie}");
        cookie
    }
}

/// A client that follows no redirects and keeps no cookies.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}
