//! Feed discovery: the feeds a web page advertises with
//! `<link rel="alternate" type="application/rss+xml" href="…">`.
//!
//! ```
//! use gazette_ingest::discover::discover_feeds;
//! let html = r#"<head><link rel="alternate" type="application/rss+xml"
//!     title="News" href="/feed.xml"></head>"#;
//! let base = "https://example.org/news/".parse().unwrap();
//! let feeds = discover_feeds(html, &base);
//! assert_eq!(feeds[0].url.as_str(), "https://example.org/feed.xml");
//! assert_eq!(feeds[0].title.as_deref(), Some("News"));
//! ```

use gazette_core::FeedKind;
use url::Url;

/// A feed advertised by a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredFeed {
    /// The feed's URL, absolute.
    pub url: Url,
    /// The link's `title`, when it has one.
    pub title: Option<String>,
    /// The format the link's `type` announces. `application/rss+xml` is
    /// reported as RSS 2.0; the RSS versions are told apart only by parsing.
    pub kind: Option<FeedKind>,
}

/// The feeds advertised by `html` (fetched from `base`), in document order,
/// without duplicates. Links are resolved against `<base href>`, itself
/// resolved against `base`. `rel` may hold several tokens (`alternate home`)
/// and `type` may carry parameters (`application/rss+xml; charset=utf-8`).
pub fn discover_feeds(html: &str, base: &Url) -> Vec<DiscoveredFeed> {
    // Extraction's single tokenizer pass, not a DOM: its cost is linear in
    // the page whatever the nesting (a DOM takes time in its square).
    let raw = gazette_extract::blocks::parse(html).raw;
    let base = raw
        .base_href
        .as_deref()
        .and_then(|href| base.join(href.trim()).ok())
        .unwrap_or_else(|| base.clone());
    let mut feeds: Vec<DiscoveredFeed> = Vec::new();
    for link in &raw.link_elements {
        let rel = link.rel.to_ascii_lowercase();
        if !rel
            .split_ascii_whitespace()
            .any(|token| token == "alternate")
        {
            continue;
        }
        let Some(kind) = link.media_type.as_deref().and_then(feed_kind) else {
            continue;
        };
        let Ok(url) = base.join(link.href.trim()) else {
            continue;
        };
        if feeds.iter().any(|f| f.url == url) {
            continue;
        }
        let title = link
            .title
            .as_deref()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        feeds.push(DiscoveredFeed {
            url,
            title,
            kind: Some(kind),
        });
    }
    feeds
}

/// The feed format a link `type` announces, if it announces one.
fn feed_kind(media_type: &str) -> Option<FeedKind> {
    let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/rss+xml" => Some(FeedKind::Rss2),
        "application/rdf+xml" => Some(FeedKind::Rss1),
        "application/atom+xml" => Some(FeedKind::Atom),
        "application/feed+json" | "application/json" => Some(FeedKind::JsonFeed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        "https://www.example.org/section/page.html".parse().unwrap()
    }

    #[test]
    fn feeds_are_found_in_document_order() {
        let html = r#"<!doctype html><html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/atom+xml" title=" Atom  feed " href="atom.xml">
            <link rel="alternate" type="application/rss+xml" href="https://feeds.example.org/rss">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="alternate" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/json+oembed" href="/oembed">
            </head><body></body></html>"#;
        let feeds = discover_feeds(html, &base());
        let found: Vec<(&str, Option<&str>, Option<FeedKind>)> = feeds
            .iter()
            .map(|f| (f.url.as_str(), f.title.as_deref(), f.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "https://www.example.org/section/atom.xml",
                    Some("Atom feed"),
                    Some(FeedKind::Atom)
                ),
                ("https://feeds.example.org/rss", None, Some(FeedKind::Rss2)),
                (
                    "https://www.example.org/feed.json",
                    None,
                    Some(FeedKind::JsonFeed)
                ),
            ]
        );
    }

    #[test]
    fn rel_tokens_type_parameters_and_case_are_tolerated() {
        let html = r#"<LINK REL="Home Alternate" TYPE="Application/RSS+XML; charset=UTF-8" HREF="/a.rss">"#;
        let feeds = discover_feeds(html, &base());
        assert_eq!(feeds.len(), 1);
        assert_eq!(feeds[0].url.as_str(), "https://www.example.org/a.rss");
    }

    #[test]
    fn base_href_is_honoured_and_duplicates_dropped() {
        let html = r#"<head><base href="/blog/">
            <link rel="alternate" type="application/rss+xml" href="feed">
            <link rel="alternate" type="application/atom+xml" href="/blog/feed">
            <link rel="alternate" type="application/json" href="feed.json">
            </head>"#;
        let feeds = discover_feeds(html, &base());
        let urls: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://www.example.org/blog/feed",
                "https://www.example.org/blog/feed.json"
            ]
        );
    }

    #[test]
    fn a_deeply_nested_page_is_read_in_linear_time() {
        // A DOM took minutes for this; the test asserts the feed is found,
        // the speed is the test finishing.
        let depth = 100_000;
        let html = format!(
            "<head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/deep.xml\"></head>\
             <body>{}<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/inner.xml\">{}</body>",
            "<div><b>".repeat(depth),
            "</b></div>".repeat(depth)
        );
        let urls: Vec<String> = discover_feeds(&html, &base())
            .iter()
            .map(|f| f.url.to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "https://www.example.org/deep.xml",
                "https://www.example.org/inner.xml"
            ]
        );
    }

    #[test]
    fn pages_without_feed_links_give_nothing() {
        let html = r#"<head><link rel="alternate" type="text/html" href="/m/"></head>"#;
        assert!(discover_feeds(html, &base()).is_empty());
    }
}
