//! Hostile inputs, each served by a local site (or a raw TCP listener), with
//! what gazette does about them: SSRF through names and redirects, deadlines
//! against trickling servers, redirect chains, XML entities, deep nesting and
//! feeds with 100,000 entries. `docs/HARDENING.md` lists them all.
//! (Decompression bombs and memory are in `bombs.rs`, which counts allocations.)

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::header;
use axum::response::IntoResponse;
use gazette_core::Store;
use gazette_ingest::fetch::{Accept, Conditional, FetchError, FetchOutcome, Fetcher};
use gazette_ingest::ingest::NoProgress;
use gazette_ingest::opml::{MAX_FOLDERS, OpmlFeed, parse_opml, write_opml};
use gazette_ingest::{FeedError, parse_feed};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

async fn get(fetcher: &Fetcher, url: &Url) -> Result<FetchOutcome, FetchError> {
    fetcher
        .fetch(url, &Conditional::default(), Accept::Feed)
        .await
}

fn guarded(config: gazette_core::config::FetchConfig) -> Fetcher {
    let mut config = config;
    config.allow_private_networks = false;
    Fetcher::new(&config).unwrap()
}

// ---------------------------------------------------------------------------
// SSRF
// ---------------------------------------------------------------------------

/// Every spelling of a loopback, private, link-local, multicast or
/// unspecified address is refused before a connection is made.
#[tokio::test]
async fn ssrf_private_addresses_in_any_spelling_are_refused() {
    let site = Site::start("127.0.0.1").await;
    site.feed("/feed.xml", rss("Internal", &item("i1", "/i/1", TEXT)));
    let fetcher = guarded(fetch_config());
    let port = site.addr.port();
    let cases = [
        (format!("http://127.0.0.1:{port}/feed.xml"), "127.0.0.1"),
        (format!("http://2130706433:{port}/feed.xml"), "127.0.0.1"),
        (format!("http://0x7f.1:{port}/feed.xml"), "127.0.0.1"),
        (format!("http://0177.0.0.1:{port}/feed.xml"), "127.0.0.1"),
        (
            format!("http://[::ffff:127.0.0.1]:{port}/feed.xml"),
            "::ffff:127.0.0.1",
        ),
        (format!("http://[::1]:{port}/feed.xml"), "::1"),
        (format!("http://0.0.0.0:{port}/feed.xml"), "0.0.0.0"),
        (format!("http://0:{port}/feed.xml"), "0.0.0.0"),
        (
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "169.254.169.254",
        ),
        ("http://[fe80::1]/".to_string(), "fe80::1"),
        ("http://10.0.0.1/".to_string(), "10.0.0.1"),
        ("http://192.168.1.1/".to_string(), "192.168.1.1"),
        ("http://224.0.0.1/".to_string(), "224.0.0.1"),
        ("http://[ff02::1]/".to_string(), "ff02::1"),
        ("http://255.255.255.255/".to_string(), "255.255.255.255"),
    ];
    for (url, address) in cases {
        let url: Url = url.parse().unwrap();
        let err = get(&fetcher, &url).await.unwrap_err();
        match &err {
            FetchError::ForbiddenAddress { address: a, .. } => {
                assert_eq!(a.to_string(), address, "{url}")
            }
            other => panic!("{url}: expected ForbiddenAddress, got {other:?}"),
        }
        assert!(err.to_string().contains("allow_private_networks"), "{err}");
    }
    assert_eq!(site.total_hits(), 0, "no request may reach the site");
}

/// Names are checked after DNS resolution: `localhost` resolves to
/// loopback and is refused.
#[tokio::test]
async fn ssrf_names_resolving_to_loopback_are_refused_after_resolution() {
    let site = Site::start("127.0.0.1").await;
    site.feed("/feed.xml", rss("Internal", &item("i1", "/i/1", TEXT)));
    let fetcher = guarded(fetch_config());
    for host in ["localhost", "LOCALHOST", "LocalHost"] {
        let url: Url = format!("http://{host}:{}/feed.xml", site.addr.port())
            .parse()
            .unwrap();
        let err = get(&fetcher, &url).await.unwrap_err();
        let FetchError::ForbiddenAddress { address, .. } = err else {
            panic!("{url}: expected ForbiddenAddress, got {err:?}");
        };
        assert!(address.is_loopback(), "{address}");
    }
    assert_eq!(site.total_hits(), 0);
}

/// A redirect is checked again at every hop. The first site is on
/// 127.0.0.2, exempted with `fetch.allow_addresses` (so the guard is on and
/// the first hop honestly passes it); its redirects to 127.0.0.1 by address,
/// by a name (`localhost`, refused after resolution) and to the cloud metadata
/// address are refused, and the second site sees no request.
#[tokio::test]
async fn ssrf_redirects_from_an_allowed_host_to_private_addresses_are_refused() {
    let public = Site::start("127.0.0.2").await;
    let internal = Site::start("127.0.0.1").await;
    internal.feed("/secret.xml", rss("Secret", &item("s1", "/s/1", TEXT)));
    let port = internal.addr.port();
    public.feed("/ok.xml", rss("Public", &item("p1", "/p/1", TEXT)));
    public.redirect(
        "/to-literal.xml",
        &format!("http://127.0.0.1:{port}/secret.xml"),
    );
    public.redirect(
        "/to-name.xml",
        &format!("http://localhost:{port}/secret.xml"),
    );
    public.redirect(
        "/to-metadata.xml",
        "http://169.254.169.254/latest/meta-data/",
    );
    public.redirect("/hop.xml", "/to-name.xml");

    let mut config = fetch_config();
    config.allow_private_networks = false;
    config.allow_addresses = vec!["127.0.0.2/32".parse().unwrap()];
    let fetcher = Fetcher::new(&config).unwrap();

    // The exempt host itself is reachable: the refusals below are the redirects'.
    let ok = get(&fetcher, &public.url("/ok.xml")).await;
    assert!(matches!(ok, Ok(FetchOutcome::Fetched { .. })), "{ok:?}");

    for (path, refused) in [
        ("/to-literal.xml", "127.0.0.1"),
        ("/to-name.xml", "localhost"),
        ("/hop.xml", "localhost"),
        ("/to-metadata.xml", "169.254.169.254"),
    ] {
        let err = get(&fetcher, &public.url(path)).await.unwrap_err();
        let FetchError::ForbiddenAddress { url, address } = &err else {
            panic!("{path}: expected ForbiddenAddress, got {err:?}");
        };
        assert_eq!(url.host_str(), Some(refused), "{path}: {err}");
        assert!(!address.to_string().starts_with("127.0.0.2"), "{err}");
        assert_eq!(public.hits(path), 1, "{path}: the first hop was made");
    }
    assert_eq!(
        internal.total_hits(),
        0,
        "no redirect may reach the internal site"
    );

    // Through ingest: the feed fails with the reason, nothing is stored, the
    // exempt feed beside it is ingested.
    let s = setup(config);
    let bad = s.add(public.url("/to-name.xml")).await;
    s.add(public.url("/ok.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed, report.new_entries),
        (2, 1, 1)
    );
    let error = s.reload(&bad).await.poll.last_error.unwrap();
    assert!(error.contains("private or reserved address"), "{error}");
    assert!(!s.stored_text().await.contains("Secret"));
}

/// Redirects to other schemes (`file:`, `gopher:`, `data:`) are refused.
#[tokio::test]
async fn redirects_to_other_schemes_are_refused() {
    let site = Site::start("127.0.0.1").await;
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    for (path, location) in [
        ("/file", "file:///etc/passwd"),
        ("/gopher", "gopher://127.0.0.1:25/_HELO"),
        ("/data", "data:text/xml,<rss/>"),
    ] {
        site.redirect(path, location);
        let err = get(&fetcher, &site.url(path)).await.unwrap_err();
        assert_eq!(
            err,
            FetchError::UnsupportedScheme {
                url: location.parse().unwrap()
            },
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------
// Deadlines and redirects
// ---------------------------------------------------------------------------

/// A body trickling one byte every 50 ms (each read succeeds, so no read
/// timeout would fire) is cut by the total deadline.
#[tokio::test]
async fn a_trickling_body_hits_the_total_deadline() {
    let site = Site::start("127.0.0.1").await;
    site.route("/trickle.xml", || {
        let bytes = futures::stream::unfold(0_u32, |n| async move {
            // Ends after a minute, so a missing deadline fails the test
            // instead of hanging it.
            (n < 1200).then_some(())?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            Some((Ok::<_, std::io::Error>(vec![b' ']), n + 1))
        });
        (
            [(header::CONTENT_TYPE, "application/rss+xml")],
            Body::from_stream(bytes),
        )
            .into_response()
    });
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let url = site.url("/trickle.xml");
    let err = get(&fetcher, &url).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("no complete response within 2s"),
        "{err}"
    );
}

/// A raw TCP server: accepts connections and runs `serve` on each.
async fn raw_server<F, Fut>(serve: F) -> std::net::SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    addr
}

/// Reads the request head, so that the client is waiting for the answer.
async fn read_request(stream: &mut tokio::net::TcpStream) {
    let mut buffer = vec![0; 4096];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Response headers trickling one byte every 50 ms hit the total deadline too.
#[tokio::test]
async fn trickling_headers_hit_the_total_deadline() {
    let addr = raw_server(|mut stream| async move {
        read_request(&mut stream).await;
        let head = format!("HTTP/1.1 200 OK\r\n{}", "X-Slow: a\r\n".repeat(200));
        for byte in head.bytes() {
            if stream.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let url: Url = format!("http://{addr}/feed.xml").parse().unwrap();
    let err = get(&fetcher, &url).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
}

/// Endless response headers, sent as fast as possible, are refused by the
/// HTTP client's header limit long before the deadline.
#[tokio::test]
async fn endless_response_headers_are_refused() {
    let addr = raw_server(|mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        let line = "X-Endless: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(1000);
        for _ in 0..10_000 {
            if stream.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
    })
    .await;
    let mut config = fetch_config();
    config.timeout = jiff::SignedDuration::from_secs(60);
    let fetcher = Fetcher::new(&config).unwrap();
    let url: Url = format!("http://{addr}/feed.xml").parse().unwrap();
    let err = get(&fetcher, &url).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Transport { .. } | FetchError::Connect { .. }
        ),
        "{err:?}"
    );
}

/// An endless chain of distinct redirects stops at `fetch.max_redirects`,
/// having made exactly that many hops plus the first request.
#[tokio::test]
async fn an_endless_redirect_chain_stops_at_max_redirects() {
    let site = Site::start("127.0.0.1").await;
    for n in 0..100 {
        site.redirect(&format!("/chain/{n}"), &format!("/chain/{}", n + 1));
    }
    let mut config = fetch_config();
    config.max_redirects = 10;
    let fetcher = Fetcher::new(&config).unwrap();
    let err = get(&fetcher, &site.url("/chain/0")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 10, .. }),
        "{err:?}"
    );
    assert_eq!(site.total_hits(), 11);
    // A loop through three URLs is named as a loop.
    site.redirect("/a", "/b");
    site.redirect("/b", "/c");
    site.redirect("/c", "/a");
    let err = get(&fetcher, &site.url("/a")).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::RedirectLoop {
            url: site.url("/a")
        }
    );
}

// ---------------------------------------------------------------------------
// XML entities
// ---------------------------------------------------------------------------

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><guid>l1</guid><title>Title &lol9;</title><link>http://site.example/l/1</link>
<description>Summary &lol9; &lol9;</description></item></channel></rss>"#;

/// "Billion laughs": internal entities are never expanded; the references
/// stay as literal text, and the feed is read.
#[tokio::test]
async fn billion_laughs_entities_are_not_expanded() {
    let site = Site::start("127.0.0.1").await;
    site.feed("/laughs.xml", BILLION_LAUGHS.to_string());
    let s = setup(fetch_config());
    s.add(site.url("/laughs.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!((report.failed, report.new_articles), (0, 1), "{report:?}");
    let text = s.stored_text().await;
    assert!(text.contains("&lol9;"), "{text}");
    assert!(!text.contains("lollol"), "an entity was expanded");
    assert!(text.len() < 1_000, "{} bytes stored", text.len());
}

/// XXE: external entities (`SYSTEM "file:///etc/passwd"`, parameter
/// entities, an external DTD on the local site) are never resolved: no file
/// is read and no request is made.
#[tokio::test]
async fn external_entities_are_not_resolved() {
    let site = Site::start("127.0.0.1").await;
    let dtd = site.url("/evil.dtd");
    let entity = site.url("/entity.txt");
    site.route("/evil.dtd", || {
        xml("<!ENTITY leak \"LEAKED-FROM-DTD\">".to_string())
    });
    site.route("/entity.txt", || xml("LEAKED-FROM-URL".to_string()));
    let passwd_head = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| p.lines().next().map(str::to_string))
        .unwrap_or_else(|| "root:x:0:0".to_string());
    let documents = [
        (
            "/file.xml",
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
             <rss version=\"2.0\"><channel><title>File</title><item><guid>f1</guid>\
             <title>&xxe;</title><link>http://site.example/f/1</link>\
             <description>&xxe;</description></item></channel></rss>"
                .to_string(),
        ),
        (
            "/url.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM \"{entity}\">]>\
                 <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Url</title>\
                 <entry><id>u1</id><title>&xxe;</title><link href=\"http://site.example/u/1\"/>\
                 <summary>&xxe;</summary><updated>2024-05-01T10:00:00Z</updated></entry></feed>"
            ),
        ),
        (
            "/parameter.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM \"{dtd}\"> %remote;]>\
                 <rss version=\"2.0\"><channel><title>Param</title><item><guid>p1</guid>\
                 <title>&leak;</title><link>http://site.example/p/1</link></item></channel></rss>"
            ),
        ),
        (
            "/external-dtd.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"{dtd}\">\
                 <rss version=\"2.0\"><channel><title>Dtd</title><item><guid>d1</guid>\
                 <title>&leak;</title><link>http://site.example/d/1</link></item></channel></rss>"
            ),
        ),
    ];
    let s = setup(fetch_config());
    for (path, body) in documents {
        site.feed(path, body);
        s.add(site.url(path)).await;
    }
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed),
        (4, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(report.new_articles, 4);
    let text = s.stored_text().await;
    assert!(text.contains("&xxe;"), "{text}");
    assert!(!text.contains(&passwd_head), "/etc/passwd was read: {text}");
    assert!(!text.contains("LEAKED"), "{text}");
    assert_eq!(site.hits("/evil.dtd"), 0, "the DTD was fetched");
    assert_eq!(site.hits("/entity.txt"), 0, "the entity was fetched");
}

/// OPML files (imported from disk, written by anyone) get the same treatment.
#[test]
fn opml_entities_are_neither_expanded_nor_resolved() {
    let opml = r#"<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">]>
<opml version="2.0"><body>
<outline text="&xxe;" xmlUrl="https://a.example/feed"/>
<outline text="&lol1;" xmlUrl="https://b.example/feed"/>
</body></opml>"#;
    let feeds = parse_opml(opml.as_bytes()).unwrap();
    assert_eq!(feeds.len(), 2);
    for feed in &feeds {
        let title = feed.title.as_deref().unwrap_or_default();
        assert!(
            !title.contains("root") && !title.contains("lollol"),
            "{title}"
        );
    }
}

// ---------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------

const DEPTH: usize = 100_000;

fn nested(open: &str, close: &str, inner: &str) -> String {
    nested_to(DEPTH, open, close, inner)
}

fn nested_to(depth: usize, open: &str, close: &str, inner: &str) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// Deeply nested feeds: 60,000 nested elements inside an item, as Atom
/// XHTML content, and 100,000 nested `<div>`s of HTML in `content:encoded`,
/// are read (the stack holds: tokio's workers have 2 MiB, as the daemon's;
/// no step recurses, and HTML is turned into text in one tokenizer pass).
/// 100,000 nested XML elements are past the XML reader's limit (65,535) and
/// refused with that reason; 60,000 elements left unclosed are read by the
/// lenient second pass. The pass goes on.
#[tokio::test]
async fn deeply_nested_feeds_neither_overflow_nor_stop_the_pass() {
    let site = Site::start("127.0.0.1").await;
    let deep_item = |depth: usize| {
        rss(
            "Deep item",
            &format!(
                "<item><guid>d{depth}</guid><title>Deep</title><link>http://site.example/d/{depth}</link>\
                 <description>Summary.</description>{}</item>",
                nested_to(depth, "<x>", "</x>", "text")
            ),
        )
    };
    let deep_html = rss(
        "Deep HTML",
        &format!(
            "<item><guid>h1</guid><title>Deep HTML</title><link>http://site.example/h/1</link>\
             <content:encoded><![CDATA[{}]]></content:encoded></item>",
            nested("<div>", "</div>", TEXT)
        ),
    );
    let deep_xhtml = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Deep XHTML</title>\
         <entry><id>x1</id><title>Deep XHTML</title><link href=\"http://site.example/x/1\"/>\
         <updated>2024-05-01T10:00:00Z</updated><content type=\"xhtml\">\
         <div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div></content></entry></feed>",
        nested_to(60_000, "<span>", "</span>", TEXT)
    );
    let unclosed = format!(
        "<rss version=\"2.0\"><channel><title>Unclosed</title>{}",
        "<x>".repeat(60_000)
    );
    let mut config = fetch_config();
    config.max_body_bytes = 10 << 20;
    let s = setup(config);
    for (path, body) in [
        ("/deep-item.xml", deep_item(60_000)),
        ("/too-deep.xml", deep_item(DEPTH)),
        ("/deep-html.xml", deep_html),
        ("/deep-xhtml.xml", deep_xhtml),
        ("/unclosed.xml", unclosed),
    ] {
        site.feed(path, body);
        s.add(site.url(path)).await;
    }
    site.feed(
        "/good.xml",
        rss("Good", &item("g1", "http://site.example/g/1", TEXT)),
    );
    let good = s.add(site.url("/good.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    let mut errors: Vec<(String, String)> = report
        .errors
        .iter()
        .map(|e| (e.url.path().to_string(), e.message.clone()))
        .collect();
    errors.sort();
    // The unclosed nest is read by the lenient second pass (which closes
    // what is left open); the one past the XML reader's depth limit is not.
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "/too-deep.xml");
    assert!(
        errors[0]
            .1
            .contains("nests elements deeper than the supported limit"),
        "{}",
        errors[0].1
    );
    assert_eq!((report.polled, report.new_articles), (6, 4));
    let text = s.stored_text().await;
    assert_eq!(
        text.matches("Full content of the entry").count(),
        3,
        "{text}"
    );
    assert!(s.reload(&good).await.poll.last_error.is_none());
}

/// A JSON Feed holding a value nested 100,000 arrays deep: skipped
/// without recursion (serde_json ignores unknown fields in a loop), the
/// entry is read; the same nesting where the items go is refused as not a
/// JSON Feed.
#[tokio::test]
async fn deeply_nested_json_feeds_are_read_or_refused_without_overflow() {
    let json = format!(
        "{{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Deep\", \
         \"items\": [{{\"id\": \"1\", \"_deep\": {}}}]}}",
        nested("[", "]", "")
    );
    let feed = parse_feed(json.as_bytes(), None, None).unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.entries[0].id, "1");
    let json = format!(
        "{{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Deep\", \"items\": {}}}",
        nested("[", "]", "")
    );
    let err = parse_feed(json.as_bytes(), None, None).unwrap_err();
    assert!(matches!(err, FeedError::NotAFeed { .. }), "{err:?}");
}

/// Article pages nested 100,000 deep (blocks, inline formatting elements,
/// tables) go through ingest's extraction: the stack holds, each article is
/// stored (from the page or from the feed's summary), the pass goes on.
#[tokio::test]
async fn deeply_nested_article_pages_are_survived() {
    let site = Site::start("127.0.0.1").await;
    let pages = [
        ("/divs.html", nested("<div>", "</div>", TEXT)),
        ("/bold.html", nested("<b>", "</b>", TEXT)),
        (
            "/tables.html",
            nested("<table><tr><td>", "</td></tr></table>", TEXT),
        ),
        ("/unclosed.html", "<p><span>".repeat(DEPTH)),
    ];
    let mut items = String::new();
    for (i, (path, page)) in pages.into_iter().enumerate() {
        let page = format!("<!doctype html><html><head><title>Deep</title></head><body>{page}");
        site.route(path, move || html(page.clone()));
        items.push_str(&item(&format!("p{i}"), path, ""));
    }
    site.feed("/pages.xml", rss("Pages", &items));
    let mut config = fetch_config();
    config.max_body_bytes = 10 << 20;
    let s = setup(config);
    s.add(site.url("/pages.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.errors);
    assert_eq!(report.new_articles, 4);
    assert_eq!(report.pages_fetched, 4);
}

/// An OPML file with 100,000 nested folders, a feed in each: read in one
/// pass, categories cut to the outermost `MAX_FOLDERS` folders; writing a
/// category of 100,000 folders back out does not recurse that deep.
#[test]
fn deeply_nested_opml_is_read_and_written() {
    let mut opml = String::from("<opml version=\"2.0\"><body>");
    for i in 0..DEPTH {
        opml.push_str(&format!(
            "<outline text=\"f{i}\"><outline text=\"feed {i}\" xmlUrl=\"https://e.example/{i}\"/>"
        ));
    }
    opml.push_str(&"</outline>".repeat(DEPTH));
    opml.push_str("</body></opml>");
    let feeds = parse_opml(opml.as_bytes()).unwrap();
    assert_eq!(feeds.len(), DEPTH);
    let last = feeds.last().unwrap().category.as_deref().unwrap();
    assert_eq!(last.split('/').count(), MAX_FOLDERS);
    assert!(last.starts_with("f0/f1/f2/"), "{last}");
    assert_eq!(feeds[2].category.as_deref(), Some("f0/f1/f2"));

    let deep = OpmlFeed {
        url: "https://e.example/deep".parse().unwrap(),
        title: Some("Deep".into()),
        site_url: None,
        category: Some(vec!["c"; DEPTH].join("/")),
    };
    let written = write_opml("Deep", &[deep]);
    let back = parse_opml(written.as_bytes()).unwrap();
    assert_eq!(
        back[0].category.as_deref().unwrap().split('/').count(),
        MAX_FOLDERS
    );
}

// ---------------------------------------------------------------------------
// Many entries
// ---------------------------------------------------------------------------

/// A feed of 100,000 entries, oldest first: `fetch.max_entries` (here 300)
/// of them are stored, the newest, and the pass goes on.
#[tokio::test]
async fn a_feed_of_100_000_entries_keeps_the_newest_max_entries() {
    let site = Site::start("127.0.0.1").await;
    let start: jiff::Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
    let mut items = String::new();
    for i in 0..100_000_i64 {
        let date = start + jiff::SignedDuration::from_mins(i);
        items.push_str(&format!(
            "<item><guid>e{i}</guid><title>Entry {i}</title><link>http://site.example/e/{i}</link>\
             <description>Summary {i}.</description><pubDate>{date}</pubDate></item>"
        ));
    }
    let body = rss("Many", &items);
    assert!(body.len() > 10_000_000, "{} bytes", body.len());
    site.feed("/many.xml", body);
    site.feed(
        "/good.xml",
        rss("Good", &item("g1", "http://site.example/g/1", TEXT)),
    );
    let mut config = fetch_config();
    config.max_body_bytes = 32 << 20;
    config.max_entries = 300;
    config.fetch_pages = false;
    let s = setup(config);
    let many = s.add(site.url("/many.xml")).await;
    s.add(site.url("/good.xml")).await;
    let report = s.ingester.run_once(now(), &NoProgress).await.unwrap();
    assert_eq!(
        (report.polled, report.failed),
        (2, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(report.new_entries, 301);
    let times = s.store.recent_entry_times(many.id, 1_000).await.unwrap();
    assert_eq!(times.len(), 300);
    let oldest = times.iter().min().unwrap();
    assert_eq!(
        *oldest,
        start + jiff::SignedDuration::from_mins(100_000 - 300)
    );
}
