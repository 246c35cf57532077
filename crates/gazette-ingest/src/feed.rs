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
use crate::text::{collapse_whitespace, html_to_line, html_to_text, text_paragraphs};

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
    parse_feed_limited(bytes, base, http_charset, usize::MAX)
}

/// [`parse_feed`] keeping at most `max_entries` entries (`fetch.max_entries`):
/// the newest by publication (else update) date, undated entries counting as
/// older than dated ones and ties going to the earlier entry; the entries
/// kept stay in document order. Entries dropped are never turned into text,
/// so a feed of 100,000 entries costs little more than its parse.
pub fn parse_feed_limited(
    bytes: &[u8],
    base: Option<&Url>,
    http_charset: Option<&str>,
    max_entries: usize,
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
    // A huge feed is cut to its newest entries before feed-rs builds its
    // model (about 14 times the document's size for 100,000 small items).
    let cut = cut_to_newest(text, max_entries);
    let text = cut.as_deref().unwrap_or(text);
    match parse_text(text, base, max_entries) {
        Err(error @ FeedError::InvalidXml { .. }) => {
            // The lenient second pass (see `repair`): what can be read is
            // better than nothing; the strict error is kept with the feed.
            let repaired = repair::repair(text);
            let repaired = cut_to_newest(&repaired, max_entries).unwrap_or(repaired);
            match parse_text(&repaired, base, max_entries) {
                Ok(mut feed) => {
                    feed.recovered = Some(error.to_string());
                    Ok(feed)
                }
                Err(_) => Err(error),
            }
        }
        other => other,
    }
}

/// The document cut to its `max` newest entries (XML or JSON), when it has
/// more; see [`parse_feed_limited`].
fn cut_to_newest(text: &str, max: usize) -> Option<String> {
    let (kept, total) = if max == usize::MAX {
        return None;
    } else if text.starts_with('<') {
        scan::keep_newest_items(text, max)?
    } else if text.starts_with('{') {
        keep_newest_json_items(text, max)?
    } else {
        return None;
    };
    tracing::warn!(
        entries = total,
        kept = max,
        "feed has more entries than fetch.max_entries; keeping the newest"
    );
    Some(kept)
}

/// Parses decoded text: Atom made readable for feed-rs ([`atom`]), CDF
/// rewritten as RSS ([`cdf`]), then feed-rs, then the `<rss>`-without-version
/// retry.
fn parse_text(text: &str, base: Option<&Url>, max_entries: usize) -> Result<ParsedFeed, FeedError> {
    let root = scan::first_element(text);
    let rewritten = match root.as_deref() {
        Some("feed") => atom::normalise(text),
        Some(name) if name.eq_ignore_ascii_case("channel") => cdf::to_rss(text),
        _ => None,
    };
    match rewritten {
        Some(rewritten) => parse_feed_rs(&rewritten, base, max_entries),
        None => parse_feed_rs(text, base, max_entries),
    }
}

/// feed-rs, then the `<rss>`-without-version retry.
fn parse_feed_rs(
    text: &str,
    base: Option<&Url>,
    max_entries: usize,
) -> Result<ParsedFeed, FeedError> {
    let feed = match parse_guarded(text, base) {
        Err(FeedError::NotAFeed { found }) => {
            // `<rss>` without a version, or with one feed-rs does not know, is
            // RSS all the same (feed-rs needs the version to pick a dialect):
            // read it as RSS 2.0, a superset of the 0.9x dialects for what
            // gazette reads.
            let Some(versioned) = with_rss_version(text) else {
                return Err(FeedError::NotAFeed { found });
            };
            let feed = parse_guarded(&versioned, base)?;
            return Ok(map_feed(feed, &versioned, base, max_entries));
        }
        other => other?,
    };
    Ok(map_feed(feed, text, base, max_entries))
}

/// The text with its root `<rss>` element read as RSS 2.0: `version="2.0"`
/// added when it has no version, or put in place of a version feed-rs does
/// not know (0.93, 0.94, 2.01…: drafts and typos, read as 2.0 by other
/// readers too); `None` when it already says 2.0 or there is no `<rss>`.
fn with_rss_version(text: &str) -> Option<String> {
    static RSS_ROOT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<rss(\s[^>]*)?>").expect("valid regex"));
    static VERSION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\sversion\s*=\s*("[^"]*"|'[^']*')"#).expect("valid regex"));
    let m = RSS_ROOT.find(text)?;
    match VERSION.captures(m.as_str()) {
        Some(version) => {
            let value = version.get(1).expect("group 1");
            if value.as_str().trim_matches(['"', '\'']) == "2.0" {
                return None;
            }
            let (start, end) = (m.start() + value.start(), m.start() + value.end());
            Some(format!("{}\"2.0\"{}", &text[..start], &text[end..]))
        }
        None => {
            let insert_at = m.start() + "<rss".len();
            Some(format!(
                "{} version=\"2.0\"{}",
                &text[..insert_at],
                &text[insert_at..]
            ))
        }
    }
}

/// A JSON Feed with only its `max` newest items (by `date_published`, else
/// `date_modified`), and how many it had; `None` when it has no more, or is
/// not an object with an `items` list (feed-rs then says what is wrong).
/// Items are kept as raw JSON text, never parsed into feed-rs's model.
fn keep_newest_json_items(text: &str, max: usize) -> Option<(String, usize)> {
    use serde_json::value::RawValue;
    use std::collections::BTreeMap;
    type Object = BTreeMap<String, Box<RawValue>>;
    let mut feed: Object = serde_json::from_str(text).ok()?;
    let items: Vec<Box<RawValue>> = serde_json::from_str(feed.get("items")?.get()).ok()?;
    if items.len() <= max {
        return None;
    }
    let dates: Vec<Option<jiff::Timestamp>> = items
        .iter()
        .map(|item| {
            let fields: Object = serde_json::from_str(item.get()).ok()?;
            let date = |key: &str| {
                let text: String = serde_json::from_str(fields.get(key)?.get()).ok()?;
                parse_date(&text).and_then(to_timestamp)
            };
            date("date_published").or_else(|| date("date_modified"))
        })
        .collect();
    let kept: Vec<&RawValue> = items
        .iter()
        .zip(newest_by(&dates, max))
        .filter_map(|(item, keep)| keep.then_some(&**item))
        .collect();
    feed.insert(
        "items".to_string(),
        serde_json::value::to_raw_value(&kept).ok()?,
    );
    Some((serde_json::to_string(&feed).ok()?, items.len()))
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

fn map_feed(
    mut feed: model::Feed,
    text: &str,
    base: Option<&Url>,
    max_entries: usize,
) -> ParsedFeed {
    let language = feed.language.clone();
    let mut extras = if text.starts_with('<') {
        scan::items(text)
    } else {
        Vec::new()
    };
    // Used only when every entry was seen, so that the indices line up.
    if extras.len() != feed.entries.len() {
        extras = vec![scan::ItemExtras::default(); feed.entries.len()];
    }
    if feed.entries.len() > max_entries {
        let keep = newest(&feed.entries, max_entries);
        tracing::warn!(
            entries = feed.entries.len(),
            kept = max_entries,
            "feed has more entries than fetch.max_entries; keeping the newest"
        );
        let mut index = 0;
        feed.entries.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        let mut index = 0;
        extras.retain(|_| {
            index += 1;
            keep[index - 1]
        });
    }
    let rss = matches!(
        feed.feed_type,
        model::FeedType::RSS0 | model::FeedType::RSS2
    );
    ParsedFeed {
        kind: match feed.feed_type {
            model::FeedType::Atom => FeedKind::Atom,
            model::FeedType::JSON => FeedKind::JsonFeed,
            model::FeedType::RSS0 => FeedKind::Rss0,
            model::FeedType::RSS1 => FeedKind::Rss1,
            model::FeedType::RSS2 => FeedKind::Rss2,
        },
        title: feed
            .title
            .as_ref()
            .and_then(|t| text_line(t, &feed.feed_type)),
        description: feed
            .description
            .as_ref()
            .map(|t| text_block(t, &feed.feed_type))
            .filter(|d| !d.is_empty()),
        link: pick_link(&feed.links, base),
        language: feed.language,
        updated: feed.updated.or(feed.published).and_then(to_timestamp),
        entries: feed
            .entries
            .into_iter()
            .zip(extras)
            .map(|(entry, mut extras)| {
                if !rss {
                    // Only RSS's `<guid>` and `<description>` are meant.
                    extras.permalink = None;
                    extras.description_markup = None;
                }
                map_entry(entry, extras, base, language.as_deref(), &feed.feed_type)
            })
            .collect(),
        recovered: None,
    }
}

/// Which of `entries` to keep: the `max` newest (see [`parse_feed_limited`]).
fn newest(entries: &[model::Entry], max: usize) -> Vec<bool> {
    let dates: Vec<_> = entries
        .iter()
        .map(|e| e.published.or(e.updated).and_then(to_timestamp))
        .collect();
    newest_by(&dates, max)
}

/// Which of the entries with these dates to keep: the `max` newest, undated
/// ones counting as the oldest, ties going to the earlier entry.
fn newest_by(dates: &[Option<jiff::Timestamp>], max: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..dates.len()).collect();
    // `None` sorts before `Some`, so descending puts undated entries last.
    order.sort_by(|&a, &b| dates[b].cmp(&dates[a]).then(a.cmp(&b)));
    let mut keep = vec![false; dates.len()];
    for &i in order.iter().take(max) {
        keep[i] = true;
    }
    keep
}

fn map_entry(
    entry: model::Entry,
    extras: scan::ItemExtras,
    base: Option<&Url>,
    feed_language: Option<&str>,
    feed_type: &model::FeedType,
) -> FeedEntry {
    // RSS 2.0: a `<guid>` that is a permalink is the item's URL when it has no `<link>`.
    let link =
        pick_link(&entry.links, base).or_else(|| resolve(extras.permalink.as_deref()?, base));
    let title = entry.title.as_ref().and_then(|t| text_line(t, feed_type));
    let summary = entry
        .summary
        .as_ref()
        .map(|t| text_block(t, feed_type))
        .or_else(|| extras.description_markup.as_deref().map(html_to_text))
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
        image: image(&entry, base).or_else(|| resolve(extras.thumbnail.as_deref()?, base)),
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

/// A title on one line. Atom says whether a text construct is plain text
/// (`type="text"`), which is then taken as it is; other formats' titles are
/// read as HTML, since RSS feeds escape markup and entities in them freely.
fn text_line(text: &model::Text, feed_type: &model::FeedType) -> Option<String> {
    let line = if is_literal(text, feed_type) {
        collapse_whitespace(&text.content)
    } else {
        html_to_line(&text.content)
    };
    Some(line).filter(|s| !s.is_empty())
}

/// A summary or description as plain text in paragraphs (see [`text_line`]).
fn text_block(text: &model::Text, feed_type: &model::FeedType) -> String {
    if is_literal(text, feed_type) {
        text_paragraphs(&text.content)
    } else {
        html_to_text(&text.content)
    }
}

/// Whether a text construct is plain text by the feed's own word (Atom's
/// `type="text"`, the default).
fn is_literal(text: &model::Text, feed_type: &model::FeedType) -> bool {
    *feed_type == model::FeedType::Atom
        && text
            .content_type
            .as_ref()
            .eq_ignore_ascii_case("text/plain")
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

mod atom;
mod cdf;
mod repair;
mod scan;
#[cfg(test)]
mod tests;
