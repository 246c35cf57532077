//! Fetching and ingesting against a real HTTP server on 127.0.0.1 (port 0)
//! and the real SQLite store.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use gazette_core::config::{FetchConfig, PollConfig, RawConfig};
use gazette_core::{NewSource, Source, SourceStatus, Store};
use gazette_ingest::fetch::{Accept, Conditional, FetchError, FetchOutcome, Fetcher};
use gazette_ingest::ingest::{AddError, Ingester, NoProgress};
use gazette_ingest::parse_feed;
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};
use url::Url;

// ---------------------------------------------------------------------------
// The test server
// ---------------------------------------------------------------------------

/// What the server saw.
#[derive(Default)]
struct Seen {
    /// Request headers by path, in arrival order.
    requests: Mutex<Vec<(String, HeaderMap)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Seen {
    fn requests_to(&self, path: &str) -> Vec<HeaderMap> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| h.clone())
            .collect()
    }
}

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Wed, 01 May 2024 10:00:00 GMT";

async fn handle(State(seen): State<Arc<Seen>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_string();
    seen.requests
        .lock()
        .unwrap()
        .push((path.clone(), headers.clone()));
    match path.as_str() {
        "/conditional.xml" => {
            let fresh = headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v == ETAG)
                && headers
                    .get(header::IF_MODIFIED_SINCE)
                    .is_some_and(|v| v == LAST_MODIFIED);
            if fresh {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (
                    [(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)],
                    xml(rss("Conditional", &[item("c1", "/c/1", FULL_CONTENT)])),
                )
                    .into_response()
            }
        }
        "/moved-301.xml" => redirect(StatusCode::MOVED_PERMANENTLY, "/hop-308.xml"),
        "/hop-308.xml" => redirect(StatusCode::PERMANENT_REDIRECT, "/final-a.xml"),
        "/moved-308.xml" => redirect(StatusCode::PERMANENT_REDIRECT, "/final-b.xml"),
        "/moved-302.xml" => redirect(StatusCode::FOUND, "/final-c.xml"),
        "/mixed.xml" => redirect(StatusCode::MOVED_PERMANENTLY, "/moved-302.xml"),
        "/loop-a" => redirect(StatusCode::FOUND, "/loop-b"),
        "/loop-b" => redirect(StatusCode::FOUND, "/loop-a"),
        p if p.starts_with("/final-") || p == "/good.xml" => {
            xml(rss("Good", &[item(p, &format!("{p}/1"), FULL_CONTENT)]))
        }
        "/throttled.xml" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "3600")],
            "slow down",
        )
            .into_response(),
        "/error.xml" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/slow.xml" => {
            // The headers and a first chunk come at once; the rest never in time.
            let chunks = futures::stream::unfold(0, |step| async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>("<rss version=\"2.0\"><channel>"), 1)),
                    _ => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        None
                    }
                }
            });
            Response::new(Body::from_stream(chunks))
        }
        "/huge.xml" => xml(format!("<rss>{}</rss>", "x".repeat(200_000))),
        "/huge-chunked.xml" => {
            let chunks =
                futures::stream::iter((0..50).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 10_000])));
            Response::new(Body::from_stream(chunks))
        }
        "/bomb.xml" => gzip_response(vec![b' '; 5_000_000]),
        "/gzip.xml" => {
            gzip_response(rss("Compressed", &[item("g1", "/g/1", FULL_CONTENT)]).into_bytes())
        }
        "/broken.xml" => {
            xml("<?xml version=\"1.0\"?>\n<notes>\n<title>Not a feed</titl>\n</notes>".into())
        }
        // Not well-formed: a misspelt end tag, an HTML entity XML does not
        // know, a stray `&`, and the document cut off in its second item.
        "/ill-formed.xml" => xml(format!(
            "<rss version=\"2.0\">\n<channel>\n<title>Ill-formed</titl>\n\
             <item><guid>kept</guid><title>Caf&eacute; R&D</title><link>/kept</link>\
             <content:encoded><![CDATA[<p>{FULL_CONTENT}</p>]]></content:encoded>\
             </item>\n<item><guid>cut</guid><title>Cut o"
        )),
        "/page.html" => html(
            r#"<!doctype html><html><head><title>A site</title>
            <link rel="alternate" type="application/rss+xml" title="Site feed" href="/discovered.xml">
            </head><body><p>Welcome</p></body></html>"#,
        ),
        "/discovered.xml" => xml(rss("Discovered feed", &[item("d1", "/d/1", FULL_CONTENT)])),
        "/no-feed.html" => html("<!doctype html><html><head></head><body>Nothing</body></html>"),
        "/summaries.xml" => xml(rss("Summaries", &[item("s1", "/articles/1.html", "")])),
        "/articles/1.html" => html(ARTICLE_PAGE),
        "/promo.xml" => {
            let items: Vec<String> = (1..=6)
                .map(|i| item(&format!("p{i}"), &format!("/promo/{i}.html"), ""))
                .collect();
            xml(rss("Promo", &items))
        }
        p if p.starts_with("/promo/") => {
            let n: usize = p
                .trim_start_matches("/promo/")
                .trim_end_matches(".html")
                .parse()
                .unwrap_or(0);
            let topic = [
                "schools", "roads", "parks", "taxes", "housing", "buses", "water",
            ][n % 7];
            let who = [
                "mayor",
                "treasurer",
                "planner",
                "councillor",
                "clerk",
                "engineer",
                "judge",
            ][n % 7];
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                format!(
                    "<html><body><article><p>In the article about {topic}, the council voted on the budget \
                     after a long debate about the district's {topic} and its future.</p><p>The {who} \
                     said the decision on {topic} takes effect next month, after a final reading.</p>\
                     <p>{PROMO}</p></article></body></html>"
                ),
            )
                .into_response()
        }
        "/missing-pages.xml" => xml(rss("Missing", &[item("m1", "/articles/missing.html", "")])),
        p if p.starts_with("/busy/") => {
            let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            seen.in_flight.fetch_sub(1, Ordering::SeqCst);
            xml(rss("Busy", &[]))
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

const FULL_CONTENT: &str = "Full content of the entry, long enough to count as an article \
    by itself, so that ingest does not need to fetch the page. It goes on for a while, \
    sentence after sentence, well past the threshold the tests configure.";

const ARTICLE_PAGE: &str = r#"<!doctype html><html lang="en"><head>
    <title>Mayor opens the new bridge</title></head><body>
    <article><h1>Mayor opens the new bridge</h1>
    <p>The mayor opened the new bridge over the river on Monday morning, in front of a
    crowd of several hundred residents who had waited years for the crossing.</p>
    <p>The bridge cost twelve million euros and took three years to build. It carries
    a tramway, two cycle lanes and wide pavements for pedestrians.</p>
    <p>Traffic on the old bridge downstream is expected to fall by a third, the city
    council said in a statement published after the ceremony.</p>
    </article></body></html>"#;

/// A site's promo footer, repeated on every article page of the `/promo.xml` feed.
const PROMO: &str = "Follow us on Telegram so you never miss the most important news of the morning and of the evening: download the app and press Join.";

const SUMMARY: &str = "The mayor opened the bridge.";

fn item(id: &str, link: &str, content: &str) -> String {
    let content = if content.is_empty() {
        String::new()
    } else {
        format!("<content:encoded><![CDATA[<p>{content}</p>]]></content:encoded>")
    };
    format!(
        "<item><guid>{id}</guid><title>Title of {id}</title><link>{link}</link>\
         <description>{SUMMARY}</description>\
         <pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate>{content}</item>"
    )
}

fn rss(title: &str, items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>{title}</title><link>http://site.example/</link>{}</channel></rss>",
        items.concat()
    )
}

fn xml(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn html(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn redirect(status: StatusCode, to: &'static str) -> Response {
    (status, [(header::LOCATION, to)]).into_response()
}

fn gzip_response(body: Vec<u8>) -> Response {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&body).unwrap();
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        encoder.finish().unwrap(),
    )
        .into_response()
}

struct Server {
    addr: SocketAddr,
    seen: Arc<Seen>,
}

impl Server {
    async fn start() -> Server {
        let seen = Arc::new(Seen::default());
        let app = Router::new().fallback(handle).with_state(Arc::clone(&seen));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { addr, seen }
    }

    fn url(&self, path: &str) -> Url {
        format!("http://{}{path}", self.addr).parse().unwrap()
    }
}

// ---------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------

fn fetch_config() -> FetchConfig {
    let mut config = RawConfig::default().validate().unwrap().fetch;
    config.allow_private_networks = true;
    config.timeout = SignedDuration::from_secs(1);
    config.connect_timeout = SignedDuration::from_secs(1);
    config.max_body_bytes = 64 * 1024;
    config.concurrency = 8;
    config.per_host = 2;
    config.max_redirects = 5;
    config.min_content_chars = 100;
    config
}

fn poll_config() -> PollConfig {
    let mut config = RawConfig::default().validate().unwrap().poll;
    config.disable_after = 3;
    config
}

fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    ingester: Ingester,
}

fn setup(fetch: FetchConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
    let fetcher = Fetcher::new(&fetch).unwrap();
    let ingester = Ingester::new(store.clone(), fetcher, fetch, poll_config());
    Setup {
        _dir: dir,
        store,
        ingester,
    }
}

impl Setup {
    async fn add(&self, url: Url) -> Source {
        let new = NewSource {
            url,
            title: None,
            site_url: None,
        };
        self.store.add_source(&new, now()).await.unwrap().0
    }

    async fn reload(&self, source: &Source) -> Source {
        self.store.source(source.id).await.unwrap().unwrap()
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(&fetch_config()).unwrap()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn second_poll_sends_validators_and_gets_304() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/conditional.xml")).await;

    let first = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (
            first.polled,
            first.not_modified,
            first.new_entries,
            first.new_articles
        ),
        (1, 0, 1, 1)
    );
    let stored = s.reload(&source).await;
    assert_eq!(stored.poll.etag.as_deref(), Some(ETAG));
    assert_eq!(stored.poll.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(stored.title.as_deref(), Some("Conditional"));
    assert_eq!(
        stored.site_url.as_ref().map(Url::as_str),
        Some("http://site.example/")
    );

    let later = stored.poll.next_poll_at;
    assert!(later > now());
    let second = s.ingester.run_once(later, &NoProgress).await.unwrap();
    assert_eq!(
        (second.polled, second.not_modified, second.new_entries),
        (1, 1, 0)
    );
    let requests = server.seen.requests_to("/conditional.xml");
    assert_eq!(requests.len(), 2);
    assert!(requests[0].get(header::IF_NONE_MATCH).is_none());
    assert_eq!(requests[1].get(header::IF_NONE_MATCH).unwrap(), ETAG);
    assert_eq!(
        requests[1].get(header::IF_MODIFIED_SINCE).unwrap(),
        LAST_MODIFIED
    );
    let stored = s.reload(&source).await;
    assert_eq!(stored.poll.last_success_at, Some(later));
    assert_eq!(
        stored.poll.etag.as_deref(),
        Some(ETAG),
        "a 304 keeps the validators"
    );
}

#[tokio::test]
async fn permanent_redirects_update_the_stored_url_and_temporary_ones_do_not() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let via_301 = s.add(server.url("/moved-301.xml")).await;
    let via_308 = s.add(server.url("/moved-308.xml")).await;
    let via_302 = s.add(server.url("/moved-302.xml")).await;
    let via_301_then_302 = s.add(server.url("/mixed.xml")).await;

    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed),
        (4, 0),
        "{:?}",
        report.errors
    );

    assert_eq!(s.reload(&via_301).await.url, server.url("/final-a.xml"));
    assert_eq!(s.reload(&via_308).await.url, server.url("/final-b.xml"));
    assert_eq!(s.reload(&via_302).await.url, server.url("/moved-302.xml"));
    assert_eq!(
        s.reload(&via_301_then_302).await.url,
        server.url("/mixed.xml")
    );
}

#[tokio::test]
async fn permanent_redirect_to_another_sources_url_keeps_the_old_url() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let moved = s.add(server.url("/moved-308.xml")).await;
    s.add(server.url("/final-b.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.errors);
    assert_eq!(s.reload(&moved).await.url, server.url("/moved-308.xml"));
}

#[tokio::test]
async fn retry_after_pushes_the_next_poll_back() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/throttled.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(report.failed, 1);
    let stored = s.reload(&source).await;
    assert!(
        stored.poll.next_poll_at >= now() + SignedDuration::from_secs(3600),
        "next poll at {}",
        stored.poll.next_poll_at
    );
    assert!(
        stored
            .poll
            .last_error
            .as_deref()
            .unwrap()
            .contains("HTTP 429")
    );
    assert_eq!(stored.poll.status, SourceStatus::Active);

    let err = fetcher()
        .fetch(
            &server.url("/throttled.xml"),
            &Conditional::default(),
            Accept::Feed,
        )
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(SignedDuration::from_secs(3600)));
}

#[tokio::test]
async fn slow_endpoint_hits_the_total_timeout_and_is_recorded() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/slow.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(report.failed, 1);
    assert_eq!(report.errors[0].url, server.url("/slow.xml"));
    assert!(
        report.errors[0]
            .message
            .contains("no complete response within 1s"),
        "{}",
        report.errors[0].message
    );
    let stored = s.reload(&source).await;
    assert_eq!(stored.poll.consecutive_failures, 1);
    assert!(stored.poll.last_error.is_some());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = Server::start().await;
    let fetcher = fetcher();
    for path in ["/huge.xml", "/huge-chunked.xml", "/bomb.xml"] {
        let err = fetcher
            .fetch(&server.url(path), &Conditional::default(), Accept::Feed)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            FetchError::BodyTooLarge {
                url: server.url(path),
                limit: 64 * 1024
            },
            "{path}"
        );
    }
}

#[tokio::test]
async fn gzip_responses_are_decoded() {
    let server = Server::start().await;
    let outcome = fetcher()
        .fetch(
            &server.url("/gzip.xml"),
            &Conditional::default(),
            Accept::Feed,
        )
        .await
        .unwrap();
    let FetchOutcome::Fetched { page, .. } = outcome else {
        panic!("expected a page, got {outcome:?}");
    };
    let feed = parse_feed(&page.body, Some(&page.final_url), page.charset()).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Compressed"));
    let request = &server.seen.requests_to("/gzip.xml")[0];
    let accepted = request
        .get(header::ACCEPT_ENCODING)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(accepted.contains("gzip"), "{accepted}");
    assert!(
        request
            .get(header::ACCEPT)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("application/rss+xml")
    );
}

#[tokio::test]
async fn add_feed_on_an_html_page_adds_the_feed_it_advertises() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let outcome = s
        .ingester
        .add_feed(&server.url("/page.html"), now())
        .await
        .unwrap();
    assert!(outcome.created);
    assert_eq!(outcome.discovered_on, Some(server.url("/page.html")));
    assert_eq!(outcome.source.url, server.url("/discovered.xml"));
    assert_eq!(outcome.source.title.as_deref(), Some("Discovered feed"));
    assert_eq!(s.store.sources().await.unwrap().len(), 1);

    let again = s
        .ingester
        .add_feed(&server.url("/discovered.xml"), now())
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.source.id, outcome.source.id);

    let err = s
        .ingester
        .add_feed(&server.url("/no-feed.html"), now())
        .await
        .unwrap_err();
    assert!(matches!(err, AddError::NoFeedFound { .. }), "{err:?}");
    assert!(err.to_string().contains("advertises no feed"), "{err}");
}

#[tokio::test]
async fn add_feed_follows_a_permanent_redirect() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let outcome = s
        .ingester
        .add_feed(&server.url("/moved-308.xml"), now())
        .await
        .unwrap();
    assert_eq!(outcome.source.url, server.url("/final-b.xml"));
    assert_eq!(outcome.discovered_on, None);
}

#[tokio::test]
async fn an_ill_formed_feed_yields_what_can_be_recovered_and_a_bad_one_fails_alone() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let broken = s.add(server.url("/broken.xml")).await;
    let ill_formed = s.add(server.url("/ill-formed.xml")).await;
    let good = s.add(server.url("/good.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed, report.new_entries),
        (3, 1, 2),
        "{report:?}"
    );
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].url, server.url("/broken.xml"));
    assert!(
        report.errors[0].message.starts_with("not a feed"),
        "{}",
        report.errors[0].message
    );
    let broken = s.reload(&broken).await;
    assert!(
        broken
            .poll
            .last_error
            .as_deref()
            .unwrap()
            .contains("<notes>")
    );
    assert_eq!(broken.poll.etag, None);

    // The ill-formed feed: its title and the complete item are kept, the
    // item cut off by the end of the document is not.
    let ill_formed = s.reload(&ill_formed).await;
    assert_eq!(ill_formed.poll.last_error, None);
    assert_eq!(ill_formed.title.as_deref(), Some("Ill-formed"));
    let articles: Vec<_> = s
        .store
        .unassigned_articles(10)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.source_id == ill_formed.id)
        .collect();
    let titles: Vec<_> = articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Café R&D"]);
    assert_eq!(articles[0].url, server.url("/kept"));

    let good = s.reload(&good).await;
    assert_eq!(good.poll.last_error, None);
    assert_eq!(good.poll.last_success_at, Some(now()));
}

#[tokio::test]
async fn summary_only_entries_make_ingest_fetch_the_article_page() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/summaries.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (
            report.new_entries,
            report.new_articles,
            report.pages_fetched
        ),
        (1, 1, 1)
    );
    let page_requests = server.seen.requests_to("/articles/1.html");
    assert_eq!(page_requests.len(), 1);
    let accept = page_requests[0]
        .get(header::ACCEPT)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(accept.starts_with("text/html"), "{accept}");

    let articles = s.store.unassigned_articles(10).await.unwrap();
    assert_eq!(articles.len(), 1);
    let article = &articles[0];
    assert_eq!(article.url, server.url("/articles/1.html"));
    assert_eq!(article.source_id, source.id);
    assert_eq!(article.outlet, "site.example");
    assert!(!article.title.is_empty());
    assert_eq!(
        article.content.published,
        Some("2024-05-01T10:00:00Z".parse().unwrap())
    );
    assert_eq!(article.title, "Mayor opens the new bridge");
    let text = &article.content.text;
    assert!(text.contains("twelve million euros"), "{text:?}");
}

#[tokio::test]
async fn a_footer_repeated_across_a_sources_pages_is_learnt_stored_and_removed() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/promo.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!((report.new_articles, report.pages_fetched), (6, 6));
    let json = s
        .store
        .source_model(source.id, "boilerplate")
        .await
        .unwrap()
        .expect("the model is stored with the source");
    let model = gazette_extract::boilerplate::BoilerplateModel::from_json(&json).unwrap();
    assert_eq!(model.pages, 6);
    assert!(model.is_boilerplate(PROMO));
    let articles = s.store.unassigned_articles(10).await.unwrap();
    assert_eq!(articles.len(), 6);
    // Pages after the third are cleaned with what the earlier ones taught.
    let cleaned = articles
        .iter()
        .filter(|a| !a.content.text.contains("Follow us on Telegram"))
        .count();
    assert!(cleaned >= 3, "{cleaned} of 6 cleaned");
    assert!(
        articles
            .iter()
            .all(|a| a.content.text.contains("the council voted"))
    );
}

#[tokio::test]
async fn article_page_that_cannot_be_fetched_leaves_the_summary() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    s.add(server.url("/missing-pages.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.new_articles, report.pages_fetched, report.failed),
        (1, 0, 0)
    );
    assert_eq!(server.seen.requests_to("/articles/missing.html").len(), 1);
    let articles = s.store.unassigned_articles(10).await.unwrap();
    assert_eq!(articles[0].content.text, SUMMARY);
    assert_eq!(articles[0].title, "Title of m1");
}

#[tokio::test]
async fn source_is_disabled_after_repeated_failures() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    let source = s.add(server.url("/error.xml")).await;
    let mut at = now();
    for pass in 1..=3 {
        let report = s.ingester.run_once(at, &NoProgress).await.unwrap();
        assert_eq!(report.failed, 1, "pass {pass}");
        assert_eq!(report.disabled, usize::from(pass == 3), "pass {pass}");
        at = s.reload(&source).await.poll.next_poll_at;
    }
    let stored = s.reload(&source).await;
    assert_eq!(stored.poll.status, SourceStatus::Disabled);
    assert_eq!(stored.poll.consecutive_failures, 3);
    let error = stored.poll.last_error.unwrap();
    assert!(
        error.starts_with("disabled after 3 consecutive failures"),
        "{error}"
    );
    assert!(error.contains("HTTP 500"), "{error}");
    let report = s
        .ingester
        .run_once(at + SignedDuration::from_hours(48), &NoProgress)
        .await
        .unwrap();
    assert_eq!(report.polled, 0, "a disabled source is not polled");
}

#[tokio::test]
async fn per_host_limit_caps_concurrent_requests() {
    let server = Server::start().await;
    let s = setup(fetch_config());
    for i in 0..6 {
        s.add(server.url(&format!("/busy/{i}.xml"))).await;
    }
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed),
        (6, 0),
        "{:?}",
        report.errors
    );
    let max = server.seen.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&max),
        "{max} requests in flight at once, per_host is 2"
    );
}

/// How many requests each of `paths` received.
fn request_counts(server: &Server, paths: &[String]) -> Vec<usize> {
    paths
        .iter()
        .map(|p| server.seen.requests_to(p).len())
        .collect()
}

#[tokio::test]
async fn a_pass_polls_every_due_feed_once_over_several_claims() {
    let server = Server::start().await;
    let mut fetch = fetch_config();
    fetch.per_host = 8;
    // Claims of 2 x concurrency = 4 sources: the 10 feeds take three.
    fetch.concurrency = 2;
    let s = setup(fetch);
    let paths: Vec<String> = (0..10).map(|i| format!("/busy/{i}.xml")).collect();
    for path in &paths {
        s.add(server.url(path)).await;
    }
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed),
        (10, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(request_counts(&server, &paths), vec![1; 10]);
    // Recording each poll ended its claim and scheduled the next poll.
    assert!(s.store.due_sources(now(), 100).await.unwrap().is_empty());
}

#[tokio::test]
async fn two_ingesters_on_one_store_never_poll_a_feed_twice() {
    let server = Server::start().await;
    let mut fetch = fetch_config();
    fetch.per_host = 8;
    let s = setup(fetch.clone());
    let paths: Vec<String> = (0..40).map(|i| format!("/busy/{i}.xml")).collect();
    for path in &paths {
        s.add(server.url(path)).await;
    }
    // Another process on the same database file.
    let other_store = Arc::new(SqliteStore::open(&s._dir.path().join("gazette.db")).unwrap());
    let other = Ingester::new(
        other_store,
        Fetcher::new(&fetch).unwrap(),
        fetch,
        poll_config(),
    );

    let (a, b) = tokio::join!(
        s.ingester.run_once(now(), &NoProgress),
        other.run_once(now(), &NoProgress)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.polled + b.polled, 40, "{a:?} / {b:?}");
    assert_eq!(request_counts(&server, &paths), vec![1; 40]);
}

#[tokio::test]
async fn redirect_loops_and_chains_that_are_too_long_are_refused() {
    let server = Server::start().await;
    let err = fetcher()
        .fetch(
            &server.url("/loop-a"),
            &Conditional::default(),
            Accept::Feed,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::RedirectLoop {
            url: server.url("/loop-a")
        }
    );

    let mut config = fetch_config();
    config.max_redirects = 1;
    let err = Fetcher::new(&config)
        .unwrap()
        .fetch(
            &server.url("/moved-301.xml"),
            &Conditional::default(),
            Accept::Feed,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 1, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let server = Server::start().await;
    let mut config = fetch_config();
    config.allow_private_networks = false;
    let guarded = Fetcher::new(&config).unwrap();

    let literal = server.url("/good.xml");
    let err = guarded
        .fetch(&literal, &Conditional::default(), Accept::Feed)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::ForbiddenAddress {
            url: literal.clone(),
            address: "127.0.0.1".parse().unwrap()
        }
    );
    assert!(err.to_string().contains("allow_private_networks"), "{err}");

    // A name resolving to loopback is refused by the resolver.
    let named: Url = format!("http://localhost:{}/good.xml", server.addr.port())
        .parse()
        .unwrap();
    let err = guarded
        .fetch(&named, &Conditional::default(), Accept::Feed)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::ForbiddenAddress { .. }),
        "{err:?}"
    );
    assert!(
        server.seen.requests_to("/good.xml").is_empty(),
        "no request may reach the server"
    );

    let allowed = fetcher()
        .fetch(&literal, &Conditional::default(), Accept::Feed)
        .await;
    assert!(
        matches!(allowed, Ok(FetchOutcome::Fetched { .. })),
        "{allowed:?}"
    );
}

#[tokio::test]
async fn unsupported_schemes_are_refused() {
    let url: Url = "ftp://files.example/feed.xml".parse().unwrap();
    let err = fetcher()
        .fetch(&url, &Conditional::default(), Accept::Feed)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::UnsupportedScheme { url });
}

/// The binary runs passes on a multi-threaded runtime: their futures must be
/// `Send` (this test fails to compile otherwise).
#[tokio::test]
async fn ingest_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let s = setup(fetch_config());
    let run = s.ingester.run_once(now(), &NoProgress);
    assert_send(&run);
    let url: Url = "http://feeds.example/".parse().unwrap();
    let add = s.ingester.add_feed(&url, now());
    assert_send(&add);
}
