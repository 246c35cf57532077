//! The demo's local news web: one site per outlet with its feed (RSS 2.0, Atom or
//! JSON Feed) and its article pages, on 127.0.0.1, so the demo goes through
//! gazette's real fetch path (HTTP, conditional GET, feed parsing, page extraction).
//!
//! Feeds carry a one-sentence summary only, so gazette fetches every article page;
//! pages carry the usual furniture (navigation, "read also", footer) around the
//! article, as real news pages do. The site has its own clock (the demo's):
//! an article exists only once its publication time has come.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::corpus::{Article, FeedFormat, Outlet};

/// A running demo server.
pub struct DemoServer {
    pub base: url::Url,
    pub feeds: Vec<url::Url>,
    /// The edition page served at `/edition` once set (for `--serve`).
    edition_html: Arc<RwLock<Option<String>>>,
    clock: Arc<RwLock<Timestamp>>,
    task: JoinHandle<()>,
}

impl DemoServer {
    /// Serves `outlets` on 127.0.0.1 on a free port, as they stand at `clock`.
    pub async fn start(outlets: Vec<Outlet>, clock: Timestamp) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let base: url::Url = format!("http://{}/", listener.local_addr()?)
            .parse()
            .expect("a socket address makes a URL");
        let feeds = outlets
            .iter()
            .map(|o| {
                base.join(&o.feed_path())
                    .expect("feed paths are relative URLs")
            })
            .collect();
        let edition_html = Arc::new(RwLock::new(None));
        let clock = Arc::new(RwLock::new(clock));
        let state = Arc::new(Site::new(
            outlets,
            base.clone(),
            edition_html.clone(),
            clock.clone(),
        ));
        let app = Router::new()
            .route("/", get(index))
            .route("/edition", get(edition))
            .route("/{site}/{file}", get(site_file))
            .with_state(state);
        let task = tokio::spawn(async move {
            // The demo ends the process when done; an error here only stops serving.
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "demo server stopped");
            }
        });
        Ok(DemoServer {
            base,
            feeds,
            edition_html,
            clock,
            task,
        })
    }

    /// Moves the site's clock: articles published by then appear.
    pub fn set_clock(&self, now: Timestamp) {
        *self.clock.write().unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Makes `/edition` serve this page.
    pub fn set_edition_page(&self, html: String) {
        *self.edition_html.write().unwrap_or_else(|e| e.into_inner()) = Some(html);
    }

    /// Stops serving.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// The outlets, indexed for the handlers.
struct Site {
    outlets: HashMap<String, Outlet>,
    base: url::Url,
    edition_html: Arc<RwLock<Option<String>>>,
    clock: Arc<RwLock<Timestamp>>,
}

impl Site {
    fn new(
        outlets: Vec<Outlet>,
        base: url::Url,
        edition_html: Arc<RwLock<Option<String>>>,
        clock: Arc<RwLock<Timestamp>>,
    ) -> Self {
        Site {
            outlets: outlets.into_iter().map(|o| (o.site.clone(), o)).collect(),
            base,
            edition_html,
            clock,
        }
    }

    /// The outlet's articles published by the site's clock, newest first.
    fn published<'a>(&self, outlet: &'a Outlet) -> Vec<&'a Article> {
        let now = *self.clock.read().unwrap_or_else(|e| e.into_inner());
        outlet
            .articles
            .iter()
            .filter(|a| a.published <= now)
            .collect()
    }

    fn url(&self, path: &str) -> String {
        self.base.join(path).expect("paths join").to_string()
    }
}

async fn index(State(site): State<Arc<Site>>) -> Html<String> {
    let mut links = String::new();
    let mut items = String::new();
    let mut names: Vec<&String> = site.outlets.keys().collect();
    names.sort();
    for name in names {
        let o = &site.outlets[name];
        let kind = match o.format {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        };
        links.push_str(&format!(
            "<link rel=\"alternate\" type=\"{kind}\" title=\"{}\" href=\"{}\">\n",
            esc(name),
            esc(&o.feed_path())
        ));
        items.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            esc(&o.feed_path()),
            esc(name)
        ));
    }
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>gazette demo news</title>\n{links}</head>\
         <body><h1>gazette demo: outlets</h1><ul>{items}</ul><p><a href=\"/edition\">the edition</a></p></body></html>"
    ))
}

async fn edition(State(site): State<Arc<Site>>) -> Response {
    match site.edition_html.read().unwrap_or_else(|e| e.into_inner()).clone() {
        Some(body) => Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>gazette demo edition</title></head><body style=\"max-width:42rem;margin:auto;font-family:sans-serif\">{body}</body></html>"
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no edition yet").into_response(),
    }
}

async fn site_file(
    State(site): State<Arc<Site>>,
    Path((name, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(outlet) = site.outlets.get(&name) else {
        return (StatusCode::NOT_FOUND, "no such outlet").into_response();
    };
    if format!("/{name}/{file}") == outlet.feed_path() {
        return feed(&site, outlet, &headers);
    }
    match outlet
        .articles
        .iter()
        .find(|a| a.path == format!("/{name}/{file}"))
    {
        Some(article) => Html(page(&site, outlet, article)).into_response(),
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

/// A feed response with validators; answers 304 to a matching conditional GET.
fn feed(site: &Site, outlet: &Outlet, headers: &HeaderMap) -> Response {
    let articles = site.published(outlet);
    let etag = format!("\"{}-{}\"", outlet.site, articles.len());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let (content_type, body) = match outlet.format {
        FeedFormat::Rss => (
            "application/rss+xml; charset=utf-8",
            rss(site, outlet, &articles),
        ),
        FeedFormat::Atom => (
            "application/atom+xml; charset=utf-8",
            atom(site, outlet, &articles),
        ),
        FeedFormat::Json => (
            "application/feed+json; charset=utf-8",
            json_feed(site, outlet, &articles),
        ),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

/// The first sentence of the text, at most ~200 characters: what the feed carries.
fn summary(article: &Article) -> String {
    let first_line = article
        .item
        .text
        .lines()
        .find(|l| l.len() > 40)
        .unwrap_or("");
    let mut end = first_line.len();
    if let Some(i) = first_line.find(". ") {
        end = end.min(i + 1);
    }
    let mut s: String = first_line[..end].chars().take(200).collect();
    if s.len() < first_line.len() && !s.ends_with('.') {
        s.push('…');
    }
    s
}

fn rss(site: &Site, outlet: &Outlet, articles: &[&Article]) -> String {
    let mut items = String::new();
    for a in articles {
        items.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid>\
             <pubDate>{}</pubDate><description>{}</description></item>\n",
            esc(&a.item.title),
            esc(&site.url(&a.path)),
            esc(&site.url(&a.path)),
            jiff::fmt::rfc2822::to_string(&a.published.to_zoned(jiff::tz::TimeZone::UTC))
                .unwrap_or_default(),
            esc(&summary(a)),
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>{}</title><link>https://{}/</link><description>News from {}</description>\
         <language>{}</language>\n{items}</channel></rss>\n",
        esc(&outlet.site),
        esc(&outlet.site),
        esc(&outlet.site),
        esc(&outlet.lang)
    )
}

fn atom(site: &Site, outlet: &Outlet, articles: &[&Article]) -> String {
    let updated = articles
        .first()
        .map_or(Timestamp::UNIX_EPOCH, |a| a.published);
    let mut entries = String::new();
    for a in articles {
        entries.push_str(&format!(
            "<entry><title>{}</title><link rel=\"alternate\" href=\"{}\"/><id>{}</id>\
             <published>{}</published><updated>{}</updated><summary>{}</summary></entry>\n",
            esc(&a.item.title),
            esc(&a.path),
            esc(&site.url(&a.path)),
            a.published,
            a.published,
            esc(&summary(a)),
        ));
    }
    // Entry links are relative on purpose: gazette must resolve them against the feed.
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\
         <title>{}</title><link rel=\"alternate\" href=\"https://{}/\"/><id>{}</id><updated>{updated}</updated>\n{entries}</feed>\n",
        esc(&outlet.lang),
        esc(&outlet.site),
        esc(&outlet.site),
        esc(&site.url(&outlet.feed_path())),
    )
}

fn json_feed(site: &Site, outlet: &Outlet, articles: &[&Article]) -> String {
    let items: Vec<serde_json::Value> = articles
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": site.url(&a.path),
                "url": site.url(&a.path),
                "title": a.item.title,
                "summary": summary(a),
                "date_published": a.published.to_string(),
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.site,
        "home_page_url": format!("https://{}/", outlet.site),
        "feed_url": site.url(&outlet.feed_path()),
        "language": outlet.lang,
        "items": items,
    })
    .to_string()
}

/// An article page with the furniture of a news site around the article.
fn page(site: &Site, outlet: &Outlet, article: &Article) -> String {
    let item = &article.item;
    let paragraphs: String = item
        .text
        .lines()
        .map(|l| format!("<p>{}</p>\n", esc(l)))
        .collect();
    let related: String = site
        .published(outlet)
        .into_iter()
        .filter(|a| a.path != article.path)
        .take(3)
        .map(|a| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(&a.path),
                esc(&a.item.title)
            )
        })
        .collect();
    let (read_also, follow) = if item.lang == "fr" {
        (
            "Lire aussi",
            "Suivez-nous sur Telegram pour ne rien manquer de l'actualité.",
        )
    } else {
        (
            "Read also",
            "Follow us on Telegram to never miss the most important news.",
        )
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title} | {outlet}</title>\
         <meta property=\"og:title\" content=\"{title}\"><meta property=\"og:site_name\" content=\"{outlet}\">\
         <meta property=\"article:published_time\" content=\"{published}\">\
         <link rel=\"canonical\" href=\"{url}\"></head>\n<body>\
         <header><a href=\"/\">{outlet}</a><nav><a href=\"/\">Home</a> <a href=\"/\">World</a> <a href=\"/\">Politics</a> \
         <a href=\"/\">Sport</a> <a href=\"/\">Culture</a></nav></header>\n<main><article><h1>{title}</h1>\
         <p class=\"byline\">{outlet} · <time datetime=\"{published}\">{shown}</time></p>\n{paragraphs}</article>\
         <aside><h2>{read_also}</h2><ul>{related}</ul></aside></main>\n\
         <footer><p>{follow}</p><p>© {outlet}. All rights reserved.</p></footer></body></html>\n",
        lang = esc(&item.lang),
        title = esc(&item.title),
        outlet = esc(&outlet.site),
        published = article.published,
        shown = article.published.strftime("%-d %B %Y, %H:%M UTC"),
        url = esc(&site.url(&article.path)),
    )
}

/// Escapes text for HTML and XML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
