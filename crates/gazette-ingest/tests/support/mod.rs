//! A local web site for the hostile-input tests: each path answers with a
//! response built by a closure; every request is recorded. Bound to a chosen
//! loopback address (127.0.0.1, 127.0.0.2…) on a free port.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use gazette_core::config::{FetchConfig, PollConfig, RawConfig};
use gazette_core::{NewSource, Source, Store};
use gazette_ingest::fetch::Fetcher;
use gazette_ingest::ingest::Ingester;
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};
use url::Url;

type Answer = Arc<dyn Fn() -> Response + Send + Sync>;

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Answer>>,
    requests: Mutex<Vec<String>>,
}

/// A site on `ip`, answering the routes added with [`Site::route`] and 404 elsewhere.
pub struct Site {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

async fn answer(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    shared.requests.lock().unwrap().push(path.clone());
    let route = shared.routes.lock().unwrap().get(&path).cloned();
    match route {
        Some(route) => route(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Site {
    pub async fn start(ip: &str) -> Site {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let ip: IpAddr = ip.parse().unwrap();
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Site { addr, shared }
    }

    pub fn route(&self, path: &str, answer: impl Fn() -> Response + Send + Sync + 'static) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), Arc::new(answer));
    }

    /// A route answering a feed document.
    pub fn feed(&self, path: &str, body: String) {
        self.route(path, move || xml(body.clone()));
    }

    /// A route answering a redirect to `location`.
    pub fn redirect(&self, path: &str, location: &str) {
        let location = location.to_string();
        self.route(path, move || {
            (StatusCode::FOUND, [(header::LOCATION, location.clone())]).into_response()
        });
    }

    pub fn url(&self, path: &str) -> Url {
        format!("http://{}{path}", self.addr).parse().unwrap()
    }

    /// Requests received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }

    /// Requests received in all.
    pub fn total_hits(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }
}

pub fn xml(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

pub fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

pub const TEXT: &str = "Full content of the entry, long enough to count as an article by \
    itself, so that ingest does not need to fetch the page. It goes on for a while, sentence \
    after sentence, well past the threshold the tests configure.";

/// An RSS item; `content` empty means a summary-only entry.
pub fn item(id: &str, link: &str, content: &str) -> String {
    let content = if content.is_empty() {
        String::new()
    } else {
        format!("<content:encoded><![CDATA[<p>{content}</p>]]></content:encoded>")
    };
    format!(
        "<item><guid>{id}</guid><title>Title of {id}</title><link>{link}</link>\
         <description>A short summary.</description>\
         <pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate>{content}</item>"
    )
}

pub fn rss(title: &str, items: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>{title}</title><link>http://site.example/</link>{items}</channel></rss>"
    )
}

/// Loopback allowed (the sites are on it), short deadlines, a 1 MiB body cap.
pub fn fetch_config() -> FetchConfig {
    let mut config = RawConfig::default().validate().unwrap().fetch;
    config.allow_private_networks = true;
    config.timeout = SignedDuration::from_secs(2);
    config.connect_timeout = SignedDuration::from_secs(2);
    config.max_body_bytes = 1 << 20;
    config.min_content_chars = 100;
    config
}

pub fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub ingester: Ingester,
}

pub fn setup(fetch: FetchConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
    let fetcher = Fetcher::new(&fetch).unwrap();
    let poll = PollConfig::default();
    let ingester = Ingester::new(store.clone(), fetcher, fetch, poll);
    Setup {
        dir,
        store,
        ingester,
    }
}

impl Setup {
    pub async fn add(&self, url: Url) -> Source {
        let new = NewSource {
            url,
            title: None,
            site_url: None,
        };
        self.store.add_source(&new, now()).await.unwrap().0
    }

    pub async fn reload(&self, source: &Source) -> Source {
        self.store.source(source.id).await.unwrap().unwrap()
    }

    /// Every stored article's title and text, joined: what a reader could see.
    pub async fn stored_text(&self) -> String {
        self.store
            .unassigned_articles(100_000)
            .await
            .unwrap()
            .iter()
            .map(|a| format!("{}\n{}\n", a.title, a.content.text))
            .collect()
    }
}
