//! Feed parsing: RSS 0.9x/1.0/2.0, Atom 1.0 and JSON Feed 1.x bytes →
//! [`ParsedFeed`].
//!
//! [`parse_feed`] decodes the bytes itself ([`crate::charset`]), hands UTF-8 to
//! [`feed_rs`] with the feed's URL as base (so relative links and `xml:base`
//! resolve) and a lenient date parser ([`crate::dates`]), then maps feed-rs's
//! model onto gazette's: plain-text titles and summaries, one article link,
//! authors as names, one image, [`jiff::Timestamp`] dates.
//!
//! ```
//! let xml = br#"<rss version="2.0"><channel><title>News</title>
//!   <item><title>Caf&amp;eacute; opens</title><link>/a/1</link>
//!   <pubDate>2024-05-01 10:00:00</pubDate></item></channel></rss>"#;
//! let base: url::Url = "https://example.org/feed.xml".parse().unwrap();
//! let feed = gazette_ingest::feed::parse_feed(xml, Some(&base), None).unwrap();
//! let entry = &feed.entries[0];
//! assert_eq!(entry.title.as_deref(), Some("Café opens"));
//! assert_eq!(entry.link.as_ref().unwrap().as_str(), "https://example.org/a/1");
//! assert_eq!(entry.published.unwrap().to_string(), "2024-05-01T10:00:00Z");
//! ```
//!
//! # The panic guard
//!
//! feed-rs 3.0.0 panics on some inputs instead of returning an error. The one
//! seen in real feeds is in `parse_person_name_email`: it slices one byte
//! before or after an e-mail address found in an author field, assuming that
//! byte is a whole character, so `jean@example.fr—Jean Dupont` or
//! `«jean@example.fr»` cuts a multibyte character in two. Others are just as
//! easy to reach, all in its "normal play time" parser (`parse_npt`), used for
//! `<itunes:duration>` and MediaRSS times: more digits than a `u64` holds, or
//! non-ASCII digits (`٣`, which its regex accepts as `\d`), hit an `unwrap`;
//! `9999999999999999:00:00` overflows a multiplication (in debug builds).
//!
//! A panic must not take down an ingest pass, so the parse runs under
//! [`std::panic::catch_unwind`]. After a panic the document is parsed once
//! more with a space inserted between every e-mail address and an adjacent
//! non-ASCII character (only then: the text is not altered otherwise), or, when
//! quick-xml refused to switch encodings mid-document (a second XML declaration
//! `charset::decode` could not rewrite, found by fuzzing), with every later
//! `<?xml` made an ordinary processing instruction; if that panics too, the
//! feed gets [`FeedError::ParserPanic`]. This relies on the
//! default `panic = "unwind"`; the panic message still reaches the panic hook
//! (standard error).

use std::panic::{self, AssertUnwindSafe};
use std::sync::LazyLock;

use feed_rs::model;
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use gazette_core::{FeedEntry, FeedKind, ParsedFeed};
use regex::Regex;
use url::Url;

use crate::charset;
use crate::dates::{parse_date, to_timestamp};
use crate::position::{Position, at};
use crate::text::{collapse_whitespace, html_to_line, html_to_text};

/// Why bytes could not be read as a feed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeedError {
    /// Nothing but whitespace.
    #[error("the document is empty; expected an RSS, Atom or JSON feed")]
    Empty,
    /// An HTML page: perhaps one that advertises feeds (see [`crate::discover`]).
    #[error(
        "not a feed: found an HTML page. Give the URL of the feed itself, or use `gazette feeds \
         add` on the page, which looks for the feeds it advertises"
    )]
    HtmlPage,
    /// Readable, but not a feed format.
    #[error(
        "not a feed: found {found}; expected an RSS, Atom or JSON feed. Check that the URL is \
         the feed itself"
    )]
    NotAFeed {
        /// What the document is, e.g. "an XML document whose root element is `<svg>`".
        found: String,
    },
    /// Malformed XML.
    #[error(
        "invalid XML{}: {message}. The feed is malformed; its publisher has to fix it",
        at(.position)
    )]
    InvalidXml {
        position: Option<Position>,
        message: String,
    },
    /// Malformed JSON.
    #[error(
        "invalid JSON at {position}: {message}. The feed is malformed; its publisher has to fix it"
    )]
    InvalidJson { position: Position, message: String },
    /// Well-formed, but the feed structure is wrong (e.g. an unknown value).
    #[error("invalid feed{}: {message}", at(.position))]
    InvalidFeed {
        position: Option<Position>,
        message: String,
    },
    /// A version of a format this parser does not know.
    #[error("unsupported feed: {what}")]
    Unsupported { what: String },
    /// The feed parser panicked on this document (see the module docs).
    #[error(
        "the feed parser failed on this document ({message}); it cannot be read until the \
         feed changes or the parser is fixed"
    )]
    ParserPanic { message: String },
}

/// Parses a feed. `base` (the feed's URL) resolves relative links;
/// `http_charset` is the `charset` of the response's `Content-Type`.
pub fn parse_feed(
    bytes: &[u8],
    base: Option<&Url>,
    http_charset: Option<&str>,
) -> Result<ParsedFeed, FeedError> {
    let decoded = charset::decode(bytes, http_charset);
    // Whitespace before the XML declaration is invalid XML but common.
    let text = decoded.text.trim_start();
    if text.is_empty() {
        return Err(FeedError::Empty);
    }
    if is_html_page(text) {
        return Err(FeedError::HtmlPage);
    }
    let feed = match parse_guarded(text, base) {
        Err(FeedError::NotAFeed { found }) => {
            // `<rss>` without a version is RSS all the same (feed-rs needs the
            // version to pick a dialect): read it as RSS 2.0, which is a
            // superset of the 0.9x dialects for what gazette reads.
            let Some(versioned) = with_rss_version(text) else {
                return Err(FeedError::NotAFeed { found });
            };
            let feed = parse_guarded(&versioned, base)?;
            return Ok(map_feed(feed, &versioned, base));
        }
        other => other?,
    };
    Ok(map_feed(feed, text, base))
}

/// The text with `version="2.0"` added to its root `<rss>` element, when that
/// element has no version; `None` otherwise.
fn with_rss_version(text: &str) -> Option<String> {
    static RSS_ROOT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<rss(\s[^>]*)?>").expect("valid regex"));
    let m = RSS_ROOT.find(text)?;
    if m.as_str().contains("version") {
        return None;
    }
    let insert_at = m.start() + "<rss".len();
    Some(format!(
        "{} version=\"2.0\"{}",
        &text[..insert_at],
        &text[insert_at..]
    ))
}

// ---------------------------------------------------------------------------
// Running feed-rs
// ---------------------------------------------------------------------------

/// Runs feed-rs under the panic guard described in the module docs.
fn parse_guarded(text: &str, base: Option<&Url>) -> Result<model::Feed, FeedError> {
    let message = match parse_catching_panics(text, base) {
        Ok(result) => return result.map_err(|e| parse_error(e, text)),
        Err(message) => message,
    };
    // quick-xml panics when feed-rs asks it to switch decoders after the
    // document's start (an XML declaration further on that `charset::decode`
    // could not rewrite, e.g. one hidden in a malformed tag): read those as
    // ordinary processing instructions.
    let patch = if message.contains("set_encoding") {
        later_declarations_neutralised(text)
    } else {
        separate_emails(text)
    };
    let Some(patched) = patch else {
        return Err(FeedError::ParserPanic { message });
    };
    tracing::warn!(
        panic = %message,
        "feed parser panicked; retrying once with the document patched around the known cause"
    );
    match parse_catching_panics(&patched, base) {
        Ok(result) => result.map_err(|e| parse_error(e, &patched)),
        Err(message) => Err(FeedError::ParserPanic { message }),
    }
}

/// One feed-rs parse; `Err` holds the panic message if it panicked. The parser
/// is built afresh each time: it keeps per-document state (MediaRSS scopes)
/// that a panic would leave behind.
fn parse_catching_panics(
    text: &str,
    base: Option<&Url>,
) -> Result<Result<model::Feed, ParseFeedError>, String> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.map(Url::as_str))
        .timestamp_parser(parse_date)
        // IDs missing from the feed are derived in `entry_id`, where the whole
        // entry is visible; feed-rs would fall back to a random UUID.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    panic::catch_unwind(AssertUnwindSafe(|| parser.parse(text.as_bytes()))).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic without a message".to_string())
    })
}

/// The text with every `<?xml` after its start turned into `<?_xml` (a
/// processing instruction feed-rs ignores), or `None` when there is none.
fn later_declarations_neutralised(text: &str) -> Option<String> {
    let first = text.get(1..)?.find("<?xml")? + 1;
    Some(format!(
        "{}{}",
        &text[..first],
        text[first..].replace("<?xml", "<?_xml")
    ))
}

/// The text with a space between every e-mail address and an adjacent
/// non-ASCII character, or `None` when there is no such address.
fn separate_emails(text: &str) -> Option<String> {
    static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("valid regex")
    });
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for m in EMAIL.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        out.push_str(&text[copied..m.start()]);
        if before.is_some_and(|c| !c.is_ascii()) {
            out.push(' ');
        }
        out.push_str(m.as_str());
        if after.is_some_and(|c| !c.is_ascii()) {
            out.push(' ');
        }
        copied = m.end();
    }
    out.push_str(&text[copied..]);
    (out.len() != text.len()).then_some(out)
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

fn parse_error(error: ParseFeedError, text: &str) -> FeedError {
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => FeedError::NotAFeed {
            found: describe_document(text),
        },
        ParseFeedError::ParseError(kind) => FeedError::InvalidFeed {
            position: error_offset(&kind).map(|offset| Position::at(text, offset)),
            message: kind.to_string(),
        },
        ParseFeedError::JsonSerde(e) if e.is_data() => FeedError::NotAFeed {
            found: format!("a JSON document that is not a JSON Feed ({e})"),
        },
        ParseFeedError::JsonSerde(e) => {
            let position = Position {
                line: e.line() as u64,
                column: e.column() as u64,
            };
            let message = e.to_string();
            let message = message
                .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
                .unwrap_or(&message)
                .to_string();
            FeedError::InvalidJson { position, message }
        }
        ParseFeedError::JsonUnsupportedVersion(version) => FeedError::Unsupported {
            what: format!("JSON Feed version {version:?} (1.0 and 1.1 are supported)"),
        },
        // Reading from a byte slice fails only in XML decoding.
        ParseFeedError::XmlReader(_) | ParseFeedError::IoError(_) => {
            let (position, message) = match scan::xml_syntax_error(text) {
                Some((offset, message)) => (Some(Position::at(text, offset)), message),
                None => (None, error.to_string()),
            };
            FeedError::InvalidXml { position, message }
        }
    }
}

fn error_offset(kind: &ParseErrorKind) -> Option<u64> {
    match kind {
        ParseErrorKind::NoFeedRoot => None,
        ParseErrorKind::UnknownMimeType { position, .. }
        | ParseErrorKind::MissingContent { position, .. }
        | ParseErrorKind::UnknownEnumVariant { position, .. }
        | ParseErrorKind::IllegalState { position, .. } => Some(*position),
    }
}

fn is_html_page(text: &str) -> bool {
    let head: String = text.chars().take(16).collect();
    head.to_ascii_lowercase().starts_with("<!doctype html")
        || scan::first_element(text).is_some_and(|name| name.eq_ignore_ascii_case("html"))
}

/// What a document that is not a feed looks like, for error messages.
fn describe_document(text: &str) -> String {
    if text.starts_with('{') || text.starts_with('[') {
        return "a JSON document that is not a JSON Feed".to_string();
    }
    if let Some(name) = scan::first_element(text) {
        return format!("an XML document whose root element is <{name}>");
    }
    let start: String = text.chars().take(40).collect();
    format!(
        "text that is neither XML nor JSON, starting {:?}",
        collapse_whitespace(&start)
    )
}

// ---------------------------------------------------------------------------
// Mapping feed-rs's model to gazette's
// ---------------------------------------------------------------------------

fn map_feed(feed: model::Feed, text: &str, base: Option<&Url>) -> ParsedFeed {
    let language = feed.language.clone();
    let mut thumbnails = if text.starts_with('<') {
        scan::item_thumbnails(text)
    } else {
        Vec::new()
    };
    // Used only when every entry was seen, so that the indices line up.
    if thumbnails.len() != feed.entries.len() {
        thumbnails = vec![None; feed.entries.len()];
    }
    ParsedFeed {
        kind: match feed.feed_type {
            model::FeedType::Atom => FeedKind::Atom,
            model::FeedType::JSON => FeedKind::JsonFeed,
            model::FeedType::RSS0 => FeedKind::Rss0,
            model::FeedType::RSS1 => FeedKind::Rss1,
            model::FeedType::RSS2 => FeedKind::Rss2,
        },
        title: feed.title.as_ref().and_then(text_line),
        link: pick_link(&feed.links, base),
        language: feed.language,
        updated: feed.updated.or(feed.published).and_then(to_timestamp),
        entries: feed
            .entries
            .into_iter()
            .zip(thumbnails)
            .map(|(entry, thumbnail)| map_entry(entry, thumbnail, base, language.as_deref()))
            .collect(),
    }
}

fn map_entry(
    entry: model::Entry,
    thumbnail: Option<String>,
    base: Option<&Url>,
    feed_language: Option<&str>,
) -> FeedEntry {
    let link = pick_link(&entry.links, base);
    let title = entry.title.as_ref().and_then(text_line);
    let summary = entry
        .summary
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .or_else(|| {
            entry
                .media
                .iter()
                .find_map(|m| m.description.as_ref().map(|t| html_to_text(&t.content)))
        })
        .filter(|s| !s.is_empty());
    let content_html = entry.content.as_ref().and_then(content_html);
    let published = entry.published.or(entry.updated).and_then(to_timestamp);
    FeedEntry {
        id: entry_id(
            &entry.id,
            link.as_ref(),
            &[
                title.as_deref().unwrap_or_default(),
                summary.as_deref().unwrap_or_default(),
                content_html.as_deref().unwrap_or_default(),
                &published.map(|p| p.to_string()).unwrap_or_default(),
            ],
        ),
        image: image(&entry, base).or_else(|| resolve(&thumbnail?, base)),
        authors: authors(&entry.authors),
        language: entry.language.or_else(|| feed_language.map(str::to_string)),
        updated: entry.updated.and_then(to_timestamp),
        title,
        link,
        published,
        summary,
        content_html,
    }
}

/// The feed's own ID; else the link; else a stable hash of the entry's text,
/// so that the same entry gets the same ID on every poll.
fn entry_id(feed_id: &str, link: Option<&Url>, text: &[&str]) -> String {
    let feed_id = feed_id.trim();
    if !feed_id.is_empty() {
        return feed_id.to_string();
    }
    if let Some(link) = link {
        return link.to_string();
    }
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let hash = text
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("urn:gazette:entry:{hash:016x}")
}

fn text_line(text: &model::Text) -> Option<String> {
    Some(html_to_line(&text.content)).filter(|s| !s.is_empty())
}

/// The entry's content as HTML; plain-text content is escaped.
fn content_html(content: &model::Content) -> Option<String> {
    let body = content.body.as_deref().filter(|b| !b.trim().is_empty())?;
    let media_type: &str = content.content_type.as_ref();
    if media_type.eq_ignore_ascii_case("text/plain") {
        let paragraphs: Vec<String> = body
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", quick_xml::escape::escape(p.trim())))
            .collect();
        Some(paragraphs.concat())
    } else {
        Some(body.to_string())
    }
}

/// The link to the page: `rel="alternate"` or no rel (and not a media
/// attachment), else the first link.
fn pick_link(links: &[model::Link], base: Option<&Url>) -> Option<Url> {
    let is_page = |l: &&model::Link| {
        matches!(l.rel.as_deref(), None | Some("alternate"))
            && l.media_type.as_deref().is_none_or(|t| t.contains("html"))
    };
    links
        .iter()
        .find(is_page)
        .or(links.first())
        .and_then(|l| resolve(&l.href, base))
}

/// Author names, else e-mail addresses; without duplicates.
fn authors(people: &[model::Person]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for person in people {
        let name = person
            .name
            .as_deref()
            .map(clean_name)
            .filter(|n| !n.is_empty())
            .or_else(|| person.email.clone());
        if let Some(name) = name.filter(|n| !names.contains(n)) {
            names.push(name);
        }
    }
    names
}

/// A person's name without the punctuation left around it when an e-mail
/// address was cut out (`(Jean Dupont)`, `—Jean Dupont`).
fn clean_name(raw: &str) -> String {
    html_to_line(raw)
        .trim_matches(|c: char| c.is_whitespace() || "()[]<>«»\"'“”‘’—–-,;:".contains(c))
        .to_string()
}

/// The entry's image: a media thumbnail, else an image media object or
/// enclosure (by type, or by file extension when untyped), else an image
/// attachment link.
fn image(entry: &model::Entry, base: Option<&Url>) -> Option<Url> {
    let is_image = |t: &str| t.to_ascii_lowercase().starts_with("image/");
    let looks_like_image = |url: &Url| {
        let path = url.path().to_ascii_lowercase();
        [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
            .iter()
            .any(|ext| path.ends_with(ext))
    };
    let thumbnails = entry
        .media
        .iter()
        .flat_map(|m| &m.thumbnails)
        .map(|t| t.image.uri.clone());
    let media = entry.media.iter().flat_map(|m| &m.content).filter_map(|c| {
        let url = c.url.as_ref()?;
        let typed_image = c.content_type.as_ref().map(|t| is_image(t.as_ref()));
        typed_image
            .unwrap_or_else(|| looks_like_image(url))
            .then(|| url.to_string())
    });
    let links = entry
        .links
        .iter()
        .filter(|l| l.media_type.as_deref().is_some_and(is_image))
        .map(|l| l.href.clone());
    thumbnails
        .chain(media)
        .chain(links)
        .find_map(|href| resolve(&href, base))
}

/// An absolute http(s) URL from a possibly relative reference.
fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

mod scan;
#[cfg(test)]
mod tests;
